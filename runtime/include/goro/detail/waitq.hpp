// Wait queues shared by channels and select (Go's sudog / waitq). Lock: big_lock().
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "goro/detail/sched.hpp"

namespace goro::detail {

/// The state of one blocked select, shared by all its queued cases.
struct SelectWait {
  int fired = -1;  // index of the case that completed, -1 while still waiting
};

/// One task waiting in one channel queue. Lives on the waiting task's stack.
struct Sudog {
  Task* task = nullptr;
  void* elem = nullptr;        // send: T* to move from; receive: std::optional<T>* to fill (may be null)
  bool ok = false;             // receive: true if a value was delivered, false if woken by close
  bool closed = false;         // send: woken because the channel was closed (→ panic)
  SelectWait* sel = nullptr;   // non-null when part of a select
  int case_index = -1;
  std::uint64_t msg = 0;       // trace message id of the value handed over

  /// A select sudog whose select already completed through another case is stale.
  [[nodiscard]] bool stale() const noexcept { return sel != nullptr && sel->fired >= 0; }
};

class WaitQueue {
 public:
  void push(Sudog* s) { q_.push_back(s); }
  void remove(Sudog* s) {
    for (auto it = q_.begin(); it != q_.end(); ++it)
      if (*it == s) {
        q_.erase(it);
        return;
      }
  }
  /// Removes and returns the first waiter that can still be woken, or null.
  Sudog* pop() {
    while (!q_.empty()) {
      Sudog* s = q_.front();
      q_.pop_front();
      if (!s->stale()) return s;
    }
    return nullptr;
  }
  [[nodiscard]] bool has_live() const {
    for (Sudog* s : q_)
      if (!s->stale()) return true;
    return false;
  }
  [[nodiscard]] std::size_t size() const noexcept { return q_.size(); }
  template <class F>
  void drain(F&& f) {
    while (Sudog* s = pop()) f(s);
  }

 private:
  std::deque<Sudog*> q_;
};

/// Completes a waiter: marks its select (if any) as fired by this case and wakes its task.
inline void ready(Sudog* s) {
  if (s->sel != nullptr) s->sel->fired = s->case_index;
  s->task->sched->unpark(s->task);
}

}  // namespace goro::detail
