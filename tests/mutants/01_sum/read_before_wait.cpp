// Mutant of exercise 01: the total is read before wait() — while the consumer may still be
// adding. Some schedules return a partial sum.
// mistake: unsynchronized
// expect: the total
#include <atomic>
#include <memory>

#include "sum.hpp"

namespace dojo::ex01 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>(64);
  auto total = std::make_shared<std::atomic<long long>>(0);
  g.go([ch, &nums]() -> goro::Error {
    for (int n : nums) ch.send(n);
    ch.close();
    return {};
  });
  g.go([ch, total]() -> goro::Error {
    for (int n : ch) *total += n;
    return {};
  });
  long long result = total->load();  // BUG: read before wait()
  if (goro::Error err = g.wait()) return err;
  return result;
}

}  // namespace dojo::ex01
