// Mutant of exercise 08: every error is collected and joined, but each is wrapped with {}
// instead of {:w}. The text is right; the wrapped error is gone, so goro::is finds nothing.
// mistake: missing-wrap
// expect: goro::is finds ErrBadThree
#include <mutex>

#include "aggregate.hpp"

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  if (goro::Error err = ctx.err()) return err;
  goro::Mutex mu;
  std::vector<goro::Error> errs;
  goro::WaitGroup wg;
  for (int item : items) {
    wg.go([&ctx, &fn, &mu, &errs, item] {
      goro::Error err = fn(ctx, item);
      if (!err) return;
      std::lock_guard lk(mu);
      errs.push_back(goro::errorf("item {}: {}", item, err));  // BUG: {} formats, only {:w} wraps
    });
  }
  wg.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex08
