// Watchdog: free mode's answer to a hang.
//
//   goro::Watchdog dog({.quiet = 5s});   // watches from here until it is destroyed
//   run_pipeline(ctx);                   // a deadlock here is reported, not waited out
//
// In free mode tasks are OS threads and nothing can prove a deadlock the way a
// deterministic scope does (goro::simulate reports one the moment every task is blocked).
// The watchdog does the next best thing: it watches the runtime's progress counter, which
// moves whenever a task blocks, wakes or exits. When the counter has not moved for `quiet`
// while tasks started since the watchdog was created are still alive (or the thread that
// created it is blocked), and no timer is due within `quiet` (a scope that sleeps is waiting
// for time, not stuck), the scope has stalled:
// either every task is blocked (a deadlock), or one runs without ever blocking (a busy loop,
// or code blocked outside goro: a raw std::mutex, a sleep, a socket read). A task that is
// runnable (started or woken, its thread not yet run by a busy machine) is not a stall: the
// quiet period starts again once it runs. The watchdog then
// calls `on_stall` once with a report naming each of those tasks, where it was started, and
// what it is blocked on and where (the same words as a deadlock report).
//
// The default `on_stall` prints the report to stderr and ends the process with exit code 3
// (a test or grader then fails with a diagnosis instead of hanging). A custom `on_stall` may
// instead unblock the scope (close a channel, cancel a context) so that the caller returns.
// on_stall runs on the watchdog's own thread, without the runtime's lock.
//
// With `max_events`, it also catches the opposite case: a scope that keeps moving without
// ever finishing (tasks that block and wake each other forever, a livelock). Once the
// progress counter has moved more than max_events times since the watchdog was created,
// on_stall is called with a report of the same kind.
//
// Both judgements are about progress, so a slow machine changes neither: a loaded or
// sanitized run makes the same events, only later, and `quiet` is a window of real time with
// no event at all. The window is measured on the steady clock on purpose: the watchdog
// watches the program from outside. In a deterministic scope it is not needed and does
// nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <string>

namespace goro {

struct WatchdogOptions {
  /// How long the runtime may make no progress before the scope counts as stalled.
  std::chrono::milliseconds quiet{10'000};
  /// How many progress events the scope may make before it counts as a livelock (0: no limit).
  std::uint64_t max_events = 0;
  /// Called once with the report; default: print to stderr and exit the process with 3.
  std::function<void(const std::string& report)> on_stall;
};

class Watchdog {
 public:
  using Options = WatchdogOptions;

  explicit Watchdog(Options opts = {}, std::source_location loc = std::source_location::current());
  /// Stops watching (joins the watchdog thread; waits for a running on_stall to return).
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// True once on_stall has been called.
  [[nodiscard]] bool stalled() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace goro
