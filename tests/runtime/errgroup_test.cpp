// errgroup (checklist §1.4, EG-01..EG-12; x/sync >= v0.16), RecoveringGroup and catch_panic.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/helpers.hpp"
#include "support/dual.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/error.hpp"
#include "goro/goro.hpp"
#include "goro/mutex.hpp"
#include "goro/recover.hpp"
#include "goro/sim.hpp"
#include "support/probe.hpp"

using goro::detail::WaitReason;
using dojo::test::await_blocked;

namespace {

using goro_test::ready_now;
using goro_test::panic_value;

}  // namespace

GORO_TEST("EG_01_zero_group_returns_first_error", "[errgroup]") {
  const goro::Error err1 = goro::new_error("errgroup_test: 1");
  const goro::Error err2 = goro::new_error("errgroup_test: 2");
  const std::vector<std::vector<goro::Error>> cases = {
      {}, {goro::Error{}}, {err1}, {err1, goro::Error{}}, {err1, goro::Error{}, err2}};
  for (const auto& errs : cases) {
    goro::ErrGroup g;
    goro::Error first;
    for (const auto& err : errs) {
      g.go([err] { return err; });
      goro::Error got = g.wait();
      if (!first) first = err;
      CHECK(got == first);  // later errors are dropped, not joined
    }
    CHECK(g.wait() == first);
  }
}

GORO_TEST("EG_02_context_cancelled_by_first_error_or_wait", "[errgroup]") {
  SECTION("no task: done after wait") {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    CHECK_FALSE(ready_now(ctx.done()));
    CHECK_FALSE(g.wait());
    CHECK(ready_now(ctx.done()));
    CHECK(ctx.err() == goro::Canceled);
  }
  SECTION("no failure: done only after wait") {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    auto ran = goro::make_chan<goro::Unit>(1);
    g.go([ran]() -> goro::Error {
      ran.send({});
      return {};
    });
    (void)ran.recv();
    CHECK_FALSE(ready_now(ctx.done()));
    CHECK_FALSE(g.wait());
    CHECK(ready_now(ctx.done()));
  }
  SECTION("first error cancels before wait") {
    const goro::Error doom = goro::new_error("group_test: doomed");
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    auto gate = goro::make_chan<goro::Unit>();
    g.go([doom] { return doom; });
    g.go([gate]() -> goro::Error {
      (void)gate.recv();
      return {};
    });
    (void)ctx.done().recv();  // returns only once cancelled: the group is still running
    CHECK(ctx.err() == goro::Canceled);
    gate.send({});
    CHECK(g.wait() == doom);
  }
}

GORO_TEST("EG_03_cancel_cause_is_first_error_set_before_done", "[errgroup]") {
  const goro::Error doom = goro::new_error("group_test: doomed");
  SECTION("cause is the error") {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    g.go([doom] { return doom; });
    CHECK(g.wait() == doom);
    CHECK(goro::cause(ctx) == doom);
    CHECK(ctx.err() == goro::Canceled);
  }
  SECTION("cause is Canceled without error") {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    g.go([]() -> goro::Error { return {}; });
    CHECK_FALSE(g.wait());
    CHECK(goro::cause(ctx) == goro::Canceled);
  }
  SECTION("a sibling sees the cancellation and its cause while the failing task is not done") {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    auto seen = goro::make_chan<goro::Error>(1);
    g.go([ctx = ctx, seen]() -> goro::Error {
      (void)ctx.done().recv();
      seen.send(goro::cause(ctx));
      return {};
    });
    g.go([doom] { return doom; });
    CHECK(seen.recv().value == doom);
    CHECK(g.wait() == doom);
  }
}

GORO_TEST("EG_04_first_error_is_first_returned_not_first_started", "[errgroup]") {
  const goro::Error early_started = goro::new_error("started first, returned last");
  const goro::Error late_started = goro::new_error("started last, returned first");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto gate = goro::make_chan<goro::Unit>();
  g.go([gate, early_started] {
    (void)gate.recv();
    return early_started;
  });
  g.go([late_started] { return late_started; });
  (void)ctx.done().recv();  // the second task's error has been recorded
  gate.send({});
  CHECK(g.wait() == late_started);
}

GORO_TEST("EG_05_try_go_respects_limit", "[errgroup]") {
  goro::ErrGroup g;
  auto gate = goro::make_chan<goro::Unit>();
  auto blocked = [gate]() -> goro::Error {
    (void)gate.recv();
    return {};
  };
  SECTION("limit 42") {
    g.set_limit(42);
    for (int i = 0; i < 42; ++i) REQUIRE(g.try_go(blocked));
    CHECK_FALSE(g.try_go(blocked));
    gate.close();
    CHECK_FALSE(g.wait());
    CHECK(g.try_go(blocked));  // drained: room again
    CHECK_FALSE(g.wait());
  }
  SECTION("limit 1") {
    g.set_limit(1);
    CHECK(g.try_go(blocked));
    CHECK_FALSE(g.try_go(blocked));
    gate.close();
    CHECK_FALSE(g.wait());
  }
  SECTION("limit 0") {
    g.set_limit(0);
    int ok = 0;
    for (int i = 0; i < 1024; ++i) ok += g.try_go(blocked) ? 1 : 0;
    CHECK(ok == 0);
    CHECK_FALSE(g.wait());  // nothing ran: returns at once
  }
}

GORO_TEST("EG_06_go_blocks_at_limit", "[errgroup]") {
  SECTION("never more than the limit active") {
    constexpr int limit = 10;
    goro::ErrGroup g;
    g.set_limit(limit);
    std::atomic<int> active = 0;
    std::atomic<int> max_active = 0;
    for (int i = 0; i <= 1 << 10; ++i) {
      g.go([&]() -> goro::Error {
        int n = ++active;
        int m = max_active.load();
        while (n > m && !max_active.compare_exchange_weak(m, n)) {
        }
        goro::yield();
        --active;
        return n > limit ? goro::errorf("saw {} active, limit {}", n, limit) : goro::Error{};
      });
    }
    CHECK_FALSE(g.wait());
    CHECK(max_active <= limit);
  }
  SECTION("go parks as [errgroup go] until a slot frees") {
    goro::ErrGroup g;
    g.set_limit(1);
    auto gate = goro::make_chan<goro::Unit>();
    auto second_ran = goro::make_chan<goro::Unit>(1);
    g.go([gate]() -> goro::Error {
      (void)gate.recv();
      return {};
    });
    auto go_returned = goro::make_chan<goro::Unit>(1);
    goro::go([g, second_ran, go_returned] {
      g.go([second_ran]() -> goro::Error {
        second_ran.send({});
        return {};
      });
      go_returned.send({});
    });
    await_blocked(1, WaitReason::group_go);
    for (const auto& t : goro::tasks())
      if (t.reason == WaitReason::group_go) CHECK(t.blocked_on.find("errgroup.Group") != std::string::npos);
    CHECK_FALSE(ready_now(go_returned));
    CHECK_FALSE(ready_now(second_ran));
    gate.send({});
    (void)go_returned.recv();
    (void)second_ran.recv();
    CHECK_FALSE(g.wait());
  }
}

GORO_TEST("EG_07_set_limit_while_active_panics", "[errgroup]") {
  goro::ErrGroup g;
  g.set_limit(2);
  auto gate = goro::make_chan<goro::Unit>();
  g.go([gate]() -> goro::Error {
    (void)gate.recv();
    return {};
  });
  CHECK(panic_value([&] { g.set_limit(3); }) ==
        "errgroup: modify limit while 1 goroutines in the group are still active");
  // A negative limit removes the limit, active tasks or not.
  g.set_limit(-1);
  for (int i = 0; i < 50; ++i) REQUIRE(g.try_go([gate]() -> goro::Error {
    (void)gate.recv();
    return {};
  }));
  gate.close();
  CHECK_FALSE(g.wait());
  g.set_limit(1);  // idle again: allowed
  CHECK(g.try_go([]() -> goro::Error { return {}; }));
  CHECK_FALSE(g.wait());

  // As in x/sync, only tasks started under a limit count: a group that never had one does not
  // panic (Go's len(nil channel) == 0).
  goro::ErrGroup unlimited;
  auto gate2 = goro::make_chan<goro::Unit>();
  unlimited.go([gate2]() -> goro::Error {
    (void)gate2.recv();
    return {};
  });
  CHECK(panic_value([&] { unlimited.set_limit(1); }).empty());
  gate2.close();
  CHECK_FALSE(unlimited.wait());
}

GORO_TEST("EG_08_limit_zero_go_blocks_forever", "[errgroup]") {
  int baseline = goro::num_tasks();
  goro::ErrGroup g;
  g.set_limit(0);
  auto ran = goro::make_chan<goro::Unit>(1);
  goro::go([g, ran] {
    g.go([ran]() -> goro::Error {
      ran.send({});
      return {};
    });
  });
  await_blocked(1, WaitReason::group_go);
  CHECK_FALSE(ready_now(ran));
  CHECK_FALSE(g.wait());  // nothing was started
  dojo::test::release_leftovers(baseline);  // nothing would ever admit it
  CHECK_FALSE(ready_now(ran));
}

GORO_TEST("EG_08_new_limit_readmits_blocked_go", "[errgroup]") {
  // Deliberate difference: in Go a Go blocked on the old zero limit stays blocked forever.
  goro::ErrGroup g;
  g.set_limit(0);
  auto ran = goro::make_chan<goro::Unit>(1);
  auto go_returned = goro::make_chan<goro::Unit>(1);
  goro::go([g, ran, go_returned] {
    g.go([ran]() -> goro::Error {
      ran.send({});
      return {};
    });
    go_returned.send({});
  });
  await_blocked(1, WaitReason::group_go);
  g.set_limit(1);
  (void)go_returned.recv();
  (void)ran.recv();
  CHECK_FALSE(g.wait());
}

GORO_TEST("EG_11_freed_slot_goes_to_first_blocked_go", "[errgroup]") {
  goro::ErrGroup g;
  g.set_limit(1);
  auto gate = goro::make_chan<goro::Unit>();
  auto order = goro::make_chan<int>(2);
  auto blocking = [gate]() -> goro::Error {
    (void)gate.recv();
    return {};
  };
  g.go(blocking);
  for (int i = 1; i <= 2; ++i) {
    goro::go([g, gate, order, i] {
      g.go([gate, order, i]() -> goro::Error {
        order.send(i);
        (void)gate.recv();
        return {};
      });
    });
    await_blocked(i, WaitReason::group_go);
  }
  CHECK_FALSE(g.try_go(blocking));  // full, and go() callers are queued
  gate.send({});                    // first task ends: its slot passes to go() #1
  CHECK(order.recv().value == 1);
  CHECK_FALSE(g.try_go(blocking));  // the slot was handed over, not freed
  gate.send({});
  CHECK(order.recv().value == 2);
  gate.send({});
  CHECK_FALSE(g.wait());
}

GORO_TEST("EG_12_capture_loop_variable_by_value", "[errgroup]") {
  goro::ErrGroup g;
  goro::Mutex mu;
  std::vector<int> seen;
  for (int i = 0; i < 3; ++i) {
    g.go([i, &mu, &seen]() -> goro::Error {  // [i]: each task gets its own i, like Go 1.22
      std::lock_guard lk(mu);
      seen.push_back(i);
      return {};
    });
  }
  CHECK_FALSE(g.wait());
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<int>{0, 1, 2});
}

// ---- RecoveringGroup and catch_panic ----------------------------------------------------------

TEST_CASE("RecoveringGroup_joins_errors_and_recovers_panics", "[errgroup]") {
  const goro::Error err1 = goro::new_error("first failure");
  goro::RecoveringGroup g;
  g.go([err1] { return err1; });
  g.go([]() -> goro::Error { goro::panic("boom"); });
  g.go([]() -> goro::Error { throw std::runtime_error("disk on fire"); });
  g.go([]() -> goro::Error { return {}; });
  goro::Error err = g.wait();
  REQUIRE(err);
  CHECK(goro::is(err, err1));
  std::vector<std::string> panics;
  for (const auto& e : goro::unwrap_all(err))
    if (auto p = goro::as<goro::PanicError>(e)) {
      panics.push_back(p->value);
      CHECK_FALSE(p->stack.empty());
      CHECK(e.message() == "panic: " + p->value);
    }
  std::sort(panics.begin(), panics.end());
  CHECK(panics == std::vector<std::string>{"boom", "disk on fire (std::runtime_error)"});
  CHECK(goro::unwrap_all(err).size() == 3);

  goro::RecoveringGroup ok;
  ok.go([]() -> goro::Error { return {}; });
  CHECK_FALSE(ok.wait());
}

TEST_CASE("catch_panic_turns_panics_into_PanicError", "[errgroup]") {
  CHECK_FALSE(goro::catch_panic([] {}));
  const goro::Error e = goro::new_error("plain");
  CHECK(goro::catch_panic([&] { return e; }) == e);

  goro::Error p = goro::catch_panic([] { goro::panic("send on closed channel"); });
  auto pe = goro::as<goro::PanicError>(p);
  REQUIRE(pe);
  CHECK(pe->value == "send on closed channel");
  CHECK(p.message() == "panic: send on closed channel");
  REQUIRE_FALSE(pe->stack.empty());
  CHECK_FALSE(pe->stack_string().empty());

  auto ex = goro::as<goro::PanicError>(goro::catch_panic([] { throw std::logic_error("bad"); }));
  REQUIRE(ex);
  CHECK(ex->value == "bad (std::logic_error)");

  auto odd = goro::as<goro::PanicError>(goro::catch_panic([] { throw 42; }));
  REQUIRE(odd);
  CHECK(odd->value == "unknown exception");

  // The leak-check release signal is never swallowed.
  CHECK_THROWS_AS(goro::catch_panic([] { throw goro::detail::TaskKilled{}; }), goro::detail::TaskKilled);
}

// ---- Deterministic mode ----------------------------------------------------------------------

TEST_CASE("EG_06_limit_holds_under_simulation", "[errgroup][sim]") {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    int active = 0, max_active = 0;
    goro::Error err;
    const goro::Error fail = goro::new_error("task 5 failed");
    auto r = goro::simulate(seed, [&] {
      goro::ErrGroup g;
      g.set_limit(2);
      auto log = goro::make_chan<int>(64);
      for (int i = 0; i < 8; ++i) {
        g.go([&, log, i]() -> goro::Error {
          ++active;
          max_active = std::max(max_active, active);
          log.send(i);
          --active;
          return i == 5 ? fail : goro::Error{};
        });
      }
      err = g.wait();
    });
    INFO("seed " << seed << "\n" << r.report);
    REQUIRE(r.ok());
    CHECK(max_active <= 2);
    CHECK(err == fail);
  }
}

TEST_CASE("EG_08_limit_zero_go_is_a_deadlock_under_simulation", "[errgroup][sim]") {
  auto r = goro::simulate(1, [] {
    goro::ErrGroup g;
    g.set_limit(0);
    g.go([]() -> goro::Error { return {}; });
  });
  REQUIRE(r.outcome == goro::SimResult::Outcome::deadlock);
  CHECK_THAT(r.report, Catch::Contains("[errgroup go (limit reached)]"));
  CHECK_THAT(r.report, Catch::Contains("errgroup.Group"));
}

TEST_CASE("EG_10_panic_in_task_is_not_recovered", "[errgroup][sim]") {
  // In free mode this ends the process (exit 2); a deterministic scope records it instead.
  bool wait_returned = false;
  auto r = goro::simulate(1, [&] {
    goro::ErrGroup g;
    g.go([]() -> goro::Error { goro::panic("boom in group"); });
    (void)g.wait();
    wait_returned = true;
  });
  REQUIRE(r.outcome == goro::SimResult::Outcome::panic);
  CHECK(r.panic_value == "boom in group");
  CHECK_FALSE(wait_returned);
}

TEST_CASE("EG_02_first_error_cancels_siblings_under_simulation", "[errgroup][sim]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    goro::Error err, seen_cause;
    const goro::Error doom = goro::new_error("doomed");
    auto r = goro::simulate(seed, [&] {
      auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
      g.go([ctx = ctx, &seen_cause]() -> goro::Error {
        (void)ctx.done().recv();
        seen_cause = goro::cause(ctx);
        return ctx.err();
      });
      g.go([doom] { return doom; });
      err = g.wait();
    });
    INFO("seed " << seed << "\n" << r.report);
    REQUIRE(r.ok());
    CHECK(err == doom);  // the sibling's Canceled comes second on every schedule
    CHECK(seen_cause == doom);
  }
}
