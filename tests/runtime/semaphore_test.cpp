// semaphore.Weighted (checklist §1.5, SM-01..SM-07; x/sync >= v0.7 semantics).
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "support/helpers.hpp"
#include "support/dual.hpp"
#include "goro/context.hpp"
#include "goro/error.hpp"
#include "goro/goro.hpp"
#include "goro/semaphore.hpp"
#include "goro/sim.hpp"
#include "support/probe.hpp"

using goro::detail::WaitReason;
using dojo::test::await_blocked;
using namespace std::chrono_literals;

namespace {

using goro_test::ready_now;
using goro_test::panic_value;

/// Starts a task that acquires `n` units under `ctx` and sends the result on the returned
/// channel (buffered, so the task never blocks on the send).
goro::Chan<goro::Error> acquire_async(goro::Semaphore& sem, const goro::Context& ctx, std::int64_t n) {
  auto out = goro::make_chan<goro::Error>(1);
  goro::go([&sem, ctx, n, out] { out.send(sem.acquire(ctx, n)); });
  return out;
}

}  // namespace

GORO_TEST("SM_01_try_acquire_sequence", "[semaphore]") {
  auto ctx = goro::background();
  goro::Semaphore sem(2);
  std::vector<bool> tries;
  REQUIRE_FALSE(sem.acquire(ctx, 1));
  tries.push_back(sem.try_acquire(1));
  tries.push_back(sem.try_acquire(1));
  sem.release(2);
  tries.push_back(sem.try_acquire(1));
  REQUIRE_FALSE(sem.acquire(ctx, 1));
  tries.push_back(sem.try_acquire(1));
  CHECK(tries == std::vector<bool>{true, false, true, false});
}

GORO_TEST("SM_02_acquire_with_timeout_sequence", "[semaphore]") {
  auto ctx = goro::background();
  goro::Semaphore sem(2);
  std::vector<goro::Error> errs;
  // An acquire under a context that is already done fails even with units free (SM-07). On
  // real threads the test may be descheduled for the whole timeout before acquire() runs, so
  // the acquires that must succeed get a timeout no load can outlast; the deterministic run
  // uses 10 ms for all of them (no virtual time passes before acquire()).
  auto try_acquire = [&](std::int64_t n, bool expect_units) {
    const bool long_timeout = expect_units && !goro::in_simulation();
    auto [tctx, cancel] = goro::with_timeout(ctx, long_timeout ? goro::Duration(1h) : goro::Duration(10ms));
    goro::Error err = sem.acquire(tctx, n);
    cancel();
    errs.push_back(err);
    return !err;
  };
  std::vector<bool> tries;
  REQUIRE_FALSE(sem.acquire(ctx, 1));
  tries.push_back(try_acquire(1, true));
  tries.push_back(try_acquire(1, false));  // times out: returns ctx.err(), changes nothing
  sem.release(2);
  tries.push_back(try_acquire(1, true));
  REQUIRE_FALSE(sem.acquire(ctx, 1));
  tries.push_back(try_acquire(1, false));
  CHECK(tries == std::vector<bool>{true, false, true, false});
  CHECK(goro::is(errs[1], goro::DeadlineExceeded));
  CHECK(goro::is(errs[3], goro::DeadlineExceeded));
  // The timed-out acquires left nothing behind: exactly the 2 units held are accounted for.
  CHECK_FALSE(sem.try_acquire(1));
  sem.release(2);
  CHECK(sem.try_acquire(2));
}

GORO_TEST("SM_03_release_more_than_held_panics", "[semaphore]") {
  goro::Semaphore sem(1);
  CHECK(panic_value([&] { sem.release(1); }) == "semaphore: released more than held");
  REQUIRE(sem.try_acquire(1));
  CHECK(panic_value([&] { sem.release(2); }) == "semaphore: released more than held");
  sem.release(1);  // the failed release changed nothing
  CHECK(sem.try_acquire(1));
}

GORO_TEST("SM_04_too_big_acquire_waits_for_ctx_and_does_not_queue", "[semaphore]") {
  goro::Semaphore sem(2);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto big = acquire_async(sem, ctx, 3);
  await_blocked(1, WaitReason::semaphore);
  // The doomed request does not hold up smaller ones: it is not in the queue.
  CHECK(sem.try_acquire(1));
  CHECK_FALSE(sem.acquire(goro::background(), 1));
  sem.release(2);
  CHECK_FALSE(ready_now(big));
  cancel();
  CHECK(big.recv().value == goro::Canceled);
  CHECK(sem.try_acquire(2));
}

GORO_TEST("SM_05_no_barging", "[semaphore]") {
  auto bg = goro::background();
  goro::Semaphore sem(2);
  REQUIRE(sem.try_acquire(1));
  auto big = acquire_async(sem, bg, 2);  // needs both units: waits
  await_blocked(1, WaitReason::semaphore);
  for (const auto& t : goro::tasks())
    if (t.reason == WaitReason::semaphore) CHECK(t.blocked_on.find("semaphore.Weighted") != std::string::npos);
  // One unit is free, but a waiter exists: no barging, by try_acquire or by acquire.
  CHECK_FALSE(sem.try_acquire(1));
  auto small = acquire_async(sem, bg, 1);
  await_blocked(2, WaitReason::semaphore);
  CHECK_FALSE(ready_now(small));
  sem.release(1);  // now 2 free: the big request at the front is served first
  CHECK_FALSE(big.recv().value);
  CHECK_FALSE(ready_now(small));  // the big one holds both units
  sem.release(2);
  CHECK_FALSE(small.recv().value);
  sem.release(1);
  CHECK(sem.try_acquire(2));
}

GORO_TEST("SM_05_large_acquire_not_starved_by_small_ones", "[semaphore]") {
  // A stream of small acquire/release cycles may not overtake a queued large request.
  auto bg = goro::background();
  goro::Semaphore sem(4);
  REQUIRE(sem.try_acquire(1));
  auto big = acquire_async(sem, bg, 4);
  await_blocked(1, WaitReason::semaphore);
  auto stop = goro::make_chan<goro::Unit>();
  auto small_done = goro::make_chan<int>(1);
  goro::go([&sem, bg, stop, small_done] {
    int rounds = 0;
    while (goro::select(goro::on_recv(stop), goro::on_default()) == 1) {
      if (sem.acquire(bg, 1)) break;
      sem.release(1);
      ++rounds;
    }
    small_done.send(rounds);
  });
  sem.release(1);  // the big request gets all 4 units; the small loop queues behind it
  CHECK_FALSE(big.recv().value);
  sem.release(4);
  stop.close();
  (void)small_done.recv();
  CHECK(sem.try_acquire(4));
}

GORO_TEST("SM_06_cancelled_front_waiter_wakes_those_behind", "[semaphore]") {
  goro::Semaphore sem(2);
  REQUIRE(sem.try_acquire(1));
  auto [big_ctx, cancel_big] = goro::with_cancel(goro::background());
  auto big = acquire_async(sem, big_ctx, 2);
  await_blocked(1, WaitReason::semaphore);
  auto small = acquire_async(sem, goro::background(), 1);
  await_blocked(2, WaitReason::semaphore);
  CHECK_FALSE(ready_now(small));
  cancel_big();
  CHECK(big.recv().value == goro::Canceled);
  CHECK_FALSE(small.recv().value);  // woken by the cancellation: its unit was free all along
  sem.release(2);
  CHECK(sem.try_acquire(2));
}

GORO_TEST("SM_07_done_ctx_always_fails", "[semaphore]") {
  goro::Semaphore sem(2);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  // Already done: fails even though every unit is free, and takes nothing.
  CHECK(sem.acquire(ctx, 1) == goro::Canceled);
  CHECK(sem.try_acquire(2));

  // Done before enough units arrived: fails, and the units released later are not leaked.
  auto [ctx2, cancel2] = goro::with_cancel(goro::background());
  auto waiter = acquire_async(sem, ctx2, 1);
  await_blocked(1, WaitReason::semaphore);
  cancel2();
  sem.release(2);
  CHECK(waiter.recv().value == goro::Canceled);
  CHECK(sem.try_acquire(2));
  sem.release(2);
}

// Free mode only: it exercises release_leftovers, which a deterministic scope does itself.
TEST_CASE("SM_07_released_waiter_unwinds_cleanly", "[semaphore]") {
  // A task blocked in acquire that a leak check releases leaves the queue (no stale waiter).
  goro::Semaphore sem(1);
  REQUIRE(sem.try_acquire(1));
  int baseline = goro::num_tasks();
  auto exited = goro::make_chan<goro::Unit>(1);
  goro::go([&sem, exited] {
    struct OnExit {
      goro::Chan<goro::Unit> ch;
      ~OnExit() { ch.send({}); }
    } on_exit{exited};
    (void)sem.acquire(goro::background(), 1);
  });
  await_blocked(1, WaitReason::semaphore);
  dojo::test::release_leftovers(baseline);
  (void)exited.recv();  // the task has unwound out of acquire
  sem.release(1);
  CHECK(sem.try_acquire(1));  // would fail if the released waiter were still queued
}

// ---- Deterministic mode ----------------------------------------------------------------------

TEST_CASE("SM_05_bounds_concurrency_under_simulation", "[semaphore][sim]") {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    int active = 0, max_active = 0;
    auto r = goro::simulate(seed, [&] {
      goro::Semaphore sem(3);
      auto log = goro::make_chan<int>(64);
      goro::WaitGroup wg;
      for (int i = 0; i < 8; ++i) {
        wg.go([&, log, i] {
          REQUIRE_FALSE(sem.acquire(goro::background(), 1 + i % 2));
          ++active;
          max_active = std::max(max_active, active);
          log.send(i);  // a scheduling point while holding units
          --active;
          sem.release(1 + i % 2);
        });
      }
      wg.wait();
      REQUIRE(sem.try_acquire(3));  // everything was given back
    });
    INFO("seed " << seed << "\n" << r.report);
    REQUIRE(r.ok());
    CHECK(max_active <= 3);
  }
}

TEST_CASE("SM_02_timeout_under_virtual_time", "[semaphore][sim]") {
  goro::Error err;
  auto r = goro::simulate(1, [&] {
    goro::Semaphore sem(1);
    REQUIRE(sem.try_acquire(1));
    auto [ctx, cancel] = goro::with_timeout(goro::background(), std::chrono::hours(1));
    err = sem.acquire(ctx, 1);  // the virtual clock jumps an hour ahead
    cancel();
    sem.release(1);
    REQUIRE(sem.try_acquire(1));
  });
  INFO(r.report);
  REQUIRE(r.ok());
  CHECK(goro::is(err, goro::DeadlineExceeded));
}

TEST_CASE("SM_blocked_acquire_is_reported_in_a_deadlock", "[semaphore][sim]") {
  auto r = goro::simulate(1, [] {
    goro::Semaphore sem(2);
    REQUIRE(sem.try_acquire(2));
    (void)sem.acquire(goro::background(), 1);
  });
  REQUIRE(r.outcome == goro::SimResult::Outcome::deadlock);
  CHECK_THAT(r.report, Catch::Contains("[semaphore acquire]"));
  CHECK_THAT(r.report, Catch::Contains("semaphore.Weighted"));
}
