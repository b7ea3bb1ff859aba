#include "support/watchdog.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <mutex>
#include <thread>

#include "goro/task.hpp"

namespace dojo::test {

namespace {

std::string task_report();

std::atomic<std::uint64_t> g_assertions{0};

std::uint64_t progress() { return goro::detail::heartbeat() + g_assertions.load(std::memory_order_relaxed); }

struct Watchdog {
  std::mutex mu;
  std::condition_variable_any cv;
  std::string name;
  std::uint64_t generation = 0;
  bool armed = false;
  std::jthread thread{[this](std::stop_token st) { run(st); }};

  static std::chrono::seconds limit() {
    const char* env = std::getenv("DOJO_WATCHDOG_SECONDS");
    int s = env != nullptr ? std::atoi(env) : 0;
    return std::chrono::seconds(s > 0 ? s : 30);
  }

  void run(std::stop_token st) {
    std::unique_lock lk(mu);
    while (!st.stop_requested()) {
      if (!armed) {
        cv.wait(lk, st, [&] { return armed; });
        continue;
      }
      // Sample the progress counters once a second; the case fails only after `limit()` of
      // real time in which none of them moved.
      const auto gen = generation;
      std::uint64_t last = progress();
      auto since = std::chrono::steady_clock::now();
      for (;;) {
        if (cv.wait_for(lk, st, std::chrono::seconds(1), [&] { return !armed || generation != gen; })) break;
        if (st.stop_requested()) return;
        const std::uint64_t now = progress();
        if (now != last) {
          last = now;
          since = std::chrono::steady_clock::now();
          continue;
        }
        if (std::chrono::steady_clock::now() - since < limit()) continue;
        std::string report = fmt::format(
            "\n[watchdog] test case \"{}\" made no progress for {} s (no task blocked, woke or exited, no "
            "deterministic scheduling step, no assertion): failing it instead of hanging.\n"
            "[watchdog] live tasks:\n{}",
            name, limit().count(), task_report());
        std::fputs(report.c_str(), stderr);
        std::fflush(stderr);
        std::_Exit(3);
      }
    }
  }
};

// The task report, unless the runtime's lock is stuck (a task deadlocked inside a goro
// operation), in which case waiting for it would hang the watchdog too.
std::string task_report() {
  auto& mu = goro::detail::big_lock();
  for (int i = 0; i < 200; ++i) {
    if (mu.try_lock()) {
      mu.unlock();
      return goro::format_tasks(goro::tasks());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "  (not available: the runtime's lock has been held for 2 s — a thread is stuck inside a goro "
         "operation)\n";
}

Watchdog& dog() {
  static Watchdog w;
  return w;
}

}  // namespace

void arm(const std::string& test_name) {
  auto& w = dog();
  std::lock_guard lk(w.mu);
  w.name = test_name;
  w.armed = true;
  ++w.generation;
  w.cv.notify_all();
}

void disarm() {
  auto& w = dog();
  std::lock_guard lk(w.mu);
  w.armed = false;
  ++w.generation;
  w.cv.notify_all();
}

}  // namespace dojo::test

namespace dojo::test {

void note_assertion() noexcept { g_assertions.fetch_add(1, std::memory_order_relaxed); }

}  // namespace dojo::test
