// Mutant of exercise 26: the failing call's error is formatted with {} instead of {:w}. The text
// reads right ("item 5: bad record 45"), but the result is a new error that wraps nothing: goro::is
// and goro::as no longer find f's error, so a caller cannot tell what kind of failure it was.
// mistake: missing-wrap
// expect: goro::is finds ErrInvalid
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
    g.go([gctx = gctx, &f, item = items[i], &out = results[i], i]() -> goro::Error {
      if (goro::Error err = gctx.err()) return err;
      auto r = f(gctx, item);
      if (!r) return goro::errorf("item {}: {}", i, r.error());  // BUG: {} copies the text only
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
