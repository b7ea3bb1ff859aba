// Mutant of exercise 07: fan_out returns what the workers' wait() returns and never closes
// `out` once they are done (only the early return for a cancelled ctx closes it). Every result
// arrives, but the downstream stage, ranging over `out`, then waits for the end forever.
// mistake: missing-close
// expect: chan receive
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
        if (!r) return goro::errorf("item {}: {:w}", item, r.error());
        if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) return wctx.err();
      }
    });
  }
  return workers.wait();  // BUG: `out` is never closed on this path
}

}  // namespace dojo::ex07
