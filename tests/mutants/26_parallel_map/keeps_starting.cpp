// Mutant of exercise 26: nothing looks at the group's context before calling f. After the first
// failure the loop goes on, every go() that gets a free slot starts a task, and that task calls f
// for its item — with a context that is already cancelled. Work is started for a job that has
// already failed.
// mistake: kept-going
// expect: that had not started when item 0 failed
#include "parallel_map.hpp"

namespace dojo::ex26 {

goro::Result<std::vector<int>> parallel_map(const goro::Context& ctx, const std::vector<int>& items, int limit,
                                            const MapFn& f) {
  std::vector<int> results(items.size());
  if (items.empty()) return results;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.set_limit(limit);
  for (std::size_t i = 0; i < items.size(); ++i) {
    // BUG: no `if (gctx.err()) break;` here, and no check in the task before f
    g.go([gctx = gctx, &f, item = items[i], &out = results[i], i]() -> goro::Error {
      auto r = f(gctx, item);
      if (!r) return goro::errorf("item {}: {:w}", i, r.error());
      out = *r;
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;
  return results;
}

}  // namespace dojo::ex26
