// Exercise 23 — stress: a seeded fault injector, and a runner that runs a pipeline a thousand
// times under it and proves that the pipeline never hangs, never swallows a fault, never leaks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex23 {

/// The sentinel every injected fault wraps: goro::is(err, ErrInjected) finds any of them.
inline const goro::Error ErrInjected = goro::new_error("injected fault");

/// The error FaultInjector::maybe_fail returns for an operation it makes fail. Find it with
/// goro::as<InjectedFault>(err) (which fault, in which operation) or goro::is(err, ErrInjected).
struct InjectedFault {
  std::string op;  ///< the operation that was made to fail: what the pipeline passed to maybe_fail
  int n = 0;       ///< the fault's number in its injector: 1 for the first fault, 2 for the second, ...
  [[nodiscard]] std::string message() const { return fmt::format("injected fault #{} in {}", n, op); }
  [[nodiscard]] goro::Error unwrap() const { return ErrInjected; }
};

/// Decides, one call at a time, whether an operation of a pipeline fails.
///
/// Every decision comes from a pseudo-random generator seeded with `seed`, and from nothing
/// else: two injectors made with the same seed and rate, asked about the same operations in the
/// same order, fail exactly the same calls — which is what makes a failure found by a stress
/// run reproducible. Never use std::random_device, rand(), a generator shared between injectors,
/// or the clock. Injectors with different seeds make different decisions.
///
/// Safe to use from many tasks at once: the stages of a pipeline call it concurrently.
class FaultInjector {
 public:
  /// `rate` is the probability, in [0, 1], that one call of maybe_fail fails: 0 never, 1 always.
  FaultInjector(std::uint64_t seed, double rate);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  /// Called by a pipeline just before an operation that could fail ("read", "write", ...).
  /// With probability `rate` the operation fails: the count of faults grows by one, and the
  /// result is goro::make_error(InjectedFault{std::string(op), <the new count>}). Otherwise nil.
  [[nodiscard]] goro::Error maybe_fail(std::string_view op);

  /// The number of faults injected so far.
  [[nodiscard]] int injected() const;

 private:
  // Everything below is guarded by mu_. You may add fields of your own if your design needs them.
  mutable goro::Mutex mu_;
  std::mt19937_64 rng_;  // seed it with the constructor's seed
  double rate_ = 0;
  int injected_ = 0;
};

/// One run of the pipeline under test. It is handed the run's context and the run's injector,
/// asks the injector before each operation that could fail (faults.maybe_fail("write")), and
/// returns nil, or an error that carries the fault(s) it could not deal with.
using Pipeline = std::function<goro::Error(const goro::Context& ctx, FaultInjector& faults)>;

struct StressOptions {
  int runs = 1000;        ///< how many times the pipeline is run, one run after another
  double rate = 0.01;     ///< each run's injector fails this share of the operations
  std::uint64_t seed = 1; ///< run i (0-based) uses FaultInjector(seed + i, rate)
  /// How long a run's context lasts, and how long a run may take to return after that.
  goro::Duration per_run_limit = std::chrono::seconds(1);
};

enum class ProblemKind { hang, swallowed, leak };

/// "hang", "swallowed", "leak".
[[nodiscard]] constexpr std::string_view to_string(ProblemKind k) noexcept {
  switch (k) {
    case ProblemKind::hang: return "hang";
    case ProblemKind::swallowed: return "swallowed";
    case ProblemKind::leak: return "leak";
  }
  return "?";
}

/// One thing that went wrong in one run: enough to reproduce it (the run's seed) and to read
/// about it.
struct Problem {
  ProblemKind kind = ProblemKind::hang;
  int run = 0;             ///< the run's number, 0-based
  std::uint64_t seed = 0;  ///< its injector's seed: options.seed + run
  std::string detail;      ///< what was seen, for a person: "returned nil after 2 injected faults"
};

struct StressReport {
  int runs = 0;              ///< runs made
  int runs_with_faults = 0;  ///< runs whose injector injected at least one fault (hung runs included)
  int failed_runs = 0;       ///< runs that returned an error (a hung run never returned: not counted)
  int hangs = 0;             ///< runs that had not returned per_run_limit after their context ended
  int swallowed = 0;         ///< runs that returned, had faults injected, and whose error carries none
  int leaks = 0;             ///< runs that returned and left tasks of theirs alive behind them
  std::vector<Problem> problems;  ///< one per hang, swallowed run and leak, in the order of the runs

  /// No hang, nothing swallowed, nothing leaked.
  [[nodiscard]] bool clean() const noexcept { return hangs == 0 && swallowed == 0 && leaks == 0; }
};

/// Runs `pipeline` options.runs times, ONE RUN AFTER ANOTHER, and reports what went wrong.
/// Run i (0-based):
///   * gets a fresh FaultInjector(options.seed + i, options.rate), and a context that times out
///     options.per_run_limit after the run begins (derived from goro::background());
///   * runs in a task of its own, so that stress can stop waiting for it. A run that has not
///     returned options.per_run_limit after its context ended (so 2 × per_run_limit after it
///     began) is a HANG: stress counts it, records a problem, and goes on with the next run at
///     once. It cannot stop the stuck task, which may return long after stress has returned: that
///     task must then find alive everything it uses, and must be able to hand its result over
///     without blocking (a channel with room for one value).
///   * once it has returned, with error `err`:
///       - failed_runs counts it if err is not nil;
///       - it is SWALLOWED if its injector injected at least one fault but err is nil or
///         goro::as<InjectedFault>(err) finds nothing in it (the pipeline's own errors, in a run
///         without faults, are failures, never swallowed);
///       - it is a LEAK if tasks started during the run are still alive after it returned. Tasks
///         that are just finishing are not leaks: wait until each has exited or blocked
///         (goro::LeakCheck does exactly that).
///   * A hung run is a hang and nothing else: neither failed, nor swallowed, nor a leak.
///   * runs_with_faults counts it if its injector injected at least one fault.
/// Every duration is on the runtime's clock (goro::now, goro::after, new_timer, with_timeout):
/// virtual in the deterministic runs, where a one-second limit costs no real time at all.
/// Returns when the last run has returned or been declared hung; it leaves no task behind but
/// the stuck tasks of hung runs.
[[nodiscard]] StressReport stress(const Pipeline& pipeline, const StressOptions& options = {});

}  // namespace dojo::ex23
