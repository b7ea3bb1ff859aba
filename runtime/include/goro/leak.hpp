// Leak checks: which tasks outlived the code that started them.
//
//   goro::LeakCheck leaks;            // remembers the tasks alive now
//   run_pipeline(ctx);
//   if (auto r = leaks.check()) fail(r.format());   // tasks started since, still alive
//
// `check()` first waits until every task started since the LeakCheck has exited or is
// blocked (a running task will do one or the other; once all are blocked, none can wake
// another). Whatever is still alive then is reported with its start site, its blocking
// operation and that operation's site. A task that never blocks nor exits keeps check()
// waiting: the test watchdog reports it. `release()` unwinds the leaked tasks that are
// blocked inside goro (their `park` throws, so their destructors run) and waits for them to
// exit, so the next test starts clean and the process can exit.
#pragma once

#include <source_location>
#include <string>
#include <unordered_set>
#include <vector>

#include "goro/detail/sched.hpp"
#include "goro/task.hpp"

namespace goro {

struct LeakReport {
  std::vector<TaskInfo> leaked;
  explicit operator bool() const noexcept { return !leaked.empty(); }
  /// goleak-style text: "found unexpected goroutines:" and one block per task.
  [[nodiscard]] std::string format() const;
};

class LeakCheck {
 public:
  explicit LeakCheck(std::source_location loc = std::source_location::current());

  /// The tasks started since construction that are still alive after the grace period.
  [[nodiscard]] LeakReport check();

  /// Releases (unwinds) every task started since construction that is blocked inside goro,
  /// and waits for them to exit. Returns how many were released.
  int release();

 private:
  [[nodiscard]] std::vector<TaskInfo> survivors() const;
  std::unordered_set<std::uint64_t> baseline_;
  std::source_location where_;
};

}  // namespace goro
