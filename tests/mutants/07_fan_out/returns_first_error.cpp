// Mutant of exercise 07: the workers report failures on an error channel, and the stage returns
// as soon as the first one arrives: it cancels the others and closes `out`, but does not wait
// for them. They are still winding down when fan_out has already returned.
// mistake: leak
// expect: still busy
#include <memory>

#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  if (goro::Error err = ctx.err()) {
    out.close();
    return err;
  }
  auto [wctx, cancel] = goro::with_cancel(ctx);
  auto errc = goro::make_chan<goro::Error>(kWorkers);
  auto wg = std::make_shared<goro::WaitGroup>();
  for (int w = 0; w < kWorkers; ++w) {
    wg->go([in, out, errc, wctx = wctx, work] {
      for (;;) {
        int item = 0;
        bool ok = false;
        if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(wctx.done())) == 1) return;
        if (!ok) return;
        goro::Result<int> r = work(wctx, item);
        if (!r) {
          errc.send(r.error());
          return;
        }
        if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) return;
      }
    });
  }
  goro::go([wg, errc] {
    wg->wait();
    errc.close();
  });
  goro::Error err = errc.recv().value;  // nil once every worker is done without error
  if (err) {
    cancel();
    out.close();
    return err;  // BUG: the other workers are still running
  }
  cancel();
  out.close();
  return ctx.err();
}

}  // namespace dojo::ex07
