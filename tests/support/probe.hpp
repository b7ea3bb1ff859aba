// Helpers for runtime tests: observe tasks without sleeping.
#pragma once

#include <optional>
#include <thread>

#include "goro/sim.hpp"
#include "goro/task.hpp"

namespace dojo::test {

/// Number of goro-started tasks currently blocked (for `reason`, if given).
inline int blocked_count(std::optional<goro::detail::WaitReason> reason = {}) {
  int n = 0;
  for (const auto& t : goro::tasks())
    if (!t.adopted && t.state == goro::detail::TaskState::blocked && (!reason || t.reason == *reason)) ++n;
  return n;
}

/// Waits (yielding, never sleeping) until at least `n` tasks are blocked for `reason`.
/// A test whose tasks never get there is ended by the watchdog with a task report.
inline void await_blocked(int n, std::optional<goro::detail::WaitReason> reason = {}) {
  while (blocked_count(reason) < n) {
    goro::yield();
    if (!goro::in_simulation()) std::this_thread::yield();
  }
}

/// Waits until the number of live goro tasks is at most `n` (tasks exit asynchronously).
inline void await_tasks_at_most(int n) {
  while (goro::num_tasks() > n) {
    goro::yield();
    if (!goro::in_simulation()) std::this_thread::yield();
  }
}

/// Releases tasks deliberately left blocked forever by a test (nil channels, select{}),
/// and waits for them to unwind, so later tests start from a clean baseline. In a
/// deterministic scope this is left to the end of the scope, which releases them itself.
inline void release_leftovers(int baseline) {
  if (goro::in_simulation()) return;
  goro::detail::release_blocked_tasks(goro::detail::current_scheduler());
  await_tasks_at_most(baseline);
}

}  // namespace dojo::test
