// Deterministic mode: run a function as a scope of fibers on one OS thread, one task at a
// time, with the order of tasks chosen by a seeded PRNG and a virtual clock.
//
//   auto run = goro::simulate(42, [] { ...code that uses goro... });
//   if (!run.ok()) fmt::print("{}", run.report);   // deadlock, leak or panic, with seed
//
// Same seed and same program give the same run, choice for choice. Every goro operation
// (spawn, send, receive, select, lock, ...) is a scheduling point where another runnable task
// may be chosen; which one is decided by the strategy (see `Strategy`). The clock starts at
// 2000-01-01T00:00:00Z and stands still while any task can run; when every task is blocked
// and a timer is pending, it jumps to the earliest timer — a 30 s timeout costs microseconds.
//
// The scope ends when every task has exited. It ends early with
//   * `deadlock` — every task is blocked, no timer is pending and nothing outside goro is
//     awaited; the report names each blocked task, where it started, what it waits on, where;
//   * `leak` — `f` returned but other tasks remain blocked forever;
//   * `panic` — an exception escaped a task (in free mode this ends the process);
//   * `step_limit` — more than `max_steps` scheduling decisions (a livelock).
// Tasks still blocked when the scope ends are released (unwound), so the scope never leaks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "goro/detail/sched.hpp"
#include "goro/task.hpp"

namespace goro {

/// How the deterministic scheduler picks the next task.
enum class Strategy {
  /// Uniformly random among runnable tasks at every scheduling point.
  random,
  /// Probabilistic concurrency testing (Burckhardt et al., as in awslabs/shuttle): tasks get
  /// random distinct priorities; the highest-priority runnable task runs; at `depth - 1`
  /// randomly chosen steps the running task drops to the lowest priority. Finds bugs that
  /// need a few specific preemptions quickly, instead of spreading choices uniformly.
  pct,
};

/// One scheduling decision, as a SimOptions::chooser sees it.
struct SimDecision {
  std::uint64_t step = 0;  // 1-based number of this decision (SimResult::steps once made)
  /// The tasks that may run next, ordered by id (state runnable). For a task woken from a
  /// blocking operation, `reason`, `blocked_on` and `blocked_at` still describe that operation
  /// (what it is about to complete); for a task that was just started or preempted they are
  /// empty (reason none) and `started_at` says where it was started.
  std::vector<TaskInfo> runnable;
};

struct SimOptions {
  std::uint64_t seed = 1;
  Strategy strategy = Strategy::pct;
  int pct_depth = 3;                  // PCT's bug depth d
  std::uint64_t pct_expected_steps = 2000;  // where PCT places its priority change points
  std::uint64_t max_steps = 50'000'000;
  std::size_t stack_size = 128 * 1024;  // bytes of stack per task (four times that in ASan builds)
  /// A replay string from a previous run (SimResult::replay): follow its choices exactly.
  std::string replay;
  /// Optional: consulted at every scheduling decision made while the scope runs normally
  /// (not at the decisions that unwind a scope being stopped, and not while `replay` still
  /// has choices). Returns the id of one of `d.runnable` to run that task next, or 0 (or an
  /// id that is not runnable) to let `strategy` choose as if there were no chooser. Called on
  /// the simulating thread with the runtime's lock held: it must not call goro (no tasks(),
  /// no channel operations); goro::trace::events_written() is allowed. The choices it makes
  /// are part of SimResult::schedule/replay, so the replay string reproduces the run without
  /// it. Used by the visualizer's "You are the scheduler" game. Unset: no effect at all.
  std::function<std::uint64_t(const SimDecision& d)> chooser;
};

struct SimResult {
  enum class Outcome { ok, deadlock, leak, panic, step_limit };
  Outcome outcome = Outcome::ok;
  std::uint64_t seed = 0;
  std::uint64_t steps = 0;             // scheduling decisions made
  Time end_time{};                     // the virtual clock when the scope ended
  std::string report;                  // human-readable diagnosis when not ok
  std::vector<TaskInfo> stuck;         // tasks blocked at a deadlock or leak
  std::string panic_value;             // for Outcome::panic
  std::vector<std::uint64_t> schedule; // id of the task chosen at each decision
  std::string replay;                  // compact form of the choices; see SimOptions::replay

  [[nodiscard]] bool ok() const noexcept { return outcome == Outcome::ok; }
};

[[nodiscard]] const char* outcome_name(SimResult::Outcome o) noexcept;

/// Runs `f` as the first task of a deterministic scope and returns when the scope ends.
/// Must not be called from inside a deterministic scope.
SimResult simulate(const SimOptions& opts, std::function<void()> f);
inline SimResult simulate(std::uint64_t seed, std::function<void()> f) {
  SimOptions o;
  o.seed = seed;
  return simulate(o, std::move(f));
}

/// True when the calling task runs in a deterministic scope.
[[nodiscard]] bool in_simulation();

}  // namespace goro
