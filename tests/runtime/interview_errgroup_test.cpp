// Interview questions with observable answers, from the background reading
// errgroup-interview-questions.txt (Q1..Q30, coding tasks T1..T3, scenarios S1..S4, red flags),
// reproduced against goro::ErrGroup. Each test states the question in its own words and
// asserts the model answer. The full question list, including the ones not tested and why,
// is docs/interview-coverage.md.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <thread>
#include <vector>

#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/error.hpp"
#include "goro/goro.hpp"
#include "goro/mutex.hpp"
#include "goro/once.hpp"
#include "goro/recover.hpp"
#include "goro/result.hpp"
#include "goro/semaphore.hpp"
#include "support/helpers.hpp"
#include "support/probe.hpp"
#include "support/settle.hpp"

using dojo::test::Settle;
using goro::Error;
using goro::Unit;
using goro::detail::WaitReason;
using dojo::test::await_blocked;
using dojo::test::await_tasks_at_most;

namespace {

using goro_test::ready_now;
using goro_test::is_done;
using goro_test::panic_value;

/// Calls g.wait() in a new task; its result arrives on the returned channel. Lets a test show
/// that wait has not returned yet (the task is parked as [errgroup wait]).
goro::Chan<Error> wait_in_task(goro::ErrGroup g) {
  auto out = goro::make_chan<Error>(1);
  goro::go([g, out]() mutable { out.send(g.wait()); });
  return out;
}

/// Raises `max` to at least `v`.
void raise_to(std::atomic<int>& max, int v) {
  int cur = max.load();
  while (v > cur && !max.compare_exchange_weak(cur, v)) {
  }
}

inline const Error ErrQ1 = goro::new_error("q1: task 2 failed");
inline const Error ErrQ3 = goro::new_error("q3: backend unavailable");
inline const Error ErrFirst = goro::new_error("first failure");
inline const Error ErrSecond = goro::new_error("second failure");
inline const Error ErrThird = goro::new_error("third failure");
inline const Error ErrBadItem = goro::new_error("bad item");
inline const Error ErrLost = goro::new_error("nobody hears about this");
inline const Error ErrFetch = goro::new_error("fetch failed");
inline const Error ErrFound = goro::new_error("found");
inline const Error ErrRowA = goro::new_error("row 1 invalid");
inline const Error ErrRowB = goro::new_error("row 4 invalid");
inline const Error ErrQuorum = goro::new_error("quorum reached");
inline const Error ErrTimeoutA = goro::new_error("replica a timed out");
inline const Error ErrTimeoutB = goro::new_error("replica b timed out");
inline const Error ErrDoom = goro::new_error("doom");
inline const Error ErrOdd = goro::new_error("odd input");

/// One item of work for the Q5 comparison: item 3 is bad.
Error process_item(int item) {
  if (item == 3) return goro::errorf("item {}: {:w}", item, ErrBadItem);
  return {};
}

/// Q5, before: a WaitGroup, an error channel sized for every item, and a drain loop.
Error first_error_by_hand(const std::vector<int>& items) {
  goro::WaitGroup wg;
  auto errs = goro::make_chan<Error>(items.size());
  for (int item : items) {
    wg.add(1);
    goro::go([&wg, errs, item] {
      if (Error err = process_item(item)) errs.send(err);
      wg.done();
    });
  }
  wg.wait();
  errs.close();
  Error first;
  for (const Error& err : errs)
    if (!first) first = err;
  return first;
}

/// Q5, after: the same with a group.
Error first_error_by_group(const std::vector<int>& items) {
  goro::ErrGroup g;
  for (int item : items) g.go([item] { return process_item(item); });
  return g.wait();
}

/// T1 (and the pipelines file's sample question): runs fn on every input with at most `limit`
/// at a time; the results keep the input order; the first failure (wrapped with the item's
/// index) cancels the rest and is returned instead of the results.
template <class I, class F>
auto parallel_map(const goro::Context& parent, const std::vector<I>& in, int limit, F fn)
    -> goro::Result<std::vector<typename std::invoke_result_t<F&, goro::Context, I>::value_type>> {
  using O = typename std::invoke_result_t<F&, goro::Context, I>::value_type;
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  g.set_limit(limit);
  std::vector<O> out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    g.go([&out, &in, i, fn, ctx = ctx]() -> Error {
      auto r = fn(ctx, in[i]);
      if (!r) return goro::errorf("item {}: {:w}", i, r.error());
      out[i] = std::move(*r);
      return {};
    });
  }
  if (Error err = g.wait()) return err;
  return out;
}

/// T2: fetches every URL received from `urls` with at most `limit` fetches at a time, until
/// the channel is closed or a fetch fails.
Error crawl(const goro::Context& parent, goro::Chan<std::string> urls, int limit,
            std::function<Error(goro::Context, std::string)> fetch) {
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  g.set_limit(limit);
  for (;;) {
    std::string url;
    bool ok = false;
    if (goro::select(goro::on_recv(ctx.done()), goro::on_recv(urls, &url, &ok)) == 0) return g.wait();
    if (!ok) return g.wait();
    g.go([fetch, ctx = ctx, url] { return fetch(ctx, url); });
  }
}

}  // namespace

// errgroup-interview-questions.txt, Q1: what is the group for? Starting several tasks that may
// fail, waiting for all of them, and learning about a failure.
TEST_CASE("interview: errgroup Q1 - a group runs tasks together, waits for all, reports a failure", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  goro::ErrGroup g;
  auto gate = goro::make_chan<Unit>();
  std::atomic<int> finished{0};
  for (int i = 0; i < 4; ++i) {
    g.go([gate, &finished, i]() -> Error {
      (void)gate.recv();
      finished.fetch_add(1);
      return i == 2 ? ErrQ1 : Error{};
    });
  }
  await_blocked(4, WaitReason::chan_receive);  // all four are running at the same time
  CHECK(finished.load() == 0);
  gate.close();
  CHECK(g.wait() == ErrQ1);
  CHECK(finished.load() == 4);  // wait came back only after every task had finished
  await_tasks_at_most(base);
}

// errgroup-interview-questions.txt, Q3 (and production-patterns-qa.txt, first follow-up): what
// does with_context give back, and when does that context end? A derived context, cancelled
// when a task first fails or when wait returns, whichever is first.
TEST_CASE("interview: errgroup Q3 - the group's context ends at the first failure or when wait returns", "[interview]") {
  const Settle settle;
  SECTION("a failing task cancels it before anyone calls wait") {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    CHECK_FALSE(is_done(ctx));
    g.go([] { return ErrQ3; });
    (void)ctx.done().recv();  // returns only because the failure closed done()
    CHECK(goro::is(ctx.err(), goro::Canceled));
    CHECK(g.wait() == ErrQ3);
  }
  SECTION("with no failure it stays live until wait returns") {
    const int base = settle.base;
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    for (int i = 0; i < 3; ++i) g.go([] { return Error{}; });
    await_tasks_at_most(base);  // every task has returned nil
    CHECK_FALSE(is_done(ctx));
    CHECK_FALSE(ctx.err());
    CHECK_FALSE(g.wait());
    CHECK(is_done(ctx));
    CHECK(ctx.err() == goro::Canceled);
  }
  SECTION("even when no task was ever started") {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    CHECK_FALSE(g.wait());
    CHECK(is_done(ctx));
  }
}

// errgroup-interview-questions.txt, Q4: what does wait return? The first error a task
// returned, or nil. Follow-up: with three failures, the other two are simply lost.
TEST_CASE("interview: errgroup Q4 - wait returns the first non-nil error and drops later ones", "[interview]") {
  const Settle settle;
  SECTION("nil when every task succeeds") {
    goro::ErrGroup g;
    for (int i = 0; i < 5; ++i) g.go([] { return Error{}; });
    CHECK_FALSE(g.wait());
  }
  SECTION("three failures: only the first comes back, not joined") {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    g.go([] { return ErrFirst; });
    (void)ctx.done().recv();  // the first failure has been recorded
    g.go([] { return ErrSecond; });
    g.go([] { return ErrThird; });
    Error err = g.wait();
    CHECK(err == ErrFirst);
    CHECK_FALSE(goro::is(err, ErrSecond));
    CHECK_FALSE(goro::is(err, ErrThird));
    CHECK(goro::unwrap_all(err).empty());
  }
}

// errgroup-interview-questions.txt, Q5: rewrite "WaitGroup + buffered error channel + drain
// loop" with a group. The two versions report the same thing.
TEST_CASE("interview: errgroup Q5 - the hand-written WaitGroup version and the group agree", "[interview]") {
  const Settle settle;
  const std::vector<int> good{1, 2, 4, 5};
  const std::vector<int> with_bad{1, 2, 3, 4, 5};
  CHECK_FALSE(first_error_by_hand(good));
  CHECK_FALSE(first_error_by_group(good));
  Error by_hand = first_error_by_hand(with_bad);
  Error by_group = first_error_by_group(with_bad);
  CHECK(goro::is(by_hand, ErrBadItem));
  CHECK(goro::is(by_group, ErrBadItem));
  CHECK(by_hand.message() == "item 3: bad item");
  CHECK(by_group.message() == by_hand.message());
}

// errgroup-interview-questions.txt, Q7: what if nobody calls wait? The function returns while
// its tasks keep running, and whatever they fail with is never seen by a caller.
TEST_CASE("interview: errgroup Q7 - without wait the tasks outlive the function and errors are lost", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  auto release = goro::make_chan<Unit>();
  auto produced = goro::make_chan<Error>(1);  // lets the test see the error nobody else sees
  auto start_and_forget = [&] {
    goro::ErrGroup g;
    g.go([release, produced] {
      (void)release.recv();
      produced.send(ErrLost);
      return ErrLost;
    });
    // the bug: no g.wait()
  };
  start_and_forget();
  await_blocked(1, WaitReason::chan_receive);
  CHECK(goro::num_tasks() == base + 1);  // still running after its function returned
  release.close();
  CHECK(produced.recv().value == ErrLost);  // it did fail; no caller can learn it
  await_tasks_at_most(base);
}

// errgroup-interview-questions.txt, Q8 (and interview-questions-pipelines.txt Q8): set_limit(n)
// caps how many tasks run at once; go blocks until a slot frees up; a negative n removes the
// cap. Q19 (why block instead of dropping) has its own test below.
TEST_CASE("interview: errgroup Q8 - set_limit caps running tasks and go waits for a slot", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  SECTION("the third go waits while two tasks hold both slots") {
    goro::ErrGroup g;
    g.set_limit(2);
    auto gate = goro::make_chan<Unit>();
    std::atomic<bool> third_ran{false};
    for (int i = 0; i < 2; ++i) {
      g.go([gate] {
        (void)gate.recv();
        return Error{};
      });
    }
    auto producer_done = goro::make_chan<Unit>(1);
    goro::go([g, &third_ran, producer_done]() mutable {
      g.go([&third_ran] {
        third_ran = true;
        return Error{};
      });
      producer_done.send(Unit{});
    });
    await_blocked(1, WaitReason::group_go);
    CHECK_FALSE(third_ran.load());
    CHECK_FALSE(ready_now(producer_done));
    gate.close();
    (void)producer_done.recv();
    CHECK_FALSE(g.wait());
    CHECK(third_ran.load());
  }
  SECTION("never more than n at once") {
    goro::ErrGroup g;
    g.set_limit(3);
    std::atomic<int> active{0}, max_active{0};
    for (int i = 0; i < 40; ++i) {
      g.go([&active, &max_active] {
        raise_to(max_active, active.fetch_add(1) + 1);
        goro::yield();
        active.fetch_sub(1);
        return Error{};
      });
    }
    CHECK_FALSE(g.wait());
    CHECK(max_active.load() >= 1);
    CHECK(max_active.load() <= 3);
  }
  SECTION("a negative limit removes the cap") {
    goro::ErrGroup g;
    g.set_limit(1);
    g.set_limit(-1);  // nothing active yet, so this is allowed
    auto gate = goro::make_chan<Unit>();
    for (int i = 0; i < 10; ++i) {
      g.go([gate] {
        (void)gate.recv();
        return Error{};
      });
    }
    await_blocked(10, WaitReason::chan_receive);  // all ten running at once
    gate.close();
    CHECK_FALSE(g.wait());
  }
  await_tasks_at_most(base);
}

// errgroup-interview-questions.txt, Q8 follow-up: set_limit(0) makes every go block for good
// (and try_go always refuse).
TEST_CASE("interview: errgroup Q8 follow-up - after set_limit(0) go blocks forever", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  goro::ErrGroup g;
  g.set_limit(0);
  std::atomic<bool> ran{false};
  CHECK_FALSE(g.try_go([&ran] {
    ran = true;
    return Error{};
  }));
  goro::go([g, &ran]() mutable {
    g.go([&ran] {
      ran = true;
      return Error{};
    });
  });
  await_blocked(1, WaitReason::group_go);
  CHECK_FALSE(ran.load());
  // Nothing can ever admit it: release the stuck caller so the next test starts clean.
  dojo::test::release_leftovers(base);
  CHECK_FALSE(ran.load());
  CHECK_FALSE(g.wait());  // no task was ever started
}

// errgroup-interview-questions.txt, Q8 follow-up, and senior-level-guide.txt quiz 5: changing
// the limit while tasks are running panics with errgroup's message. Go's check is "tasks hold
// slots of the current limit", so, as in Go, a group that had no limit yet does not panic.
TEST_CASE("interview: errgroup Q8 follow-up - set_limit while tasks are active panics", "[interview]") {
  const Settle settle;
  auto gate = goro::make_chan<Unit>();
  SECTION("a limit is in force and a task holds a slot") {
    goro::ErrGroup g;
    g.set_limit(1);
    g.go([gate] {
      (void)gate.recv();
      return Error{};
    });
    CHECK(panic_value([&] { g.set_limit(2); }) ==
          "errgroup: modify limit while 1 goroutines in the group are still active");
    gate.close();
    CHECK_FALSE(g.wait());
  }
  SECTION("no limit was set before: Go's check sees no slots taken and does not panic") {
    goro::ErrGroup g;
    g.go([gate] {
      (void)gate.recv();
      return Error{};
    });
    CHECK(panic_value([&] { g.set_limit(2); }).empty());
    gate.close();
    CHECK_FALSE(g.wait());
  }
}

// errgroup-interview-questions.txt, Q9 (and the red flag "try_go fails with an error"):
// try_go starts the task and says true if a slot is free, otherwise says false and does
// nothing; without a limit it always says true.
TEST_CASE("interview: errgroup Q9 - try_go reports with a bool and never blocks", "[interview]") {
  const Settle settle;
  STATIC_REQUIRE(std::is_same_v<decltype(std::declval<goro::ErrGroup&>().try_go(std::function<Error()>{})), bool>);
  auto gate = goro::make_chan<Unit>();
  auto blocked_task = [gate] {
    (void)gate.recv();
    return Error{};
  };
  SECTION("with a limit: true while a slot is free, false when full, and f is not run") {
    goro::ErrGroup g;
    g.set_limit(1);
    CHECK(g.try_go(blocked_task));
    std::atomic<bool> ran{false};
    CHECK_FALSE(g.try_go([&ran] {
      ran = true;
      return Error{};
    }));
    gate.close();
    CHECK_FALSE(g.wait());
    CHECK_FALSE(ran.load());
  }
  SECTION("without a limit it is always true") {
    goro::ErrGroup g;
    for (int i = 0; i < 50; ++i) CHECK(g.try_go(blocked_task));
    gate.close();
    CHECK_FALSE(g.wait());
  }
}

// errgroup-interview-questions.txt, Q10 (also S1, and interview-questions-pipelines.txt Q13):
// a task that does not take the group's context keeps running after a sibling failed, and wait
// has to wait for it. A task that watches the context stops at once.
TEST_CASE("interview: errgroup Q10 - a task that ignores the context runs on after the failure", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto slow_work = goro::make_chan<Unit>();  // the ctx-less fetch finishes when this closes
  std::atomic<bool> ignorer_finished{false};
  auto watcher_saw = goro::make_chan<Error>(1);
  g.go([slow_work, &ignorer_finished] {
    (void)slow_work.recv();  // no ctx here
    ignorer_finished = true;
    return Error{};
  });
  g.go([ctx = ctx, slow_work, watcher_saw] {
    (void)goro::select(goro::on_recv(ctx.done()), goro::on_recv(slow_work));
    watcher_saw.send(ctx.err());
    return ctx.err();
  });
  g.go([] { return ErrFetch; });
  (void)ctx.done().recv();  // the failure cancelled the context
  CHECK(goro::is(watcher_saw.recv().value, goro::Canceled));  // the fixed version stopped
  auto result = wait_in_task(g);
  await_blocked(1, WaitReason::group_wait);
  CHECK_FALSE(ignorer_finished.load());  // the ctx-less one did not notice
  CHECK_FALSE(ready_now(result));        // and wait is stuck behind it
  slow_work.close();
  CHECK(result.recv().value == ErrFetch);
  CHECK(ignorer_finished.load());
  await_tasks_at_most(base);
}

// errgroup-interview-questions.txt, Q11: using the group's context after wait: it has been
// cancelled by wait, so the next step sees Canceled at once; the parent is still fine.
TEST_CASE("interview: errgroup Q11 - after wait the group's context is already cancelled", "[interview]") {
  const Settle settle;
  auto [parent, cancel_parent] = goro::with_cancel(goro::background());
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  g.go([] { return Error{}; });
  CHECK_FALSE(g.wait());
  // The follow-up step, written to give up when its context is done.
  auto do_b = [](const goro::Context& c) -> Error {
    if (goro::select(goro::on_recv(c.done()), goro::on_default()) == 0) return c.err();
    return {};
  };
  CHECK(do_b(ctx) == goro::Canceled);  // the bug
  CHECK_FALSE(do_b(parent));           // the fix: hand it the parent
  cancel_parent();
}

// errgroup-interview-questions.txt, Q12 (and interview-questions-pipelines.txt Q1, red flag
// "errgroup catches panics"): the group does not recover a panic; in Go the process dies. That
// crash is checked out of process (the crash probe); in process we assert the way to keep
// running: recover inside the task, and the group then reports it as an ordinary error.
TEST_CASE("interview: errgroup Q12 - a panic becomes an error only if the task recovers it", "[interview]") {
  const Settle settle;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([] { return goro::catch_panic([]() -> Error { goro::panic("assignment to entry in nil map"); }); });
  Error err = g.wait();
  REQUIRE(err);
  auto p = goro::as<goro::PanicError>(err);
  REQUIRE(p);
  CHECK(p->value == "assignment to entry in nil map");
  CHECK(err.message() == "panic: assignment to entry in nil map");
  CHECK(goro::cause(ctx) == err);  // recovered, it cancels the siblings like any error
}

// errgroup-interview-questions.txt, Q13: tasks run in no set order, and "first error" means the
// first one returned in time, not the one from the task started first.
TEST_CASE("interview: errgroup Q13 - the first error is the first returned, not the first started", "[interview]") {
  const Settle settle;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto gate = goro::make_chan<Unit>();
  g.go([gate] {
    (void)gate.recv();
    return ErrFirst;  // started first, fails last
  });
  g.go([] { return ErrSecond; });  // started second, fails first
  (void)ctx.done().recv();
  gate.close();
  CHECK(g.wait() == ErrSecond);
}

// errgroup-interview-questions.txt, Q14: "first success wins": the finder returns a sentinel,
// which cancels the others; after wait the caller turns the sentinel back into success.
TEST_CASE("interview: errgroup Q14 - first success cancels the rest through a sentinel error", "[interview]") {
  const Settle settle;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  constexpr int n = 5;
  constexpr int winner = 3;
  std::vector<Error> outcome(n);  // each task writes its own slot; read after wait
  auto never = goro::make_chan<Unit>();  // the other searches would never finish by themselves
  for (int i = 0; i < n; ++i) {
    g.go([i, &outcome, never, ctx = ctx]() -> Error {
      if (i == winner) {
        outcome[i] = ErrFound;
        return ErrFound;
      }
      (void)goro::select(goro::on_recv(ctx.done()), goro::on_recv(never));
      outcome[i] = ctx.err();
      return outcome[i];
    });
  }
  Error err = g.wait();
  CHECK(err == ErrFound);
  Error result = goro::is(err, ErrFound) ? Error{} : err;
  CHECK_FALSE(result);
  for (int i = 0; i < n; ++i) {
    INFO("search " << i);
    if (i != winner) CHECK(outcome[i] == goro::Canceled);
  }
}

// errgroup-interview-questions.txt, Q16 (also interview-questions-pipelines.txt Q14,
// senior-level-guide.txt quiz 6, hands-on-tasks.txt Task 8): to report every failure, tasks
// return nil (so nothing is cancelled), collect under a mutex, and join after wait; every item
// is attempted; joining nothing gives nil.
TEST_CASE("interview: errgroup Q16 - collect every error yourself and join them after wait", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  goro::Mutex mu;
  std::vector<Error> errs;
  std::atomic<int> attempted{0};
  for (int i = 0; i < 6; ++i) {
    g.go([i, &mu, &errs, &attempted]() -> Error {
      attempted.fetch_add(1);
      Error err = i == 1 ? ErrRowA : i == 4 ? ErrRowB : Error{};
      if (err) {
        std::lock_guard lk(mu);
        errs.push_back(err);
      }
      return {};  // never fail the group
    });
  }
  await_tasks_at_most(base);
  CHECK_FALSE(is_done(ctx));  // nothing failed as far as the group knows: no sibling was cancelled
  CHECK_FALSE(g.wait());
  Error all = goro::join(errs);
  CHECK(attempted.load() == 6);
  CHECK(goro::is(all, ErrRowA));
  CHECK(goro::is(all, ErrRowB));
  CHECK(goro::unwrap_all(all).size() == 2);
  CHECK_FALSE(goro::join(std::vector<Error>{}));
}

// errgroup-interview-questions.txt, Q17: to bound parallelism by total cost rather than by
// task count, acquire a weighted semaphore before go and release it in the task.
TEST_CASE("interview: errgroup Q17 - a weighted semaphore bounds the total weight in flight", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  goro::Semaphore sem(10);
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  SECTION("a heavy task waits while light ones hold units") {
    auto gate = goro::make_chan<Unit>();
    REQUIRE_FALSE(sem.acquire(ctx, 1));
    g.go([&sem, gate] {
      (void)gate.recv();
      sem.release(1);
      return Error{};
    });
    auto heavy = goro::make_chan<Error>(1);
    goro::go([&sem, ctx = ctx, heavy] {
      Error err = sem.acquire(ctx, 10);
      if (!err) sem.release(10);
      heavy.send(err);
    });
    await_blocked(1, WaitReason::semaphore);
    CHECK_FALSE(ready_now(heavy));
    gate.close();
    CHECK_FALSE(heavy.recv().value);
    CHECK_FALSE(g.wait());
  }
  SECTION("mixed weights never exceed the capacity") {
    const std::vector<int> weights{1, 10, 1, 1, 10, 5, 5, 1, 3, 7, 2, 8};
    std::atomic<int> in_flight{0}, max_in_flight{0}, ran{0};
    for (int w : weights) {
      REQUIRE_FALSE(sem.acquire(ctx, w));
      g.go([&, w] {
        raise_to(max_in_flight, in_flight.fetch_add(w) + w);
        goro::yield();
        in_flight.fetch_sub(w);
        ran.fetch_add(1);
        sem.release(w);
        return Error{};
      });
    }
    CHECK_FALSE(g.wait());
    CHECK(ran.load() == static_cast<int>(weights.size()));
    CHECK(max_in_flight.load() <= 10);
  }
  await_tasks_at_most(base);
}

// errgroup-interview-questions.txt, Q18 and T3: a write needs 3 of 5 replicas. Count successes;
// the one that reaches 3 returns a sentinel that cancels the rest; after wait the sentinel
// means success.
TEST_CASE("interview: errgroup Q18 - quorum: the third success cancels the rest and counts as success", "[interview]") {
  const Settle settle;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  std::atomic<int> ok{0};
  const std::vector<bool> replicas{false, true, false, true, true};  // false: that write fails
  for (bool succeeds : replicas) {
    g.go([&ok, succeeds]() -> Error {
      if (!succeeds) return {};  // a failed replica is not fatal
      if (ok.fetch_add(1) + 1 >= 3) return ErrQuorum;
      return {};
    });
  }
  auto straggler_saw = goro::make_chan<Error>(1);
  g.go([ctx = ctx, straggler_saw] {  // a sixth replica that is slow to answer
    (void)ctx.done().recv();
    straggler_saw.send(ctx.err());
    return ctx.err();
  });
  Error err = g.wait();
  CHECK(err == ErrQuorum);
  Error result = goro::is(err, ErrQuorum) ? Error{} : err;
  CHECK_FALSE(result);
  CHECK(ok.load() == 3);
  CHECK(straggler_saw.recv().value == goro::Canceled);
}

// errgroup-interview-questions.txt, Q18 follow-up: if 4 of 5 writes fail, wait still returns
// nil, because failures were turned into nil: quorum was never reached, yet no error.
TEST_CASE("interview: errgroup Q18 follow-up - four failures out of five still give nil", "[interview]") {
  const Settle settle;
  goro::ErrGroup g;
  std::atomic<int> ok{0};
  const std::vector<bool> replicas{false, false, true, false, false};
  for (bool succeeds : replicas) {
    g.go([&ok, succeeds]() -> Error {
      if (!succeeds) return {};
      if (ok.fetch_add(1) + 1 >= 3) return ErrQuorum;
      return {};
    });
  }
  Error err = g.wait();
  CHECK(ok.load() == 1);
  CHECK_FALSE(err);  // the pitfall: the caller is told the write succeeded
}

// errgroup-interview-questions.txt, Q19 (and the pipelines file's Q8 wrong answer "tasks past
// the limit are dropped"): a full group makes the producer wait; the task is not thrown away,
// it runs as soon as a slot frees up.
TEST_CASE("interview: errgroup Q19 - a full group holds the producer back instead of dropping work", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  goro::ErrGroup g;
  g.set_limit(1);
  auto gate = goro::make_chan<Unit>();
  g.go([gate] {
    (void)gate.recv();
    return Error{};
  });
  auto produced = goro::make_chan<int>(8);
  auto late_ran = goro::make_chan<Unit>(1);
  goro::go([g, produced, late_ran]() mutable {
    produced.send(1);
    g.go([late_ran] {
      late_ran.send(Unit{});
      return Error{};
    });
    produced.send(2);  // the producer gets here only once the task was admitted
  });
  CHECK(produced.recv().value == 1);
  await_blocked(1, WaitReason::group_go);
  CHECK_FALSE(ready_now(produced));  // back-pressure: the producer is held
  CHECK_FALSE(ready_now(late_ran));
  gate.close();
  CHECK(produced.recv().value == 2);
  (void)late_ran.recv();  // the task was run, not dropped
  CHECK_FALSE(g.wait());
  await_tasks_at_most(base);
}

// errgroup-interview-questions.txt, Q20: with a parent that is already cancelled, the group's
// context starts out cancelled; tasks that check it return Canceled, and that is what wait
// reports; tasks that ignore it run normally.
TEST_CASE("interview: errgroup Q20 - an already-cancelled parent gives an already-cancelled group", "[interview]") {
  const Settle settle;
  auto [parent, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  CHECK(is_done(ctx));
  CHECK(ctx.err() == goro::Canceled);
  std::atomic<bool> ignorer_ran{false};
  g.go([ctx = ctx]() -> Error {
    if (goro::select(goro::on_recv(ctx.done()), goro::on_default()) == 0) return ctx.err();
    return {};
  });
  g.go([&ignorer_ran] {
    ignorer_ran = true;
    return Error{};
  });
  CHECK(g.wait() == goro::Canceled);
  CHECK(ignorer_ran.load());
}

// errgroup-interview-questions.txt, Q21 (and red flag "wait returns all errors"): conc-style
// pools recover panics and can return every error; errgroup returns one error and recovers
// nothing. goro's RecoveringGroup plays the conc pool.
TEST_CASE("interview: errgroup Q21 - a conc-style group joins every error and recovers panics", "[interview]") {
  const Settle settle;
  goro::RecoveringGroup rg;
  rg.go([] { return ErrTimeoutA; });
  rg.go([]() -> Error { goro::panic("index out of range [5] with length 3"); });
  rg.go([] { return ErrTimeoutB; });
  rg.go([] { return Error{}; });
  Error all = rg.wait();
  CHECK(goro::is(all, ErrTimeoutA));
  CHECK(goro::is(all, ErrTimeoutB));
  auto p = goro::as<goro::PanicError>(all);
  REQUIRE(p);
  CHECK(p->value == "index out of range [5] with length 3");
  CHECK(goro::unwrap_all(all).size() == 3);

  goro::ErrGroup g;
  g.go([] { return ErrTimeoutA; });
  g.go([] { return ErrTimeoutB; });
  Error one = g.wait();
  CHECK((one == ErrTimeoutA || one == ErrTimeoutB));
  CHECK(goro::unwrap_all(one).empty());
}

// errgroup-interview-questions.txt, Q24: a task gives its slot back before it counts as done,
// so when wait returns no slot is held: changing the limit then does not panic, and try_go
// has the full limit again.
TEST_CASE("interview: errgroup Q24 - after wait every slot is free again", "[interview]") {
  const Settle settle;
  goro::ErrGroup g;
  g.set_limit(1);
  for (int round = 0; round < 20; ++round) {
    g.go([] { return Error{}; });
    CHECK_FALSE(g.wait());
    CHECK(panic_value([&] { g.set_limit(1); }).empty());
  }
  g.set_limit(2);
  auto gate = goro::make_chan<Unit>();
  auto blocked_task = [gate] {
    (void)gate.recv();
    return Error{};
  };
  CHECK(g.try_go(blocked_task));
  CHECK(g.try_go(blocked_task));
  CHECK_FALSE(g.try_go(blocked_task));
  gate.close();
  CHECK_FALSE(g.wait());
}

// errgroup-interview-questions.txt, Q26: the group cancels with a cause: err() only says
// Canceled, cause() gives the task's error (plain Canceled when wait did the cancelling).
TEST_CASE("interview: errgroup Q26 - cause() keeps the failing task's error, err() says Canceled", "[interview]") {
  const Settle settle;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([] { return ErrDoom; });
  (void)ctx.done().recv();
  CHECK(ctx.err() == goro::Canceled);
  CHECK(goro::cause(ctx) == ErrDoom);
  CHECK(g.wait() == ErrDoom);

  auto [quiet, quiet_ctx] = goro::ErrGroup::with_context(goro::background());
  quiet.go([] { return Error{}; });
  CHECK_FALSE(quiet.wait());
  CHECK(goro::cause(quiet_ctx) == goro::Canceled);
}

// errgroup-interview-questions.txt, Q29: why must a group not be copied after first use? In Go
// it embeds a WaitGroup and a Once. In goro those cannot be copied at all (the compiler is the
// copylocks check), and ErrGroup is a handle: a copy is the same group, never half of one.
TEST_CASE("interview: errgroup Q29 - sync objects cannot be copied; an ErrGroup copy is the same group", "[interview]") {
  const Settle settle;
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<goro::WaitGroup>);
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<goro::Once>);
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<goro::Mutex>);
  goro::ErrGroup g;
  goro::ErrGroup copy = g;
  auto gate = goro::make_chan<Unit>();
  copy.go([gate] {
    (void)gate.recv();
    return ErrDoom;
  });
  auto result = wait_in_task(g);
  await_blocked(1, WaitReason::group_wait);
  CHECK_FALSE(ready_now(result));  // the original waits for the task started through the copy
  gate.close();
  CHECK(result.recv().value == ErrDoom);
}

// errgroup-interview-questions.txt, Q30: two tasks fail at the same moment: wait returns one
// of the two (which one depends on scheduling), never both.
TEST_CASE("interview: errgroup Q30 - of two simultaneous failures wait returns either one", "[interview]") {
  const Settle settle;
  goro::ErrGroup g;
  auto gate = goro::make_chan<Unit>();
  g.go([gate] {
    (void)gate.recv();
    return ErrTimeoutA;
  });
  g.go([gate] {
    (void)gate.recv();
    return ErrTimeoutB;
  });
  await_blocked(2, WaitReason::chan_receive);
  gate.close();  // both fail now
  Error err = g.wait();
  CHECK((err == ErrTimeoutA || err == ErrTimeoutB));
  CHECK(goro::unwrap_all(err).empty());
}

// errgroup-interview-questions.txt, T1, and interview-questions-pipelines.txt's sample coding
// question (also hands-on-tasks.txt Task 3 without the HTTP): a parallel map keeps the input
// order, bounds parallelism, and on failure returns the first error wrapped with the item.
TEST_CASE("interview: errgroup T1 - parallel map keeps order and fails with the wrapped first error", "[interview]") {
  const Settle settle;
  std::vector<int> in;
  for (int i = 1; i <= 20; ++i) in.push_back(i);
  std::atomic<int> active{0}, max_active{0};
  auto square = [&](const goro::Context&, int v) -> goro::Result<int> {
    raise_to(max_active, active.fetch_add(1) + 1);
    goro::yield();
    active.fetch_sub(1);
    return v * v;
  };
  auto squares = parallel_map(goro::background(), in, 4, square);
  REQUIRE(squares.ok());
  for (std::size_t i = 0; i < in.size(); ++i) CHECK((*squares)[i] == in[i] * in[i]);
  CHECK(max_active.load() <= 4);

  auto only_even = [](const goro::Context&, int v) -> goro::Result<int> {
    if (v == 7) return ErrOdd;
    return v;
  };
  auto failed = parallel_map(goro::background(), in, 4, only_even);
  REQUIRE_FALSE(failed.ok());
  CHECK(goro::is(failed.error(), ErrOdd));
  CHECK(failed.error().message() == "item 6: odd input");
}

// errgroup-interview-questions.txt, T2: a bounded crawler reading URLs from a channel returns
// when the channel is closed (all fetched) or when a fetch fails.
TEST_CASE("interview: errgroup T2 - the crawler fetches every URL or stops at the first failure", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  const std::vector<std::string> all{"/a", "/b", "/c", "/d", "/e", "/f", "/g", "/h"};
  auto feed = [&] {
    auto urls = goro::make_chan<std::string>(all.size());
    for (const auto& u : all) urls.send(u);
    urls.close();
    return urls;
  };
  goro::Mutex mu;
  std::set<std::string> fetched;
  auto fetch_ok = [&](const goro::Context&, const std::string& url) -> Error {
    std::lock_guard lk(mu);
    fetched.insert(url);
    return {};
  };
  CHECK_FALSE(crawl(goro::background(), feed(), 3, fetch_ok));
  CHECK(fetched == std::set<std::string>(all.begin(), all.end()));

  auto fetch_c_fails = [](const goro::Context&, const std::string& url) -> Error {
    if (url == "/c") return goro::errorf("GET {}: {:w}", url, ErrFetch);
    return {};
  };
  Error err = crawl(goro::background(), feed(), 3, fetch_c_fails);
  CHECK(goro::is(err, ErrFetch));
  CHECK(err.message() == "GET /c: fetch failed");
  await_tasks_at_most(base);
}

// errgroup-interview-questions.txt, S2: hundreds of producers hang in the group's go: a task
// that never finishes keeps its slot, so every later go waits for it. The task list shows them
// as "errgroup go (limit reached)".
TEST_CASE("interview: errgroup S2 - a stuck task keeps its slot and later go calls hang", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  goro::ErrGroup g;
  g.set_limit(1);
  auto stuck = goro::make_chan<Unit>();  // I/O that ignores the context
  g.go([stuck] {
    (void)stuck.recv();
    return Error{};
  });
  goro::WaitGroup producers;
  for (int i = 0; i < 3; ++i) {
    producers.go([g]() mutable { g.go([] { return Error{}; }); });
  }
  await_blocked(3, WaitReason::group_go);
  int shown = 0;
  for (const auto& t : goro::tasks())
    if (t.reason == WaitReason::group_go) ++shown;
  CHECK(shown == 3);
  CHECK_THAT(goro::format_tasks(goro::tasks()), Catch::Contains("errgroup go (limit reached)"));
  stuck.close();  // fix the stuck task and everything drains
  producers.wait();
  CHECK_FALSE(g.wait());
  await_tasks_at_most(base);
}

// errgroup-interview-questions.txt, red flag "go runs f synchronously": go starts f in a new
// task and returns at once (it waits only for a slot when a limit is reached).
TEST_CASE("interview: errgroup red flag - go returns before f has finished", "[interview]") {
  const Settle settle;
  goro::ErrGroup g;
  auto gate = goro::make_chan<Unit>();
  std::atomic<bool> finished{false};
  g.go([gate, &finished] {
    (void)gate.recv();  // only the caller below can let f finish
    finished = true;
    return Error{};
  });
  CHECK_FALSE(finished.load());
  gate.close();  // reached only because go did not wait for f
  CHECK_FALSE(g.wait());
  CHECK(finished.load());
}
