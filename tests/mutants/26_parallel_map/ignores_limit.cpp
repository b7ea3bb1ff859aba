// Mutant of exercise 26: the limit is never set. Every item gets its task at once, so with 12 items
// and limit 3 all 12 calls of f are in flight together — the downstream service sees the whole
// batch at the same moment instead of `limit` requests.
// mistake: over-limit
// expect: more calls in flight than the limit allows
#include "parallel_map.hpp"

namespace dojo::ex26 {

goro::Result<std::vector<int>> parallel_map(const goro::Context& ctx, const std::vector<int>& items, int limit,
                                            const MapFn& f) {
  (void)limit;  // BUG: g.set_limit(limit) is missing
  std::vector<int> results(items.size());
  if (items.empty()) return results;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  std::size_t started = 0;
  for (std::size_t i = 0; i < items.size(); ++i, ++started) {
    if (gctx.err()) break;
    g.go([gctx = gctx, &f, item = items[i], &out = results[i], i]() -> goro::Error {
      if (goro::Error err = gctx.err()) return err;
      auto r = f(gctx, item);
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
