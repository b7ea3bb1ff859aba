// Free-mode watchdog (goro/watchdog.hpp).
#include "goro/watchdog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <unordered_set>
#include <vector>

#include "goro/sim.hpp"
#include "goro/task.hpp"

namespace goro {

struct Watchdog::State {
  Options opts;
  std::source_location loc;
  std::unordered_set<std::uint64_t> baseline;  // task ids alive at construction
  std::uint64_t creator = 0;                   // the task (or thread) that made the watchdog
  std::atomic<bool> stalled{false};
  std::mutex mu;
  std::condition_variable_any cv;
  std::jthread thread;  // last: started after everything it reads

  // The tasks the watchdog answers for: those started since construction that are still
  // alive (other adopted threads excluded), and the creator while it is blocked — a scope
  // whose own thread waits for something nobody will do is stuck too.
  std::vector<TaskInfo> watched() const {
    std::vector<TaskInfo> out;
    for (auto& t : detail::task_infos(detail::free_scheduler())) {
      const bool mine = !t.adopted && baseline.count(t.id) == 0;
      const bool creator_blocked = t.id == creator && t.state == detail::TaskState::blocked;
      if (mine || creator_blocked) out.push_back(std::move(t));
    }
    return out;
  }

  // The task list, unless the runtime's lock stays held (a thread stuck inside a goro
  // operation), in which case waiting for it would stall the watchdog too. Also says whether
  // a timer is due within the quiet window: the scope is then waiting for time, not stalled.
  struct Look {
    std::vector<TaskInfo> tasks;
    bool timer_due_soon = false;
  };
  std::optional<Look> try_look() const {
    auto& m = detail::big_lock();
    for (int i = 0; i < 100; ++i) {
      if (m.try_lock()) {
        auto& sched = detail::free_scheduler();
        const auto due = sched.next_timer_due();
        const bool soon = due && *due <= sched.now() + opts.quiet;
        m.unlock();
        return Look{watched(), soon};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  std::string report(const std::vector<TaskInfo>& ts, bool lock_stuck, bool livelock) const {
    int blocked = 0;
    for (const auto& t : ts) blocked += t.state == detail::TaskState::blocked ? 1 : 0;
    std::string out;
    if (livelock) {
      out = fmt::format(
          "goro watchdog: more than {} progress events without finishing (watching since {}:{}): the tasks keep "
          "blocking and waking each other and never get done (a livelock).\n",
          opts.max_events, loc.file_name(), loc.line());
    } else {
      std::string why =
          lock_stuck ? "a thread holds the runtime's lock and does not return (stuck inside a goro operation)"
          : blocked == static_cast<int>(ts.size())
              ? "every task is blocked: a deadlock"
              : "a task runs without ever blocking (a busy loop, or blocking outside goro: a raw mutex, a "
                "sleep, a socket read)";
      out = fmt::format("goro watchdog: no progress for {} ms (watching since {}:{}): {}.\n", opts.quiet.count(),
                        loc.file_name(), loc.line(), why);
    }
    if (!ts.empty()) out += fmt::format("{} task(s) started since then are alive:\n\n{}", ts.size(), format_tasks(ts));
    return out;
  }

  void run(std::stop_token st) {
    using Clock = std::chrono::steady_clock;
    // Often enough for both judgements: a tenth of the quiet window, at most 100 ms.
    const auto tick = std::clamp(opts.quiet / 10, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
    const std::uint64_t first = detail::progress_count();
    std::uint64_t last = first;
    auto since = Clock::now();
    std::unique_lock lk(mu);
    while (!st.stop_requested()) {
      (void)cv.wait_for(lk, st, tick, [] { return false; });
      if (st.stop_requested()) return;
      std::uint64_t now = detail::progress_count();
      const bool livelock = opts.max_events > 0 && now - first > opts.max_events;
      if (now != last && !livelock) {
        last = now;
        since = Clock::now();
        continue;
      }
      if (!livelock && Clock::now() - since < opts.quiet) continue;
      auto look = try_look();
      // Nothing of ours is alive, or a timer will fire before long: quiet, not stalled.
      if (look && (look->tasks.empty() || (!livelock && look->timer_due_soon))) {
        since = Clock::now();
        continue;
      }
      // A runnable task has been started or woken and waits for the OS to run its thread (a
      // busy machine). That is not a stall: wait until it has run, then a full `quiet` again.
      if (look && !livelock && std::any_of(look->tasks.begin(), look->tasks.end(), [](const TaskInfo& t) {
            return t.state == detail::TaskState::runnable;
          })) {
        since = Clock::now();
        continue;
      }
      stalled = true;
      std::string text = report(look ? look->tasks : std::vector<TaskInfo>{}, !look, livelock);
      lk.unlock();
      if (opts.on_stall) {
        opts.on_stall(text);
      } else {
        std::fputs(text.c_str(), stderr);
        std::fflush(stderr);
        std::_Exit(3);
      }
      return;  // one report per watchdog
    }
  }
};

Watchdog::Watchdog(Options opts, std::source_location loc) : state_(std::make_unique<State>()) {
  state_->opts = std::move(opts);
  state_->loc = loc;
  if (in_simulation()) return;  // a deterministic scope diagnoses its own deadlocks
  for (const auto& t : detail::task_infos(detail::free_scheduler())) state_->baseline.insert(t.id);
  state_->creator = current_task_id();
  state_->thread = std::jthread([s = state_.get()](std::stop_token st) { s->run(st); });
}

Watchdog::~Watchdog() {
  if (state_->thread.joinable()) {
    state_->thread.request_stop();
    state_->thread.join();
  }
}

bool Watchdog::stalled() const noexcept { return state_->stalled.load(); }

}  // namespace goro
