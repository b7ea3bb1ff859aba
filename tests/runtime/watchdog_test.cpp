// The free-mode watchdog (goro/watchdog.hpp): a stalled scope is reported, not waited out.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <string>
#include <sys/wait.h>

#include "goro/goro.hpp"
#include "support/probe.hpp"

using namespace std::chrono_literals;

TEST_CASE("WD_01_free_mode_deadlock_is_reported_with_the_blocked_tasks", "[watchdog]") {
  const int base = goro::num_tasks();
  std::string report;
  auto unblock = goro::make_chan<goro::Unit>();
  auto c = goro::make_chan<int>();
  {
    goro::Watchdog dog({.quiet = 100ms, .on_stall = [&report, unblock](const std::string& r) {
                          report = r;
                          unblock.close();  // lets the stalled scope below return
                        }});
    goro::go_named("stuck-sender", [c] { c.send(1); });  // nobody receives
    (void)unblock.recv();
    CHECK(dog.stalled());
  }
  INFO(report);
  CHECK_THAT(report, Catch::Contains("every task is blocked: a deadlock"));
  CHECK_THAT(report, Catch::Contains("goroutine") && Catch::Contains("\"stuck-sender\" [chan send]"));
  CHECK_THAT(report, Catch::Contains("blocked on chan int"));
  CHECK_THAT(report, Catch::Contains("watchdog_test.cpp"));
  dojo::test::release_leftovers(base);
}

TEST_CASE("WD_02_a_task_that_never_blocks_is_reported_as_busy", "[watchdog]") {
  const int base = goro::num_tasks();
  std::string report;
  std::atomic<bool> stop{false};
  auto unblock = goro::make_chan<goro::Unit>();
  auto done = goro::make_chan<goro::Unit>(1);
  {
    goro::Watchdog dog({.quiet = 100ms, .on_stall = [&](const std::string& r) {
                          report = r;
                          stop = true;
                          unblock.close();
                        }});
    goro::go_named("spinner", [&stop, done] {
      while (!stop.load()) {
      }  // busy: never blocks inside goro
      done.send({});
    });
    (void)unblock.recv();
  }
  (void)done.recv();
  INFO(report);
  CHECK_THAT(report, Catch::Contains("runs without ever blocking"));
  CHECK_THAT(report, Catch::Contains("\"spinner\" [running]"));
  dojo::test::await_tasks_at_most(base);
}

TEST_CASE("WD_03_default_action_ends_the_process_with_a_report", "[watchdog]") {
  std::string cmd = fmt::format("{} free-deadlock-watchdog 2>&1", GORO_CRASH_PROBE);
  std::FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  INFO(out);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK_THAT(out, Catch::StartsWith("goro watchdog: no progress for 200 ms"));
  CHECK_THAT(out, Catch::Contains("\"lonely-sender\" [chan send]"));
  CHECK_THAT(out, Catch::Contains("crash_probe.cpp"));
}

TEST_CASE("WD_04_does_nothing_in_a_deterministic_scope", "[watchdog]") {
  auto r = goro::simulate(1, [] {
    goro::Watchdog dog({.quiet = 1ms, .on_stall = [](const std::string&) { FAIL("on_stall called"); }});
    goro::sleep(1h);  // virtual: a long quiet stretch costs nothing
    CHECK_FALSE(dog.stalled());
  });
  CHECK(r.ok());
}
