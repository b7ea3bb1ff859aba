// Mutant of exercise 07: four workers, but they share a goro::Mutex "to protect `out`" and hold
// it from the call of work to the end of the send. Only one work call can run at a time: the
// four workers take turns instead of working side by side, and the stage is as slow as one.
// mistake: serialized
// expect: work call(s) at once
#include <mutex>

#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  if (goro::Error err = ctx.err()) {
    out.close();
    return err;
  }
  goro::Mutex mu;
  auto [workers, wctx] = goro::ErrGroup::with_context(ctx);
  for (int w = 0; w < kWorkers; ++w) {
    workers.go([in, out, wctx = wctx, &work, &mu]() -> goro::Error {
      for (;;) {
        int item = 0;
        bool ok = false;
        if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(wctx.done())) == 1) return wctx.err();
        if (!ok) return {};
        std::lock_guard lk(mu);  // BUG: held across work, so the workers run one at a time
        goro::Result<int> r = work(wctx, item);
        if (!r) return goro::errorf("item {}: {:w}", item, r.error());
        if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) return wctx.err();
      }
    });
  }
  goro::Error err = workers.wait();
  out.close();
  return err;
}

}  // namespace dojo::ex07
