// The free-mode watchdog (goro/watchdog.hpp): a stalled scope is reported, not waited out.
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <pthread.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "goro/goro.hpp"
#include "support/probe.hpp"

using namespace std::chrono_literals;

namespace {

// WD_08: holds the thread that receives SIGUSR1 until a byte arrives on the pipe.
int g_hold_pipe[2] = {-1, -1};
std::atomic<bool> g_held{false};
extern "C" void hold_this_thread(int) {
  g_held.store(true);
  char c = 0;
  while (::read(g_hold_pipe[0], &c, 1) < 0 && errno == EINTR) {
  }
}

}  // namespace

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

TEST_CASE("WD_05_a_scope_that_never_finishes_is_reported_after_max_events", "[watchdog]") {
  const int base = goro::num_tasks();
  std::string report;
  auto stop = goro::make_chan<goro::Unit>();
  auto ping = goro::make_chan<int>();
  auto pong = goro::make_chan<int>();
  auto bounce = [stop](goro::Chan<int> in, goro::Chan<int> out) {
    for (;;) {
      int v = 0;
      if (goro::select(goro::on_recv(in, &v), goro::on_recv(stop)) == 1) return;
      if (goro::select(goro::on_send(out, v + 1), goro::on_recv(stop)) == 1) return;
    }
  };
  {
    // A huge quiet window: only the event budget can end this scope.
    goro::Watchdog dog({.quiet = 1h, .max_events = 2'000, .on_stall = [&report, stop](const std::string& r) {
                          report = r;
                          stop.close();  // lets the players below return
                        }});
    goro::go_named("ping", [=] { bounce(ping, pong); });
    goro::go_named("pong", [=] { bounce(pong, ping); });
    ping.send(0);
    (void)stop.recv();
    CHECK(dog.stalled());
  }
  INFO(report);
  CHECK_THAT(report, Catch::Contains("more than 2000 progress events without finishing"));
  CHECK_THAT(report, Catch::Contains("a livelock"));
  CHECK_THAT(report, Catch::Contains("\"ping\"") && Catch::Contains("\"pong\""));
  dojo::test::await_tasks_at_most(base);
}

TEST_CASE("WD_06_the_creator_blocked_alone_is_a_deadlock", "[watchdog]") {
  std::string report;
  auto never = goro::make_chan<goro::Unit>();
  {
    goro::Watchdog dog({.quiet = 100ms, .on_stall = [&report, never](const std::string& r) {
                          report = r;
                          never.close();  // lets the creator return
                        }});
    (void)never.recv();  // nobody else exists to send
    CHECK(dog.stalled());
  }
  INFO(report);
  CHECK_THAT(report, Catch::Contains("every task is blocked: a deadlock"));
  CHECK_THAT(report, Catch::Contains("[chan receive]"));
}

TEST_CASE("WD_07_a_scope_waiting_for_a_timer_is_not_stalled", "[watchdog]") {
  // Each sleep is longer than the quiet window, but its timer is always due within it once
  // the window has passed: waiting for time, not stuck. However late the timer thread runs.
  goro::Watchdog dog({.quiet = 100ms, .on_stall = [](const std::string& r) { FAIL("on_stall called:\n" << r); }});
  for (int i = 0; i < 3; ++i) goro::sleep(150ms);
  CHECK_FALSE(dog.stalled());
}

TEST_CASE("WD_08_a_runnable_task_waiting_for_its_thread_is_not_a_stall", "[watchdog]") {
  // On a busy machine a started or woken task may wait long for the OS to run its thread;
  // goro sees it as runnable. Here a woken task's thread is held (in a signal handler) for
  // longer than `quiet`: the watchdog must wait for it, not report a busy loop.
  const int base = goro::num_tasks();
  REQUIRE(::pipe(g_hold_pipe) == 0);
  struct sigaction hold {}, previous {};
  hold.sa_handler = hold_this_thread;
  sigemptyset(&hold.sa_mask);
  REQUIRE(sigaction(SIGUSR1, &hold, &previous) == 0);
  std::string report;
  auto thread_of_task = goro::make_chan<pthread_t>(1);
  auto wake = goro::make_chan<int>();
  auto done = goro::make_chan<goro::Unit>();
  bool stalled = false;
  {
    goro::Watchdog dog({.quiet = 100ms, .on_stall = [&report](const std::string& r) { report = r; }});
    goro::go_named("woken-late", [=] {
      thread_of_task.send(pthread_self());
      (void)wake.recv();
      done.close();
    });
    const pthread_t t = thread_of_task.recv().value;
    dojo::test::await_blocked(1, goro::detail::WaitReason::chan_receive);
    REQUIRE(pthread_kill(t, SIGUSR1) == 0);
    while (!g_held.load()) std::this_thread::yield();
    wake.send(1);  // hands the value over: the task is runnable, its thread still held
    // Held for five quiet periods at least (a sleep cannot end early, and the outcome does
    // not depend on how much longer it lasts).
    std::thread releaser([] {
      std::this_thread::sleep_for(500ms);
      const char c = 1;
      (void)!::write(g_hold_pipe[1], &c, 1);
    });
    (void)done.recv();
    releaser.join();
    stalled = dog.stalled();
  }
  sigaction(SIGUSR1, &previous, nullptr);
  ::close(g_hold_pipe[0]);
  ::close(g_hold_pipe[1]);
  g_held = false;
  INFO(report);
  CHECK_FALSE(stalled);
  dojo::test::await_tasks_at_most(base);
}
