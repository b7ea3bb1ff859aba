// Hidden checks for exercise 15 (breaker).
//
// Timing. Under goro::simulate the runtime's clock is virtual: the catalogue's 30 s cooldown
// costs no real time, nothing moves the clock but sleeps and timers, and the exact moments of
// the contract (refused at +29.999 s, a trial at +30 s) are checked. On real threads a cooldown
// that must pass is 50 ms, and only what a busy machine cannot change is judged:
//   * a cooldown is over after the check has slept that long (a sleep never ends early);
//   * "still open" is judged only when the grader's own clock readings, taken before the call
//     that opened the breaker and after the call being judged, prove that less than the
//     cooldown passed in between; otherwise that one call is not judged (said in the narration);
//   * everything else is counts and events: how many calls reached the service, what each call
//     returned, the order of the stage's outcomes, whether out was closed.
// The grader never waits on a real-time timeout for a verdict: where a wrong solution would
// leave the grader waiting forever (a caller blocked behind a trial, a stage that ignores its
// context), the deterministic runs give up after a long virtual wait — the clock only moves when
// every task is blocked — and on real threads the harness's watchdog reports the hang.
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "breaker.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex15::Breaker;
using dojo::ex15::CallFn;
using dojo::ex15::ErrCircuitOpen;
using dojo::ex15::Outcome;
using dojo::ex15::State;
using dojo::grader::Check;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;
using dojo::grader::Why;

DOJO_FAILURE_CLASSES(mistake::wrong_count, mistake::wrong_timing, mistake::wrong_result, mistake::over_limit,
                     mistake::serialized, mistake::missing_close, mistake::ignored_cancellation,
                     mistake::unexpected_error);

namespace {

const goro::Error ErrUnavailable = goro::new_error("503 service unavailable");

// A typed error of the service: goro::as must find it, fields intact, in what call returns.
struct Overloaded {
  int retry_after_ms = 0;
  [[nodiscard]] std::string message() const { return fmt::format("overloaded, retry after {}ms", retry_after_ms); }
};

std::string dur(goro::Duration d) { return goro::format_duration(d); }
std::string name(State s) { return std::string(dojo::ex15::to_string(s)); }

const char* const kHintThreshold =
    "Count failures in a row while closed: each failure adds one, and the call that reaches the threshold "
    "opens the breaker (that call still returns the service's error). Once open, answer ErrCircuitOpen at "
    "once without calling fn: the point is to stop sending calls to a service that is down.";
const char* const kHintConsecutive =
    "The breaker opens on CONSECUTIVE failures: a success while closed sets the count back to 0. A service "
    "that fails now and then is not down.";
const char* const kHintCooldown =
    "An open breaker refuses calls until the cooldown has passed since it opened, measured with goro::now() "
    "(the runtime's clock). Once goro::now() - opened >= cooldown, the next call is the trial. On the virtual "
    "clock std::chrono clocks barely move: a cooldown measured with them never ends.";
const char* const kHintTrial =
    "The trial decides: a success closes the breaker and starts the failure count again from 0; a failure "
    "opens it again and restarts the cooldown from the moment the trial failed (opened = goro::now()).";
const char* const kHintOneTrial =
    "Exactly one caller becomes the trial: choosing it (and moving to half_open) must happen in one step with "
    "reading the state. While half_open every other caller gets ErrCircuitOpen at once: it must neither become "
    "a second trial nor wait for the first, so nothing it needs may be held while fn runs.";
const char* const kHintAsIs =
    "Return fn's error as it came: the caller may need goro::is / goro::as on the service's own error (a "
    "typed error with a retry-after, say).";
const char* const kHintGaveUp =
    "When fn fails and ctx has ended (ctx.err() is not nil), the caller gave up: that says nothing about "
    "the service. Count it neither as a failure nor as a success. A trial without a verdict puts the "
    "breaker back to open with its cooldown already over, so the next call becomes the trial.";
const char* const kHintStage =
    "The breaker's answers are results, not failures of the stage: report each item's Outcome{item, err} "
    "on out and go on with the next item. Only the caller's cancellation stops the stage early.";
const char* const kHintStageCancel =
    "Watch ctx.done() wherever the stage waits (receiving from in, sending on out), look at ctx.err() "
    "before each call, and close out on every path before returning.";

// ---- the breaker's checks ----------------------------------------------------------------------

// The service behind the breaker: counts the calls that reach it. Shared, since a caller task
// may outlive a failed check.
struct Service {
  std::atomic<int> calls{0};
};

// A fn that records the call and returns `result` (or ctx.err() when `listens` and ctx ended).
CallFn answer(const std::shared_ptr<Service>& svc, goro::Error result, bool listens = false) {
  return [svc, result, listens](const goro::Context& ctx) -> goro::Error {
    ++svc->calls;
    if (listens && ctx.err()) return ctx.err();
    return result;
  };
}

// A breaker whose cooldown the check waits out: the defaults (5 failures, 30 s) on the virtual
// clock, 5 failures and 50 ms on real threads.
std::shared_ptr<Breaker> cooling_breaker(const Check& check) {
  return check.deterministic() ? std::make_shared<Breaker>() : std::make_shared<Breaker>(5, 50ms);
}
goro::Duration cooldown_of(const Check& check) {
  return check.deterministic() ? goro::Duration(30s) : goro::Duration(50ms);
}

// One call that must reach the service and return `result` (nil, or an error goro::is finds it in).
void expect_reaches(Check& check, Breaker& b, const std::shared_ptr<Service>& svc, const goro::Error& result,
                    const std::string& what, std::string_view hint) {
  const int before = svc->calls.load();
  goro::Error err = b.call(goro::background(), answer(svc, result));
  const bool reached = svc->calls.load() > before;
  check.expect(reached, fmt::format("{}: the call reaches the service", what),
               goro::is(err, ErrCircuitOpen)
                   ? fmt::format("{}: the call was refused with ErrCircuitOpen (state() is {})", what, name(b.state()))
                   : fmt::format("{}: fn was not called; call returned {}", what, dojo::grader::show(err)),
               hint);
  if (result) {
    check.expect_is(err, result, "the service's error", kHintAsIs);
  } else {
    check.expect_ok(err, what, kHintAsIs);
  }
}

// One call made while the breaker must still be open. `since` was read before the call that
// opened it (so the breaker's own "opened" moment is not earlier). The call's fn fails: should a
// slow machine let the cooldown pass, that call is a failing trial and the breaker opens again.
// A call that reached fn is one too many (wrong-count), or one before its time (`m`: wrong-timing) where the
// check is about the cooldown.
void expect_refused(Check& check, Breaker& b, const std::shared_ptr<Service>& svc, goro::Time since,
                    goro::Duration cooldown, const std::string& what, std::string_view hint,
                    const dojo::grader::Mistake& m = mistake::wrong_count) {
  const int before = svc->calls.load();
  goro::Error err = b.call(goro::background(), answer(svc, ErrUnavailable));
  const goro::Duration passed = goro::now() - since;
  if (passed >= cooldown) {
    check.say(fmt::format("({}: {} had passed on this busy machine; that call is not judged)", what, dur(passed)));
    return;
  }
  const bool reached = svc->calls.load() > before;
  check.expect(!reached, fmt::format("{}: refused without calling fn", what),
               fmt::format("{}: fn was called while the breaker was open (less than {} after it opened)", what,
                           dur(cooldown)),
               {m, hint});
  check.expect_is(err, ErrCircuitOpen, "ErrCircuitOpen", hint);
}

void expect_state(Check& check, Breaker& b, State want, const std::string& when, std::string_view hint) {
  const State got = b.state();
  check.expect(got == want, fmt::format("state() {}: {}", when, name(want)),
               fmt::format("state() {}: {}", when, name(got)), hint);
}

// After a trial that failed: open again.
void expect_reopened(Check& check, Breaker& b) {
  const State s = b.state();
  std::string got = s == State::half_open ? "state() is half_open: the breaker was left half-open after its trial failed"
                    : s == State::closed  ? "state() is closed: the breaker closed again after its trial failed"
                                          : "state() is open";
  check.expect(s == State::open, "state() is open: a failed trial opens the breaker again", got, kHintTrial);
}

// `n` failing calls that must each reach the service; the breaker must stay closed after each
// but (when `opens`) the last.
void fail_times(Check& check, Breaker& b, const std::shared_ptr<Service>& svc, int n, const std::string& what,
                bool last_opens, std::string_view hint) {
  for (int i = 1; i <= n; ++i) {
    expect_reaches(check, b, svc, ErrUnavailable, fmt::format("{}, failure {}", what, i), hint);
    const bool opens = last_opens && i == n;
    expect_state(check, b, opens ? State::open : State::closed, fmt::format("after {}, failure {}", what, i), hint);
  }
}

// ---- the stage's checks ------------------------------------------------------------------------

// How the grader drives one run of the stage.
struct Plan {
  int items = 10;                 // the feeder offers items 0, 1, ..., items-1
  goro::Duration gap{0};          // ... sleeping this long after each one
  bool close_in = true;           // then closes in (else it waits for the end of the check)
  int stop_after_successes = 0;   // > 0: the feeder closes in once this many items succeeded
  int consumer_cancels_at = -1;   // the consumer cancels ctx once it has received this item's outcome
  bool consumer_stops_reading = false;  // ... and then reads out no more
  // The service: handed the stage's ctx, the item and the call's number (1, 2, ...).
  std::function<goro::Error(const goro::Context&, int item, int call)> service;
};

struct Line {
  goro::Chan<int> in = goro::make_chan<int>();
  goro::Chan<Outcome> out = goro::make_chan<Outcome>();
  goro::Chan<goro::Unit> stop = goro::make_chan<goro::Unit>();
  goro::Chan<goro::Unit> stage_done = goro::make_chan<goro::Unit>();
  goro::Chan<goro::Unit> feeder_done = goro::make_chan<goro::Unit>();
  goro::Chan<goro::Unit> consumer_done = goro::make_chan<goro::Unit>();
  goro::Mutex mu;
  std::vector<Outcome> outcomes;  // what the consumer received, in order
  std::vector<int> reached;       // the items that reached the service, in order
  int calls_after_cancel = 0;     // service calls that began with ctx already ended
  int successes = 0;
  bool out_closed = false;
  goro::Error err;                // what stage returned
};

struct RunResult {
  bool returned = false;
  goro::Error err;
  std::vector<Outcome> outcomes;
  std::vector<int> reached;
  int calls_after_cancel = 0;
  bool out_closed = false;
};

// Waits for `done` to be closed. On the virtual clock it gives up after 10 minutes with no task
// able to run (false); on real threads it waits (the watchdog reports a hang).
bool wait_for(const Check& check, const goro::Chan<goro::Unit>& done) {
  if (!check.deterministic()) {
    (void)done.recv();
    return true;
  }
  auto t = goro::new_timer(10min);
  const bool ok = goro::select(goro::on_recv(done), goro::on_recv(t.c())) == 0;
  t.stop();
  return ok;
}

// Runs stage(ctx, in, out, *b, service) in a task of its own, with a grader task feeding `in`
// and one reading `out`. `while_what` says where the stage was when it was cancelled, for the
// message if it never returns.
RunResult run_stage(Check& check, const Plan& plan, const goro::Context& ctx, const goro::CancelFunc& cancel,
                    const std::shared_ptr<Breaker>& b, const std::string& while_what) {
  auto line = std::make_shared<Line>();
  dojo::ex15::Send send = [line, plan](const goro::Context& c, int item) -> goro::Error {
    int call = 0;
    {
      std::lock_guard lk(line->mu);
      line->reached.push_back(item);
      call = static_cast<int>(line->reached.size());
      if (c.err()) ++line->calls_after_cancel;
    }
    return plan.service ? plan.service(c, item, call) : goro::Error{};
  };

  goro::go_named("grader: feeder", [line, plan] {
    for (int i = 0; i < plan.items; ++i) {
      if (plan.stop_after_successes > 0) {
        std::lock_guard lk(line->mu);
        if (line->successes >= plan.stop_after_successes) break;
      }
      if (goro::select(goro::on_send(line->in, i), goro::on_recv(line->stop)) == 1) {
        line->feeder_done.close();
        return;
      }
      if (plan.gap > goro::Duration::zero()) {
        auto t = goro::new_timer(plan.gap);
        (void)goro::select(goro::on_recv(t.c()), goro::on_recv(line->stop));
        t.stop();
      }
    }
    if (plan.close_in) {
      line->in.close();
    } else {
      (void)line->stop.recv();
    }
    line->feeder_done.close();
  });

  goro::go_named("grader: consumer", [line, plan, cancel] {
    bool reading = true;
    for (;;) {
      Outcome o;
      bool ok = false;
      const goro::Chan<Outcome> from = reading ? line->out : goro::Chan<Outcome>{};
      if (goro::select(goro::on_recv(from, &o, &ok), goro::on_recv(line->stage_done)) == 0) {
        if (!ok) {
          std::lock_guard lk(line->mu);
          line->out_closed = true;
          break;
        }
        {
          std::lock_guard lk(line->mu);
          line->outcomes.push_back(o);
          if (!o.err) ++line->successes;
        }
        if (o.item == plan.consumer_cancels_at) {
          if (cancel) cancel();
          if (plan.consumer_stops_reading) reading = false;
        }
        continue;
      }
      // The stage has returned: out must be closed by now (a value still waiting can only come
      // from a task the stage left behind).
      const int k = goro::select(goro::on_recv(line->out, &o, &ok), goro::on_default());
      if (k == 0 && ok) {
        std::lock_guard lk(line->mu);
        line->outcomes.push_back(o);
        continue;
      }
      std::lock_guard lk(line->mu);
      line->out_closed = k == 0;
      break;
    }
    line->consumer_done.close();
  });

  goro::go_named("stage", [line, ctx, b, send] {
    goro::Error err = dojo::ex15::stage(ctx, line->in, line->out, *b, send);
    {
      std::lock_guard lk(line->mu);
      line->err = err;
    }
    line->stage_done.close();
  });

  RunResult r;
  r.returned = wait_for(check, line->stage_done);
  if (!r.returned) {
    std::lock_guard lk(line->mu);
    if (while_what.empty())
      check.fail("stage returns once in is closed",
                 fmt::format("the stage never returned (it had reported {} outcome(s))", line->outcomes.size()),
                 kHintStage);
    check.fail("stage returns once ctx is cancelled",
               fmt::format("the stage did not return after ctx was cancelled {} (it had reported {} outcome(s))",
                           while_what, line->outcomes.size()),
               {mistake::ignored_cancellation, kHintStageCancel});
  }
  line->stop.close();
  (void)line->feeder_done.recv();
  (void)line->consumer_done.recv();
  std::lock_guard lk(line->mu);
  r.err = line->err;
  r.outcomes = line->outcomes;
  r.reached = line->reached;
  r.calls_after_cancel = line->calls_after_cancel;
  r.out_closed = line->out_closed;
  return r;
}

// A letter per outcome: U the service's error, O ErrCircuitOpen, N nil, C the context's error.
char letter(const Outcome& o) {
  if (!o.err) return 'N';
  if (goro::is(o.err, ErrCircuitOpen)) return 'O';
  if (goro::is(o.err, ErrUnavailable)) return 'U';
  if (goro::is(o.err, goro::Canceled)) return 'C';
  return '?';
}
std::string letters(const std::vector<Outcome>& v) {
  std::string s;
  for (const Outcome& o : v) s += letter(o);
  return s;
}
// "5 U, 29 O, 1 U": the letters, run-length encoded.
std::string runs(const std::string& seq) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < seq.size();) {
    std::size_t j = i;
    while (j < seq.size() && seq[j] == seq[i]) ++j;
    parts.push_back(fmt::format("{} {}", j - i, seq[i]));
    i = j;
  }
  return parts.empty() ? std::string("none") : fmt::format("{}", fmt::join(parts, ", "));
}
std::vector<int> items_of(const std::vector<Outcome>& v) {
  std::vector<int> out;
  for (const Outcome& o : v) out.push_back(o.item);
  return out;
}

// The outcomes must be items 0, 1, 2, ... each once, in order.
void expect_in_order(Check& check, const std::vector<Outcome>& v) {
  const std::vector<int> got = items_of(v);
  check.expect(got == dojo::grader::range(0, static_cast<int>(got.size()) - 1),
               "the outcomes on out are for items 0, 1, 2, ... each once, in order",
               fmt::format("outcomes for the items {}", dojo::grader::list(got)), kHintStage);
}

void expect_closed(Check& check, const RunResult& r) {
  check.expect(r.out_closed, "out closed when stage returns",
               "the stage returned, but out was never closed: a reader ranging over out would wait forever",
               {mistake::missing_close, kHintStageCancel});
}

// The check's context, cancelled at the end of the check however it ends.
struct Caller {
  goro::Context ctx;
  goro::CancelFunc cancel;
  Caller() {
    auto [c, f] = goro::with_cancel(goro::background());
    ctx = c;
    cancel = f;
  }
  Caller(const Caller&) = delete;
  Caller& operator=(const Caller&) = delete;
  ~Caller() { cancel(); }
};

}  // namespace

// ---- the breaker -------------------------------------------------------------------------------

DOJO_CHECK("4 failures in a row keep it closed; the 5th opens it; then calls fail fast without reaching the service",
           kHintThreshold) {
  auto b = std::make_shared<Breaker>();  // 5 failures, 30 s: nothing here waits for the cooldown
  auto svc = std::make_shared<Service>();
  expect_state(check, *b, State::closed, "of a new breaker", kHintThreshold);
  check.say("calling b.call(ctx, fn) 4 times, where fn fails with ErrUnavailable");
  fail_times(check, *b, svc, 4, "closed", false, kHintThreshold);
  check.say("calling it a 5th time, fn failing again");
  const goro::Time since = goro::now();
  expect_reaches(check, *b, svc, ErrUnavailable, "the 5th failure", kHintThreshold);
  expect_state(check, *b, State::open, "after 5 consecutive failures", kHintThreshold);
  check.say("calling b.call(ctx, fn) 10 more times at once");
  for (int i = 1; i <= 10; ++i)
    expect_refused(check, *b, svc, since, 30s, fmt::format("call {} after it opened", i), kHintThreshold);
  check.report(fmt::format("the service saw {} calls out of 15", svc->calls.load()));
}

DOJO_CHECK("consecutive, not total: failures interleaved with successes never open it",
           kHintConsecutive) {
  auto b = std::make_shared<Breaker>();
  auto svc = std::make_shared<Service>();
  check.say("calling b.call 14 times: 4 failures, 1 success, 4 failures, 1 success, 4 failures");
  int failures = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) {
      (void)b->call(goro::background(), answer(svc, ErrUnavailable));
      ++failures;
      const State s = b->state();
      check.expect(s == State::closed, "state() closed: never 5 failures in a row",
                   fmt::format("state() is {} after {} failures in total: the breaker opened after failures "
                               "interleaved with successes (a success must reset the count)",
                               name(s), failures),
                   {mistake::wrong_count, kHintConsecutive});
    }
    if (round < 2) expect_reaches(check, *b, svc, {}, fmt::format("success {}", round + 1), kHintConsecutive);
  }
  check.expect_eq(svc->calls.load(), 14, "calls that reached the service");
  check.say("calling b.call once more, fn failing: the 5th failure in a row");
  expect_reaches(check, *b, svc, ErrUnavailable, "the 5th consecutive failure", kHintConsecutive);
  expect_state(check, *b, State::open, "after 5 consecutive failures", kHintThreshold);
}

DOJO_CHECK("the cooldown runs on goro::now(): still open at +29.999 s, the next call at +30 s is the trial",
           kHintCooldown) {
  auto b = cooling_breaker(check);
  const goro::Duration cooldown = cooldown_of(check);
  auto svc = std::make_shared<Service>();
  check.say("opening the breaker with 5 failures");
  const goro::Time since = goro::now();
  fail_times(check, *b, svc, 5, "opening", true, kHintThreshold);
  if (check.deterministic()) {
    check.say("sleeping 29.999s (goro::sleep, the virtual clock), then calling b.call");
    goro::sleep(cooldown - 1ms);
    expect_refused(check, *b, svc, since, cooldown, "at +29.999s", kHintCooldown, mistake::wrong_timing);
    expect_state(check, *b, State::open, "at +29.999s", kHintCooldown);
    check.say("sleeping 1ms more (+30s), then calling b.call, fn succeeding");
    goro::sleep(1ms);
  } else {
    check.say("calling b.call at once");
    expect_refused(check, *b, svc, since, cooldown, "right after it opened", kHintCooldown, mistake::wrong_timing);
    check.say("sleeping " + dur(cooldown) + ", then calling b.call, fn succeeding");
    goro::sleep(cooldown);
  }
  const int before = svc->calls.load();
  goro::Error err = b->call(goro::background(), answer(svc, {}));
  check.expect(svc->calls.load() > before, "the call once the cooldown is over reaches the service (the trial)",
               fmt::format("the call was still rejected with {} {} after the breaker opened: the cooldown never "
                           "ended",
                           dojo::grader::show(err), dur(goro::now() - since)),
               {mistake::wrong_timing, kHintCooldown});
  check.expect_ok(err, "the trial", kHintAsIs);
  expect_state(check, *b, State::closed, "after the trial succeeded", kHintTrial);
}

DOJO_CHECK("the constructor's threshold and cooldown are the ones used: Breaker(2, 10s)",
           "Use threshold_ and cooldown_, the constructor's arguments, instead of the numbers 5 and 30 s.") {
  const goro::Duration cooldown = check.deterministic() ? goro::Duration(10s) : goro::Duration(50ms);
  auto b = std::make_shared<Breaker>(2, cooldown);
  auto svc = std::make_shared<Service>();
  check.say(fmt::format("a Breaker(2, {}): 1 failure, then a 2nd", dur(cooldown)));
  const goro::Time since = goro::now();
  fail_times(check, *b, svc, 2, "Breaker(2, ...)", true, kHintThreshold);
  if (check.deterministic()) {
    goro::sleep(cooldown - 1ms);
    check.say("at +9.999s calling b.call");
    expect_refused(check, *b, svc, since, cooldown, "at +9.999s", kHintCooldown, mistake::wrong_timing);
    goro::sleep(1ms);
  } else {
    expect_refused(check, *b, svc, since, cooldown, "right after it opened", kHintCooldown, mistake::wrong_timing);
    goro::sleep(cooldown);
  }
  check.say(fmt::format("at +{} calling b.call, fn succeeding", dur(cooldown)));
  expect_reaches(check, *b, svc, {}, "the trial after the cooldown", kHintCooldown);
  expect_state(check, *b, State::closed, "after the trial succeeded", kHintTrial);
}

DOJO_CHECK("a trial that succeeds closes the breaker, and it takes 5 new failures in a row to open it again",
           kHintTrial) {
  auto b = cooling_breaker(check);
  const goro::Duration cooldown = cooldown_of(check);
  auto svc = std::make_shared<Service>();
  check.say("opening the breaker with 5 failures, sleeping " + dur(cooldown) + ", then a trial that succeeds");
  fail_times(check, *b, svc, 5, "opening", true, kHintThreshold);
  goro::sleep(cooldown);
  expect_reaches(check, *b, svc, {}, "the trial", kHintCooldown);
  expect_state(check, *b, State::closed, "after the trial succeeded", kHintTrial);
  check.say("calling b.call 4 times, fn failing");
  for (int i = 1; i <= 4; ++i) {
    expect_reaches(check, *b, svc, ErrUnavailable, fmt::format("failure {} after the trial", i), kHintTrial);
    const State s = b->state();
    check.expect(s == State::closed, "state() closed: fewer than 5 failures since the trial closed it",
                 fmt::format("state() is {}: the breaker opened after {} failure(s) following the successful trial "
                             "(the count must start from 0 when a trial closes it)",
                             name(s), i),
                 {mistake::wrong_count, kHintTrial});
  }
  check.say("one more failure: the 5th in a row");
  expect_reaches(check, *b, svc, ErrUnavailable, "failure 5 after the trial", kHintTrial);
  expect_state(check, *b, State::open, "after 5 new consecutive failures", kHintThreshold);
}

DOJO_CHECK("a trial that fails opens it again for another full cooldown: refused at +29.999 s, a new trial at +30 s",
           kHintTrial) {
  auto b = cooling_breaker(check);
  const goro::Duration cooldown = cooldown_of(check);
  auto svc = std::make_shared<Service>();
  check.say("opening the breaker with 5 failures, sleeping " + dur(cooldown) + ", then a trial that fails");
  fail_times(check, *b, svc, 5, "opening", true, kHintThreshold);
  goro::sleep(cooldown);
  const goro::Time since = goro::now();
  expect_reaches(check, *b, svc, ErrUnavailable, "the trial", kHintCooldown);
  expect_reopened(check, *b);
  check.say("calling b.call right after the failed trial");
  {
    const int before = svc->calls.load();
    goro::Error err = b->call(goro::background(), answer(svc, ErrUnavailable));
    if (goro::now() - since < cooldown) {
      check.expect(svc->calls.load() == before, "refused without calling fn: the cooldown started again",
                   "right after the failed trial, the call reached fn: the cooldown must restart when the trial "
                   "fails (opened = goro::now())",
                   {mistake::wrong_timing, kHintTrial});
      check.expect_is(err, ErrCircuitOpen, "ErrCircuitOpen", kHintTrial);
    }
  }
  if (check.deterministic()) {
    check.say("sleeping 29.999s, then calling b.call");
    goro::sleep(cooldown - 1ms);
    expect_refused(check, *b, svc, since, cooldown, "29.999s after the failed trial", kHintTrial,
                   mistake::wrong_timing);
    goro::sleep(1ms);
  } else {
    goro::sleep(cooldown);
  }
  check.say(fmt::format("{} after the failed trial, calling b.call, fn succeeding", dur(cooldown)));
  expect_reaches(check, *b, svc, {}, "the second trial", kHintTrial);
  expect_state(check, *b, State::closed, "after the second trial succeeded", kHintTrial);
}

DOJO_CHECK("half-open: 20 callers at once, exactly one trial reaches the service, the others get ErrCircuitOpen at once",
           kHintOneTrial, dojo::grader::Options{.seeds = 8}) {
  const goro::Duration cooldown = cooldown_of(check);
  for (const bool trial_succeeds : {true, false}) {
    auto b = cooling_breaker(check);
    auto svc = std::make_shared<Service>();
    for (int i = 0; i < 5; ++i) (void)b->call(goro::background(), answer(svc, ErrUnavailable));
    goro::sleep(cooldown);
    check.say(fmt::format("breaker opened and its cooldown over; 20 tasks call b.call at once. The first call "
                          "that reaches fn blocks until the grader releases it, then {}",
                          trial_succeeds ? "succeeds" : "fails"));

    struct Room {
      std::atomic<int> fn_calls{0};
      goro::Chan<goro::Unit> trial_started = goro::make_chan<goro::Unit>();
      goro::Chan<goro::Unit> release = goro::make_chan<goro::Unit>();
      goro::Chan<std::pair<int, goro::Error>> results = goro::make_chan<std::pair<int, goro::Error>>(20);
    };
    auto room = std::make_shared<Room>();
    CallFn fn = [room, trial_succeeds](const goro::Context&) -> goro::Error {
      if (++room->fn_calls == 1) {
        room->trial_started.close();
        (void)room->release.recv();
        return trial_succeeds ? goro::Error{} : ErrUnavailable;
      }
      return {};  // a caller wrongly let through: the service answers it at once
    };
    for (int k = 0; k < 20; ++k)
      goro::go_named(fmt::format("caller {}", k), [b, fn, room, k] { room->results.send({k, b->call(goro::background(), fn)}); });

    std::vector<std::pair<int, goro::Error>> got;
    bool started = false, gave_up = false;
    {
      goro::Timer guard;
      goro::Chan<goro::Time> guard_c;  // nil on real threads: wait as long as it takes
      if (check.deterministic()) {
        guard = goro::new_timer(10min);
        guard_c = guard.c();
      }
      goro::Chan<goro::Unit> started_c = room->trial_started;
      while (!gave_up && got.size() < 20 && !(started && got.size() >= 19)) {
        std::pair<int, goro::Error> r;
        switch (goro::select(goro::on_recv(room->results, &r), goro::on_recv(started_c), goro::on_recv(guard_c))) {
          case 0: got.push_back(r); break;
          case 1: started = true; started_c = {}; break;
          default: gave_up = true; break;
        }
      }
      if (check.deterministic()) guard.stop();
    }
    const std::size_t returned_during_trial = got.size();
    const int calls_during_trial = room->fn_calls.load();
    const State during = gave_up ? State::closed : b->state();  // not read when a caller may hold the mutex
    room->release.close();
    while (got.size() < 20) got.push_back(room->results.recv().value);

    if (!started) {
      int open_errors = 0;
      for (const auto& [k, err] : got)
        if (goro::is(err, ErrCircuitOpen)) ++open_errors;
      check.fail("one of the 20 callers reaches fn: after the cooldown the first call is the trial",
                 fmt::format("none of the 20 callers reached fn; {} of them got ErrCircuitOpen although the cooldown "
                             "was over",
                             open_errors),
                 kHintCooldown);
    }
    check.expect(returned_during_trial >= 19,
                 "the 19 other callers return (with ErrCircuitOpen) while the trial is still running",
                 fmt::format("only {} of the other 19 callers had returned while the trial was running: a refused "
                             "caller must get ErrCircuitOpen at once, not wait for the trial (is fn called with the "
                             "mutex held?)",
                             returned_during_trial),
                 {mistake::serialized, kHintOneTrial});
    check.expect(calls_during_trial == 1, "fn called exactly once in half-open (the one trial)",
                 fmt::format("fn was called {} times: more than one caller was let through in half-open",
                             calls_during_trial),
                 {calls_during_trial > 1 ? mistake::over_limit : mistake::wrong_result, kHintOneTrial});
    int refused = 0;
    for (const auto& [k, err] : got)
      if (goro::is(err, ErrCircuitOpen)) ++refused;
    check.expect(refused == 19, "19 callers got ErrCircuitOpen",
                 fmt::format("{} callers got ErrCircuitOpen", refused), kHintOneTrial);
    check.expect(during == State::half_open, "state() half_open while the trial runs",
                 fmt::format("state() was {} while the trial was running", name(during)), kHintOneTrial);
    if (trial_succeeds) {
      expect_state(check, *b, State::closed, "after the trial succeeded", kHintTrial);
      expect_reaches(check, *b, svc, {}, "the next call after the successful trial", kHintTrial);
    } else {
      expect_reopened(check, *b);
    }
  }
}

DOJO_CHECK("the service's own errors come back as they are: goro::is and goro::as find them",
           kHintAsIs) {
  auto b = std::make_shared<Breaker>();
  check.say("calling b.call(ctx, fn), where fn returns errorf(\"POST /orders: {:w}\", ErrUnavailable)");
  goro::Error wrapped = goro::errorf("POST /orders: {:w}", ErrUnavailable);
  goro::Error err = b->call(goro::background(), [wrapped](const goro::Context&) { return wrapped; });
  check.expect_is(err, ErrUnavailable, "ErrUnavailable", kHintAsIs);
  check.expect_not_is(err, ErrCircuitOpen, "ErrCircuitOpen", "The breaker is closed: the service's error is the answer.");
  check.say("calling b.call(ctx, fn), where fn returns make_error(Overloaded{250})");
  err = b->call(goro::background(), [](const goro::Context&) { return goro::make_error(Overloaded{250}); });
  auto found = check.expect_as<Overloaded>(err, "Overloaded", kHintAsIs);
  check.expect_eq(found.retry_after_ms, 250, "Overloaded::retry_after_ms");
  check.say("calling b.call(ctx, fn), where fn succeeds");
  check.expect_ok(b->call(goro::background(), [](const goro::Context&) { return goro::Error{}; }), "b.call", kHintAsIs);
}

DOJO_CHECK("a caller that gave up is not the service failing: cancelled calls neither open the breaker nor end a trial",
           kHintGaveUp) {
  auto b = cooling_breaker(check);
  const goro::Duration cooldown = cooldown_of(check);
  auto svc = std::make_shared<Service>();
  auto [dead, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling b.call(ctx, fn) 6 times with a cancelled ctx; fn returns ctx.err()");
  for (int i = 1; i <= 6; ++i) {
    const int before = svc->calls.load();
    goro::Error err = b->call(dead, answer(svc, ErrUnavailable, /*listens=*/true));
    check.expect(svc->calls.load() > before, fmt::format("cancelled call {} reaches fn", i),
                 goro::is(err, ErrCircuitOpen)
                     ? fmt::format("cancelled call {} was refused with ErrCircuitOpen: a call whose ctx was cancelled "
                                   "counted as a failure of the service",
                                   i)
                     : fmt::format("cancelled call {}: fn was not called; call returned {}", i, dojo::grader::show(err)),
                 {goro::is(err, ErrCircuitOpen) ? mistake::wrong_count : mistake::wrong_result, kHintGaveUp});
    check.expect_is(err, goro::Canceled, "goro::Canceled (fn's error, as is)", kHintAsIs);
  }
  expect_state(check, *b, State::closed, "after 6 cancelled calls", kHintGaveUp);
  check.say("then 4 real failures: still closed; a 5th opens it");
  fail_times(check, *b, svc, 5, "with a live ctx", true, kHintGaveUp);
  goro::sleep(cooldown);
  check.say("cooldown over: the trial's caller has cancelled (fn returns ctx.err()); then a call with a live ctx");
  {
    const int before = svc->calls.load();
    goro::Error err = b->call(dead, answer(svc, ErrUnavailable, /*listens=*/true));
    check.expect(svc->calls.load() > before, "the first call after the cooldown reaches fn (the trial)",
                 fmt::format("it was refused: {}", dojo::grader::show(err)), kHintCooldown);
  }
  {
    const int before = svc->calls.load();
    goro::Error err = b->call(goro::background(), answer(svc, {}));
    check.expect(svc->calls.load() > before,
                 "the next call reaches fn: the cancelled trial gave no verdict, so this call is the trial",
                 fmt::format("it was refused ({}, state() {}): the cancelled trial counted as a failure of the "
                             "service, or left the breaker half-open for good",
                             dojo::grader::show(err), name(b->state())),
                 kHintGaveUp);
    check.expect_ok(err, "the new trial");
  }
  expect_state(check, *b, State::closed, "after the new trial succeeded", kHintTrial);
}

// ---- the stage ---------------------------------------------------------------------------------

DOJO_CHECK("the stage in front of a service that goes down and recovers: open-period items never reach it",
           kHintStage) {
  const bool det = check.deterministic();
  auto b = cooling_breaker(check);
  Plan p;
  p.items = 200;  // 74 on the virtual clock; on real threads at most about 40, however slow the machine
  p.gap = det ? goro::Duration(1s) : goro::Duration(5ms);
  p.stop_after_successes = 10;
  // The service fails its first 6 calls: the 5 that open the breaker and the first trial.
  p.service = [](const goro::Context&, int, int call) { return call <= 6 ? ErrUnavailable : goro::Error{}; };
  Caller caller;
  check.say(fmt::format("running stage(ctx, in, out, b, send); an item every {}; the service fails its first 6 "
                        "calls, then works; in is closed once 10 items have succeeded",
                        dur(p.gap)));
  RunResult r = run_stage(check, p, caller.ctx, caller.cancel, b, "");
  const std::string seq = letters(r.outcomes);
  check.expect(!r.err, "stage returns nil once in is closed",
               fmt::format("the stage stopped after {} outcome(s) and returned {}", r.outcomes.size(),
                           Check::describe_error(r.err)),
               {mistake::unexpected_error, kHintStage});
  expect_closed(check, r);
  expect_in_order(check, r.outcomes);
  // Every item that reached the service is one whose outcome is not ErrCircuitOpen, and back.
  std::vector<int> not_refused;
  for (const Outcome& o : r.outcomes)
    if (letter(o) != 'O') not_refused.push_back(o.item);
  check.expect(r.reached == not_refused, "the service got exactly the items not refused by the breaker",
               fmt::format("the service got the items {}; the items not refused were {}",
                           dojo::grader::list(r.reached), dojo::grader::list(not_refused)),
               "An item the breaker refused (ErrCircuitOpen) must not reach the service.");
  const std::string legend = " (U: the service's error, O: ErrCircuitOpen, N: nil)";
  if (det) {
    // Opens at +4 s (item 4); items 5..33 refused; item 34 is the trial at +34 s and fails; items
    // 35..63 refused; item 64 is the trial at +64 s and succeeds; 64..73 are the 10 successes.
    const std::string want = std::string(5, 'U') + std::string(29, 'O') + "U" + std::string(29, 'O') +
                             std::string(10, 'N');
    check.expect(seq == want, "outcomes " + runs(want) + legend, "outcomes " + runs(seq), kHintTrial);
  } else {
    // U x5, then O*, U (the failed trial), O*, then N for the rest: whatever the machine's speed.
    std::size_t i = 0;
    auto run = [&](char c) {
      std::size_t n = 0;
      while (i < seq.size() && seq[i] == c) ++i, ++n;
      return n;
    };
    const bool ok = run('U') == 5 && (run('O'), true) && run('U') == 1 && (run('O'), true) && run('N') >= 10 &&
                    i == seq.size();
    check.expect(ok, "outcomes 5 U, some O, 1 U (the failed trial), some O, then at least 10 N" + legend,
                 "outcomes " + runs(seq), kHintTrial);
  }
  check.report(fmt::format("{} items: {} reached the service, {} refused by the open breaker", r.outcomes.size(),
                           r.reached.size(), r.outcomes.size() - r.reached.size()));
}

DOJO_CHECK("the stage with a flaky service: every item reported once, in order, with its own error; nil at the end",
           kHintStage) {
  auto b = std::make_shared<Breaker>();
  Plan p;
  p.items = 20;
  p.service = [](const goro::Context&, int item, int) {
    return item % 7 == 3 ? goro::errorf("item {}: {:w}", item, ErrUnavailable) : goro::Error{};
  };
  Caller caller;
  check.say("running stage over items 0..19; the service fails items 3, 10 and 17 with ErrUnavailable");
  RunResult r = run_stage(check, p, caller.ctx, caller.cancel, b, "");
  check.expect(!r.err, "stage returns nil once in is closed",
               fmt::format("the stage stopped after {} outcome(s) and returned {}", r.outcomes.size(),
                           Check::describe_error(r.err)),
               {mistake::unexpected_error, kHintStage});
  expect_closed(check, r);
  expect_in_order(check, r.outcomes);
  check.expect_eq(r.outcomes.size(), std::size_t{20}, "outcomes reported");
  check.expect_eq(letters(r.outcomes), std::string("NNNUNNNNNNUNNNNNNUNN"),
                  "outcomes (U: the service's error, N: nil)", kHintStage);
  check.expect_eq(r.reached, dojo::grader::range(0, 19), "the items that reached the service");
}

DOJO_CHECK("the caller cancels during a service call: the stage returns goro::Canceled, calls nothing more, closes out",
           kHintStageCancel) {
  auto b = std::make_shared<Breaker>();
  Caller caller;
  Plan p;
  p.items = 50;
  p.close_in = false;
  goro::CancelFunc cancel = caller.cancel;
  p.service = [cancel](const goro::Context& ctx, int, int call) -> goro::Error {
    if (call == 3) cancel();  // the caller gives up while item 2 is with the service
    return ctx.err();         // a service that listens: it stops with ctx's error
  };
  check.say("running stage over endless items; the caller cancels ctx during the service's 3rd call (item 2)");
  RunResult r = run_stage(check, p, caller.ctx, caller.cancel, b, "during a service call");
  check.expect_is(r.err, goro::Canceled, "goro::Canceled", kHintStageCancel);
  expect_closed(check, r);
  check.expect(r.calls_after_cancel == 0, "no service call after the cancellation",
               fmt::format("the service was called {} time(s) after ctx was cancelled", r.calls_after_cancel),
               {mistake::ignored_cancellation, kHintStageCancel});
  expect_in_order(check, r.outcomes);
  const std::string seq = letters(r.outcomes);
  check.expect(seq == "NN" || seq == "NNC", "outcomes for items 0, 1 (nil), and maybe item 2 (Canceled)",
               "outcomes " + seq + " (N: nil, C: Canceled)", kHintStageCancel);
}

DOJO_CHECK("the caller cancels while the stage waits for the next item: it returns goro::Canceled and closes out",
           kHintStageCancel) {
  auto b = std::make_shared<Breaker>();
  Caller caller;
  Plan p;
  p.items = 3;
  p.close_in = false;  // no 4th item ever comes, and in stays open
  p.consumer_cancels_at = 2;
  check.say("running stage over items 0, 1, 2 (in is not closed); the caller cancels once item 2 is reported");
  RunResult r = run_stage(check, p, caller.ctx, caller.cancel, b, "while it waited for the next item");
  check.expect_is(r.err, goro::Canceled, "goro::Canceled", kHintStageCancel);
  expect_closed(check, r);
  check.expect_eq(letters(r.outcomes), std::string("NNN"), "outcomes (N: nil)");
  expect_in_order(check, r.outcomes);
}

DOJO_CHECK("the caller cancels while the stage waits to hand over an outcome: it returns goro::Canceled and closes out",
           kHintStageCancel) {
  auto b = std::make_shared<Breaker>();
  Caller caller;
  Plan p;
  p.items = 50;
  p.close_in = false;
  p.consumer_cancels_at = 1;
  p.consumer_stops_reading = true;
  check.say("running stage over endless items; once item 1 is reported the reader cancels ctx and reads no more");
  RunResult r = run_stage(check, p, caller.ctx, caller.cancel, b, "while it waited to send an outcome on out");
  check.expect_is(r.err, goro::Canceled, "goro::Canceled", kHintStageCancel);
  expect_closed(check, r);
  check.expect_eq(letters(r.outcomes), std::string("NN"), "outcomes (N: nil)");
}

DOJO_CHECK("an already-cancelled caller: the stage returns goro::Canceled, the service is never called, out is closed",
           kHintStageCancel) {
  auto b = std::make_shared<Breaker>();
  Caller caller;
  caller.cancel();
  Plan p;
  p.items = 5;
  p.close_in = false;
  check.say("running stage with ctx already cancelled, items waiting on in");
  RunResult r = run_stage(check, p, caller.ctx, caller.cancel, b, "before it started");
  check.expect_is(r.err, goro::Canceled, "goro::Canceled", kHintStageCancel);
  expect_closed(check, r);
  check.expect(r.reached.empty(), "the service never called",
               fmt::format("the service got the items {}", dojo::grader::list(r.reached)),
               "An item received together with the cancellation: select may pick either. Look at ctx.err() before "
               "each call.");
}
