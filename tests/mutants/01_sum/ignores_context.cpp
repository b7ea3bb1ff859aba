// Mutant of exercise 01: the context is never consulted.
// A cancelled caller still gets the whole sum computed, and no error.
// mistake: ignored-cancellation
// expect: the numbers were sent anyway
#include "sum.hpp"

namespace dojo::ex01 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);  // BUG: gctx is never watched, ctx.err() never read
  auto ch = goro::make_chan<int>();
  g.go([ch, &nums]() -> goro::Error {
    for (int n : nums) ch.send(n);
    ch.close();
    return {};
  });
  long long total = 0;
  g.go([ch, &total]() -> goro::Error {
    for (int n : ch) total += n;
    return {};
  });
  if (goro::Error err = g.wait()) return err;
  return total;
}

}  // namespace dojo::ex01
