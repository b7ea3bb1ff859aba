// Mutant of exercise 02: the producer returns the bare sentinel. goro::is finds it, but the
// caller cannot tell which number was negative: neither the index nor the value is named.
// mistake: missing-context
// expect: contains "nums[
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
      if (n < 0) {
        ch.close();
        return ErrNegative;  // BUG: not wrapped with the index and the value
      }
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
