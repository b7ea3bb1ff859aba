// A task that blocks outside goro in a deterministic scope (goro/sim.hpp, OutsideBlock): the
// scope's monitor says which task, what kind of wait, where in the program's own code, and that
// the virtual clock stood still. Nothing here depends on how long anything takes: each task
// waits outside goro until the callback itself releases it, so the callback must have come.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "goro/goro.hpp"

using namespace std::chrono_literals;

namespace {

// Runs `wait_outside(released)` in a task of a deterministic scope after 1 s of virtual time;
// the callback records what it was told and calls `release()`.
struct OutsideRun {
  std::optional<goro::OutsideBlock> seen;
  goro::Duration clock_at_block{};
  goro::SimResult result;
};

template <class Wait, class Release>
OutsideRun ob_run(Wait wait_outside, Release release, goro::SimOptions o = {}) {
  OutsideRun run;
  std::atomic<int> calls{0};
  o.outside_block_after = 50ms;
  o.outside_spin_after = 100ms;
  o.on_outside_block = [&](const goro::OutsideBlock& b) {
    if (calls++ == 0) run.seen = b;
    release();
  };
  goro::Time t0{};
  run.result = goro::simulate(o, [&] {
    t0 = goro::now();
    goro::sleep(1s);
    auto done = goro::make_chan<goro::Unit>();
    goro::go_named("outsider", [&, done] {
      run.clock_at_block = goro::now() - t0;
      wait_outside();
      done.close();
    });
    (void)done.recv();
  });
  return run;
}

}  // namespace

TEST_CASE("OB_01_a_wall_clock_sleep_is_reported_with_its_line", "[outside][sim-mode]") {
  std::atomic<bool> released{false};
  int line = 0;
  auto run = ob_run(
      [&] {
        line = __LINE__ + 1;
        while (!released.load()) std::this_thread::sleep_for(20ms);  // the wait under test
      },
      [&] { released = true; });
  INFO(run.result.report);
  REQUIRE(run.result.ok());
  REQUIRE(run.seen.has_value());
  const auto& b = *run.seen;
  INFO(b.report);
  CHECK(b.kind == goro::OutsideBlock::Kind::sleep);
  CHECK(b.task.name == "outsider");
  CHECK(b.syscall.find("nanosleep") != std::string::npos);
  CHECK(b.where == "tests/runtime/outside_block_test.cpp:" + std::to_string(line));
  CHECK(b.report.find("slept on the wall clock") != std::string::npos);
  CHECK(b.report.find("at " + b.where) != std::string::npos);
  CHECK(b.report.find("virtual clock did not move") != std::string::npos);
  CHECK(b.report.find("+1000 ms") != std::string::npos);  // where the clock stood: after the 1 s sleep
  CHECK(b.real >= 50ms);
}

TEST_CASE("OB_02_a_raw_lock_is_reported_as_a_futex_wait", "[outside][sim-mode]") {
  std::promise<void> gate;
  auto opened = gate.get_future();
  std::atomic<bool> once{false};
  auto run = ob_run([&] { opened.wait(); },
                    [&] {
                      if (!once.exchange(true)) gate.set_value();
                    });
  INFO(run.result.report);
  REQUIRE(run.result.ok());
  REQUIRE(run.seen.has_value());
  INFO(run.seen->report);
  CHECK(run.seen->kind == goro::OutsideBlock::Kind::lock);
  CHECK(run.seen->syscall == "futex");
#if !defined(__SANITIZE_THREAD__)  // ThreadSanitizer holds signals back during a futex wait: no stack then
  CHECK(run.seen->where.rfind("tests/runtime/outside_block_test.cpp:", 0) == 0);
#endif
}

TEST_CASE("OB_03_a_blocking_read_is_reported_with_its_system_call", "[outside][sim-mode]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::atomic<bool> once{false};
  auto run = ob_run(
      [&] {
        char c = 0;
        (void)!read(fds[0], &c, 1);
      },
      [&] {
        if (!once.exchange(true)) (void)!write(fds[1], "x", 1);
      });
  close(fds[0]);
  close(fds[1]);
  INFO(run.result.report);
  REQUIRE(run.result.ok());
  REQUIRE(run.seen.has_value());
  INFO(run.seen->report);
  CHECK(run.seen->kind == goro::OutsideBlock::Kind::io);
  CHECK(run.seen->syscall == "read");
  CHECK(run.seen->report.find("goro::blocking") != std::string::npos);
}

TEST_CASE("OB_04_a_spin_is_reported_as_a_busy_loop", "[outside][sim-mode]") {
  std::atomic<bool> released{false};
  auto run = ob_run([&] { while (!released.load()) {} }, [&] { released = true; });
  INFO(run.result.report);
  REQUIRE(run.result.ok());
  REQUIRE(run.seen.has_value());
  INFO(run.seen->report);
  CHECK(run.seen->kind == goro::OutsideBlock::Kind::spin);
  CHECK(run.seen->syscall.empty());
  CHECK(run.seen->report.find("run on the CPU") != std::string::npos);
}

TEST_CASE("OB_05_goro_waits_are_never_reported", "[outside][sim-mode]") {
  std::atomic<int> calls{0};
  goro::SimOptions o;
  o.outside_block_after = 1ms;
  o.outside_spin_after = 1ms;
  o.on_outside_block = [&](const goro::OutsideBlock&) { ++calls; };
  auto r = goro::simulate(o, [] {
    auto c = goro::make_chan<int>();
    goro::go([c] {
      for (int i = 0; i < 1000; ++i) {
        goro::sleep(1h);
        c.send(i);
      }
      c.close();
    });
    for (auto v = c.recv(); v.ok; v = c.recv()) {
    }
  });
  REQUIRE(r.ok());
  CHECK(calls == 0);
}
