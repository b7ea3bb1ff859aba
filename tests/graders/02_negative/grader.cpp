// Hidden checks for exercise 02 (negative).
#include <numeric>
#include <string>

#include "grader.hpp"
#include "kit.hpp"
#include "negative.hpp"

using dojo::ex02::ErrNegative;
using dojo::ex02::sum;

namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::missing_context, mistake::kept_going, mistake::missing_close, mistake::blocked_send,
                     mistake::double_close, mistake::ignored_cancellation, mistake::swallowed_error,
                     mistake::missing_wrap);

namespace {


// The failure every negative-number check expects: ErrNegative found by goro::is, not hidden
// behind a cancellation, and a message that names the first negative number ("nums[2] = -1").
void expect_negative_at(dojo::grader::Check& check, const goro::Error& err, std::size_t index, int value) {
  check.expect_is(err, ErrNegative, "ErrNegative",
                  "Return the producer's error from its task and g.wait() returns it. Wrap with {:w}: "
                  "goro::errorf(\"...{:w}\", ..., ErrNegative); {} only copies the text.");
  check.expect_not_is(err, goro::Canceled, "goro::Canceled",
                      "The caller did not cancel anything: return the producer's error, the first one "
                      "the group saw, not the consumer's cancellation.");
  const std::string want = fmt::format("nums[{}] = {}", index, value);
  check.expect(err.message().find(want) != std::string::npos,
               fmt::format("an error whose message names the first negative number: contains \"{}\"", want),
               dojo::grader::Check::describe_error(err),
               {mistake::missing_context,
                "The caller must learn which number was wrong: put its index and value into the wrapping "
                "message."});
}

}  // namespace

DOJO_CHECK("one number", "A single send, then close; the consumer's loop ends after one value.") {
  check.say("calling sum(background, {42})");
  auto r = sum(goro::background(), {42});
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 42LL, "the total");
}

DOJO_CHECK("zero is not negative", "Only n < 0 is an error; 0 is added like any other number.") {
  check.say("calling sum(background, {0, 5, 0})");
  auto r = sum(goro::background(), {0, 5, 0});
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 5LL, "the total");
}

DOJO_CHECK("a single negative number", "Check each number before sending it; the first one can fail too.") {
  check.say("calling sum(background, {-7})");
  auto r = sum(goro::background(), {-7});
  expect_negative_at(check, r.error(), 0, -7);
}

DOJO_CHECK("a negative number at the first position",
           "The producer fails before sending anything: it must still close the channel (or the "
           "consumer must be watching gctx.done()), or the consumer waits forever.") {
  check.say("calling sum(background, {-5, 1, 2})");
  auto r = sum(goro::background(), {-5, 1, 2});
  expect_negative_at(check, r.error(), 0, -5);
}

DOJO_CHECK("a negative number at the last position",
           "Every number before it was sent and added, but the result is the error, not a partial total.") {
  check.say("calling sum(background, {1, 2, 3, -4})");
  auto r = sum(goro::background(), {1, 2, 3, -4});
  expect_negative_at(check, r.error(), 3, -4);
}

DOJO_CHECK("several negative numbers: the error names the first",
           "The producer returns at the first negative number; nothing after it is looked at.") {
  check.say("calling sum(background, {3, -1, -2, 5, -9})");
  auto r = sum(goro::background(), {3, -1, -2, 5, -9});
  expect_negative_at(check, r.error(), 1, -1);
}

DOJO_CHECK("the error wraps ErrNegative instead of being it",
           "Wrap the sentinel in a new error that adds the details: goro::errorf(\"...: {:w}\", ..., "
           "ErrNegative). err == ErrNegative is true only for the bare sentinel.") {
  check.say("calling sum(background, {4, -8})");
  auto r = sum(goro::background(), {4, -8});
  const goro::Error err = r.error();
  check.expect_is(err, ErrNegative, "ErrNegative");
  check.expect(err != ErrNegative, "a new error wrapping ErrNegative (err != ErrNegative, goro::is(err, ErrNegative))",
               "the bare sentinel ErrNegative itself: the caller cannot tell which number it was",
               mistake::missing_context);
}

DOJO_CHECK("an early negative number in a huge input: the producer stops sending at once",
           "Return from the producer as soon as you meet the negative number. Remembering the error "
           "and sending the rest lets the whole input flow through the pipeline for nothing.") {
  std::vector<int> nums(200'000, 1);
  nums[10] = -3;
  check.say("calling sum(background, {200,000 numbers, nums[10] = -3})");
  auto [r, steps] = dojo::grader::with_steps([&] { return sum(goro::background(), nums); });
  expect_negative_at(check, r.error(), 10, -3);
  check.expect(steps < 2000, "little channel traffic after the failure (fewer than 2,000 blocking steps)",
               fmt::format("{} blocking steps: the producer kept sending the numbers after nums[10]", steps),
               mistake::kept_going);
}

DOJO_CHECK("a large input: every number arrives exactly once",
           "Receive until the channel is closed *and* drained (recv's ok == false).") {
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
  check.expect_not_is(r.error(), ErrNegative, "ErrNegative");
}

DOJO_CHECK("the result does not depend on the schedule",
           "Read the total only after g.wait(); return the error g.wait() gives you, whatever order the "
           "tasks finished in.",
           dojo::grader::Options{.seeds = 12}) {
  std::vector<int> nums(50);
  std::iota(nums.begin(), nums.end(), 1);
  check.say("calling sum(background, {1 .. 50})");
  auto r = sum(goro::background(), nums);
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 1275LL, "the total");
  nums[49] = -50;
  check.say("calling sum(background, {1 .. 49, -50})");
  auto bad = sum(goro::background(), nums);
  expect_negative_at(check, bad.error(), 49, -50);
}
