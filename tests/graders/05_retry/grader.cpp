// Hidden checks for exercise 05 (retry).
//
// Timing: under goro::simulate the runtime's clock is virtual, so a backoff costs no real time
// and every attempt is recorded at an exact offset (goro::now() moves only when every task is
// blocked). Those offsets are compared exactly only when check.deterministic(); the run on real
// threads (a loaded machine) only checks lower bounds: a timer never fires early.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "retry.hpp"

using dojo::ex05::ErrTransient;
using dojo::ex05::kBaseBackoff;
using dojo::ex05::process_items;
using dojo::ex05::with_retry;
using dojo::grader::Check;
using namespace std::chrono_literals;

using dojo::grader::offset;
using dojo::grader::offsets;
using dojo::grader::Canceller;
using dojo::grader::range;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_count, mistake::wrong_timing, mistake::ignored_cancellation,
                     mistake::missing_wrap, mistake::unexpected_error, mistake::wall_clock_sleep);

namespace {

const goro::Error ErrNotFound = goro::new_error("not found");
const goro::Error ErrForbidden = goro::new_error("forbidden");

// A typed transient failure that remembers which attempt produced it, so that the grader can
// tell the last attempt's error from the earlier ones with goro::as.
struct AttemptFailed {
  int attempt;
  [[nodiscard]] std::string message() const { return fmt::format("attempt {} timed out", attempt); }
  [[nodiscard]] goro::Error unwrap() const { return ErrTransient; }
};

// An operation for with_retry that records the offset (from `t0`) of every call on the runtime's
// clock and answers with results[i] on call i (the last one again for later calls). with_retry
// calls it from the caller's task, one call at a time.
struct Op {
  goro::Time t0 = goro::now();
  std::vector<goro::Error> results;
  std::vector<goro::Duration> at;

  goro::Error call() {
    const auto i = at.size();
    at.push_back(goro::now() - t0);
    return results[i < results.size() ? i : results.size() - 1];
  }
  [[nodiscard]] int calls() const { return static_cast<int>(at.size()); }
};

std::shared_ptr<Op> script(std::vector<goro::Error> results) {
  auto op = std::make_shared<Op>();
  op->results = std::move(results);
  return op;
}

// Calls with_retry with `op`, returning its error and the offset at which it returned.
std::pair<goro::Error, goro::Duration> run(const goro::Context& ctx, const std::shared_ptr<Op>& op,
                                           int attempts = dojo::ex05::kMaxAttempts) {
  goro::Error err = with_retry(ctx, [op](const goro::Context&) { return op->call(); }, attempts);
  return {err, goro::now() - op->t0};
}

goro::Error transient(int attempt) { return goro::make_error(AttemptFailed{attempt}); }

// The attempts started at exactly `want` (virtual clock), or at least at those offsets (real
// threads, where timers may fire late but never early). Too many or too few attempts is a
// counting mistake, the right number at the wrong moments a timing one; `hint` (when given)
// says what this check's count or times mean.
void expect_attempts_at(Check& check, const std::vector<goro::Duration>& got, const std::vector<goro::Duration>& want,
                        std::string_view hint) {
  const std::string_view count_hint =
      !hint.empty()             ? hint
      : got.size() > want.size() ? "`attempts` counts every call of op, the first one included: 3 means one call "
                                   "and two retries. Leave the loop after the last attempt."
                                 : "Keep calling op while its error is transient (goro::is(err, ErrTransient)) "
                                   "and attempts remain.";
  check.expect_eq(static_cast<int>(got.size()), static_cast<int>(want.size()), "number of attempts",
                  {mistake::wrong_count, count_hint});
  bool ok = true;
  for (std::size_t i = 0; i < want.size(); ++i)
    ok = ok && (check.deterministic() ? got[i] == want[i] : got[i] + 1ms >= want[i]);
  check.expect(ok, fmt::format("attempts at {}{}", offsets(want), check.deterministic() ? "" : " or later"),
               fmt::format("attempts at {}", offsets(got)), {mistake::wrong_timing, hint});
}

// with_retry (or process_items) returned at exactly `want` on the virtual clock. On real
// threads the moment is only bounded below (a loaded machine may be late by a lot). Returning
// late after a cancel is `m` = ignored-cancellation; otherwise a timing mistake.
void expect_returned_at(Check& check, goro::Duration got, goro::Duration want, std::string_view what,
                        std::string_view hint, const dojo::grader::Mistake& m = mistake::wrong_timing) {
  if (check.deterministic())
    check.expect(got == want, fmt::format("{}: at {}", what, offset(want)), fmt::format("it returned at {}", offset(got)),
                 {m, hint});
  else
    check.expect(got + 1ms >= want, fmt::format("{}: at {} or later", what, offset(want)),
                 fmt::format("it returned at {}", offset(got)), {m, hint});
}

// Checks that stop something in the middle of a backoff race two timers: the grader's (the
// cancel due at +50 ms, or item 1's 50 ms of work) and the backoff's own (+100 ms). On the
// virtual clock the grader's always comes first, exactly when planned. On real threads its
// task must also be *run* by a loaded machine before the backoff's timer fires, which is
// usually the case but not always (a task woken more than 50 ms late: about once in a hundred
// runs of this grader on 2 busy cores). If it is late, what the learner's code does is still
// right — the backoff ended first, so another attempt was due — but it is not what the check
// is about. So on real threads the exact expectations apply only when the grader's event
// really happened inside its window (`from` <= it, and it was over before `until`); otherwise
// the run says so and checks only that the call returned (no hang, no leak: the harness). The
// deterministic runs check every expectation, every time.
bool in_window(Check& check, bool happened, goro::Time began, goro::Time ended, goro::Time from, goro::Time until,
               std::string_view what, goro::Time t0) {
  if (check.deterministic()) return true;
  if (happened && began >= from && ended < until) return true;
  const auto ms = [t0](goro::Time t) { return offset(std::chrono::round<std::chrono::milliseconds>(t - t0)); };
  check.say(fmt::format("on real threads {} {} (its window: {} .. {}): the machine ran it late, so this run checks "
                        "only that the call returned",
                        what, happened ? "came at " + ms(ended) : std::string("did not come before the call returned"),
                        ms(from), ms(until)));
  return false;
}

const char* const kHintSelect =
    "A backoff is a wait that the caller may cut short: wait on a timer's channel and on ctx.done() in "
    "the same select. goro::sleep cannot be interrupted.";

}  // namespace

// ---- with_retry ----------------------------------------------------------------------------

DOJO_CHECK("success on the first attempt: one call, no wait", "Nil from op ends the loop at once.") {
  auto op = script({goro::Error{}});
  check.say("calling with_retry(background, op) where op succeeds at once");
  auto [err, returned] = run(goro::background(), op);
  check.expect_ok(err, "with_retry(...)");
  expect_attempts_at(check, op->at, {0ms}, "One successful call is all it takes.");
  expect_returned_at(check, returned, 0ms, "with_retry returns", "No wait after a success.");
}

DOJO_CHECK("always transient: the attempts start at exactly +0, +100 ms and +300 ms",
           "The wait after attempt n is kBaseBackoff · 2^(n-1): 100 ms, then 200 ms. It starts when the "
           "attempt has failed, and runs on the runtime's clock (goro timers), never std::chrono.") {
  auto op = script({transient(1), transient(2), transient(3)});
  check.say("calling with_retry(background, op) where op always fails with a transient error");
  (void)run(goro::background(), op);
  expect_attempts_at(check, op->at, {0ms, 100ms, 300ms}, {});
}

DOJO_CHECK("always transient: it gives up at +300 ms, right after the last attempt",
           "There is nothing to wait for after the last attempt: leave the loop before the backoff.") {
  auto op = script({transient(1), transient(2), transient(3)});
  check.say("calling with_retry(background, op) where op always fails with a transient error");
  auto [err, returned] = run(goro::background(), op);
  check.expect(static_cast<bool>(err), "an error (every attempt failed)", "no error (nil)");
  expect_returned_at(check, returned, 300ms, "with_retry gives up", {});
}

DOJO_CHECK("exhaustion: the error wraps the *last* attempt's error and says \"after 3 attempts\"",
           "Keep the error of the latest attempt and wrap it with {:w}: goro::is(err, ErrTransient) and "
           "goro::as<T> must still find it; {} keeps only the text.") {
  auto op = script({transient(1), transient(2), transient(3)});
  check.say("calling with_retry(background, op) where attempt n fails with AttemptFailed{n} (wrapping ErrTransient)");
  auto [err, returned] = run(goro::background(), op);
  check.expect_is(err, ErrTransient, "ErrTransient");
  auto last = check.expect_as<AttemptFailed>(err, "AttemptFailed");
  check.expect_eq(last.attempt, 3, "AttemptFailed::attempt found in the error",
                  "The error to wrap is the one from the final attempt, not the first one.");
  check.expect(err.message().find("after 3 attempts") != std::string::npos,
               "a message that contains \"after 3 attempts\"", Check::describe_error(err));
}

// Five attempts sleep 1.5 s on the clock: free on the virtual clock, but 1.5 real seconds on
// real threads that would prove nothing more than the 3-attempt checks above; so no free run.
DOJO_CHECK("five attempts: each wait doubles: +0, +100 ms, +300 ms, +700 ms, +1.5 s",
           "Exponential, not linear: the waits are 100, 200, 400, 800 ms (kBaseBackoff · 2^(n-1)), "
           "not 100, 200, 300, 400 ms.",
           dojo::grader::Options{.free = false}) {
  auto op = script({transient(1), transient(2), transient(3), transient(4), transient(5)});
  check.say("calling with_retry(background, op, 5) where op always fails with a transient error");
  auto [err, returned] = run(goro::background(), op, 5);
  expect_attempts_at(check, op->at, {0ms, 100ms, 300ms, 700ms, 1500ms}, {});
  expect_returned_at(check, returned, 1500ms, "with_retry gives up", {});
  check.expect(err.message().find("after 5 attempts") != std::string::npos,
               "a message that contains \"after 5 attempts\" (the `attempts` argument)", Check::describe_error(err));
  check.expect_eq(check.expect_as<AttemptFailed>(err, "AttemptFailed").attempt, 5, "AttemptFailed::attempt found in the error");
}

DOJO_CHECK("one attempt allowed: one call, no wait, and it says \"after 1 attempt\"",
           "With attempts == 1 the first attempt is also the last one.") {
  auto op = script({transient(1)});
  check.say("calling with_retry(background, op, 1) where op fails with a transient error");
  auto [err, returned] = run(goro::background(), op, 1);
  expect_attempts_at(check, op->at, {0ms}, {});
  expect_returned_at(check, returned, 0ms, "with_retry gives up", {});
  check.expect_is(err, ErrTransient, "ErrTransient");
  check.expect(err.message().find("after 1 attempt") != std::string::npos,
               "a message that contains \"after 1 attempt\"", Check::describe_error(err));
}

DOJO_CHECK("success on the last attempt: no error, returned at +300 ms",
           "A success ends the loop even on the last attempt; give up only when the last attempt *failed*.") {
  auto op = script({transient(1), transient(2), goro::Error{}});
  check.say("calling with_retry(background, op) where op fails twice with a transient error, then succeeds");
  auto [err, returned] = run(goro::background(), op);
  check.expect_ok(err, "with_retry(...)");
  expect_attempts_at(check, op->at, {0ms, 100ms, 300ms}, {});
  expect_returned_at(check, returned, 300ms, "with_retry returns", {});
}

DOJO_CHECK("transient, then permanent: the permanent error is returned at once, as is",
           "Ask goro::is(err, ErrTransient) after *every* attempt; an error without it ends the retries "
           "right there, unchanged (no \"gave up\" wrapper, no wait).") {
  const goro::Error permanent = goro::errorf("user 42: {:w}", ErrNotFound);
  auto op = script({transient(1), permanent});
  check.say("calling with_retry(background, op) where op fails transiently, then with \"user 42: not found\"");
  auto [err, returned] = run(goro::background(), op);
  expect_attempts_at(check, op->at, {0ms, 100ms},
                     "Only transient errors are retried: the first error without ErrTransient in its chain ends the "
                     "loop, however many attempts remain.");
  check.expect_is(err, ErrNotFound, "ErrNotFound");
  check.expect(err == permanent, "the very error op returned", Check::describe_error(err));
  expect_returned_at(check, returned, 100ms, "with_retry returns", {});
}

DOJO_CHECK("a permanent error that looks like a transient one is still permanent",
           "Decide with goro::is(err, ErrTransient), never by the error's text.") {
  const goro::Error lookalike = goro::new_error("transient failure (not really)");
  auto op = script({lookalike});
  check.say("calling with_retry(background, op) where op returns a new error whose text mentions \"transient failure\"");
  auto [err, returned] = run(goro::background(), op);
  expect_attempts_at(check, op->at, {0ms}, "Decide with goro::is(err, ErrTransient), never by the error's text.");
  check.expect(err == lookalike, "the very error op returned", Check::describe_error(err));
}

DOJO_CHECK("an already-cancelled context: its error, and op is never called",
           "Check ctx.err() before the first attempt: a cancelled caller wants no work.") {
  auto op = script({goro::Error{}});
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling with_retry(ctx, op) with ctx already cancelled");
  auto [err, returned] = run(ctx, op);
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect_eq(op->calls(), 0, "number of attempts", mistake::ignored_cancellation);
}

DOJO_CHECK("cancelled during the first backoff: returns at that very moment (+50 ms) with goro::Canceled",
           kHintSelect) {
  auto op = script({transient(1)});
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Canceller canceller(cancel, 50ms);
  check.say("calling with_retry(ctx, op) where op always fails transiently; a helper task cancels ctx at +50 ms, "
            "during the first backoff");
  auto [err, returned] = run(ctx, op);
  canceller.join();
  // The window: after the first attempt began, before the first backoff could end.
  const goro::Time t0 = op->t0;
  const bool attempted = op->calls() >= 1;
  const goro::Time from = t0 + (attempted ? op->at[0] : goro::Duration(0));
  if (in_window(check, attempted && canceller.fired(), canceller.began(), canceller.ended(), from,
                from + kBaseBackoff, "the helper's cancel", t0)) {
    check.expect_is(err, goro::Canceled, "goro::Canceled");
    expect_returned_at(check, returned, 50ms, "with_retry returns the moment ctx is cancelled", {}, mistake::ignored_cancellation);
    check.expect_eq(op->calls(), 1, "number of attempts", {mistake::ignored_cancellation, "A cancelled caller gets no further attempt."});
  }
  cancel();
}

DOJO_CHECK("cancelled during the second backoff: returns at +250 ms with goro::Canceled after two attempts",
           kHintSelect) {
  auto op = script({transient(1)});
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Canceller canceller(cancel, 250ms);
  check.say("calling with_retry(ctx, op) where op always fails transiently; a helper task cancels ctx at +250 ms");
  auto [err, returned] = run(ctx, op);
  canceller.join();
  // The window: after the second attempt began, before the second backoff (200 ms) could end.
  const goro::Time t0 = op->t0;
  const bool attempted = op->calls() >= 2;
  const goro::Time from = t0 + (attempted ? op->at[1] : 2 * kBaseBackoff);
  if (in_window(check, attempted && canceller.fired(), canceller.began(), canceller.ended(), from,
                from + 2 * kBaseBackoff, "the helper's cancel", t0)) {
    check.expect_is(err, goro::Canceled, "goro::Canceled");
    expect_returned_at(check, returned, 250ms, "with_retry returns the moment ctx is cancelled", {}, mistake::ignored_cancellation);
    check.expect_eq(op->calls(), 2, "number of attempts", mistake::wrong_count);
  }
  cancel();
}

DOJO_CHECK("a deadline that passes during a backoff: goro::DeadlineExceeded, at the deadline (+150 ms)",
           "A context's deadline closes ctx.done() like a cancel does; the same select handles both, and "
           "ctx.err() says which.") {
  auto op = script({transient(1)});
  auto [ctx, cancel] = goro::with_timeout(goro::background(), 150ms);
  check.say("calling with_retry(ctx, op) with a 150 ms timeout, where op always fails transiently");
  auto [err, returned] = run(ctx, op);
  check.expect_is(err, goro::DeadlineExceeded, "goro::DeadlineExceeded");
  expect_returned_at(check, returned, 150ms, "with_retry returns at the deadline", kHintSelect, mistake::ignored_cancellation);
  check.expect_eq(op->calls(), 2, "number of attempts", mistake::wrong_count);
  cancel();
}

// ---- process_items -------------------------------------------------------------------------

namespace {

// What the stage's process function saw: the offsets of each item's attempts. Items run in
// parallel tasks (really in parallel on real threads), hence the mutex.
struct Stage {
  goro::Time t0 = goro::now();
  goro::Mutex mu;
  std::map<int, std::vector<goro::Duration>> at;
  std::optional<goro::Time> failed_at;  // when process first returned a permanent error

  void record_failure() {
    std::lock_guard lk(mu);
    if (!failed_at) failed_at = goro::now();
  }
  // When the first attempts of `items` were made: the earliest and the latest of them (as
  // times), and whether every one of the items was tried at all.
  struct FirstAttempts {
    goro::Time earliest, latest;
    bool all = true;
  };
  FirstAttempts first_attempts(const std::vector<int>& items) {
    std::lock_guard lk(mu);
    FirstAttempts f{t0, t0};
    bool any = false;
    for (int item : items) {
      auto it = at.find(item);
      if (it == at.end() || it->second.empty()) {
        f.all = false;
        continue;
      }
      const goro::Time first = t0 + it->second.front();
      f.earliest = any ? std::min(f.earliest, first) : first;
      f.latest = any ? std::max(f.latest, first) : first;
      any = true;
    }
    return f;
  }

  void record(int item) {
    std::lock_guard lk(mu);
    at[item].push_back(goro::now() - t0);
  }
  int calls(int item) {
    std::lock_guard lk(mu);
    auto it = at.find(item);
    return it == at.end() ? 0 : static_cast<int>(it->second.size());
  }
  int total_calls() {
    std::lock_guard lk(mu);
    int n = 0;
    for (const auto& [item, v] : at) n += static_cast<int>(v.size());
    return n;
  }
};

// process for the stage: item i fails transiently fails[i] times (default `fails_default`;
// negative: always), then returns perms[i] if there is one, else succeeds.
struct Plan {
  int fails_default = 0;
  std::map<int, int> fails = {};
  std::map<int, goro::Error> perms = {};
  std::map<int, goro::Duration> delay = {};  // work time of each attempt of the item (ignores ctx)
};

dojo::ex05::ItemFn planned(const std::shared_ptr<Stage>& st, std::shared_ptr<const Plan> plan) {
  return [st, plan](const goro::Context&, int item) -> goro::Error {
    st->record(item);
    const int n = st->calls(item);
    if (auto d = plan->delay.find(item); d != plan->delay.end()) goro::sleep(d->second);
    auto f = plan->fails.find(item);
    const int fails = f == plan->fails.end() ? plan->fails_default : f->second;
    if (fails < 0 || n <= fails) return goro::errorf("item {} attempt {}: {:w}", item, n, ErrTransient);
    if (auto p = plan->perms.find(item); p != plan->perms.end()) {
      st->record_failure();
      return p->second;
    }
    return {};
  };
}

std::pair<goro::Error, goro::Duration> run_stage(const goro::Context& ctx, const std::vector<int>& items,
                                                 const std::shared_ptr<Stage>& st, Plan plan) {
  goro::Error err = process_items(ctx, items, planned(st, std::make_shared<const Plan>(std::move(plan))));
  return {err, goro::now() - st->t0};
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

DOJO_CHECK("stage: no items: nil, and process is never called", "With no item there is no task to start.") {
  auto st = std::make_shared<Stage>();
  check.say("calling process_items(background, {}, process)");
  auto [err, returned] = run_stage(goro::background(), {}, st, {});
  check.expect_ok(err, "process_items(...)");
  check.expect_eq(st->total_calls(), 0, "calls of process");
}

DOJO_CHECK("stage: one item that needs three attempts: they happen at +0, +100 ms, +300 ms",
           "The item's task retries inside itself with with_retry; a transient failure does not end the task.") {
  auto st = std::make_shared<Stage>();
  check.say("calling process_items(background, {7}, process) where item 7 fails twice transiently, then succeeds");
  auto [err, returned] = run_stage(goro::background(), {7}, st, {.fails_default = 2});
  check.expect_ok(err, "process_items(...)");
  std::lock_guard lk(st->mu);
  expect_attempts_at(check, st->at[7], {0ms, 100ms, 300ms}, {});
}

DOJO_CHECK("stage: the items retry side by side: 10 items that each need three attempts finish at +300 ms",
           "One task per item, all started before waiting: their backoffs overlap instead of adding up.") {
  auto st = std::make_shared<Stage>();
  check.say("calling process_items(background, {1 .. 10}, process) where every item fails twice transiently, "
            "then succeeds");
  auto [err, returned] = run_stage(goro::background(), range(1, 10), st, {.fails_default = 2});
  check.expect_ok(err, "process_items(...)");
  for (int item = 1; item <= 10; ++item)
    check.expect_eq(st->calls(item), 3, fmt::format("number of attempts for item {}", item), mistake::wrong_count);
  expect_returned_at(check, returned, 300ms, "process_items returns", {});
}

DOJO_CHECK("stage: a permanent failure at the first item: \"item 1: ...\" wrapping it, at once",
           "Wrap the item's final error as \"item <n>: {:w}\" and return it from the task: the group keeps "
           "it and cancels its context, which ends the other items' backoffs.") {
  auto st = std::make_shared<Stage>();
  const goro::Error perm = goro::errorf("user 1: {:w}", ErrNotFound);
  check.say("calling process_items(background, {1 .. 10}, process) where item 1 fails with a permanent error "
            "wrapping ErrNotFound and every other item keeps failing transiently");
  auto [err, returned] = run_stage(goro::background(), range(1, 10), st, {.fails_default = -1, .fails = {{1, 0}},
                                                                           .perms = {{1, perm}}});
  check.expect_is(err, ErrNotFound, "ErrNotFound");
  check.expect(starts_with(err.message(), "item 1: "), "a message that starts with \"item 1: \"", Check::describe_error(err));
  check.expect_eq(st->calls(1), 1, "number of attempts for item 1", {mistake::wrong_count, "A permanent error is never retried."});
  expect_returned_at(check, returned, 0ms, "process_items returns", kHintSelect);
}

DOJO_CHECK("stage: the last item runs out of attempts: \"item 10: ... after 3 attempts ...\"",
           "with_retry's give-up error is the item's final error: wrap it with the item number, keeping {:w}.") {
  auto st = std::make_shared<Stage>();
  check.say("calling process_items(background, {1 .. 10}, process) where item 10 always fails transiently and "
            "every other item fails once, then succeeds");
  auto [err, returned] = run_stage(goro::background(), range(1, 10), st, {.fails_default = 1, .fails = {{10, -1}}});
  check.expect_is(err, ErrTransient, "ErrTransient");
  check.expect(starts_with(err.message(), "item 10: ") && err.message().find("3 attempts") != std::string::npos,
               "a message that starts with \"item 10: \" and says \"3 attempts\"", Check::describe_error(err));
  check.expect_eq(st->calls(10), 3, "number of attempts for item 10", mistake::wrong_count);
  expect_returned_at(check, returned, 300ms, "process_items returns", {});
}

DOJO_CHECK("stage: a failure cancels the other items in the middle of their backoff (+50 ms)",
           "The other items' with_retry is given the group's context: when the group is cancelled, their "
           "backoff select wakes on gctx.done() at once.",
           dojo::grader::Options{.fair = true}) {
  auto st = std::make_shared<Stage>();
  check.say("calling process_items(background, {1 .. 5}, process) where item 1 works 50 ms, then fails "
            "permanently (ErrForbidden); items 2 .. 5 keep failing transiently (so they wait out a backoff "
            "from +0 to +100 ms)");
  auto [err, returned] = run_stage(goro::background(), range(1, 5), st,
                                   {.fails_default = -1, .fails = {{1, 0}}, .perms = {{1, ErrForbidden}},
                                    .delay = {{1, 50ms}}});
  // The window: item 1's failure must come after every other item made its first attempt, and
  // before the first of their backoffs could end.
  const auto others = st->first_attempts(range(2, 5));
  const goro::Time failed = st->failed_at.value_or(goro::Time{});
  if (in_window(check, st->failed_at.has_value() && others.all, failed, failed, others.latest,
                others.earliest + kBaseBackoff, "item 1's failure", st->t0)) {
    check.expect_is(err, ErrForbidden, "ErrForbidden");
    expect_returned_at(check, returned, 50ms, "process_items returns the moment item 1 fails", kHintSelect,
                       mistake::ignored_cancellation);
    for (int item = 2; item <= 5; ++item)
      check.expect_eq(st->calls(item), 1, fmt::format("number of attempts for item {}", item),
                      {mistake::ignored_cancellation, "A cancelled item gets no further attempt."});
  }
}

DOJO_CHECK("stage: two items fail for good: the error is one of them, named and findable",
           "The group returns the first error a task returned; whichever it is, it names its item and wraps "
           "the cause with {:w}.") {
  auto st = std::make_shared<Stage>();
  const goro::Error e2 = goro::errorf("user 2: {:w}", ErrNotFound);
  const goro::Error e5 = goro::errorf("user 5: {:w}", ErrForbidden);
  check.say("calling process_items(background, {1 .. 6}, process) where item 2 fails with ErrNotFound and item 5 "
            "with ErrForbidden (both permanent); the others succeed");
  auto [err, returned] = run_stage(goro::background(), range(1, 6), st, {.perms = {{2, e2}, {5, e5}}});
  const bool is2 = goro::is(err, ErrNotFound), is5 = goro::is(err, ErrForbidden);
  check.expect(is2 || is5, "an error that goro::is finds ErrNotFound (item 2) or ErrForbidden (item 5) in",
               Check::describe_error(err));
  const std::string prefix = is2 ? "item 2: " : "item 5: ";
  check.expect(starts_with(err.message(), prefix), fmt::format("a message that starts with \"{}\"", prefix),
               Check::describe_error(err));
}

DOJO_CHECK("stage: an already-cancelled context: its error, and process is never called",
           "Check ctx.err() before starting any task: a cancelled caller wants no work.") {
  auto st = std::make_shared<Stage>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling process_items(ctx, {1 .. 5}, process) with ctx already cancelled");
  auto [err, returned] = run_stage(ctx, range(1, 5), st, {});
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect_eq(st->total_calls(), 0, "calls of process");
}

DOJO_CHECK("stage: cancelled while every item waits out a backoff: goro::Canceled at that moment (+50 ms)",
           "Hand with_retry the group's context (derived from ctx): a cancelled caller ends every backoff.") {
  auto st = std::make_shared<Stage>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Canceller canceller(cancel, 50ms);
  check.say("calling process_items(ctx, {1 .. 5}, process) where every item keeps failing transiently; a helper "
            "task cancels ctx at +50 ms");
  auto [err, returned] = run_stage(ctx, range(1, 5), st, {.fails_default = -1});
  canceller.join();
  // The window: before any item's second backoff could end (after that, an item may give up).
  if (in_window(check, canceller.fired(), canceller.began(), canceller.ended(), st->t0,
                st->first_attempts(range(1, 5)).earliest + 3 * kBaseBackoff, "the helper's cancel", st->t0)) {
    check.expect_is(err, goro::Canceled, "goro::Canceled");
    expect_returned_at(check, returned, 50ms, "process_items returns the moment ctx is cancelled", kHintSelect, mistake::ignored_cancellation);
  }
  cancel();
}

DOJO_CHECK("stage: the result does not depend on the schedule",
           "Each item's retries belong to its own task; nothing is shared between items but the group.",
           dojo::grader::Options{.seeds = 12}) {
  auto st = std::make_shared<Stage>();
  Plan plan;
  for (int item = 1; item <= 8; ++item) plan.fails[item] = item % 3;  // 0, 1 or 2 transient failures
  check.say("calling process_items(background, {1 .. 8}, process) where item i fails transiently (i % 3) times, "
            "then succeeds");
  auto [err, returned] = run_stage(goro::background(), range(1, 8), st, plan);
  check.expect_ok(err, "process_items(...)");
  for (int item = 1; item <= 8; ++item)
    check.expect_eq(st->calls(item), item % 3 + 1, fmt::format("number of attempts for item {}", item), mistake::wrong_count);
  expect_returned_at(check, returned, 300ms, "process_items returns", {});
}
