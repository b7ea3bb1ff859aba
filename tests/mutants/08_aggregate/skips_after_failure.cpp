// Mutant of exercise 08: "no point going on once something failed": a task that sees an
// earlier failure skips its item. Items that happen to start after a failure are never tried.
// mistake: lost-item
// expect: never attempted
#include <atomic>
#include <mutex>

#include "aggregate.hpp"

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  if (goro::Error err = ctx.err()) return err;
  goro::Mutex mu;
  std::vector<goro::Error> errs;
  std::atomic<bool> failed{false};
  goro::WaitGroup wg;
  for (int item : items) {
    wg.go([&ctx, &fn, &mu, &errs, &failed, item] {
      if (failed.load()) return;  // BUG: gives up on the remaining items
      goro::Error err = fn(ctx, item);
      if (!err) return;
      failed.store(true);
      std::lock_guard lk(mu);
      errs.push_back(goro::errorf("item {}: {:w}", item, err));
    });
  }
  wg.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex08
