// Mutant of exercise 26: every task appends its value to the results (under a mutex) when its call
// returns. Every value is there, but in the order the calls finished: results[0] is the fastest
// item's value, not f(items[0]).
// mistake: wrong-order
// expect: not in input order
#include <mutex>

#include "parallel_map.hpp"

namespace dojo::ex26 {

goro::Result<std::vector<int>> parallel_map(const goro::Context& ctx, const std::vector<int>& items, int limit,
                                            const MapFn& f) {
  std::vector<int> results;  // BUG: no slot per item; filled in completion order
  results.reserve(items.size());
  std::mutex mu;
  if (items.empty()) return results;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.set_limit(limit);
  std::size_t started = 0;
  for (std::size_t i = 0; i < items.size(); ++i, ++started) {
    if (gctx.err()) break;
    g.go([gctx = gctx, &f, &mu, &results, item = items[i], i]() -> goro::Error {
      if (goro::Error err = gctx.err()) return err;
      auto r = f(gctx, item);
      if (!r) return goro::errorf("item {}: {:w}", i, r.error());
      std::lock_guard lk(mu);
      results.push_back(*r);
      return {};
    });
  }
  goro::Error err = g.wait();
  if (!err && started < items.size()) err = ctx.err();
  if (err) return err;
  return results;
}

}  // namespace dojo::ex26
