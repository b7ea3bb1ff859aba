// Mutant of exercise 02: the producer closes the channel when it meets a negative number, leaves
// the loop, and then closes it again on the common way out ("close after the loop"). Every input
// with a negative number closes the channel twice, which panics.
// mistake: double-close
// expect: close of closed channel
#include <cstddef>

#include "negative.hpp"

namespace dojo::ex02 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, gctx = gctx, &nums]() -> goro::Error {
    goro::Error failed;
    for (std::size_t i = 0; i < nums.size(); ++i) {
      const int n = nums[i];
      if (n < 0) {
        ch.close();
        failed = goro::errorf("nums[{}] = {}: {:w}", i, n, ErrNegative);
        break;
      }
      if (goro::select(goro::on_send(ch, n), goro::on_recv(gctx.done())) == 1) {
        failed = gctx.err();
        break;
      }
    }
    ch.close();  // BUG: already closed when the loop ended at a negative number
    return failed;
  });
  long long total = 0;
  g.go([ch, gctx = gctx, &total]() -> goro::Error {
    for (;;) {
      int n = 0;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &n, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};
      total += n;
    }
  });
  if (goro::Error err = g.wait()) return err;
  return total;
}

}  // namespace dojo::ex02
