// Mutant of exercise 26: f is called with the caller's ctx instead of the group's gctx. The group
// still stops starting items after the failure, but the calls already in flight never hear of it:
// ctx is not cancelled by the group, so they run to their end (or wait forever) for results nobody
// will use.
// mistake: kept-going
// expect: their context was not cancelled
#include "parallel_map.hpp"

namespace dojo::ex26 {

goro::Result<std::vector<int>> parallel_map(const goro::Context& ctx, const std::vector<int>& items, int limit,
                                            const MapFn& f) {
  std::vector<int> results(items.size());
  if (items.empty()) return results;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.set_limit(limit);
  std::size_t started = 0;
  for (std::size_t i = 0; i < items.size(); ++i, ++started) {
    if (gctx.err()) break;
    g.go([ctx, gctx = gctx, &f, item = items[i], &out = results[i], i]() -> goro::Error {
      if (goro::Error err = gctx.err()) return err;
      auto r = f(ctx, item);  // BUG: the caller's context, which the group never cancels
      if (!r) return goro::errorf("item {}: {:w}", i, r.error());
      out = *r;
      return {};
    });
  }
  goro::Error err = g.wait();
  if (!err && started < items.size()) err = ctx.err();
  if (err) return err;
  return results;
}

}  // namespace dojo::ex26
