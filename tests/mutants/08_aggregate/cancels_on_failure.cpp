// Mutant of exercise 08: every error is collected and joined, but the tasks run in a group
// made by ErrGroup::with_context and fn is given the group's context. The first failure cancels
// that context, so every item still working sees a cancellation nobody asked for.
// mistake: unexpected-error
// expect: saw their context cancelled
#include <mutex>

#include "aggregate.hpp"

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);  // BUG: the first error cancels gctx
  goro::Mutex mu;
  std::vector<goro::Error> errs;
  for (int item : items) {
    g.go([gctx = gctx, &fn, &mu, &errs, item]() -> goro::Error {
      goro::Error err = fn(gctx, item);
      if (!err) return {};
      err = goro::errorf("item {}: {:w}", item, err);
      {
        std::lock_guard lk(mu);
        errs.push_back(err);
      }
      return err;  // ... and returning it is what triggers the cancellation
    });
  }
  (void)g.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex08
