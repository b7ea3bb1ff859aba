// A weighted semaphore: golang.org/x/sync/semaphore.Weighted (x/sync >= v0.7).
//
//   goro::Semaphore sem(4);                        // at most 4 units in use
//   if (auto err = sem.acquire(ctx, 2)) return err; // cancelled: nothing acquired
//   use_two_units();
//   sem.release(2);
//
// Waiters are served strictly in arrival order, without barging: while anyone is waiting,
// `try_acquire` fails and a new `acquire` queues, even if enough units are free, so a large
// request is not starved by a stream of small ones. A request larger than the semaphore can
// never succeed; it waits only for its context and does not queue, so it holds nobody up.
#pragma once

#include <cstdint>
#include <deque>
#include <source_location>
#include <string>

#include "goro/context.hpp"
#include "goro/detail/sched.hpp"
#include "goro/detail/waitq.hpp"
#include "goro/error.hpp"

namespace goro {

class Semaphore final : public detail::Waitable {
 public:
  /// A semaphore with `n` units, all free.
  explicit Semaphore(std::int64_t n);
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;
  ~Semaphore() override;

  /// Acquires `n` units, blocking until they are available (and every earlier waiter has been
  /// served) or `ctx` is done. Returns nil on success. On cancellation returns `ctx.err()` and
  /// leaves the semaphore as it was. A context that is already done fails at once, even if the
  /// units are free; a context that ends while the units are being handed over also fails (and
  /// the units are given back).
  [[nodiscard]] Error acquire(const Context& ctx, std::int64_t n = 1,
                              std::source_location loc = std::source_location::current());

  /// Acquires `n` units if they are free and nobody is waiting; never blocks.
  [[nodiscard]] bool try_acquire(std::int64_t n = 1);

  /// Releases `n` units and hands freed units to the waiters in order. Panics
  /// "semaphore: released more than held" if more than are held would be released (nothing is
  /// released then).
  void release(std::int64_t n = 1);

  /// "semaphore.Weighted #6 (size 4, held 3, 2 waiting)".
  [[nodiscard]] std::string describe() const override;

 private:
  void notify_waiters();  // big_lock held

  const std::uint64_t id_;
  const std::int64_t size_;
  std::int64_t cur_ = 0;                  // guarded by big_lock()
  std::deque<detail::Sudog*> waiters_;    // guarded by big_lock(); elem -> std::int64_t wanted
};

}  // namespace goro
