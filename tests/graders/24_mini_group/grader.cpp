// Hidden checks for exercise 24 (mini_group).
//
// On the virtual clock every task's moments are exact, so the checks compare when wait()
// returns and when the context was cancelled. On real threads nothing is judged by time: the
// order the checks need ("this task fails first", "that one is still running after the
// failure") is made by events. A task that must fail after another waits until the other's task
// has exited, and a task that must outlive a failure waits for the group's context to be
// cancelled and then works a little longer. A task that waits for something the learner's
// group should do (cancel the context) carries a guard timer on the virtual clock only, so that
// a group that never does it fails with a message instead of a deadlock.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "mini_group.hpp"

using dojo::ex24::MiniGroup;
using dojo::grader::Check;
using dojo::grader::offset;
using dojo::grader::Why;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::unsynchronized, mistake::leak, mistake::wrong_error, mistake::kept_going,
                     mistake::unreleased_context);

namespace {

const goro::Error ErrFast = goro::new_error("index shard 3: disk full");
const goro::Error ErrSlow = goro::new_error("index shard 1: checksum mismatch");
const goro::Error ErrNested = goro::new_error("index shard 7: corrupt segment");

std::string dur(goro::Duration d) { return goro::format_duration(d); }

// An error as the messages name it: the check's sentinels by name, anything else by its text.
std::string name_of(const goro::Error& err) {
  if (!err) return "nil";
  if (err == goro::Canceled) return "goro::Canceled";
  for (const auto& [e, name] : {std::pair{ErrFast, "ErrFast"}, std::pair{ErrSlow, "ErrSlow"},
                                std::pair{ErrNested, "ErrNested"}})
    if (err == e) return fmt::format("{} (\"{}\")", name, err.message());
  return fmt::format("error \"{}\"", err.message());
}

const char* const kHintFirst =
    "Keep only the FIRST non-nil error a task returns — the first in time — and drop every later one: let "
    "exactly one through (a Once, or a lock and a flag). Never store a task's result unconditionally: a "
    "later error, or a later nil, would overwrite it.";
const char* const kHintWaitAll =
    "wait() returns when every task has returned, not when the first one fails: the caller must be able to "
    "rely on nothing of the group running any more (keep a count of the running tasks and wait for zero).";
const char* const kHintCancel =
    "The first failing task must cancel the group's context, with its error as the cause, before it counts "
    "as finished: the other tasks learn at once that the job is off, and goro::cause(ctx) tells them why.";
const char* const kHintCancelAfterWait =
    "wait() cancels the group's context once every task has returned, failure or not (Go: g.cancel(g.err)): "
    "the work it stood for is over, and a derived context that nobody cancels stays linked to its parent.";
const char* const kHintCount =
    "Count the task in go(), BEFORE starting it. Counted inside the task, a wait() that runs before the task "
    "does sees a count of zero and returns at once.";

// wait() returned while tasks of the group had not returned: counted too late when some had not
// even begun, left running otherwise.
Why returned_early(bool all_started, std::string_view hint = kHintWaitAll) {
  if (!all_started) return {mistake::unsynchronized, kHintCount};
  return {mistake::leak, hint};
}

// The error wait() returned, compared with the one it should be; names the usual mistakes.
void expect_first_error(Check& check, const goro::Error& got, const goro::Error& want, std::string_view want_name,
                        std::string_view why, const std::vector<std::pair<goro::Error, std::string>>& later = {}) {
  if (got == want) return;
  std::string text = fmt::format("wait() returned {}", name_of(got));
  const dojo::grader::Mistake* m = &mistake::wrong_error;
  if (!got) {
    m = &mistake::swallowed_error;
    text += "\nalthough a task failed: the error was lost, or a later success (nil) overwrote it";
  } else if (goro::is(got, want)) {
    m = &mistake::wrong_result;
    text = fmt::format("wait() returned {}\nit holds the first error, but wrapped or joined with others: return the "
                       "first error as it is",
                       Check::describe_error(got));
  } else {
    for (const auto& [e, when] : later)
      if (goro::is(got, e)) {
        text += fmt::format("\nthat is the error of a task that failed {}: a later error overwrote the first one", when);
        break;
      }
  }
  check.fail(fmt::format("wait() returns {}, {}", want_name, why), text, {*m, kHintFirst});
}

// Free mode: parks the calling task until the task `id` has exited (polling the run's tasks).
// Used to order events on real threads without relying on how long anything takes.
void wait_exited(const dojo::grader::RunView& run, const std::atomic<std::uint64_t>& id) {
  for (;;) {
    const std::uint64_t want = id.load();
    if (want != 0) {
      bool alive = false;
      for (const goro::TaskInfo& t : run.tasks())
        if (t.id == want && t.state != dojo::grader::TaskState::exited) alive = true;
      if (!alive) return;
    }
    goro::sleep(1ms);  // a polling period: the verdict never depends on it
  }
}

// What a task that watches the group's context saw.
struct Watch {
  std::atomic<bool> cancelled{false};  // ctx.done() was closed while it watched
  std::atomic<bool> started{false};    // it began to run
  std::atomic<bool> finished{false};   // it ran to its end
  goro::Duration woke{};               // when it saw ctx.done() (virtual clock)
  goro::Error err, cause;              // ctx.err() and goro::cause(ctx) when it woke
};

// Waits for ctx.done(). On the virtual clock, gives up after `guard` (the group never cancelled);
// on real threads waits as long as it takes. Returns true when ctx was cancelled.
bool wait_cancelled(bool virt, const goro::Context& ctx, goro::Duration guard) {
  if (ctx.is_nil()) return false;
  if (!virt) {
    (void)ctx.done().recv();
    return true;
  }
  auto timer = goro::new_timer(guard);
  if (goro::select(goro::on_recv(ctx.done()), goro::on_recv(timer.c())) == 0) {
    timer.stop();
    return true;
  }
  return false;
}

}  // namespace

DOJO_CHECK("the first error in time wins, not the error of the task started first",
           kHintFirst) {
  const bool virt = check.deterministic();
  dojo::grader::RunView run;
  auto fast_id = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto slow_id = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto returned = std::make_shared<std::atomic<int>>(0);
  MiniGroup g;
  if (virt)
    check.say("MiniGroup g; started in this order: task A fails with ErrSlow at +300ms, task B succeeds at "
              "+400ms, task C fails with ErrFast at +100ms; then g.wait()");
  else
    check.say("MiniGroup g; started in this order: task A fails with ErrSlow once task C has exited, task B "
              "succeeds once A has exited, task C fails with ErrFast at once; then g.wait()");
  const goro::Time t0 = goro::now();
  g.go([=]() -> goro::Error {  // A: started first, fails second
    slow_id->store(goro::current_task_id());
    if (virt)
      goro::sleep(300ms);
    else
      wait_exited(run, *fast_id);
    ++*returned;
    return ErrSlow;
  });
  g.go([=]() -> goro::Error {  // B: succeeds last — its nil must not erase the error either
    if (virt)
      goro::sleep(400ms);
    else
      wait_exited(run, *slow_id);
    ++*returned;
    return {};
  });
  g.go([=]() -> goro::Error {  // C: started last, fails first
    fast_id->store(goro::current_task_id());
    if (virt) goro::sleep(100ms);
    ++*returned;
    return ErrFast;
  });
  goro::Error err = g.wait();
  const goro::Duration took = goro::now() - t0;
  // Returned too early first: the error of a wait() that did not wait says nothing about which one it keeps.
  check.expect(returned->load() == 3, "all three tasks had returned when wait() returned",
               fmt::format("wait() returned when {} of the 3 tasks had returned", returned->load()),
               returned_early(slow_id->load() != 0 && fast_id->load() != 0));
  expect_first_error(check, err, ErrFast, "ErrFast", "the error of the task that failed first (task C)",
                     {{ErrSlow, virt ? "200ms after it (task A)" : "after it (task A)"}});
  if (virt)
    check.expect(took == 400ms, "wait() returns at +400ms, when the last task returns",
                 fmt::format("wait() returned at {}", offset(took)), {mistake::wrong_timing, kHintWaitAll});
}

DOJO_CHECK("wait() waits for every task, even one still running long after the first error",
           kHintWaitAll) {
  const bool virt = check.deterministic();
  const goro::Duration fail_at = virt ? goro::Duration(100ms) : goro::Duration(1ms);
  const goro::Duration cleanup = virt ? goro::Duration(1s) : goro::Duration(5ms);
  auto w = std::make_shared<Watch>();
  auto gc = MiniGroup::with_context(goro::background());
  MiniGroup g = gc.first;
  goro::Context ctx = gc.second;
  check.say(fmt::format("auto [g, ctx] = MiniGroup::with_context(background); task S waits for ctx to be "
                        "cancelled, then needs {} to clean up before it returns nil; task F fails with ErrFast "
                        "after {}; then g.wait()",
                        dur(cleanup), dur(fail_at)));
  const goro::Time t0 = goro::now();
  g.go([=]() -> goro::Error {  // S
    w->started = true;
    w->cancelled = wait_cancelled(virt, ctx, 1h);
    goro::sleep(cleanup);
    w->finished = true;
    return {};
  });
  g.go([=]() -> goro::Error {  // F
    goro::sleep(fail_at);
    return ErrFast;
  });
  goro::Error err = g.wait();
  const goro::Duration took = goro::now() - t0;
  std::string early = "wait() returned while task S was still running";
  if (!w->started)
    early = fmt::format("wait() returned at {}, and task S never ran", offset(took));
  else if (virt)
    early = fmt::format("wait() returned at {} while task S was still running (it returns at {}, {} after the failure)",
                        offset(took), offset(fail_at + cleanup), dur(cleanup));
  check.expect(w->finished.load(), "task S had returned when wait() returned", early, returned_early(w->started));
  check.expect(w->cancelled.load(), "ctx is cancelled when task F fails, and task S sees it",
               "the group's context was not cancelled when the first task failed: task S waited 1h for it",
               {mistake::kept_going, kHintCancel});
  expect_first_error(check, err, ErrFast, "ErrFast", "the one error a task returned");
  if (virt)
    check.expect(took == fail_at + cleanup,
                 fmt::format("wait() returns at {}, when task S returns", offset(fail_at + cleanup)),
                 fmt::format("wait() returned at {}", offset(took)), {mistake::wrong_timing, kHintWaitAll});
}

DOJO_CHECK("the first error cancels the group's context at once, with that error as its cause",
           kHintCancel) {
  const bool virt = check.deterministic();
  const goro::Duration fail_at = virt ? goro::Duration(100ms) : goro::Duration(1ms);
  auto [parent, cancel_parent] = goro::with_cancel(goro::background());
  auto w = std::make_shared<Watch>();
  check.say(fmt::format("auto [g, ctx] = MiniGroup::with_context(parent); task W watches ctx (and returns nil); "
                        "task F fails with ErrFast after {}; then g.wait()",
                        dur(fail_at)));
  auto gc = MiniGroup::with_context(parent);
  MiniGroup g = gc.first;
  goro::Context ctx = gc.second;
  check.expect(!ctx.is_nil() && ctx != parent, "with_context returns a context derived from parent",
               ctx.is_nil() ? std::string("it returned the nil Context") : std::string("it returned parent itself"),
               kHintCancel);
  const goro::Time t0 = goro::now();
  g.go([=]() -> goro::Error {  // W
    w->started = true;
    w->cancelled = wait_cancelled(virt, ctx, 1s);
    w->woke = goro::now() - t0;
    w->err = ctx.err();
    w->cause = goro::cause(ctx);
    w->finished = true;
    return {};
  });
  g.go([=]() -> goro::Error {  // F
    goro::sleep(fail_at);
    return ErrFast;
  });
  goro::Error err = g.wait();
  check.expect(w->finished.load(), "task W had returned when wait() returned",
               w->started ? "wait() returned while task W was still running" : "task W never ran",
               returned_early(w->started));
  check.expect(w->cancelled.load(), "ctx is cancelled when task F fails, while the group is still running",
               "the group's context was not cancelled when the first task failed: task W, watching it, was still "
               "waiting 1s later",
               {mistake::kept_going, kHintCancel});
  if (virt)
    check.expect(w->woke == fail_at, fmt::format("task W sees ctx cancelled at {}, as F fails", offset(fail_at)),
                 fmt::format("task W saw it at {}", offset(w->woke)), {mistake::wrong_timing, kHintCancel});
  check.expect(w->err == goro::Canceled, "ctx.err() seen by task W: goro::Canceled",
               fmt::format("ctx.err() seen by task W: {}", name_of(w->err)));
  check.expect(w->cause == ErrFast, "goro::cause(ctx) seen by task W: ErrFast, the error that cancelled the group",
               w->cause == goro::Canceled
                   ? std::string("goro::cause(ctx) seen by task W: goro::Canceled — the context was cancelled "
                                 "without its cause")
                   : fmt::format("goro::cause(ctx) seen by task W: {}", name_of(w->cause)),
               {mistake::wrong_error,
                "Cancel the context with the error as its cause (a cancel function that takes one, as "
                "goro::with_cancel_cause gives): a plain cancel() can only say Canceled, never why."});
  expect_first_error(check, err, ErrFast, "ErrFast", "the one error a task returned");
  check.expect(goro::cause(ctx) == ErrFast, "goro::cause(ctx) after wait(): still ErrFast",
               fmt::format("goro::cause(ctx) after wait(): {}", name_of(goro::cause(ctx))),
               {mistake::wrong_error,
                "The first cancellation of a context is the one that counts: wait() must not replace the cause."});
  check.expect(!parent.err(), "parent is not cancelled: the group cancels only its own context",
               fmt::format("parent.err() is {}", name_of(parent.err())));
  cancel_parent();
}

DOJO_CHECK("a successful wait() cancels the context too (cause goro::Canceled) and releases it",
           kHintCancelAfterWait) {
  const bool virt = check.deterministic();
  auto parent = std::make_shared<dojo::grader::CountingParent>(goro::background());
  auto seen_cancelled = std::make_shared<std::atomic<int>>(0);
  auto gc = MiniGroup::with_context(goro::Context(parent));
  MiniGroup g = gc.first;
  goro::Context ctx = gc.second;
  check.say("auto [g, ctx] = MiniGroup::with_context(parent); three tasks look at ctx.err(), sleep, and succeed; "
            "then g.wait()");
  for (int i = 0; i < 3; ++i)
    g.go([=]() -> goro::Error {
      if (ctx.is_nil() || ctx.err()) ++*seen_cancelled;
      goro::sleep(virt ? goro::Duration(50ms) : goro::Duration(1ms));
      if (ctx.is_nil() || ctx.err()) ++*seen_cancelled;
      return {};
    });
  goro::Error err = g.wait();
  check.expect_ok(err, "g.wait()");
  check.expect(seen_cancelled->load() == 0, "ctx not cancelled while the tasks run (nothing failed)",
               fmt::format("the tasks saw ctx cancelled {} time(s) before wait() returned", seen_cancelled->load()),
               "Cancel the context on the first error, or when wait() returns — not before.");
  check.expect(!ctx.is_nil() && ctx.err() == goro::Canceled, "ctx.err() after wait() returned: goro::Canceled",
               ctx.is_nil() ? std::string("with_context returned the nil Context")
                            : fmt::format("ctx.err() after wait() returned: {} — the group's context was still not "
                                          "cancelled after wait() returned",
                                          name_of(ctx.err())),
               {mistake::unreleased_context, kHintCancelAfterWait});
  check.expect(goro::cause(ctx) == goro::Canceled, "goro::cause(ctx) after a wait() with no failure: goro::Canceled",
               fmt::format("goro::cause(ctx): {}", name_of(goro::cause(ctx))),
               "When nothing failed there is no error to give as the cause: cancel with a nil cause (or "
               "goro::Canceled), as Go's g.cancel(g.err) does.");
  check.expect(parent->still_linked() == 0, "the derived context released: nothing left linked to parent",
               fmt::format("{} context(s) derived from parent were never cancelled", parent->still_linked()),
               {mistake::unreleased_context, kHintCancelAfterWait});
}

DOJO_CHECK("siblings that watch the context stop as soon as one task fails, and their errors are dropped",
           "The first error cancels the context; the siblings that stop because of it return errors of their own "
           "(\"context canceled\"), later — wait() must still return the first one, the reason for it all.",
           dojo::grader::Options{.seeds = 6}) {
  const bool virt = check.deterministic();
  const goro::Duration fail_at = virt ? goro::Duration(100ms) : goro::Duration(1ms);
  constexpr int kSiblings = 8;
  auto stopped = std::make_shared<std::atomic<int>>(0);
  auto returned = std::make_shared<std::atomic<int>>(0);
  auto gc = MiniGroup::with_context(goro::background());
  MiniGroup g = gc.first;
  goro::Context ctx = gc.second;
  check.say(fmt::format("auto [g, ctx] = MiniGroup::with_context(background); {} sibling tasks wait for ctx (up to "
                        "10s) and then return \"sibling N: context canceled\"; one more task fails with ErrFast "
                        "after {}; then g.wait()",
                        kSiblings, dur(fail_at)));
  const goro::Time t0 = goro::now();
  for (int i = 0; i < kSiblings; ++i) {
    if (i == kSiblings / 2)
      g.go([=]() -> goro::Error {
        goro::sleep(fail_at);
        ++*returned;
        return ErrFast;
      });
    g.go([=]() -> goro::Error {
      const bool cancelled = wait_cancelled(virt, ctx, 10s);
      ++*returned;
      if (!cancelled) return {};
      ++*stopped;
      return goro::errorf("sibling {}: {:w}", i, ctx.err());
    });
  }
  goro::Error err = g.wait();
  const goro::Duration took = goro::now() - t0;
  check.expect(returned->load() == kSiblings + 1, fmt::format("all {} tasks had returned when wait() returned", kSiblings + 1),
               fmt::format("wait() returned when {} of them had", returned->load()), returned_early(true));
  check.expect(stopped->load() == kSiblings, fmt::format("all {} siblings stopped because ctx was cancelled", kSiblings),
               fmt::format("{} of them did; the others waited 10s for a cancellation that never came", stopped->load()),
               {mistake::kept_going, kHintCancel});
  expect_first_error(check, err, ErrFast, "ErrFast", "the error of the task that failed first",
                     {{goro::Canceled, "because of it (a sibling that stopped when ctx was cancelled)"}});
  if (virt)
    check.expect(took == fail_at, fmt::format("wait() returns at {}: the siblings stop at once", offset(fail_at)),
                 fmt::format("wait() returned at {}", offset(took)), {mistake::wrong_timing, kHintCancel});
}

DOJO_CHECK("a group with no tasks: wait() returns nil at once, with or without a context",
           "A WaitGroup whose counter is zero does not block. The group made by with_context still cancels its "
           "context when wait() returns.") {
  const goro::Time t0 = goro::now();
  check.say("MiniGroup g; g.wait() with no task started");
  MiniGroup g;
  check.expect_ok(g.wait(), "g.wait() of the zero group with no tasks");
  check.say("auto [g2, ctx] = MiniGroup::with_context(background); g2.wait() with no task started");
  auto gc = MiniGroup::with_context(goro::background());
  check.expect_ok(gc.first.wait(), "g2.wait() of a with_context group with no tasks");
  const goro::Duration took = goro::now() - t0;
  check.expect(!gc.second.is_nil() && gc.second.err() == goro::Canceled, "ctx.err() after g2.wait(): goro::Canceled",
               gc.second.is_nil() ? std::string("with_context returned the nil Context")
                                  : fmt::format("ctx.err() after g2.wait(): {} — the group's context was still not "
                                                "cancelled after wait() returned",
                                                name_of(gc.second.err())),
               {mistake::unreleased_context, kHintCancelAfterWait});
  if (check.deterministic())
    check.expect(took == goro::Duration::zero(), "both wait() calls return at once (+0s)",
                 fmt::format("they returned at {}", offset(took)));
}

DOJO_CHECK("1,000 tasks: each runs exactly once, and wait() returns the one error after the last has returned",
           "Nothing in go() or in the tasks should limit how many run at once or depend on their number; the "
           "counter of running tasks only goes to zero when the last one returns.",
           dojo::grader::Options{.seeds = 1}) {  // one schedule: 1,000 fibers are costly under TSan
  const bool virt = check.deterministic();
  constexpr int kTasks = 1000, kFailing = 637;
  auto runs = std::make_shared<std::vector<std::atomic<int>>>(kTasks);
  MiniGroup g;
  check.say(fmt::format("MiniGroup g; {} tasks, task i sleeps (i % 10) ms; task {} then fails with ErrFast, the others "
                        "succeed; then g.wait()",
                        kTasks, kFailing));
  const goro::Time t0 = goro::now();
  for (int i = 0; i < kTasks; ++i)
    g.go([runs, i]() -> goro::Error {
      goro::sleep(std::chrono::milliseconds(i % 10));
      ++(*runs)[static_cast<std::size_t>(i)];
      return i == kFailing ? ErrFast : goro::Error{};
    });
  goro::Error err = g.wait();
  const goro::Duration took = goro::now() - t0;
  int once = 0, missing = 0;
  for (const auto& r : *runs) {
    if (r.load() == 1) ++once;
    if (r.load() == 0) ++missing;
  }
  check.expect(once == kTasks, "every one of the 1,000 tasks had run exactly once when wait() returned",
               fmt::format("{} had run once, {} not at all (or not to the end), {} more than once", once, missing,
                           kTasks - once - missing),
               once + missing == kTasks ? returned_early(true) : Why(kHintWaitAll));
  expect_first_error(check, err, ErrFast, "ErrFast", "the one error a task returned");
  if (virt)
    check.expect(took == 9ms, "wait() returns at +9ms, when the slowest tasks return",
                 fmt::format("wait() returned at {}", offset(took)), kHintWaitAll);
}

DOJO_CHECK("go() from inside a running task: the new task is waited for too",
           "A task may call go() on its own group while the group runs (a crawler that finds more pages). That "
           "task is still counted while it calls go(), so the counter cannot reach zero in between: count in go(), "
           "and wait() covers the new task.") {
  const bool virt = check.deterministic();
  const goro::Duration step = virt ? goro::Duration(100ms) : goro::Duration(1ms);
  auto finished = std::make_shared<std::atomic<int>>(0);
  MiniGroup g;
  check.say(fmt::format("MiniGroup g; task A sleeps {0}, calls g.go(B) and returns nil; B sleeps {0}, calls g.go(C) "
                        "and returns nil; C sleeps {0} and fails with ErrNested; then g.wait()",
                        dur(step)));
  const goro::Time t0 = goro::now();
  g.go([g, finished, step]() -> goro::Error {  // A
    goro::sleep(step);
    g.go([g, finished, step]() -> goro::Error {  // B
      goro::sleep(step);
      g.go([finished, step]() -> goro::Error {  // C
        goro::sleep(step);
        ++*finished;
        return ErrNested;
      });
      ++*finished;
      return {};
    });
    ++*finished;
    return {};
  });
  goro::Error err = g.wait();
  const goro::Duration took = goro::now() - t0;
  check.expect(finished->load() == 3, "A, B and C had all returned when wait() returned",
               finished->load() == 0
                   ? std::string("wait() returned before any of them had returned")
                   : fmt::format("wait() returned when {} of them had: a task started by a task was not waited for",
                                 finished->load()),
               {mistake::unsynchronized, kHintCount});
  expect_first_error(check, err, ErrNested, "ErrNested", "the error of task C, started by B, started by A");
  if (virt)
    check.expect(took == 3 * step, fmt::format("wait() returns at {}, when C returns", offset(3 * step)),
                 fmt::format("wait() returned at {}", offset(took)), kHintCount);
}

DOJO_CHECK("nested groups: an inner failure cancels its own group, then the outer one through the shard's error",
           "Each shard runs its own group, derived from the outer group's context. The inner group's first error "
           "cancels the inner context; the shard returns it (wrapped), which cancels the outer context — and with "
           "it every other shard's inner context, derived from it.",
           dojo::grader::Options{.seeds = 6}) {
  const bool virt = check.deterministic();
  const goro::Duration fail_at = virt ? goro::Duration(100ms) : goro::Duration(1ms);
  constexpr int kShards = 3, kWorkers = 3;
  auto returned = std::make_shared<std::atomic<int>>(0);
  auto stopped = std::make_shared<std::atomic<int>>(0);
  auto gc = MiniGroup::with_context(goro::background());
  MiniGroup outer = gc.first;
  goro::Context octx = gc.second;
  check.say(fmt::format("auto [outer, octx] = MiniGroup::with_context(background); {} shard tasks, each with its own "
                        "MiniGroup::with_context(octx) running {} workers; worker 2 of shard 1 fails with ErrFast "
                        "after {}, every other worker waits for its context; a shard returns "
                        "errorf(\"shard {{}}: {{:w}}\", s, inner.wait()); then outer.wait()",
                        kShards, kWorkers, dur(fail_at)));
  const goro::Time t0 = goro::now();
  for (int s = 0; s < kShards; ++s)
    outer.go([=]() -> goro::Error {
      auto ic = MiniGroup::with_context(octx);
      MiniGroup inner = ic.first;
      goro::Context ictx = ic.second;
      for (int w = 0; w < kWorkers; ++w)
        inner.go([=]() -> goro::Error {
          struct Count {
            std::atomic<int>& n;
            ~Count() { ++n; }
          } count{*returned};
          if (s == 1 && w == 2) {
            goro::sleep(fail_at);
            return ErrFast;
          }
          if (!wait_cancelled(virt, ictx, 10s)) return {};
          ++*stopped;
          return goro::errorf("worker {}: {:w}", w, ictx.err());
        });
      if (goro::Error err = inner.wait()) return goro::errorf("shard {}: {:w}", s, err);
      return {};
    });
  goro::Error err = outer.wait();
  const goro::Duration took = goro::now() - t0;
  check.expect(returned->load() == kShards * kWorkers, "all 9 workers had returned when outer.wait() returned",
               fmt::format("{} had", returned->load()), returned_early(true));
  check.expect(stopped->load() == kShards * kWorkers - 1,
               "the 8 other workers stopped because their context was cancelled",
               fmt::format("{} did; the others waited 10s for a cancellation that never came", stopped->load()),
               {mistake::kept_going, kHintCancel});
  check.expect_is(err, ErrFast, "ErrFast (through \"shard 1: ...\")", kHintFirst);
  check.expect(err && err.message().rfind("shard 1: ", 0) == 0,
               "outer.wait() returns shard 1's error: \"shard 1: index shard 3: disk full\"",
               Check::describe_error(err),
               {mistake::wrong_error,
                "The outer group's first error is the shard that failed first; the other shards fail later, "
                "because of it, and their errors are dropped."});
  check.expect(goro::cause(octx) == err, "goro::cause(octx) is the very error outer.wait() returned",
               fmt::format("goro::cause(octx): {}", name_of(goro::cause(octx))), {mistake::wrong_error, kHintCancel});
  if (virt)
    check.expect(took == fail_at, fmt::format("outer.wait() returns at {}: everything stops at once", offset(fail_at)),
                 fmt::format("it returned at {}", offset(took)), kHintCancel);
}

DOJO_CHECK("wait() counts every task go() started, even one that has not begun to run",
           kHintCount, dojo::grader::Options{.seeds = 8}) {
  const bool virt = check.deterministic();
  constexpr int kTasks = 3;
  auto started = std::make_shared<std::atomic<int>>(0);
  auto finished = std::make_shared<std::atomic<int>>(0);
  MiniGroup g;
  check.say("MiniGroup g; three g.go(...) calls, each task sleeps and succeeds; g.wait() right after the last go()");
  for (int i = 0; i < kTasks; ++i)
    g.go([=]() -> goro::Error {
      ++*started;
      goro::sleep(virt ? goro::Duration(50ms) : goro::Duration(1ms));
      ++*finished;
      return {};
    });
  goro::Error err = g.wait();
  const int s = started->load(), f = finished->load();
  check.expect(f == kTasks, "wait() returns after all 3 tasks have returned",
               s == 0       ? std::string("wait() returned at once: the 3 tasks had not even started, and the group "
                                          "did not count them yet")
               : s < kTasks ? fmt::format("wait() returned when {} of the 3 tasks had not even started: the group did "
                                          "not count them yet",
                                          kTasks - s)
                            : fmt::format("wait() returned when {} of the 3 tasks were still running", kTasks - f),
               returned_early(s == kTasks, kHintCount));
  check.expect_ok(err, "g.wait()");
}

DOJO_CHECK("MiniGroup is built from the lower-level pieces, not from goro::ErrGroup",
           "The point of the exercise is to see how little an errgroup is: a WaitGroup, a Once (or a Mutex) and a "
           "context with a cancel cause. goro::ErrGroup and goro::RecoveringGroup are off limits.") {
  const std::uint64_t me = goro::current_task_id();
  dojo::grader::RunView run;
  auto release = goro::make_chan<goro::Unit>();
  auto referee_done = goro::make_chan<goro::Unit>();
  auto waited = std::make_shared<std::atomic<bool>>(false);
  auto seen = std::make_shared<goro::TaskInfo>();
  auto found = std::make_shared<bool>(false);
  check.say("MiniGroup g; one task that waits for the grader; g.wait(); the grader looks at what wait() blocks on");
  goro::go_named("grader: referee", [=] {
    while (!waited->load() && !*found) {
      for (const goro::TaskInfo& t : run.tasks())
        if (t.id == me && t.state == dojo::grader::TaskState::blocked) {
          *seen = t;
          *found = true;
        }
      if (!*found) goro::sleep(1ms);  // a polling period: the verdict never depends on it
    }
    release.close();
    referee_done.close();
  });
  MiniGroup g;
  g.go([release]() -> goro::Error {
    (void)release.recv();
    return {};
  });
  goro::Error err = g.wait();
  waited->store(true);
  (void)referee_done.recv();
  check.expect_ok(err, "g.wait()");
  if (*found) {
    const bool errgroup = seen->reason == dojo::grader::WaitReason::group_wait ||
                          seen->blocked_on.rfind("errgroup.", 0) == 0 ||
                          seen->blocked_on.rfind("goro.RecoveringGroup", 0) == 0;
    check.expect(!errgroup, "wait() blocks on a piece of your own (a WaitGroup, a channel, ...)",
                 fmt::format("wait() blocks on {}: MiniGroup wraps goro::ErrGroup", seen->blocked_on));
    std::string on = seen->blocked_on;
    if (const auto hash = on.find(" #"); hash != std::string::npos) on = on.substr(0, hash);  // ids vary
    check.report(fmt::format("wait() blocked on a {}", on.empty() ? std::string("select") : on));
  }
}
