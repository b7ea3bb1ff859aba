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
  std::atomic<bool> stalled{false};
  std::mutex mu;
  std::condition_variable_any cv;
  std::jthread thread;  // last: started after everything it reads

  // Tasks started since construction that are still alive (adopted threads excluded).
  std::vector<TaskInfo> watched() const {
    std::vector<TaskInfo> out;
    for (auto& t : detail::task_infos(detail::free_scheduler()))
      if (!t.adopted && baseline.count(t.id) == 0) out.push_back(std::move(t));
    return out;
  }

  // The task list, unless the runtime's lock stays held (a thread stuck inside a goro
  // operation), in which case waiting for it would stall the watchdog too.
  std::optional<std::vector<TaskInfo>> try_watched() const {
    auto& m = detail::big_lock();
    for (int i = 0; i < 100; ++i) {
      if (m.try_lock()) {
        m.unlock();
        return watched();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  std::string report(const std::vector<TaskInfo>& ts, bool lock_stuck) const {
    int blocked = 0;
    for (const auto& t : ts) blocked += t.state == detail::TaskState::blocked ? 1 : 0;
    std::string why =
        lock_stuck ? "a thread holds the runtime's lock and does not return (stuck inside a goro operation)"
        : blocked == static_cast<int>(ts.size())
            ? "every task is blocked: a deadlock"
            : "a task runs without ever blocking (a busy loop, or blocking outside goro: a raw mutex, a "
              "sleep, a socket read)";
    std::string out = fmt::format(
        "goro watchdog: no progress for {} ms (watching since {}:{}): {}.\n", opts.quiet.count(), loc.file_name(),
        loc.line(), why);
    if (!ts.empty()) out += fmt::format("{} task(s) started since then are alive:\n\n{}", ts.size(), format_tasks(ts));
    return out;
  }

  void run(std::stop_token st) {
    using Clock = std::chrono::steady_clock;
    const auto tick = std::max(std::chrono::milliseconds(1), opts.quiet / 10);
    std::uint64_t last = detail::progress_count();
    auto since = Clock::now();
    std::unique_lock lk(mu);
    while (!st.stop_requested()) {
      (void)cv.wait_for(lk, st, tick, [] { return false; });
      if (st.stop_requested()) return;
      std::uint64_t now = detail::progress_count();
      if (now != last) {
        last = now;
        since = Clock::now();
        continue;
      }
      if (Clock::now() - since < opts.quiet) continue;
      auto ts = try_watched();
      if (ts && ts->empty()) {  // nothing of ours is alive: quiet, not stalled
        since = Clock::now();
        continue;
      }
      // A runnable task has been started or woken and waits for the OS to run its thread (a
      // busy machine). That is not a stall: wait until it has run, then a full `quiet` again.
      if (ts && std::any_of(ts->begin(), ts->end(), [](const TaskInfo& t) {
            return t.state == detail::TaskState::runnable;
          })) {
        since = Clock::now();
        continue;
      }
      stalled = true;
      std::string text = report(ts.value_or(std::vector<TaskInfo>{}), !ts);
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
