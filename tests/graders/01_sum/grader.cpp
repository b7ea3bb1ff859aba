// Hidden checks for exercise 01 (sum).
#include <numeric>

#include "grader.hpp"
#include "kit.hpp"
#include "sum.hpp"

using dojo::ex01::sum;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::missing_close, mistake::double_close, mistake::blocked_send,
                     mistake::ignored_cancellation, mistake::swallowed_error, mistake::unsynchronized);

DOJO_CHECK("one number", "A single send, then close; the consumer's loop ends after one value.") {
  check.say("calling sum(background, {42})");
  auto r = sum(goro::background(), {42});
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 42LL, "the total");
}

DOJO_CHECK("negative and zero values are added like any other", "Every value counts; nothing is special.") {
  check.say("calling sum(background, {-3, 0, 7, -4})");
  auto r = sum(goro::background(), {-3, 0, 7, -4});
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 0LL, "the total");
}

DOJO_CHECK("a large input: every number arrives exactly once",
           "Receive until the channel is closed *and* drained (for (int n : ch), or recv's ok == false).") {
  const int n = check.deterministic() ? 100'000 : 20'000;
  std::vector<int> nums(static_cast<std::size_t>(n));
  std::iota(nums.begin(), nums.end(), 1);
  const long long want = static_cast<long long>(n) * (n + 1) / 2;
  check.say(fmt::format("calling sum(background, {{1 .. {}}})", n));
  auto r = sum(goro::background(), nums);
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), want, "the total");
}

DOJO_CHECK("an already-cancelled context: no work is done",
           "Return ctx.err() before starting the tasks: a cancelled caller wants no work.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  std::vector<int> nums(100'000, 1);
  check.say("calling sum(ctx, {100,000 ones}) with ctx already cancelled");
  auto [r, steps] = dojo::grader::with_steps([&] { return sum(ctx, nums); });
  // Work done although the caller had cancelled: the context was never looked at.
  check.expect(steps < 1000, "almost no channel traffic (a few blocking steps at most)",
               fmt::format("{} blocking steps: the numbers were sent anyway", steps), mistake::ignored_cancellation);
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
}

DOJO_CHECK("cancelled while working: returns the context's error promptly, no task left behind",
           "Both tasks must watch the group's context: select on gctx.done() next to the send and the "
           "receive. A plain send blocks forever once the consumer has stopped.",
           dojo::grader::Options{.fair = true}) {
  std::vector<int> nums(200'000, 1);
  auto [ctx, cancel] = dojo::grader::cancel_after_events(200);
  check.say("calling sum(ctx, {200,000 ones}); a helper task cancels ctx once the pipeline is running");
  auto r = sum(ctx, nums);
  cancel();
  // Every number added up and no error: nothing watched the context.
  if (!r.error() && r.value() == 200'000)
    check.fail("an error that goro::is finds goro::Canceled in", "no error (nil), and the whole total: 200000",
               mistake::ignored_cancellation);
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
}

DOJO_CHECK("the result does not depend on the schedule",
           "Read the total only after g.wait() returns: wait() is what guarantees the consumer is done.",
           dojo::grader::Options{.seeds = 12}) {
  check.say("calling sum(background, {1 .. 50})");
  std::vector<int> nums(50);
  std::iota(nums.begin(), nums.end(), 1);
  auto r = sum(goro::background(), nums);
  check.expect_ok(r.error(), "sum(...)");
  // Short by the last few numbers only: the total was read while the consumer was still adding.
  long long prefix = 0;
  bool partial = false;
  for (int k = 0; k < 50 && !partial; prefix += nums[static_cast<std::size_t>(k++)]) partial = prefix == r.value();
  check.expect_eq(r.value(), 1275LL, "the total", partial ? dojo::grader::Why(mistake::unsynchronized) : dojo::grader::Why());
}
