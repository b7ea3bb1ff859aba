// Hidden checks for exercise 07 (fan_out).
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fan_out.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex07::fan_out;
using dojo::ex07::kWorkers;
using dojo::ex07::Work;
using dojo::grader::Check;
using namespace std::chrono_literals;

using dojo::grader::range;
using dojo::grader::list;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::send_on_closed, mistake::double_close, mistake::missing_close, mistake::blocked_send,
                     mistake::leak, mistake::over_limit, mistake::serialized, mistake::ignored_cancellation,
                     mistake::wrong_error);

namespace {

const goro::Error ErrBroken = goro::new_error("broken item");
const goro::Error ErrDownstream = goro::new_error("downstream gave up");

// What the grader's work function saw. Atomics: the workers run on real threads in free mode.
// Held by shared_ptr so that a worker left behind cannot outlive it.
struct Probe {
  dojo::grader::Concurrency work;  // work calls: how many, how many at once, each one's number
  std::atomic<int> calls_at_failure{-1};
  std::atomic<goro::Time> failed_at{};
  std::atomic<int> cancelled{0};  // work calls that stopped because their ctx was done
  std::atomic<int> timed_out{0};  // work calls that waited their whole patience: nobody stopped them
  std::atomic<goro::Time> cancelled_at{};  // when Plan::cancel ran
};

// How the grader's work behaves.
struct Plan {
  goro::Duration per_item{0};        // a succeeding item takes this long (or until ctx is done)
  std::map<int, goro::Error> fails{};  // these items fail...
  goro::Duration fail_after{0};      // ...after this long
  bool yield = true;                 // a succeeding item without per_item yields once
  int cancel_at_call = 0;            // the work call with this number (1-based) calls `cancel`...
  std::function<void()> cancel{};    // ...as the caller's canceller would
};

// How long a "slow" item takes unless its context is cancelled. Under the virtual clock 10 s;
// on real threads a minute: a correct fan_out never waits for it (the cancellation stops the
// item within microseconds), so however busy the machine, only a fan_out that does not
// cancel its workers lets an item run its whole patience.
goro::Duration patience(const Check& check) { return check.deterministic() ? goro::Duration(10s) : goro::Duration(60s); }


// The result of a succeeding item.
int result_of(int item) { return 3 * item + 1; }

Work tracked(std::shared_ptr<Probe> p, Plan plan) {
  return [p, plan = std::move(plan)](const goro::Context& ctx, int item) -> goro::Result<int> {
    const auto here = p->work.enter();
    if (plan.cancel_at_call > 0 && here.number() == plan.cancel_at_call) {
      p->cancelled_at.store(goro::now());
      plan.cancel();
    }
    if (auto it = plan.fails.find(item); it != plan.fails.end()) {
      if (plan.fail_after > goro::Duration(0)) goro::sleep(plan.fail_after);
      int unset = -1;
      if (p->calls_at_failure.compare_exchange_strong(unset, p->work.calls())) p->failed_at.store(goro::now());
      return it->second;
    }
    if (plan.per_item > goro::Duration(0)) {
      if (goro::select(goro::on_recv(goro::after(plan.per_item)), goro::on_recv(ctx.done())) == 1) {
        ++p->cancelled;
        // Winding down takes a moment, a different one for calls in flight together (their
        // numbers are close): the first to finish wakes a stage that does not wait for its
        // workers, and that stage returns, on the virtual clock under every schedule, while
        // the others are still in progress.
        goro::sleep(std::chrono::milliseconds(1 + here.number() % 16));
        return ctx.err();
      }
      if (plan.per_item >= goro::Duration(1s)) ++p->timed_out;
    } else if (plan.yield) {
      goro::yield();
    }
    return result_of(item);
  };
}

std::vector<int> results_of(const std::vector<int>& items) {
  std::vector<int> v;
  for (int item : items) v.push_back(result_of(item));
  std::sort(v.begin(), v.end());
  return v;
}

// What one run of the pipeline upstream -> fan_out -> downstream showed.
struct Outcome {
  goro::Error err;               // what fan_out returned
  std::vector<int> results;      // what downstream received, sorted
  bool closed = false;           // downstream saw `out` closed
  int in_flight_at_close = -1;   // work calls still in progress when downstream saw the close
  int in_flight_at_return = -1;  // work calls still in progress when fan_out returned
  goro::Time returned_at{};      // when fan_out returned
  goro::Error outer;             // what the caller's group's wait() returned
};

// Runs upstream -> fan_out -> downstream in one group bound to `ctx`, as a caller would.
// Upstream sends `items` on `in` (watching the group's context) and closes `in`. Downstream
// ranges over `out` — until it is closed, or, with stop_after >= 0, until it has that many
// results, when it fails with ErrDownstream and stops reading.
Outcome pipeline(const goro::Context& ctx, std::vector<int> items, Work work, std::shared_ptr<Probe> p,
                 int stop_after = -1) {
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto in = goro::make_chan<int>();
  auto out = goro::make_chan<int>();
  auto o = std::make_shared<Outcome>();
  g.go([in, gctx = gctx, items = std::move(items)]() -> goro::Error {
    for (int item : items) {
      if (goro::select(goro::on_send(in, item), goro::on_recv(gctx.done())) == 1) {
        in.close();
        return gctx.err();
      }
    }
    in.close();
    return {};
  });
  g.go([in, out, gctx = gctx, work = std::move(work), o, p]() -> goro::Error {
    goro::Error err = fan_out(gctx, in, out, work);
    o->in_flight_at_return = p->work.in_flight();
    o->returned_at = goro::now();
    o->err = err;
    return err;
  });
  g.go([out, o, p, stop_after]() -> goro::Error {
    std::vector<int> got;
    for (int r : out) {
      got.push_back(r);
      if (stop_after >= 0 && static_cast<int>(got.size()) >= stop_after) {
        o->results = std::move(got);
        return ErrDownstream;
      }
    }
    o->in_flight_at_close = p->work.in_flight();
    o->closed = true;
    o->results = std::move(got);
    return {};
  });
  o->outer = g.wait();
  std::sort(o->results.begin(), o->results.end());
  return *o;
}

// `out` was closed, once all work had finished, and fan_out waited for its workers.
void expect_closed_after_workers(Check& check, const Outcome& o) {
  check.expect(o.closed, "downstream sees `out` closed", "`out` was never closed",
               {mistake::missing_close, "fan_out closes `out` on every way out: after the workers are done, also "
                                        "when a worker failed."});
  // Returned with work calls still running: the workers were left behind.
  check.expect(o.in_flight_at_return == 0, "no work call still in progress when fan_out returns",
               fmt::format("fan_out returned while {} work call(s) were still busy", o.in_flight_at_return),
               {mistake::leak, "Wait for every worker before returning, also when one of them failed: returning "
                               "at the first error leaves the others running."});
  check.expect(o.in_flight_at_close == 0, "no work call still in progress when `out` is closed",
               fmt::format("{} work call(s) still in progress when downstream saw `out` closed", o.in_flight_at_close),
               "Close `out` only once every worker has finished (after waiting for them), never before.");
}

// The stage's failure: the worker's error, not the cancellation it caused.
void expect_failure(Check& check, const goro::Error& err, const goro::Error& target, std::string_view target_name) {
  check.expect_not_is(err, goro::Canceled, "goro::Canceled",
                      "The failing worker's error is the cause; the others' Canceled is its consequence. Keep the "
                      "first error a worker returned (an ErrGroup's wait() does), not a later one.");
  check.expect_is(err, target, target_name,
                  "Return the failing work's error from the worker (wrapped with {:w} if you add detail); the "
                  "group keeps it and wait() returns it.");
}

// The pipeline was cancelled while the workers ran: fan_out returns the context's error — or
// nil, when none of its workers was stopped halfway through an item. The upstream stage,
// cancelled too, closes `in` as it leaves, and a worker whose select finds `in` closed (select
// picks at random among the ready cases, in Go as in goro) has simply run out of input. If all
// four end that way, every item the stage took has been sent on `out`, and nil is what a Go
// stage returns: the caller's group still reports the error that cancelled the pipeline. It
// happens to the reference solution too (about once in 2,500 runs on real threads, and under
// some schedules), so the grader accepts it; what it rejects is any other error, and a nil
// that lost an item.
void expect_cancelled_or_input_ended(Check& check, const Outcome& o, const Probe& p, std::string_view hint) {
  if (o.err) {
    check.expect(goro::is(o.err, goro::Canceled),
                 "an error that goro::is finds goro::Canceled in (or nil, if every item fan_out took reached "
                 "downstream)",
                 Check::describe_error(o.err), {mistake::wrong_error, hint});
    return;
  }
  check.say("fan_out returned nil: right only if its workers simply ran out of input (the cancelled upstream stage "
            "closes `in` as it leaves) and no item was lost on the way");
  const int calls = p.work.calls();
  check.expect(calls == static_cast<int>(o.results.size()),
               "fan_out returns goro::Canceled, or nil only when every item it took reached downstream",
               fmt::format("nil, but {} work call(s) and only {} result(s) received downstream", calls, o.results.size()),
               {mistake::swallowed_error,
                "A worker stopped halfway through an item (in work, or in its send) returns wctx.err(); nil means "
                "\"my input ended and everything I took was delivered\"."});
}

// A failure stopped the intake: at most one more item per worker after the failure. The other
// items block until they are cancelled (patience()), so no worker can race ahead while the
// failure travels to the others, on real threads either: there the bound is structural too,
// with room for a worker that had received an item but not yet started its work call when the
// failure was counted.
void expect_intake_stopped(Check& check, const Probe& p) {
  const int at = p.calls_at_failure.load();
  const int after = p.work.calls() - at;
  const int bound = check.deterministic() ? kWorkers : 2 * kWorkers;
  check.expect(at >= 0 && after <= bound, fmt::format("at most {} work calls started after the failure", bound),
               fmt::format("{} work calls started after the failure: the workers kept taking items", after),
               {mistake::ignored_cancellation, "After a failure the workers' context is done: each worker must "
                                               "see it before taking another item, and stop."});
}

}  // namespace

DOJO_CHECK("every result reaches downstream exactly once, then `out` is closed",
           "Each worker loops: receive from `in`, work, send on `out`. fan_out closes `out` once, after the "
           "workers' group has finished.") {
  auto p = std::make_shared<Probe>();
  const auto items = range(1, 100);
  check.say("running upstream {1 .. 100} -> fan_out(work = 3 * item + 1) -> downstream");
  Outcome o = pipeline(goro::background(), items, tracked(p, {}), p);
  check.expect_ok(o.err, "fan_out(...)");
  check.expect(o.results == results_of(items), fmt::format("the results {} (in any order)", list(results_of(items))),
               fmt::format("the results {}", list(o.results)),
               "Every item is taken by exactly one worker, and every result is sent before `out` is closed.");
  check.expect_eq(p->work.calls(), 100, "calls to work");
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("exactly 4 work calls run at the same time, never more",
           "Start kWorkers tasks that each loop over `in`. One task per item has no bound; a single worker "
           "has no concurrency.") {
  auto p = std::make_shared<Probe>();
  // 10 ms per item on the virtual clock; the real-threads run really waits, so 1 ms there.
  const goro::Duration per_item = check.deterministic() ? goro::Duration(10ms) : goro::Duration(1ms);
  const auto items = range(1, 100);
  check.say(fmt::format("running upstream {{1 .. 100}} -> fan_out(work takes {} per item) -> downstream",
                        goro::format_duration(per_item)));
  const goro::Time start = goro::now();
  Outcome o = pipeline(goro::background(), items, tracked(p, {.per_item = per_item}), p);
  const goro::Duration took = goro::since(start);
  check.expect_ok(o.err, "fan_out(...)");
  check.expect_eq(o.results.size(), items.size(), "the number of results");
  const int peak = p->work.peak();
  check.expect(peak <= kWorkers, fmt::format("at most {} work calls at once", kWorkers),
               fmt::format("{} work calls at once: the concurrency is not bounded by the workers", peak),
               {mistake::over_limit, "Exactly kWorkers long-lived workers bound the concurrency; a task per item "
                                     "has no bound."});
  if (check.deterministic()) {
    check.expect(peak == kWorkers, fmt::format("{} work calls at once", kWorkers),
                 fmt::format("only {} work call(s) at once", peak),
                 {mistake::serialized, "All kWorkers workers take items and run work at the same time: start them "
                                       "all before waiting for any, and hold no lock across work."});
    // 100 items / 4 workers * 10 ms = 250 ms.
    check.expect(took <= 260ms, "the 100 items take about 250 ms (virtual) with 4 workers",
                 fmt::format("they took {}", goro::format_duration(took)), mistake::serialized);
  }
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("an empty input: nil, `out` closed, work never called",
           "`in` closed at once: every worker's first receive says so, the group finishes, `out` is closed.") {
  auto p = std::make_shared<Probe>();
  check.say("running upstream {} -> fan_out -> downstream");
  Outcome o = pipeline(goro::background(), {}, tracked(p, {}), p);
  check.expect_ok(o.err, "fan_out(...)");
  check.expect_eq(p->work.calls(), 0, "calls to work");
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("one item", "One worker gets it; the other three find `in` closed. `out` is closed once, after all four.") {
  auto p = std::make_shared<Probe>();
  check.say("running upstream {7} -> fan_out(work = 3 * item + 1) -> downstream");
  Outcome o = pipeline(goro::background(), {7}, tracked(p, {}), p);
  check.expect_ok(o.err, "fan_out(...)");
  check.expect_eq(o.results, std::vector<int>{22}, "the results");
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("a failing worker cancels the others promptly, and its error is returned",
           "The workers need a context of their own that the first failure cancels (ErrGroup::with_context "
           "makes one): hand it to work, so that the others' work sees it done, and return the failure.") {
  auto p = std::make_shared<Probe>();
  check.say(fmt::format("running upstream {{1 .. 40}} -> fan_out(item 2 fails with ErrBroken after 5 ms; the others "
                        "take {} unless their ctx is done) -> downstream",
                        goro::format_duration(patience(check))));
  Outcome o = pipeline(goro::background(), range(1, 40),
                       tracked(p, {.per_item = patience(check), .fails = {{2, ErrBroken}}, .fail_after = 5ms}), p);
  expect_failure(check, o.err, ErrBroken, "ErrBroken");
  check.expect(p->timed_out.load() == 0, "every other work call is cancelled by the failure",
               fmt::format("{} work call(s) were never told to stop and ran to their end", p->timed_out.load()),
               {mistake::ignored_cancellation,
                "The workers must share a context that the failure cancels, derived from ctx (as "
                "ErrGroup::with_context(ctx) makes), and hand it to work. No worker can cancel the caller's ctx."});
  if (check.deterministic()) {
    const auto late = o.returned_at - p->failed_at.load();
    check.expect(late <= 100ms, "fan_out returns within 100 ms (virtual time) of the failure",
                 fmt::format("fan_out returned {} after the failure", goro::format_duration(late)),
                 mistake::ignored_cancellation);
  }
  expect_intake_stopped(check, *p);
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("a failure at the first item: almost nothing else is processed",
           "After the failure each worker sees wctx.done() next to its receive and stops taking items.") {
  auto p = std::make_shared<Probe>();
  // Under the deterministic schedules the other items are instant and the bound is still tight.
  // On real threads the other workers would keep running while the failure travels from the
  // failing worker through the group to wctx, as long as a busy machine keeps the failing thread
  // off the CPU; there the other items block until they are cancelled (patience()), so that the
  // same bound holds whatever the load: a worker cannot take its next item before the failure
  // has stopped its current one.
  const goro::Duration per_item = check.deterministic() ? goro::Duration(0) : patience(check);
  check.say(fmt::format("running upstream {{1 .. 1000}} -> fan_out(work fails on item 1 with ErrBroken{}) -> downstream",
                        check.deterministic() ? "" : fmt::format("; the others take {} unless their ctx is done",
                                                                 goro::format_duration(per_item))));
  Outcome o = pipeline(goro::background(), range(1, 1000),
                       tracked(p, {.per_item = per_item, .fails = {{1, ErrBroken}}}), p);
  expect_failure(check, o.err, ErrBroken, "ErrBroken");
  const int bound = 3 * kWorkers;
  check.expect(p->work.calls() <= bound, fmt::format("at most {} work calls", bound),
               fmt::format("{} work calls: the workers kept taking items after the failure", p->work.calls()),
               mistake::ignored_cancellation);
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("a failure at the last item: the result is the error",
           "The last item can fail too: the result is that error, and `out` is still closed once.") {
  auto p = std::make_shared<Probe>();
  check.say("running upstream {1 .. 50} -> fan_out(work fails on item 50 with ErrBroken) -> downstream");
  Outcome o = pipeline(goro::background(), range(1, 50), tracked(p, {.fails = {{50, ErrBroken}}}), p);
  expect_failure(check, o.err, ErrBroken, "ErrBroken");
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("several items fail at once: one of their errors is returned, never Canceled",
           "The workers' group keeps the first error a worker returned; the rest are dropped.") {
  auto p = std::make_shared<Probe>();
  const goro::Error e3 = goro::new_error("broken 3");
  const goro::Error e4 = goro::new_error("broken 4");
  const goro::Error e5 = goro::new_error("broken 5");
  check.say("running upstream {1 .. 30} -> fan_out(items 3, 4 and 5 fail at once) -> downstream");
  Outcome o =
      pipeline(goro::background(), range(1, 30), tracked(p, {.fails = {{3, e3}, {4, e4}, {5, e5}}}), p);
  check.expect_not_is(o.err, goro::Canceled, "goro::Canceled");
  check.expect(goro::is(o.err, e3) || goro::is(o.err, e4) || goro::is(o.err, e5),
               "an error that goro::is finds \"broken 3\", \"broken 4\" or \"broken 5\" in",
               Check::describe_error(o.err),
               {mistake::wrong_error,
                "Return the first error a worker returned (what an ErrGroup's wait() returns)."});
  expect_closed_after_workers(check, o);
}

namespace {
struct BadValue {
  int item;
  [[nodiscard]] std::string message() const { return fmt::format("bad value {}", item); }
};
}  // namespace

DOJO_CHECK("a typed error from work is found with goro::as",
           "Return work's error itself, or wrap it with {:w}; {} would keep only its text.") {
  auto p = std::make_shared<Probe>();
  check.say("running upstream {1 .. 20} -> fan_out(work fails on item 9 with make_error(BadValue{9})) -> downstream");
  auto base = tracked(p, {});
  Outcome o = pipeline(goro::background(), range(1, 20),
                       [base](const goro::Context& ctx, int item) -> goro::Result<int> {
                         if (item == 9) return goro::make_error(BadValue{item});
                         return base(ctx, item);
                       },
                       p);
  auto bad = check.expect_as<BadValue>(o.err, "BadValue");
  check.expect_eq(bad.item, 9, "the BadValue's item");
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("an already-cancelled context: its error, `out` closed, `in` untouched, work never called",
           "Check ctx.err() first; close `out` on that path too (the downstream stage is waiting for it), and "
           "leave `in` alone: it belongs upstream.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto p = std::make_shared<Probe>();
  auto in = goro::make_chan<int>(3);
  auto out = goro::make_chan<int>(8);
  in.send(1);
  in.send(2);
  in.send(3);
  check.say("calling fan_out(ctx, in, out, work) with ctx already cancelled, `in` holding 1, 2, 3 (not closed)");
  goro::Error err = fan_out(ctx, in, out, tracked(p, {}));
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect_eq(p->work.calls(), 0, "calls to work");
  check.expect_eq(in.len(), std::size_t{3}, "items left in `in`");
  int v = 0;
  bool ok = true;
  const bool ready = goro::select(goro::on_recv(out, &v, &ok), goro::on_default()) == 0;
  check.expect(ready && !ok, "`out` closed and empty", ready ? fmt::format("`out` held the value {}", v) : "`out` open",
               "Close `out` on every way out of fan_out, the early return included.");
}

DOJO_CHECK("the caller cancels while the workers are busy: the context's error, promptly",
           "The workers' context derives from ctx, so the caller's cancellation reaches every worker: in its "
           "receive, in work, and in its send.") {
  auto p = std::make_shared<Probe>();
  const goro::Duration per_item = check.deterministic() ? goro::Duration(10ms) : goro::Duration(1ms);
  // The caller cancels during the 20th work call: an event, not a moment, so that on a busy
  // machine the cancellation still comes while the workers are busy.
  constexpr int kCancelAt = 20;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  check.say(fmt::format("running upstream {{1 .. 1000}} -> fan_out(work takes {} per item) -> downstream; the "
                        "caller cancels during the {}th work call",
                        goro::format_duration(per_item), kCancelAt));
  Outcome o = pipeline(ctx, range(1, 1000),
                       tracked(p, {.per_item = per_item, .cancel_at_call = kCancelAt, .cancel = cancel}), p);
  expect_cancelled_or_input_ended(check, o, *p, {});
  // The calls in flight at the cancellation, and at most one more per worker (its select may
  // find an item and the cancellation ready at once).
  const int bound = kCancelAt + 2 * kWorkers;
  check.expect(p->work.calls() <= bound, fmt::format("the workers stop: at most {} work calls", bound),
               fmt::format("{} work calls", p->work.calls()),
               {mistake::ignored_cancellation,
                "Each worker waits for its next item beside wctx.done(), so the cancellation stops its intake."});
  if (check.deterministic()) {
    const auto late = o.returned_at - p->cancelled_at.load();
    check.expect(late <= 100ms, "fan_out returns within 100 ms (virtual time) of the cancellation",
                 fmt::format("fan_out returned {} after the cancellation", goro::format_duration(late)),
                 mistake::ignored_cancellation);
  }
  expect_closed_after_workers(check, o);
  cancel();
}

DOJO_CHECK("downstream stops reading: the workers' sends give up, fan_out returns promptly",
           "Send on `out` in a select with wctx.done(): when the caller's group is cancelled because downstream "
           "failed, a plain send would wait forever for a reader that is gone.") {
  auto p = std::make_shared<Probe>();
  check.say("running upstream {1 .. 200} -> fan_out -> downstream, which fails after 5 results and stops reading");
  Outcome o = pipeline(goro::background(), range(1, 200), tracked(p, {}), p, 5);
  expect_cancelled_or_input_ended(check, o, *p,
                                  "fan_out's context was cancelled by the downstream failure; its workers stop and "
                                  "it returns the context's error.");
  check.expect(o.in_flight_at_return == 0, "no work call still in progress when fan_out returns",
               fmt::format("fan_out returned while {} work call(s) were still busy", o.in_flight_at_return),
               mistake::leak);
  check.expect_is(o.outer, ErrDownstream, "ErrDownstream (the caller's group's wait())",
                  "The caller's group keeps the first error: downstream's. fan_out's own answer (Canceled, or nil) "
                  "comes after it.");
}

DOJO_CHECK("a large input: every result arrives exactly once",
           "Each item is received by exactly one worker; every result is sent before `out` is closed.") {
  auto p = std::make_shared<Probe>();
  const int n = check.deterministic() ? 10'000 : 2'000;
  const auto items = range(1, n);
  check.say(fmt::format("running upstream {{1 .. {}}} -> fan_out(work = 3 * item + 1) -> downstream", n));
  Outcome o = pipeline(goro::background(), items, tracked(p, {.yield = false}), p);
  check.expect_ok(o.err, "fan_out(...)");
  check.expect(o.results == results_of(items), fmt::format("the {} results, each once", n),
               fmt::format("{} results, not the expected ones", o.results.size()));
  expect_closed_after_workers(check, o);
}

DOJO_CHECK("the result does not depend on the schedule",
           "Close `out` only after every worker has finished; return the first worker error; every blocking "
           "step of a worker also ends when wctx is done.",
           dojo::grader::Options{.seeds = 12}) {
  auto good = std::make_shared<Probe>();
  const auto items = range(1, 30);
  check.say("running upstream {1 .. 30} -> fan_out(work = 3 * item + 1) -> downstream");
  Outcome o = pipeline(goro::background(), items, tracked(good, {}), good);
  check.expect_ok(o.err, "fan_out(...)");
  check.expect(o.results == results_of(items), "every result once", fmt::format("the results {}", list(o.results)));
  expect_closed_after_workers(check, o);
  // Every item takes a while (10 ms virtual, 1 ms real), item 12 fails halfway through its
  // time, and a cancelled item winds down for a moment. On the virtual clock the four workers
  // take their items at the same instants, so when item 12 fails the other three are in the
  // middle of theirs under every schedule: a fan_out that returns without waiting for them is
  // caught by every seed.
  auto bad = std::make_shared<Probe>();
  const goro::Duration per_item = check.deterministic() ? goro::Duration(10ms) : goro::Duration(1ms);
  check.say(fmt::format("running upstream {{1 .. 30}} -> fan_out(work takes {} per item; item 12 fails with "
                        "ErrBroken halfway) -> downstream",
                        goro::format_duration(per_item)));
  o = pipeline(goro::background(), items,
               tracked(bad, {.per_item = per_item, .fails = {{12, ErrBroken}}, .fail_after = per_item / 2}), bad);
  expect_failure(check, o.err, ErrBroken, "ErrBroken");
  expect_closed_after_workers(check, o);
}
