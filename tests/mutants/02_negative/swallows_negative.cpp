// Mutant of exercise 02: the producer stops at a negative number but reports nothing: it closes
// the channel and returns nil, so the caller gets the partial total as if all went well.
// mistake: swallowed-error
// expect: goro::is finds ErrNegative
#include "negative.hpp"

namespace dojo::ex02 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, gctx = gctx, &nums]() -> goro::Error {
    for (int n : nums) {
      if (n < 0) break;  // BUG: stops, but the failure is never returned
      if (goro::select(goro::on_send(ch, n), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();
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
      if (goro::select(goro::on_recv(ch, &n, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};
      total += n;
    }
  });
  if (goro::Error err = g.wait()) return err;
  return total;
}

}  // namespace dojo::ex02
