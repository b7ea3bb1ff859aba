// Mutant of exercise 02: the negative number is handled right, but the context is never
// consulted: no ctx.err() up front, a plain send, a plain range. A caller that has cancelled
// still gets the whole input summed, with no error.
// mistake: ignored-cancellation
// expect: the numbers were sent anyway
#include <cstddef>

#include "negative.hpp"

namespace dojo::ex02 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);  // BUG: gctx is never watched, ctx.err() never read
  auto ch = goro::make_chan<int>();
  g.go([ch, &nums]() -> goro::Error {
    for (std::size_t i = 0; i < nums.size(); ++i) {
      const int n = nums[i];
      if (n < 0) {
        ch.close();
        return goro::errorf("nums[{}] = {}: {:w}", i, n, ErrNegative);
      }
      ch.send(n);
    }
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

}  // namespace dojo::ex02
