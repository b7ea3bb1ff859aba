// Mutant of exercise 07: `out` is closed right after the workers are started, before waiting
// for them — Go's `defer close(out)` misread as "close when the setup is done". A worker that
// then sends a result sends on a closed channel: a panic.
// mistake: send-on-closed
// expect: send on closed channel
#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  if (goro::Error err = ctx.err()) {
    out.close();
    return err;
  }
  auto [workers, wctx] = goro::ErrGroup::with_context(ctx);
  for (int w = 0; w < kWorkers; ++w) {
    workers.go([in, out, wctx = wctx, &work]() -> goro::Error {
      for (;;) {
        int item = 0;
        bool ok = false;
        if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(wctx.done())) == 1) return wctx.err();
        if (!ok) return {};
        goro::Result<int> r = work(wctx, item);
        if (!r) return r.error();
        if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) return wctx.err();
      }
    });
  }
  out.close();  // BUG: the workers are still running
  return workers.wait();
}

}  // namespace dojo::ex07
