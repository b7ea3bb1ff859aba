// Mutant of exercise 01: both tasks notice the cancellation and stop, but return nil instead of
// gctx.err(). The group sees no failure, so sum hands back the partial total as if it were the
// answer: the caller cannot tell a cancelled sum from a finished one.
// mistake: swallowed-error
// expect: goro::Canceled
#include "sum.hpp"

namespace dojo::ex01 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, gctx = gctx, &nums]() -> goro::Error {
    for (int n : nums) {
      if (goro::select(goro::on_send(ch, n), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return {};  // BUG: the cancellation is not reported
      }
    }
    ch.close();
    return {};
  });
  long long total = 0;
  g.go([ch, gctx = gctx, &total]() -> goro::Error {
    for (;;) {
      int n = 0;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &n, &ok), goro::on_recv(gctx.done())) == 1) return {};  // BUG: same
      if (!ok) return {};
      total += n;
    }
  });
  if (goro::Error err = g.wait()) return err;
  return total;
}

}  // namespace dojo::ex01
