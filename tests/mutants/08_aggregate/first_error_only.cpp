// Mutant of exercise 08: each task returns its error to a plain ErrGroup, and process_all
// returns g.wait(). Every item is attempted, but wait() keeps only the first error returned:
// the other failures are silently dropped.
// mistake: swallowed-error
// expect: goro::is finds the error of item
#include "aggregate.hpp"

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  if (goro::Error err = ctx.err()) return err;
  goro::ErrGroup g;
  for (int item : items) {
    g.go([&ctx, &fn, item]() -> goro::Error {
      if (goro::Error err = fn(ctx, item)) return goro::errorf("item {}: {:w}", item, err);
      return {};
    });
  }
  return g.wait();  // BUG: the first error only; the group never joins
}

}  // namespace dojo::ex08
