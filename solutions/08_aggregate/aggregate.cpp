// Exercise 08 — aggregate: reference solution.
#include "aggregate.hpp"

#include <mutex>

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  // A cancelled caller wants no work at all: not even one attempt.
  if (goro::Error err = ctx.err()) return err;

  // Every task may append at the same moment (in free mode truly in parallel): the vector needs
  // a lock. (Another way: std::vector<goro::Error> errs(items.size()), task i writing only
  // errs[i]; distinct slots need no lock, and join skips the nil ones.)
  goro::Mutex mu;
  std::vector<goro::Error> errs;

  // A plain WaitGroup: nothing here cancels anything. ErrGroup::with_context would cancel ctx
  // for every other item the moment one failed, which is exactly what this exercise must not do.
  goro::WaitGroup wg;
  for (int item : items) {
    // `item` by value: each task keeps its own. The rest by reference is safe because wg.wait()
    // below outlives every task.
    wg.go([&ctx, &fn, &mu, &errs, item] {
      goro::Error err = fn(ctx, item);
      if (!err) return;
      // {:w}, not {}: the caller must still find fn's error with goro::is / goro::as.
      goro::Error wrapped = goro::errorf("item {}: {:w}", item, err);
      std::lock_guard lk(mu);
      errs.push_back(std::move(wrapped));
    });
  }

  // After wait() every task has finished, so reading `errs` needs no lock any more.
  wg.wait();
  return goro::join(errs);  // nil when nothing failed
}

}  // namespace dojo::ex08
