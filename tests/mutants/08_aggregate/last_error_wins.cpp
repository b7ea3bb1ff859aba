// Mutant of exercise 08: race-free, every item attempted, but one shared error variable is
// overwritten by each failing task: only the last failure survives, the rest are dropped.
// mistake: swallowed-error
// expect: BadItem missing
#include <mutex>

#include "aggregate.hpp"

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  if (goro::Error err = ctx.err()) return err;
  goro::Mutex mu;
  goro::Error result;
  goro::WaitGroup wg;
  for (int item : items) {
    wg.go([&ctx, &fn, &mu, &result, item] {
      goro::Error err = fn(ctx, item);
      if (!err) return;
      std::lock_guard lk(mu);
      result = goro::errorf("item {}: {:w}", item, err);  // BUG: overwrites instead of collecting
    });
  }
  wg.wait();
  return result;
}

}  // namespace dojo::ex08
