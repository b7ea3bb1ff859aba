#include "goro/leak.hpp"

#include <chrono>
#include <fmt/format.h>
#include <thread>

#include "goro/sim.hpp"

namespace goro {

std::string LeakReport::format() const {
  if (leaked.empty()) return {};
  return "found unexpected goroutines:\n" + format_tasks(leaked);
}

LeakCheck::LeakCheck(std::source_location loc) : where_(loc) {
  for (const auto& t : tasks()) baseline_.insert(t.id);
}

std::vector<TaskInfo> LeakCheck::survivors() const {
  std::vector<TaskInfo> out;
  const auto me = current_task_id();
  for (auto& t : tasks())
    if (!baseline_.contains(t.id) && t.id != me && !t.adopted) out.push_back(std::move(t));
  return out;
}

LeakReport LeakCheck::check() {
  // Wait until every task started since the baseline has exited or is blocked: a running
  // task will do one or the other, and once all of them are blocked none of them can wake
  // another. Deterministic scopes yield to let them run; free mode polls.
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    auto s = survivors();
    bool any_running = false;
    for (const auto& t : s)
      if (t.state != detail::TaskState::blocked) any_running = true;
    if (!any_running) return {std::move(s)};
    yield();
    if (!in_simulation()) {
      std::this_thread::sleep_for(pause);  // pacing only: the result does not depend on it
      pause = std::min(pause * 2, std::chrono::microseconds(5000));
    }
  }
}

int LeakCheck::release() {
  auto& sched = detail::current_scheduler();
  // Each task is counted once, however many rounds it takes: a task that swallows the release
  // and blocks again is released again, a bounded number of times.
  std::unordered_set<std::uint64_t> released;
  for (int round = 0; round < 100; ++round) {
    {
      detail::Lock lk(detail::big_lock());
      for (const auto& t : sched.tasks()) {
        if (t->adopted || baseline_.contains(t->id) || t->state != detail::TaskState::blocked) continue;
        sched.release(t.get());
        released.insert(t->id);
      }
    }
    if (check().leaked.empty()) break;
  }
  return static_cast<int>(released.size());
}

}  // namespace goro
