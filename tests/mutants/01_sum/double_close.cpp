// Mutant of exercise 01: the consumer closes the channel too, "to be safe". Only the sender
// may close a channel; closing it twice panics.
// mistake: double-close
// expect: close of closed channel
#include "sum.hpp"

namespace dojo::ex01 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, &nums]() -> goro::Error {
    for (int n : nums) ch.send(n);
    ch.close();
    return {};
  });
  long long total = 0;
  g.go([ch, &total]() -> goro::Error {
    for (int n : ch) total += n;
    ch.close();  // BUG: the receiver closes an already-closed channel
    return {};
  });
  if (goro::Error err = g.wait()) return err;
  return total;
}

}  // namespace dojo::ex01
