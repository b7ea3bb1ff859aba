// sync.Mutex and sync.RWMutex, parking through the goro scheduler.
//
//   goro::Mutex mu;
//   {
//     std::lock_guard lk(mu);     // Mutex is BasicLockable / Lockable
//     balance += x;
//   }
//
// A blocked `lock` parks the task (it shows as [sync.Mutex.Lock] in diagnostics, with the
// mutex it waits on); it never blocks an OS thread on an OS mutex. Unlocking hands the mutex
// directly to the longest-waiting task (FIFO), so nobody starves.
//
// As in Go, a mutex is not owned by a task: any task may unlock a mutex another task locked,
// and locking a mutex twice in the same task deadlocks that task. Unlocking a mutex that is not
// locked is a fatal error, not a panic: the process prints
// "fatal error: sync: unlock of unlocked mutex" and exits with code 2; it cannot be caught.
//
// Mutexes must not be copied or moved.
#pragma once

#include <cstdint>
#include <deque>
#include <source_location>
#include <string>

#include "goro/detail/sched.hpp"
#include "goro/detail/waitq.hpp"

namespace goro {

class Mutex final : public detail::Waitable {
 public:
  Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  ~Mutex() override;

  /// Locks the mutex, blocking while another lock holds it.
  void lock(std::source_location loc = std::source_location::current());
  /// Locks the mutex if it is free and nobody is queued for it; never blocks.
  [[nodiscard]] bool try_lock();
  /// Unlocks. Fatal error (exit 2) if the mutex is not locked.
  void unlock();

  /// "sync.Mutex #3 (locked by goroutine 7, 2 waiting)" / "sync.Mutex #3 (unlocked)".
  [[nodiscard]] std::string describe() const override;

 private:
  void unlock_locked(detail::Lock& lk);

  const std::uint64_t id_;
  bool locked_ = false;          // guarded by big_lock()
  std::uint64_t holder_ = 0;     // task that last locked it (diagnostics only)
  detail::WaitQueue waiters_;    // guarded by big_lock()
};

/// A reader/writer mutex: any number of readers, or one writer.
///
/// Writers are not starved: once a writer is waiting, new `rlock` calls wait behind it. Waiters
/// are served in arrival order; consecutive waiting readers are admitted together. As in Go, a
/// reader must not `rlock` again while it holds a read lock (a writer queued in between would
/// deadlock it). Unlocking a lock that is not held is a fatal error ("sync: Unlock of unlocked
/// RWMutex", "sync: RUnlock of unlocked RWMutex"). Also works with std::shared_lock.
class RWMutex final : public detail::Waitable {
 public:
  RWMutex();
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;
  ~RWMutex() override;

  /// Locks for writing, blocking while readers or a writer hold the lock.
  void lock(std::source_location loc = std::source_location::current());
  [[nodiscard]] bool try_lock();
  void unlock();

  /// Locks for reading, blocking while a writer holds the lock or is waiting for it.
  void rlock(std::source_location loc = std::source_location::current());
  [[nodiscard]] bool try_rlock();
  void runlock();

  // SharedLockable spelling, for std::shared_lock.
  void lock_shared(std::source_location loc = std::source_location::current()) { rlock(loc); }
  [[nodiscard]] bool try_lock_shared() { return try_rlock(); }
  void unlock_shared() { runlock(); }

  /// "sync.RWMutex #4 (2 readers, 1 waiting)".
  [[nodiscard]] std::string describe() const override;

 private:
  void admit_waiters();  // big_lock held
  void unlock_locked(detail::Lock& lk);
  void runlock_locked(detail::Lock& lk);

  const std::uint64_t id_;
  bool writer_ = false;      // guarded by big_lock()
  int readers_ = 0;          // guarded by big_lock()
  std::deque<detail::Sudog*> waiters_;  // big_lock(); Sudog::case_index: 0 = reader, 1 = writer
};

namespace detail {
/// Takes big_lock() at a scheduling point (see preempt_point): how every sync operation starts.
[[nodiscard]] Lock lock_at_point();

/// Prints "fatal error: <msg>", the current task's stack and the other tasks, and exits with
/// code 2 (Go's runtime.fatal / throw: not a panic, cannot be recovered).
[[noreturn]] void fatal_error(const std::string& msg);
}  // namespace detail

}  // namespace goro
