// Mutant of exercise 02: the producer closes its channel only after a complete run; the early
// return on a negative number forgets it (Go's `defer close(out)` would not). The consumer ranges
// over the channel without watching the context, so it waits for a value that never comes.
// mistake: missing-close
// expect: deadlock
#include <cstddef>

#include "negative.hpp"

namespace dojo::ex02 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, gctx = gctx, &nums]() -> goro::Error {
    for (std::size_t i = 0; i < nums.size(); ++i) {
      const int n = nums[i];
      if (n < 0) return goro::errorf("nums[{}] = {}: {:w}", i, n, ErrNegative);  // BUG: no ch.close()
      if (goro::select(goro::on_send(ch, n), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();
      }
    }
    ch.close();
    return {};
  });
  long long total = 0;
  g.go([ch, &total]() -> goro::Error {
    for (int n : ch) total += n;  // ends only when the channel is closed
    return {};
  });
  if (goro::Error err = g.wait()) return err;
  return total;
}

}  // namespace dojo::ex02
