// Mutant of exercise 01: the producer never closes its channel.
// The consumer's loop waits for one more number forever, so wait() never returns.
// mistake: missing-close
// expect: deadlock
#include "sum.hpp"

namespace dojo::ex01 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, &nums]() -> goro::Error {
    for (int n : nums) ch.send(n);
    return {};  // BUG: no ch.close()
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
