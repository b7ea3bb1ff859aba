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

// WD_05: holds the thread that receives SIGUSR1 until a byte arrives on the pipe.
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

TEST_CASE("WD_05_a_runnable_task_waiting_for_its_thread_is_not_a_stall", "[watchdog]") {
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
