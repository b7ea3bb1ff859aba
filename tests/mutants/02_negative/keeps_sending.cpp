// Mutant of exercise 02: the producer notes the first negative number and carries on sending the
// rest, returning the error only at the end. The result is right, but the whole input flows
// through the pipeline after the failure.
// mistake: kept-going
// expect: kept sending
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
        if (!failed) failed = goro::errorf("nums[{}] = {}: {:w}", i, n, ErrNegative);
        continue;  // BUG: remembers the error and keeps going instead of returning
      }
      if (goro::select(goro::on_send(ch, n), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();
      }
    }
    ch.close();
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
