// Hidden checks for exercise 10 (deadline).
//
// Timing: under goro::simulate the runtime's clock is virtual, so the 5 s deadline and the
// 100 ms items cost no real time, and the moment run_with_deadline returns is compared exactly
// (check.deterministic()). The run on real threads would really wait 5 s per check, so there
// every duration is ten times shorter (10 ms items, 500 ms deadline: the same race at a tenth of
// the time), and only what a busy machine cannot change is checked: results, and lower bounds
// on time (a timer never fires early). A check whose run must not reach its deadline gets a
// deadline of a minute there, so that a loaded machine cannot turn its success into a timeout,
// and a check where the caller cancels gives work that lasts until it is cancelled, so that the
// run cannot end before the cancellation, however late the canceller runs.
#include <any>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "deadline.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex10::run_with_deadline;
using dojo::grader::Check;
using namespace std::chrono_literals;

using dojo::grader::Canceller;
using dojo::grader::CountingParent;
using dojo::grader::range;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_error, mistake::unreleased_context, mistake::ignored_cancellation,
                     mistake::blocked_send, mistake::missing_wrap, mistake::swallowed_error, mistake::over_limit,
                     mistake::serialized);

namespace {

const goro::Error ErrBroken = goro::new_error("broken item");
const goro::Error ErrCorrupt = goro::new_error("corrupt item");

// The durations of a check: the catalogue's on the virtual clock, a tenth of them on real threads.
struct Scale {
  goro::Duration work;     // one item
  goro::Duration timeout;  // the run's deadline, where the check is about reaching it
  goro::Duration roomy;    // the run's deadline, where the run must end before it
  goro::Duration patient;  // work that lasts until its context is cancelled
};
Scale scale(const Check& check) {
  return check.deterministic() ? Scale{100ms, 5s, 5s, 100ms} : Scale{10ms, 500ms, 60s, 60s};
}

std::string dur(goro::Duration d) { return goro::format_duration(d); }

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// What the grader's work saw. Workers run in parallel on real threads, hence the mutex; held
// by shared_ptr so that a worker left behind cannot outlive it.
struct Probe {
  goro::Time t0 = goro::now();
  goro::Mutex mu;
  std::map<int, int> calls;                  // item -> calls of work
  std::vector<goro::Duration> starts;        // offset of each call
  std::set<std::optional<goro::Time>> deadlines;  // ctx.deadline() as work saw it
  int in_flight = 0, peak = 0;
  std::optional<goro::Duration> failed_at;   // when the first planned failure was returned

  void begin(int item, std::optional<goro::Time> deadline) {
    std::lock_guard lk(mu);
    ++calls[item];
    starts.push_back(goro::now() - t0);
    deadlines.insert(deadline);
    peak = std::max(peak, ++in_flight);
  }
  void end() {
    std::lock_guard lk(mu);
    --in_flight;
  }
  int total_calls() {
    std::lock_guard lk(mu);
    int n = 0;
    for (const auto& [item, c] : calls) n += c;
    return n;
  }
};

// Work that takes `d` on the runtime's clock. If `listens`, it stops early when its context
// ends (returning an error that wraps ctx.err()); otherwise it cannot be interrupted. An item
// in `fails` fails with that error once its work is done.
dojo::ex10::WorkFn make_work(const std::shared_ptr<Probe>& probe, goro::Duration d, bool listens = true,
                             std::map<int, goro::Error> fails = {}) {
  auto f = std::make_shared<const std::map<int, goro::Error>>(std::move(fails));
  return [probe, d, listens, f](const goro::Context& ctx, int item) -> goro::Error {
    probe->begin(item, ctx.deadline());
    goro::Error err;
    if (listens) {
      auto timer = goro::new_timer(d);
      if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
        timer.stop();
        err = goro::errorf("work on item {}: {:w}", item, ctx.err());
      }
    } else {
      goro::sleep(d);
    }
    if (!err)
      if (auto it = f->find(item); it != f->end()) {
        err = it->second;
        std::lock_guard lk(probe->mu);
        if (!probe->failed_at) probe->failed_at = goro::now() - probe->t0;
      }
    probe->end();
    return err;
  };
}

struct Outcome {
  goro::Error err;
  goro::Duration returned;  // offset from probe->t0
};

Outcome run(const goro::Context& ctx, const std::vector<int>& items, int workers, const dojo::ex10::WorkFn& work,
            const std::shared_ptr<Probe>& probe, goro::Duration timeout) {
  goro::Error err = run_with_deadline(ctx, items, workers, work, timeout);
  return {err, goro::now() - probe->t0};
}

// Returned between `lo` and `hi` (both included) on the virtual clock; on real threads not
// before `lo` (how late a loaded machine returns is not the learner's doing: promptness is
// proven on the virtual clock).
// Returning late is `late`: the deadline (or the cancel, or the failure) not heeded where the
// check is about one, else a timing mistake; returning early is always a timing mistake.
void expect_returned_between(Check& check, goro::Duration got, goro::Duration lo, goro::Duration hi,
                             std::string_view what, std::string_view hint = {},
                             const dojo::grader::Mistake& late = mistake::wrong_timing) {
  const bool ok = check.deterministic() ? (lo <= got && got <= hi) : got + 1ms >= lo;
  const std::string want = !check.deterministic() ? fmt::format("{}: not before +{}", what, dur(lo))
                           : lo == hi             ? fmt::format("{}: at +{}", what, dur(lo))
                                                  : fmt::format("{}: between +{} and +{}", what, dur(lo), dur(hi));
  check.expect(ok, want, fmt::format("it returned at +{}", dur(got)), {got > hi ? late : mistake::wrong_timing, hint});
}

void expect_each_item_once(Check& check, Probe& probe, const std::vector<int>& items) {
  std::lock_guard lk(probe.mu);
  std::vector<int> never, twice;
  for (int item : items) {
    auto it = probe.calls.find(item);
    if (it == probe.calls.end()) never.push_back(item);
    else if (it->second > 1) twice.push_back(item);
  }
  std::string got;
  if (!never.empty()) got += fmt::format("items never worked on: {}\n", fmt::join(never, ", "));
  if (!twice.empty()) got += fmt::format("items worked on more than once: {}\n", fmt::join(twice, ", "));
  check.expect(got.empty(), fmt::format("work called exactly once for each of the {} items", items.size()), got,
               {never.empty() ? mistake::duplicate : mistake::lost_item,
                "Every item goes into the queue once, and each is taken by exactly one worker."});
}

// At most `workers` items at a time (and, where `exact`, exactly that many: the work overlaps).
void expect_peak(Check& check, int peak, int workers, bool exact) {
  if (peak > workers)
    check.fail(fmt::format("at most {} items worked on at the same time", workers),
               fmt::format("{} at the same time", peak),
               {mistake::over_limit, "`workers` is the limit: at most that many items are worked on at a time, "
                                     "however many items there are."});
  if (exact)
    check.expect_eq(peak, workers, "most items worked on at the same time",
                    {mistake::serialized, "Each worker works on its own item while the others work on theirs: "
                                          "nothing may make one wait for another's item (a lock held during the "
                                          "work, say)."});
}

const char* const kHintWrap =
    "The deadline error arrives wrapped (by the work, then by your worker): recognise it with "
    "goro::is(err, goro::DeadlineExceeded), never ==, and wrap it again with {:w}, never {}.";

// A failing item's error that does not name any item: the context is missing (else, say, a wrong item).
dojo::grader::Why item_named(const goro::Error& err) {
  if (err && err.message().find("item ") == std::string::npos) return mistake::missing_context;
  return {};
}

// "The deadline passed" must reach the caller; the hint for an error that is there but not
// found differs from the one for none at all.
dojo::grader::Why deadline_hint(const goro::Error& err) {
  if (err) return kHintWrap;
  return "The deadline passed, so the run failed, and the caller must hear it: a worker that stops because the "
         "context ended returns the context's error, not nil.";
}

}  // namespace

DOJO_CHECK("10 workers: 100 items of 100 ms are done at +1 s, ten at a time, each exactly once",
           "The workers share one queue of items: each takes the next one as soon as it is free.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 100);
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 100}}, 10 workers, work of {} each, timeout {})",
                        dur(s.work), dur(s.roomy)));
  auto [err, returned] = run(goro::background(), items, 10, make_work(probe, s.work), probe, s.roomy);
  // Ten workers need 1 s of the 5 s: the deadline is reached only if the items did not overlap.
  if (goro::is(err, goro::DeadlineExceeded)) expect_peak(check, probe->peak, 10, /*exact=*/true);
  check.expect_ok(err, "run_with_deadline(...)");
  expect_each_item_once(check, *probe, items);
  expect_peak(check, probe->peak, 10, /*exact=*/true);
  expect_returned_between(check, returned, 10 * s.work, 10 * s.work, "run_with_deadline returns");
}

DOJO_CHECK("1 worker: goro::DeadlineExceeded, returned within 100 ms of the 5 s deadline",
           "The deadline belongs to the whole run: goro::with_timeout(ctx, timeout) once, before the workers "
           "start, and their work gets that context.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 100}}, 1 worker, work of {} each, timeout {})",
                        dur(s.work), dur(s.timeout)));
  auto [err, returned] = run(goro::background(), range(1, 100), 1, make_work(probe, s.work), probe, s.timeout);
  check.expect_is(err, goro::DeadlineExceeded, "goro::DeadlineExceeded", deadline_hint(err));
  check.expect(goro::as<goro::DeadlineExceededError>(err).has_value(),
               "an error in which goro::as<goro::DeadlineExceededError> finds the deadline", Check::describe_error(err),
               kHintWrap);
  expect_returned_between(check, returned, s.timeout, s.timeout + s.work, "run_with_deadline returns", {},
                          mistake::ignored_cancellation);
}

DOJO_CHECK("a deadline in the middle of an item: \"timed out after 16 of 100 items: ...\"",
           kHintWrap) {
  const Scale s = scale(check);
  const goro::Duration work = 3 * s.work;  // 300 ms: the deadline falls inside the 17th item
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 100}}, 1 worker, work of {} each, timeout {})",
                        dur(work), dur(s.timeout)));
  auto [err, returned] = run(goro::background(), range(1, 100), 1, make_work(probe, work), probe, s.timeout);
  check.expect_is(err, goro::DeadlineExceeded, "goro::DeadlineExceeded");
  // On real threads, how many 30 ms items fit into 500 ms depends on the machine's load.
  const std::string prefix = check.deterministic() ? "timed out after 16 of 100 items: " : "timed out after ";
  // "timed out after" with another count: a counting mistake; no such message: the timeout was not recognised.
  if (starts_with(err.message(), "timed out after "))
    check.expect(starts_with(err.message(), prefix), fmt::format("a message that starts with \"{}\"", prefix),
                 Check::describe_error(err),
                 {mistake::wrong_count, "Count the items whose work returned nil: the item the deadline interrupted "
                                        "is not done."});
  check.expect(starts_with(err.message(), prefix), fmt::format("a message that starts with \"{}\"", prefix),
               Check::describe_error(err),
               {mistake::wrong_error, "After g.wait(), ask goro::is(err, goro::DeadlineExceeded): the group's error "
                                      "is the worker's \"item 17: ...\", so == is false."});
  expect_returned_between(check, returned, s.timeout, s.timeout, "run_with_deadline returns", {},
                          mistake::ignored_cancellation);
}

DOJO_CHECK("work that ignores its context: no item starts after the deadline, back within 100 ms of it",
           "Check the context before taking each item. Work that cannot be interrupted finishes its item, "
           "but nothing may start once the deadline has passed.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 100}}, 1 worker, timeout {}), where work "
                        "takes {} per item and never looks at its context",
                        dur(s.timeout), dur(s.work)));
  auto [err, returned] =
      run(goro::background(), range(1, 100), 1, make_work(probe, s.work, /*listens=*/false), probe, s.timeout);
  expect_returned_between(check, returned, s.timeout, s.timeout + s.work,
                          "run_with_deadline returns within 100ms of the deadline", {}, mistake::ignored_cancellation);
  check.expect_is(err, goro::DeadlineExceeded, "goro::DeadlineExceeded", deadline_hint(err));
  if (check.deterministic()) {
    std::lock_guard lk(probe->mu);
    const goro::Duration last = probe->starts.empty() ? goro::Duration{} : probe->starts.back();
    check.expect(last <= s.timeout, fmt::format("no item started after the deadline (+{})", dur(s.timeout)),
                 fmt::format("an item started at +{}", dur(last)));
  }
}

DOJO_CHECK("one deadline for the whole run: every item's context has the same deadline, 5 s after the call",
           "goro::with_timeout is called once, in run_with_deadline, not once per item: a per-item timeout "
           "gives every item a fresh 5 s.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 30}}, 3 workers, work of {} each, timeout {})",
                        dur(s.work), dur(s.roomy)));
  auto [err, returned] = run(goro::background(), range(1, 30), 3, make_work(probe, s.work), probe, s.roomy);
  check.expect_ok(err, "run_with_deadline(...)");
  std::lock_guard lk(probe->mu);
  std::vector<std::string> seen;
  for (const auto& d : probe->deadlines)
    seen.push_back(d ? fmt::format("+{}", dur(*d - probe->t0)) : std::string("no deadline"));
  const bool one = probe->deadlines.size() == 1 && probe->deadlines.begin()->has_value();
  const bool exact = one && (!check.deterministic() || **probe->deadlines.begin() == probe->t0 + s.roomy);
  check.expect(exact, fmt::format("one deadline for every item: +{} (from the call)", dur(s.roomy)),
               fmt::format("deadlines seen by work: {}", fmt::join(seen, ", ")));
}

DOJO_CHECK("an item fails: its error, named and unchanged in identity, not a timeout; the others stop",
           "A worker returns \"item <n>: {:w}\"; the group cancels the others. Only a DeadlineExceeded is "
           "reported as \"timed out ...\".") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 100}}, 10 workers, work of {} each), where "
                        "item 1 fails with ErrBroken when its work is done",
                        dur(s.work)));
  auto [err, returned] = run(goro::background(), range(1, 100), 10,
                             make_work(probe, s.work, true, {{1, ErrBroken}}), probe, s.roomy);
  check.expect_is(err, ErrBroken, "ErrBroken");
  check.expect_not_is(err, goro::DeadlineExceeded, "goro::DeadlineExceeded");
  check.expect(starts_with(err.message(), "item 1: "), "a message that starts with \"item 1: \"",
               Check::describe_error(err), item_named(err));
  // Late because items were started after item 1 had failed: the failure did not stop the others.
  bool started_after = false;
  {
    std::lock_guard lk(probe->mu);
    for (goro::Duration at : probe->starts) started_after = started_after || (probe->failed_at && at > *probe->failed_at);
  }
  expect_returned_between(check, returned, s.work, s.work, "run_with_deadline returns as item 1 fails",
                          "The group's context is cancelled by the failure: workers stop taking items.",
                          started_after ? mistake::kept_going : mistake::wrong_timing);
}

DOJO_CHECK("the last item fails: \"item 100: ...\" wrapping its error",
           "Wrap the failing item's error with {:w}: goro::is must still find it.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 100}}, 10 workers, work of {} each), where "
                        "item 100 fails with ErrBroken",
                        dur(s.work)));
  auto [err, returned] = run(goro::background(), range(1, 100), 10,
                             make_work(probe, s.work, true, {{100, ErrBroken}}), probe, s.roomy);
  check.expect_is(err, ErrBroken, "ErrBroken");
  check.expect(starts_with(err.message(), "item 100: "), "a message that starts with \"item 100: \"",
               Check::describe_error(err), item_named(err));
  expect_returned_between(check, returned, 10 * s.work, 10 * s.work, "run_with_deadline returns");
}

DOJO_CHECK("two items fail: the error is one of them",
           "The group keeps the first error a worker returned; either failure is a right answer.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  check.say("calling run_with_deadline(background, {1 .. 20}, 4 workers, work), where item 3 fails with ErrBroken "
            "and item 4 with ErrCorrupt");
  auto [err, returned] = run(goro::background(), range(1, 20), 4,
                             make_work(probe, s.work, true, {{3, ErrBroken}, {4, ErrCorrupt}}), probe, s.roomy);
  const bool b = goro::is(err, ErrBroken), c = goro::is(err, ErrCorrupt);
  check.expect(b || c, "an error that goro::is finds ErrBroken or ErrCorrupt in", Check::describe_error(err));
  const std::string prefix = b ? "item 3: " : "item 4: ";
  check.expect(starts_with(err.message(), prefix), fmt::format("a message that starts with \"{}\"", prefix),
               Check::describe_error(err));
}

DOJO_CHECK("no items: nil at once, and no work", "An empty queue: every worker finds it closed and returns.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  check.say("calling run_with_deadline(background, {}, 10 workers, work)");
  auto [err, returned] = run(goro::background(), {}, 10, make_work(probe, s.work), probe, s.roomy);
  check.expect_ok(err, "run_with_deadline(...)");
  check.expect_eq(probe->total_calls(), 0, "calls of work");
  expect_returned_between(check, returned, 0ms, 0ms, "run_with_deadline returns");
}

DOJO_CHECK("one item, more workers than items: nil after one item's work",
           "Workers that find no item left simply return; nobody waits for the deadline.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling run_with_deadline(background, {{7}}, 10 workers, work of {})", dur(s.work)));
  auto [err, returned] = run(goro::background(), {7}, 10, make_work(probe, s.work), probe, s.roomy);
  check.expect_ok(err, "run_with_deadline(...)");
  expect_each_item_once(check, *probe, {7});
  expect_returned_between(check, returned, s.work, s.work, "run_with_deadline returns");
}

DOJO_CHECK("the caller cancels at +250 ms: goro::Canceled at that moment, not a timeout",
           "The deadline context is derived from ctx, so a cancelled caller ends the run too; only a "
           "DeadlineExceeded is reported as \"timed out ...\".") {
  const Scale s = scale(check);
  const goro::Duration at = s.timeout / 20;  // 250 ms (25 ms on real threads)
  auto probe = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Canceller canceller(cancel, at);
  check.say(fmt::format("calling run_with_deadline(ctx, {{1 .. 100}}, 2 workers, work of {} each); a helper task "
                        "cancels ctx at +{}",
                        dur(s.patient), dur(at)));
  auto [err, returned] = run(ctx, range(1, 100), 2, make_work(probe, s.patient), probe, s.roomy);
  canceller.join();
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect(!starts_with(err.message(), "timed out"), "no \"timed out\" in front: the caller cancelled",
               Check::describe_error(err));
  expect_returned_between(check, returned, at, at, "run_with_deadline returns the moment ctx is cancelled", {},
                          mistake::ignored_cancellation);
  cancel();
}

DOJO_CHECK("the caller's own deadline is earlier (2 s): that one ends the run",
           "Derive the run's deadline from ctx (goro::with_timeout(ctx, ...)): the earlier of the two wins.") {
  const Scale s = scale(check);
  const goro::Duration parent_timeout = s.timeout * 2 / 5;  // 2 s (200 ms on real threads)
  auto probe = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_timeout(goro::background(), parent_timeout);
  check.say(fmt::format("calling run_with_deadline(ctx, {{1 .. 100}}, 1 worker, work of {} each) where ctx has a "
                        "deadline in {}",
                        dur(s.work), dur(parent_timeout)));
  auto [err, returned] = run(ctx, range(1, 100), 1, make_work(probe, s.work), probe, s.timeout);
  check.expect_is(err, goro::DeadlineExceeded, "goro::DeadlineExceeded", deadline_hint(err));
  expect_returned_between(check, returned, parent_timeout, parent_timeout + s.work, "run_with_deadline returns", {},
                          mistake::ignored_cancellation);
  cancel();
}

DOJO_CHECK("a run that finishes early releases its deadline context",
           "Call the deadline's cancel function on every way out (Go's `defer cancel()`): until then the "
           "deadline context stays linked to the caller's context, and its timer armed, for the full 5 s.") {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  auto [inner, cancel_inner] = goro::with_cancel(goro::background());
  auto parent = std::make_shared<CountingParent>(inner);
  check.say(fmt::format("calling run_with_deadline(ctx, {{1 .. 20}}, 10 workers, work of {} each, timeout {}), with "
                        "a ctx that counts the contexts derived from it",
                        dur(s.work), dur(s.roomy)));
  auto [err, returned] = run(goro::Context(parent), range(1, 20), 10, make_work(probe, s.work), probe, s.roomy);
  check.expect_ok(err, "run_with_deadline(...)");
  check.expect(parent->linked() >= 1, "a deadline context derived from ctx (goro::with_timeout(ctx, ...))",
               "nothing was derived from ctx");
  check.expect(parent->still_linked() == 0,
               "every context derived from ctx released (its cancel function called) when run_with_deadline returns",
               fmt::format("{} derived context(s) still linked to ctx", parent->still_linked()),
               mistake::unreleased_context);
  cancel_inner();
}

DOJO_CHECK("the result does not depend on the schedule",
           "Each item is taken by one worker; the count of finished items is shared, so make it atomic "
           "(or guard it), and read it after g.wait().",
           dojo::grader::Options{.seeds = 12}) {
  const Scale s = scale(check);
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 20);
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 20}}, 4 workers, work of {} each)", dur(s.work)));
  auto [err, returned] = run(goro::background(), items, 4, make_work(probe, s.work), probe, s.roomy);
  check.expect_ok(err, "run_with_deadline(...)");
  expect_each_item_once(check, *probe, items);
  expect_peak(check, probe->peak, 4, /*exact=*/false);
  expect_returned_between(check, returned, 5 * s.work, 5 * s.work, "run_with_deadline returns");
}
