// Settle: the start and end of a test's tasks, for tests that run one after another in one
// process and must not see each other's tasks.
#pragma once

#include <exception>
#include <thread>

#include "goro/goro.hpp"
#include "goro/sim.hpp"
#include "support/probe.hpp"

namespace dojo::test {

/// Marks the start and end of a test's tasks. On construction waits until every task still
/// finishing from an earlier test has exited and records how many live tasks remain (tasks
/// other tests left blocked are counted) as `base`; at the end of a passing test, waits until
/// the test's own tasks have exited too, so the next test starts from a settled state.
struct Settle {
  int base = settled();
  Settle() = default;
  Settle(const Settle&) = delete;
  Settle& operator=(const Settle&) = delete;
  ~Settle() {
    if (std::uncaught_exceptions() == 0) dojo::test::await_tasks_at_most(base);
  }
  /// The number of live tasks once every task still finishing from an earlier test has
  /// exited (or blocked). A deterministic scope has only its own tasks: its count, at once.
  static int settled() {
    if (goro::in_simulation()) return goro::num_tasks();
    for (;;) {
      bool busy = false;
      for (const auto& t : goro::tasks())
        if (!t.adopted && t.state != goro::detail::TaskState::blocked) busy = true;
      if (!busy) return goro::num_tasks();
      goro::yield();
      std::this_thread::yield();
    }
  }
};

}  // namespace dojo::test
