// Conformance: Go's time package (the conformance checklist of docs/go-to-cpp.md, TM-*).
//
// Real-time tests keep their sleeps short and only assert lower bounds ("did not fire before
// d had passed"), measured on goro::now(). Where an exact count of events over time matters
// (TM-06), the test runs in a deterministic scope on the virtual clock.
//
// No free-mode outcome may depend on how busy the machine is: the test thread can be
// descheduled between any two statements for longer than any short timer. So where a result
// depends on whether a timer fired before the next statement (stop() racing a 3 ms after_func,
// a timer still armed right after it was started), the deterministic run asserts the exact
// outcome (no virtual time passes between two statements), and the free-mode run asserts Go's
// contract for whichever outcome it observed.
#include <catch2/catch.hpp>

#include <string>

#include "support/helpers.hpp"
#include "support/dual.hpp"
#include "goro/goro.hpp"
#include "goro/select.hpp"
#include "goro/sim.hpp"
#include "goro/time.hpp"
#include "support/probe.hpp"
#include "support/settle.hpp"

using namespace std::chrono_literals;
using goro::Chan;
using goro::Time;
using goro::detail::WaitReason;

namespace {

using goro_test::panic_message;

/// A non-blocking receive: the value if one is ready now.
std::optional<Time> poll(const Chan<Time>& c) {
  Time v{};
  bool ok = false;
  if (goro::select(goro::on_recv(c, &v, &ok), goro::on_default()) == 0 && ok) return v;
  return std::nullopt;
}

}  // namespace

GORO_TEST("TM_01_timer_sends_the_time_once_after_at_least_d", "[time]") {
  Time start = goro::now();
  auto t = goro::new_timer(10ms);
  auto [v, ok] = t.c().recv();
  Time received = goro::now();
  REQUIRE(ok);
  CHECK(v - start >= 10ms);
  CHECK(received - start >= 10ms);
  // Once: nothing more is pending, and stop reports that the value was consumed.
  CHECK_FALSE(poll(t.c()));
  CHECK_FALSE(t.stop());
}

GORO_TEST("TM_01_after_is_new_timer_c", "[time]") {
  Time start = goro::now();
  auto c = goro::after(5ms);
  REQUIRE_FALSE(c.is_nil());
  auto [v, ok] = c.recv();
  REQUIRE(ok);
  CHECK(v - start >= 5ms);
  CHECK(goro::since(start) >= 5ms);
}

GORO_TEST("TM_01_non_positive_duration_fires_immediately", "[time]") {
  for (goro::Duration d : {goro::Duration::zero(), goro::Duration(-1s)}) {
    auto t = goro::new_timer(d);
    CHECK(poll(t.c()));  // available at once, like Go 1.23's receive on an expired timer
    CHECK(poll(goro::after(d)));
  }
}

GORO_TEST("TM_02_stop_before_fire_returns_true_and_nothing_is_received", "[time]") {
  auto t = goro::new_timer(1h);
  CHECK(t.stop());
  CHECK_FALSE(t.stop());  // already stopped
  CHECK_FALSE(poll(t.c()));
}

GORO_TEST("TM_02_stop_after_expiry_but_before_receive_returns_true_without_stale_value", "[time]") {
  auto t = goro::new_timer(1ms);
  // The sleep's timer is due after t's: when it returns, t has fired into its channel.
  goro::sleep(5ms);
  CHECK(t.stop());            // Go 1.23: not received yet counts as running
  CHECK_FALSE(poll(t.c()));   // and the stale value is gone
  CHECK_FALSE(t.stop());
}

GORO_TEST("TM_02_reset_after_expiry_discards_the_stale_value", "[time]") {
  auto t = goro::new_timer(1ms);
  goro::sleep(5ms);
  Time before_reset = goro::now();
  CHECK(t.reset(10ms));
  auto [v, ok] = t.c().recv();  // the new value, not the stale one
  REQUIRE(ok);
  CHECK(v - before_reset >= 10ms);
}

GORO_TEST("TM_02_drain_idiom_would_block_after_the_value_was_received", "[time]") {
  auto t = goro::new_timer(1ms);
  (void)t.c().recv();
  CHECK_FALSE(t.stop());      // `if (!t.stop()) <-t.C` would now receive...
  CHECK_FALSE(poll(t.c()));   // ...from an empty channel: it would hang. Use a select instead.
}

GORO_TEST("TM_03_reset_reports_whether_the_timer_was_active", "[time]") {
  auto t = goro::new_timer(1h);
  CHECK(t.reset(1h));  // active
  CHECK(t.reset(2ms));
  (void)t.c().recv();
  CHECK_FALSE(t.reset(2ms));  // fired and read
  auto [v, ok] = t.c().recv();  // fires again after the reset
  CHECK(ok);
  CHECK_FALSE(t.stop());
}

GORO_TEST("TM_03_uninitialized_timer_panics", "[time]") {
  goro::Timer t;
  CHECK(t.c().is_nil());
  CHECK(panic_message([&] { (void)t.stop(); }) == "time: Stop called on uninitialized Timer");
  CHECK(panic_message([&] { (void)t.reset(1s); }) == "time: Reset called on uninitialized Timer");
}

GORO_TEST("TM_04_after_func_runs_f_in_its_own_task", "[time]") {
  auto ran_in = goro::make_chan<std::uint64_t>(1);
  Time start = goro::now();
  auto t = goro::after_func(2ms, [ran_in] { ran_in.send(goro::current_task_id()); });
  CHECK(t.c().is_nil());
  auto [id, ok] = ran_in.recv();
  REQUIRE(ok);
  CHECK(id != goro::current_task_id());
  CHECK(goro::since(start) >= 2ms);
  CHECK_FALSE(t.stop());  // already started
}

GORO_TEST("TM_04_after_func_stopped_in_time_never_runs", "[time]") {
  auto ran = goro::make_chan<goro::Unit>(1);
  auto t = goro::after_func(3ms, [ran] { ran.send({}); });
  const bool stopped = t.stop();
  // On the virtual clock no time passes before stop(): it is in time. On real threads the
  // test may be descheduled for 3 ms first; then stop() is late and reports it.
  if (goro::in_simulation()) CHECK(stopped);
  CHECK_FALSE(t.stop());
  if (stopped) {
    goro::sleep(6ms);  // past the deadline it had
    CHECK(goro::select(goro::on_recv(ran), goro::on_default()) == 1);  // f never ran
  } else {
    CHECK(ran.recv().ok);  // stop() returned false: f has been started, and runs
  }
}

GORO_TEST("TM_04_stop_false_means_f_started_and_stop_does_not_wait", "[time]") {
  auto release = goro::make_chan<goro::Unit>();
  auto finished = goro::make_chan<goro::Unit>(1);
  int baseline = goro::num_tasks();
  auto t = goro::after_func(0ms, [=] {
    (void)release.recv();
    finished.send({});
  });
  dojo::test::await_blocked(1, WaitReason::chan_receive);  // f is running, blocked
  CHECK_FALSE(t.stop());                                   // returns although f has not finished
  CHECK(goro::select(goro::on_recv(finished), goro::on_default()) == 1);
  release.send({});
  (void)finished.recv();
  dojo::test::await_tasks_at_most(baseline);
}

GORO_TEST("TM_04_after_func_runs_even_if_the_handle_is_dropped_and_reset_reruns", "[time]") {
  auto ran = goro::make_chan<int>(4);
  (void)goro::after_func(1ms, [ran] { ran.send(1); });
  CHECK(ran.recv().value == 1);

  auto t = goro::after_func(1ms, [ran] { ran.send(2); });
  CHECK(ran.recv().value == 2);
  CHECK_FALSE(t.reset(1ms));
  CHECK(ran.recv().value == 2);  // f runs again
}

GORO_TEST("TM_05_non_positive_ticker_intervals_panic_and_tick_returns_nil", "[time]") {
  CHECK(panic_message([] { (void)goro::new_ticker(0s); }) == "non-positive interval for NewTicker");
  CHECK(panic_message([] { (void)goro::new_ticker(-1ns); }) == "non-positive interval for NewTicker");
  auto tk = goro::new_ticker(1h);
  CHECK(panic_message([&] { tk.reset(0s); }) == "non-positive interval for Ticker.Reset");
  CHECK(panic_message([&] { tk.reset(-5ms); }) == "non-positive interval for Ticker.Reset");
  tk.stop();
  CHECK(goro::tick(0s).is_nil());
  CHECK(goro::tick(-1s).is_nil());
}

GORO_TEST("TM_06_ticker_ticks_at_least_a_period_apart", "[time]") {
  Time start = goro::now();
  auto tk = goro::new_ticker(2ms);
  Time prev = start;
  for (int i = 0; i < 3; ++i) {
    auto [v, ok] = tk.c().recv();
    REQUIRE(ok);
    CHECK(v - prev >= 2ms);
    prev = v;
  }
  tk.stop();
}

TEST_CASE("TM_06_ticker_drops_ticks_for_slow_receivers_virtual_time", "[time]") {
  int queued = -1;
  bool still_open = false;
  auto run = goro::simulate(1, [&] {
    auto tk = goro::new_ticker(1ms);
    goro::sleep(20ms);  // a stall of 20 periods
    queued = 0;
    while (poll(tk.c())) ++queued;  // the virtual clock stands still while we run
    tk.stop();
    // Stop does not close the channel: a receive is not ready (a closed one would be).
    still_open = goro::select(goro::on_recv(tk.c()), goro::on_default()) == 1;
  });
  INFO(run.report);
  REQUIRE(run.ok());
  CHECK(queued == 1);
  CHECK(still_open);
}

TEST_CASE("TM_06_ticker_stop_and_reset_discard_pending_tick", "[time]") {
  auto run = goro::simulate(2, [] {
    auto tk = goro::new_ticker(1ms);
    goro::sleep(3ms);
    tk.reset(10ms);
    Time at = goro::now();
    if (poll(tk.c())) goro::panic("stale tick after reset");
    auto [v, ok] = tk.c().recv();
    if (!ok || v - at != 10ms) goro::panic("reset period not honoured");
    goro::sleep(15ms);
    tk.stop();
    if (poll(tk.c())) goro::panic("stale tick after stop");
  });
  INFO(run.report);
  CHECK(run.ok());
}

GORO_TEST("TM_07_a_destroyed_unfired_timer_leaves_no_pending_entry", "[time]") {
  int tasks = dojo::test::Settle::settled();  // an earlier test's task may still be exiting
  std::size_t base = goro::detail::armed_timers();
  {
    auto t = goro::new_timer(1h);
    auto copy = t;  // handles share one timer
    CHECK(goro::detail::armed_timers() == base + 1);
    {
      auto tk = goro::new_ticker(1h);
      CHECK(goro::detail::armed_timers() == base + 2);
    }
    CHECK(goro::detail::armed_timers() == base + 1);  // the ticker's entry went with it
    t = goro::Timer{};
    CHECK(goro::detail::armed_timers() == base + 1);  // `copy` still refers to it
  }
  CHECK(goro::detail::armed_timers() == base);
  CHECK(goro::num_tasks() == tasks);
  // A short timer destroyed before it fires must not fire into freed memory (ASan would see).
  { auto t = goro::new_timer(1ms); }
  goro::sleep(3ms);
  CHECK(goro::detail::armed_timers() == base);
}

GORO_TEST("TM_07_after_timer_is_released_once_it_fired", "[time]") {
  std::size_t base = goro::detail::armed_timers();
  auto c = goro::after(1ms);
  const std::size_t armed = goro::detail::armed_timers();
  if (goro::in_simulation()) {
    CHECK(armed == base + 1);  // no virtual time has passed: still pending
  } else if (armed == base) {
    // The test was descheduled for the whole millisecond: the timer has fired, was released,
    // and its value is waiting (it is released in the same step that delivers it).
    CHECK(c.len() == 1);
  } else {
    CHECK(armed == base + 1);
  }
  (void)c.recv();
  CHECK(goro::detail::armed_timers() == base);
}

TEST_CASE("time: sleep parks with reason sleep and honours its duration", "[time]") {
  goro::sleep(0s);  // returns at once
  goro::sleep(-1s);
  Time start = goro::now();
  goro::sleep(3ms);
  CHECK(goro::since(start) >= 3ms);

  int baseline = dojo::test::Settle::settled();  // an earlier test's task may still be exiting
  goro::go([] { goro::sleep(1h); });
  dojo::test::await_blocked(1, WaitReason::sleep);
  // Releasing the sleeper (a leak check) unwinds it and removes its timer.
  dojo::test::release_leftovers(baseline);
  CHECK(goro::num_tasks() == baseline);
}

TEST_CASE("time: virtual sleep and timers follow the virtual clock exactly", "[time]") {
  Time t0{}, t1{}, t2{};
  auto run = goro::simulate(3, [&] {
    t0 = goro::now();
    goro::sleep(30s);
    t1 = goro::now();
    auto t = goro::new_timer(5s);
    t2 = t.c().recv().value;
  });
  INFO(run.report);
  REQUIRE(run.ok());
  CHECK(t1 - t0 == 30s);
  CHECK(t2 - t1 == 5s);
}

TEST_CASE("time: duration and time formatting follow Go", "[time]") {
  using goro::format_duration;
  CHECK(format_duration(0s) == "0s");
  CHECK(format_duration(250ns) == "250ns");
  CHECK(format_duration(1500ns) == "1.5\u00b5s");
  CHECK(format_duration(1500us) == "1.5ms");
  CHECK(format_duration(1500ms) == "1.5s");
  CHECK(format_duration(2min) == "2m0s");
  CHECK(format_duration(1h + 2min + 3500ms) == "1h2m3.5s");
  CHECK(format_duration(-1s) == "-1s");
  Time y2k{std::chrono::sys_days{std::chrono::year{2000} / 1 / 1}.time_since_epoch()};
  CHECK(goro::format_time(y2k) == "2000-01-01 00:00:00 +0000 UTC");
  CHECK(goro::format_time(y2k + 1500ms) == "2000-01-01 00:00:01.5 +0000 UTC");
}
