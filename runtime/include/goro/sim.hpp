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

#include <chrono>
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

/// A task of a deterministic scope that stopped reaching goro operations: it sleeps, waits or
/// spins outside goro (std::this_thread::sleep_for, a raw std::mutex, a blocking read, a busy
/// loop). Every task of the scope shares one OS thread, so while it does, no other task runs
/// and the virtual clock stands still. See SimOptions::on_outside_block.
struct OutsideBlock {
  enum class Kind {
    sleep,  // asleep on the wall clock (nanosleep: std::this_thread::sleep_for, usleep, ...)
    lock,   // waiting on a futex: std::mutex, std::condition_variable, std::future, a join
    io,     // waiting for a file descriptor or a child: read, recv, poll, accept, waitpid, ...
    other,  // asleep in another system call
    spin,   // running on the CPU without ever reaching a goro operation
  };
  Kind kind = Kind::other;
  TaskInfo task;                 // the task (id, name, where it was started)
  std::string syscall;           // the system call it sleeps in ("" for spin)
  std::string where;             // "file:line" of the innermost frame of the program's own code
                                 // (not goro, not the standard library), "" when unknown
  std::vector<std::string> stack;  // its stack, innermost first ("function at file:line")
  std::chrono::milliseconds real{0};  // how long it has been like this, in real time
  Time virtual_now{};            // the virtual clock, which has not moved meanwhile
  std::string report;            // all of the above explained, ready to print
};

/// A short name of the kind ("wall-clock sleep", "raw lock", "blocking I/O", ...).
[[nodiscard]] const char* outside_block_kind_name(OutsideBlock::Kind k) noexcept;

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
  /// Optional: called, on a thread of goro's own, when the running task has slept on the
  /// wall clock for `outside_block_after` of real time (four times that for a futex or I/O
  /// wait, which on a busy machine may also be brief contention), or has spun on the CPU for
  /// `outside_spin_after` of CPU time, without reaching a goro operation. Called at most
  /// once per such stretch. It may end the process (a grader does: waiting longer proves
  /// nothing); if it returns, the scope goes on waiting for the task. Unset: goro only warns
  /// on stderr after 5 s (see goro/blocking.hpp).
  std::function<void(const OutsideBlock&)> on_outside_block;
  std::chrono::milliseconds outside_block_after{200};
  std::chrono::milliseconds outside_spin_after{2000};
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
