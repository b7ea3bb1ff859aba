// Visible examples for exercise 01. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include "grader.hpp"
#include "sum.hpp"

using dojo::ex01::sum;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {
// True when `total` is the sum of the first k numbers (k < all of them): what the total is
// while the consumer is still adding, so it was read too early.
bool partial_sum(long long total, const std::vector<int>& nums) {
  long long s = 0;
  for (std::size_t k = 0; k < nums.size(); s += nums[k++])
    if (s == total) return true;
  return false;
}
}  // namespace

DOJO_CHECK("example: 1, 2, 3, 4, 5 add up to 15",
           "The consumer adds what it receives; the producer sends every number, then closes.") {
  check.say("calling sum(background, {1, 2, 3, 4, 5})");
  const std::vector<int> nums{1, 2, 3, 4, 5};
  auto r = sum(goro::background(), nums);
  check.expect_ok(r.error(), "sum(...)");
  if (r.value() != 15 && partial_sum(r.value(), nums))
    check.fail("the total: 15", fmt::format("the total: {} (the sum of the first numbers only)", r.value()),
               {mistake::unsynchronized, "The total is complete only once the consumer is done: read it after "
                                         "g.wait() has returned."});
  check.expect_eq(r.value(), 15LL, "the total");
}

DOJO_CHECK("example: an empty input adds up to 0",
           "With nothing to send, the producer closes at once and the consumer's loop ends.") {
  check.say("calling sum(background, {})");
  auto r = sum(goro::background(), {});
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 0LL, "the total");
}

DOJO_CHECK("example: a cancelled context gives its error",
           "Check ctx.err() before starting any work, and return it.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling sum(ctx, {1, 2, 3}) with ctx already cancelled");
  auto r = sum(ctx, {1, 2, 3});
  if (!r.error() && r.value() == 6)  // everything added up: the context was never looked at
    check.fail("an error that goro::is finds goro::Canceled in", "no error (nil), and the whole total: 6",
               mistake::ignored_cancellation);
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
}
