// Exercise 02 — negative: reference solution.
#include "negative.hpp"

#include <cstddef>

namespace dojo::ex02 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  // A cancelled context means: do no work at all.
  if (goro::Error err = ctx.err()) return err;

  // gctx is cancelled the moment a task returns an error (and when wait() returns).
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();

  // Producer: the only sender, so the only closer — on every way out of the task.
  g.go([ch, gctx = gctx, &nums]() -> goro::Error {
    for (std::size_t i = 0; i < nums.size(); ++i) {
      const int n = nums[i];
      if (n < 0) {
        ch.close();
        // {:w} wraps: goro::is(err, ErrNegative) stays true. {} would only copy the text.
        // Returning (not remembering and carrying on) stops the sending right here.
        return goro::errorf("nums[{}] = {}: {:w}", i, n, ErrNegative);
      }
      if (goro::select(goro::on_send(ch, n), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();
      }
    }
    ch.close();
    return {};
  });

  // Consumer: stops when the channel is closed and drained, or when the group is cancelled —
  // which is how it learns that the producer failed.
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

  // The first error a task returned: the producer's wrapped ErrNegative, or the context's error.
  // The consumer's later Canceled is dropped by the group.
  if (goro::Error err = g.wait()) return err;
  return total;
}

}  // namespace dojo::ex02
