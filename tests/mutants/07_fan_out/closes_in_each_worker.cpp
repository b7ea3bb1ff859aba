// Mutant of exercise 07: each worker closes `out` when it runs out of items ("defer close(out)"
// copied into the worker). The first worker to finish closes it; the next one to send on it, or
// to close it again, panics.
// mistake: send-on-closed
// expect: on closed channel
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
        if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(wctx.done())) == 1) {
          out.close();  // BUG: four workers, four closes
          return wctx.err();
        }
        if (!ok) {
          out.close();  // BUG: four workers, four closes
          return {};
        }
        goro::Result<int> r = work(wctx, item);
        if (!r) {
          out.close();  // BUG
          return r.error();
        }
        if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) {
          out.close();  // BUG
          return wctx.err();
        }
      }
    });
  }
  return workers.wait();
}

}  // namespace dojo::ex07
