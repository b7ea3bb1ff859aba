// sync.WaitGroup: wait for a collection of tasks to finish.
//
//   goro::WaitGroup wg;
//   for (int i = 0; i < 3; ++i) wg.go([i] { work(i); });   // Go 1.25 wg.Go
//   wg.wait();
//
// The counter starts at zero. `add(n)` raises it (call it *before* starting the task it
// accounts for, never inside that task), `done()` lowers it by one, and `wait()` blocks until it
// is zero. A WaitGroup may be reused once every `wait` of the previous round has returned.
//
// Like Go's, a WaitGroup must not be copied or moved: tasks capture it by reference, and it
// must outlive them (a `wait()` before it goes out of scope guarantees that).
#pragma once

#include <cstdint>
#include <functional>
#include <source_location>
#include <string>
#include <utility>

#include "goro/detail/sched.hpp"
#include "goro/detail/waitq.hpp"
#include "goro/task.hpp"

namespace goro {

class WaitGroup final : public detail::Waitable {
 public:
  WaitGroup();
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;
  ~WaitGroup() override;

  /// Adds `delta` (may be negative) to the counter. When it reaches zero every blocked `wait`
  /// returns. Panics "sync: negative WaitGroup counter" if the counter would drop below zero
  /// (the counter is then left unchanged).
  void add(int delta);

  /// Lowers the counter by one: `add(-1)`.
  void done();

  /// Blocks until the counter is zero (at once if it already is). Panics "sync: WaitGroup is
  /// reused before previous Wait has returned" if, when this wait is woken by the counter
  /// reaching zero, someone has already called `add` again before it could return.
  void wait(std::source_location loc = std::source_location::current());

  /// Go 1.25 `wg.Go(f)`: `add(1)`, then runs `f()` in a new task that calls `done()` when `f`
  /// returns. `f` must not throw: as in Go, a panic in `f` ends the process, and `done()` is not
  /// called for it (so `wait()` cannot return and hide the crash).
  template <class F>
  void go(F&& f, std::source_location loc = std::source_location::current()) {
    add(1);
    goro::go(
        [this, fn = std::decay_t<F>(std::forward<F>(f))]() mutable {
          fn();
          done();
        },
        loc);
  }

  /// "sync.WaitGroup #3 (counter 2, waiters 1)".
  [[nodiscard]] std::string describe() const override;

 private:
  const std::uint64_t id_;
  std::int64_t counter_ = 0;    // guarded by big_lock()
  detail::WaitQueue waiters_;   // guarded by big_lock()
};

}  // namespace goro
