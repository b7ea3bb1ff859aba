// Exercise 01 — sum: reference solution.
#include "sum.hpp"

namespace dojo::ex01 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  // A cancelled context means: do no work at all.
  if (goro::Error err = ctx.err()) return err;

  // The group's context is cancelled when either task fails, and when wait() returns.
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();

  // Producer: the only sender, so the only one allowed to close the channel.
  g.go([ch, gctx = gctx, &nums]() -> goro::Error {
    for (int n : nums) {
      // A plain ch.send(n) would block forever if the consumer stopped early.
      if (goro::select(goro::on_send(ch, n), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();
      }
    }
    ch.close();
    return {};
  });

  // Consumer: `total` is written by this task only and read after wait(), which orders the two.
  long long total = 0;
  g.go([ch, gctx = gctx, &total]() -> goro::Error {
    for (;;) {
      int n = 0;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &n, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};  // closed and drained: every number is in
      total += n;
    }
  });

  if (goro::Error err = g.wait()) return err;
  return total;
}

}  // namespace dojo::ex01
