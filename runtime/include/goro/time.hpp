// Time: Go's `time` package (Now, Since, Sleep, After, Timer, AfterFunc, Ticker) on the
// runtime's clock.
//
// Every function here reads and waits on the clock of the current task's scheduler: the real
// clock in free mode, a virtual clock in deterministic mode. Never read std::chrono clocks
// directly in goro code.
//
//   goro::sleep(10ms);                                   // parks the task ("sleep")
//   switch (goro::select(goro::on_recv(jobs), goro::on_recv(goro::after(1s)))) { ... }
//
//   auto t = goro::new_timer(50ms);                      // fires once, on t.c()
//   if (t.stop()) { /* it will never fire; nothing stale can be received from t.c() */ }
//
// Timers follow Go 1.23's semantics: after `stop()` or `reset()` returns, no value sent for the
// old deadline can be received, and `stop()` reports true when the value had not been received
// yet, even if the deadline had already passed. There is no need (and no way) to drain the
// channel. The one visible difference: the channel has a one-slot buffer, so `c().cap()` is 1
// and `c().len()` may be 1 (Go 1.23 reports 0 for both).
//
// Timer and Ticker are handles: copies share one timer. When the last handle of a channel timer
// or ticker goes away, the timer is removed from the scheduler (Go 1.23 collects unreferenced
// timers). Timers started by `after_func` keep running without a handle, as in Go.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include "goro/chan.hpp"
#include "goro/detail/sched.hpp"

namespace goro {

/// time.Now: the current time on the runtime's clock.
[[nodiscard]] Time now();
/// time.Since: now() - t.
[[nodiscard]] Duration since(Time t);
/// time.Until: t - now().
[[nodiscard]] Duration until(Time t);

/// time.Sleep: parks the calling task for at least `d` (wait reason "sleep"). Returns at once
/// when d <= 0.
void sleep(Duration d, std::source_location loc = std::source_location::current());

/// time.Duration.String: "1h2m3.5s", "1.5ms", "250ns", "0s".
[[nodiscard]] std::string format_duration(Duration d);
/// time.Time.String without the monotonic part: "2000-01-01 00:00:00.5 +0000 UTC".
[[nodiscard]] std::string format_time(Time t);

namespace detail {
struct TimerState;
}

/// time.Timer: a single event. A channel timer sends the time it fired on `c()` once, at least
/// `d` after it was started; an `after_func` timer instead runs its function in a new task.
/// A default-constructed Timer is not a timer: stop/reset panic (as on Go's zero Timer).
class Timer {
 public:
  Timer() noexcept = default;

  /// The channel the time is delivered on; the nil channel for an after_func timer. Only
  /// receive from it (never send on it or close it).
  [[nodiscard]] Chan<Time> c() const;

  /// Stops the timer. Returns true if this call stopped it: the timer was running and its
  /// value had not been received yet (even if the deadline had passed), or its function had
  /// not been started. Returns false if the value was already received, the function already
  /// started (stop does not wait for it), or the timer was already stopped. After stop
  /// returns, no value can be received from c() until a reset.
  bool stop();

  /// Stops the timer and starts it again to fire `d` from now (d <= 0: fire now). Returns what
  /// stop() would have returned. Any value not yet received is discarded. An after_func timer
  /// runs its function again.
  bool reset(Duration d);

  /// True when both handles refer to the same timer.
  friend bool operator==(const Timer& a, const Timer& b) noexcept { return a.s_ == b.s_; }

 private:
  friend Timer new_timer(Duration d);
  friend Timer after_func(Duration d, std::function<void()> f, std::source_location loc);
  explicit Timer(std::shared_ptr<detail::TimerState> s) noexcept : s_(std::move(s)) {}
  std::shared_ptr<detail::TimerState> s_;
};

/// time.NewTimer: a timer that sends the current time on c() once, at least `d` from now.
/// d <= 0 makes the value available at once.
[[nodiscard]] Timer new_timer(Duration d);

/// time.After: `new_timer(d).c()`. The timer lives until it fires even if the channel is
/// dropped (in a loop prefer new_timer + stop, or a context deadline).
[[nodiscard]] Chan<Time> after(Duration d);

/// time.AfterFunc: after `d`, runs `f()` in a new task. The returned Timer's c() is nil; its
/// stop() returning false means f has already been started. The timer runs even if the
/// returned handle is dropped.
Timer after_func(Duration d, std::function<void()> f,
                 std::source_location loc = std::source_location::current());

/// time.Ticker: sends the time on c() every period. A receiver that falls behind misses ticks:
/// at most one tick waits in the channel. stop() does not close the channel.
class Ticker {
 public:
  Ticker() noexcept = default;

  /// The channel the ticks are delivered on. Only receive from it.
  [[nodiscard]] Chan<Time> c() const;
  /// Stops the ticker: no more ticks, and a tick not yet received is discarded. The channel
  /// stays open.
  void stop();
  /// Stops the ticker and restarts it with period `d`: the next tick comes `d` from now.
  /// Panics "non-positive interval for Ticker.Reset" when d <= 0.
  void reset(Duration d);

  friend bool operator==(const Ticker& a, const Ticker& b) noexcept { return a.s_ == b.s_; }

 private:
  friend Ticker new_ticker(Duration d);
  friend Chan<Time> tick(Duration d);
  explicit Ticker(std::shared_ptr<detail::TimerState> s) noexcept : s_(std::move(s)) {}
  std::shared_ptr<detail::TimerState> s_;
};

/// time.NewTicker: ticks every `d`, the first one `d` from now. Panics "non-positive interval
/// for NewTicker" when d <= 0.
[[nodiscard]] Ticker new_ticker(Duration d);

/// time.Tick: the channel of a ticker that is never stopped (it lives for the rest of the
/// program); the nil channel when d <= 0.
[[nodiscard]] Chan<Time> tick(Duration d);

namespace detail {

/// Number of timers started by this module (Timer, Ticker, after, after_func, tick) that are
/// queued in a scheduler right now. For leak tests.
[[nodiscard]] std::size_t armed_timers();

// ---- "this thread holds big_lock()" ----
//
// Callbacks that run with big_lock() held (timer `fire` callbacks, context cancellation) may
// drop the last handle of a goro object whose destructor must clean up under the lock (a
// Timer, a Context). These helpers let such code say "I hold the lock": destructors then clean
// up directly instead of locking again, and objects released with `release_later` are
// destroyed when the outermost marked scope ends (still under the lock), never in the middle
// of an operation.

/// Marks that this thread holds big_lock() for the lifetime of the scope. Never park inside.
class LockHeldScope {
 public:
  LockHeldScope() noexcept;
  ~LockHeldScope();
  LockHeldScope(const LockHeldScope&) = delete;
  LockHeldScope& operator=(const LockHeldScope&) = delete;
};

/// True inside a LockHeldScope on this thread.
[[nodiscard]] bool lock_held_here() noexcept;

/// Keeps `p` alive until the outermost LockHeldScope of this thread ends (or releases it at
/// once when there is none).
void release_later(std::shared_ptr<void> p);

/// Locks big_lock() unless this thread is inside a LockHeldScope; marks the scope either way.
class MaybeLock {
 public:
  MaybeLock();
  ~MaybeLock();
  MaybeLock(const MaybeLock&) = delete;
  MaybeLock& operator=(const MaybeLock&) = delete;

 private:
  Lock lk_;
  std::optional<LockHeldScope> mark_;
};

}  // namespace detail
}  // namespace goro
