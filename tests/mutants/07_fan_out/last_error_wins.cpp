// Mutant of exercise 07: the workers run under a WaitGroup with a cancel of their own, and each
// worker that ends with an error stores it in one shared variable, overwriting what was there.
// The failing worker stores its error and cancels; the others then stop with Canceled and store
// that over it. fan_out returns the consequence (Canceled) instead of the cause.
// mistake: wrong-error
// expect: an error that is not goro::Canceled
#include <mutex>

#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  if (goro::Error err = ctx.err()) {
    out.close();
    return err;
  }
  auto [wctx, cancel] = goro::with_cancel(ctx);
  goro::Mutex mu;
  goro::Error result;
  goro::WaitGroup wg;
  for (int w = 0; w < kWorkers; ++w) {
    wg.go([in, out, wctx = wctx, cancel = cancel, &work, &mu, &result] {
      goro::Error err = [&]() -> goro::Error {
        for (;;) {
          int item = 0;
          bool ok = false;
          if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(wctx.done())) == 1) return wctx.err();
          if (!ok) return {};
          goro::Result<int> r = work(wctx, item);
          if (!r) return goro::errorf("item {}: {:w}", item, r.error());
          if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) return wctx.err();
        }
      }();
      if (!err) return;
      cancel();
      std::lock_guard lk(mu);
      result = err;  // BUG: overwrites an earlier error; keep the first (if (!result) result = err;)
    });
  }
  wg.wait();
  cancel();
  out.close();
  return result;
}

}  // namespace dojo::ex07
