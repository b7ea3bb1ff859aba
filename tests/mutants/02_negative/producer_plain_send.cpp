// Mutant of exercise 02: the consumer watches the group's context, but the producer sends with
// a plain send. Once the caller cancels, the consumer returns and nobody receives any more: the
// producer's send waits forever, and g.wait() with it.
// mistake: blocked-send
// expect: chan send
#include <cstddef>

#include "negative.hpp"

namespace dojo::ex02 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, &nums]() -> goro::Error {
    for (std::size_t i = 0; i < nums.size(); ++i) {
      const int n = nums[i];
      if (n < 0) {
        ch.close();
        return goro::errorf("nums[{}] = {}: {:w}", i, n, ErrNegative);
      }
      ch.send(n);  // BUG: no select on gctx.done()
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
