// Tasks: goro's goroutines.
//
// `goro::go(f)` starts `f` as a new task and returns at once. In free mode the task is an OS
// thread; in deterministic mode a fiber. Capture what the task needs *by value* (Go 1.22's
// per-iteration loop variables are C++'s `[i]`, not `[&]`). An exception that escapes `f`
// is an unrecovered panic: the process prints the stacks and exits with code 2, as in Go.
#pragma once

#include <functional>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "goro/detail/sched.hpp"

namespace goro {

namespace detail {
void spawn_task(std::function<void()> body, std::string name, std::source_location loc);
}

/// Starts `f()` in a new task. Never blocks.
template <class F>
void go(F&& f, std::source_location loc = std::source_location::current()) {
  detail::spawn_task(std::function<void()>(std::forward<F>(f)), {}, loc);
}

/// Starts `f()` in a new task labelled `name` (shown in diagnostics and traces).
template <class F>
void go_named(std::string name, F&& f, std::source_location loc = std::source_location::current()) {
  detail::spawn_task(std::function<void()>(std::forward<F>(f)), std::move(name), loc);
}

/// The number of live tasks started by `goro::go` under the current scheduler (Go's
/// runtime.NumGoroutine, without counting threads goro did not start).
[[nodiscard]] int num_tasks();

/// A snapshot of one live task, for diagnostics, leak checks and tests.
struct TaskInfo {
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;
  std::string name;
  std::source_location started_at;
  bool adopted = false;                // a thread goro did not start (e.g. main)
  detail::TaskState state = detail::TaskState::running;
  detail::WaitReason reason = detail::WaitReason::none;
  std::string blocked_on;              // "chan int (cap 0, len 0)", empty when not blocked
  std::source_location blocked_at;     // the blocking operation
};

/// Every live task of the current scheduler (including adopted threads), ordered by id.
[[nodiscard]] std::vector<TaskInfo> tasks();

namespace detail {
/// tasks() of a given scheduler (for threads that are not goro tasks, e.g. a watchdog).
[[nodiscard]] std::vector<TaskInfo> task_infos(Scheduler& s);
/// A counter that moves whenever some task blocks, wakes, or exits (free-mode watchdog).
[[nodiscard]] std::uint64_t progress_count() noexcept;
/// A counter that moves whenever any scheduler gets anywhere: progress_count()'s events plus
/// every scheduling step of a deterministic scope (which may run for long without a task
/// blocking, e.g. a task that yields until ten thousand others have started). Watchdogs read
/// it to tell a slow run (on a busy or sanitized machine) from a stuck one. Approximate: a
/// heartbeat, not a count (concurrent scopes may lose each other's increments).
[[nodiscard]] std::uint64_t heartbeat() noexcept;
}  // namespace detail

/// Go-style report of tasks: "goroutine 7 [chan send]:\n  blocked on ...\ncreated by ...".
[[nodiscard]] std::string format_tasks(const std::vector<TaskInfo>& ts);

/// The id of the calling task (adopting the thread if needed).
[[nodiscard]] std::uint64_t current_task_id();

/// Yields the processor (Go's runtime.Gosched).
void yield();

}  // namespace goro
