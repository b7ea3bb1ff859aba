// Mutant of exercise 08: process_all starts a task for every item without first asking whether
// ctx is already done. fn is called for every item of a caller who has already given up; an fn
// that does not look at ctx even succeeds, and the cancellation is never reported.
// mistake: ignored-cancellation
// expect: calls of fn: 0
#include <mutex>

#include "aggregate.hpp"

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  // BUG: no `if (goro::Error err = ctx.err()) return err;` before the tasks start
  goro::Mutex mu;
  std::vector<goro::Error> errs;
  goro::WaitGroup wg;
  for (int item : items) {
    wg.go([&ctx, &fn, &mu, &errs, item] {
      goro::Error err = fn(ctx, item);
      if (!err) return;
      goro::Error wrapped = goro::errorf("item {}: {:w}", item, err);
      std::lock_guard lk(mu);
      errs.push_back(std::move(wrapped));
    });
  }
  wg.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex08
