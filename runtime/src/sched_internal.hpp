// Private helpers shared by the schedulers.
#pragma once

#include <atomic>
#include <functional>
#include <new>
#include <utility>
#include <vector>

#include "goro/detail/sched.hpp"

namespace goro::detail {

/// A static that is constructed on first use and never destroyed, so that detached task
/// threads still running at process exit never see a destroyed scheduler.
template <class T>
class NoDestroy {
 public:
  template <class... A>
  explicit NoDestroy(A&&... a) {
    std::construct_at(reinterpret_cast<T*>(&storage_), std::forward<A>(a)...);
  }
  T& get() noexcept { return *std::launder(reinterpret_cast<T*>(&storage_)); }

 private:
  alignas(T) unsigned char storage_[sizeof(T)];
};

std::uint64_t next_task_id() noexcept;

/// Deterministic scheduling steps, for heartbeat(). Each scope's thread bumps it with a plain
/// load and store (no locked instruction on the hot path); a lost increment between two
/// concurrent scopes does not matter to a heartbeat.
extern std::atomic<std::uint64_t> g_steps;
inline void note_step() noexcept {
  g_steps.store(g_steps.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}
std::uint64_t next_global_object_id() noexcept;

/// Ends the process the way Go does for an unrecovered panic (exit code 2).
[[noreturn]] void die_with_panic(Task& t, const std::string& value, const std::vector<std::string>& stack);

/// Runs a task's body with `t` as the current task: a TaskKilled ends it quietly, any other
/// exception is an unrecovered panic that ends the process (exit code 2). With `mark_running`
/// it first marks a still-runnable task running (taking big_lock(); a scheduler that already
/// did so passes false).
void run_task_body(Task& t, std::function<void()>& body, bool mark_running = true);

/// Sets the task the calling thread/fiber runs (schedulers call this on every switch).
void set_current_task(Task* t) noexcept;

/// Creates (once) the Task record of a thread goro did not start.
Task* adopt_current_thread();

// A binary min-heap of timers ordered by (when, seq); entries know their index.
bool timer_less(const TimerEntry* a, const TimerEntry* b) noexcept;
void heap_push(std::vector<TimerEntry*>& h, TimerEntry* e);
void heap_remove(std::vector<TimerEntry*>& h, TimerEntry* e);

}  // namespace goro::detail
