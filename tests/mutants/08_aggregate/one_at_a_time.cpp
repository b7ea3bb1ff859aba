// Mutant of exercise 08: a plain loop calls fn for one item after the other. Every item is
// attempted and every error kept, but nothing runs concurrently: slow items add up.
// mistake: serialized
// expect: ran one after the other
#include "aggregate.hpp"

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  if (goro::Error err = ctx.err()) return err;
  std::vector<goro::Error> errs;
  for (int item : items)  // BUG: no task per item
    if (goro::Error err = fn(ctx, item)) errs.push_back(goro::errorf("item {}: {:w}", item, err));
  return goro::join(errs);
}

}  // namespace dojo::ex08
