// Exercise 25 — cancel_timing: a test tool that proves a pipeline stops promptly once its
// context is cancelled, and names the stage that does not.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex25 {

/// The pipeline under test: it runs until it is done or until `ctx` ends, and returns its error.
/// Its stages are tasks it starts itself; a stage started with goro::go_named (or
/// ErrGroup::go_named) carries a name, which is how a report can point at it.
using Pipeline = std::function<goro::Error(const goro::Context& ctx)>;

/// How one measurement is made. Every duration is on the runtime's clock (goro::now): virtual
/// under the grader's deterministic runs, real on real threads.
struct MeasureOptions {
  /// How long the pipeline runs before its context is cancelled, counted from its start.
  goro::Duration cancel_after = std::chrono::seconds(1);
  /// The longest acceptable time from the cancel to the pipeline's return. Exactly `limit` is
  /// still prompt (latency <= limit).
  goro::Duration limit = std::chrono::milliseconds(100);
  /// How long after the cancel the tool waits for the pipeline at most (always more than
  /// `limit`). A pipeline that has not returned by then is reported as stuck, and the tool
  /// returns without it.
  goro::Duration cap = std::chrono::seconds(2);
};

/// What one measurement found.
struct CancelReport {
  /// The pipeline returned by itself before the cancel was due: there was no cancel, so there
  /// is no latency (it is zero) and no stage to name; `err` is what the pipeline returned.
  bool finished_before_cancel = false;
  /// The pipeline had still not returned `cap` after the cancel. `latency` is then `cap` (how
  /// long the tool waited) and `err` is nil.
  bool stuck = false;
  /// From the moment of the cancel to the moment the pipeline returned, on the runtime's clock.
  goro::Duration latency{};
  /// What the pipeline returned (nil while it has not returned).
  goro::Error err;
  /// Filled only when the pipeline was too slow (latency > limit) or stuck: the tasks the
  /// pipeline started that were still alive at the moment the limit passed (cancel + limit),
  /// in the order they were started. Each entry is the task's name, or "task <id>" for a task
  /// without one. The task that runs the pipeline function itself is not listed.
  std::vector<std::string> stages;
};

/// Runs `pipeline` with a cancellable context derived from `ctx` (so the caller's values reach
/// it), in a task of its own, and measures how long it takes to return once cancelled:
///
///   * the pipeline runs for `opts.cancel_after`; if it returns before that, measure_cancel
///     returns at once with finished_before_cancel;
///   * otherwise measure_cancel cancels the context and measures, with goro::now(), the time
///     from the cancel to the pipeline's return;
///   * at cancel + `opts.limit` it looks at which of the pipeline's tasks are still alive
///     (goro::tasks()), for the report, in case the pipeline turns out too slow;
///   * it waits at most `opts.cap` after the cancel: a pipeline that never returns does not hang
///     the tool (stuck).
///
/// measure_cancel returns as soon as the pipeline has returned, or at cancel + cap. It always
/// releases the context it derived, and it leaves no task of its own behind: if it stopped
/// waiting for a stuck pipeline, its task still exits once the pipeline returns, even though
/// nobody waits for it any more.
[[nodiscard]] CancelReport measure_cancel(const goro::Context& ctx, const Pipeline& pipeline,
                                          const MeasureOptions& opts = {});

/// The error of a pipeline that did not stop promptly. goro::as<SlowCancelError> finds it.
struct SlowCancelError {
  goro::Duration latency{};          // cancel → return; for a stuck pipeline, the cap
  goro::Duration limit{};            // the limit it exceeded
  std::vector<std::string> stages;   // CancelReport::stages
  bool stuck = false;                // it had not returned after the cap

  /// "returned 250ms after the cancel (limit 100ms); still running at the limit: stage 'resize'"
  /// "did not return within 2s after the cancel (limit 100ms); still running at the limit:
  ///  stages 'resize', 'upload'"
  [[nodiscard]] std::string message() const {
    std::string m = stuck ? "did not return within " + goro::format_duration(latency) + " after the cancel"
                          : "returned " + goro::format_duration(latency) + " after the cancel";
    m += " (limit " + goro::format_duration(limit) + "); still running at the limit: ";
    if (stages.empty()) return m + "the pipeline function itself";
    m += stages.size() == 1 ? "stage " : "stages ";
    for (std::size_t i = 0; i < stages.size(); ++i) m += (i == 0 ? "'" : ", '") + stages[i] + "'";
    return m;
  }
};

/// What check_prompt returns for a pipeline that returned before the cancel: the test proved
/// nothing, and saying "prompt" would be a lie.
inline const goro::Error ErrNothingToMeasure =
    goro::new_error("the pipeline returned before the cancel: nothing to measure");

/// The verdict of one measure_cancel(ctx, pipeline, opts):
///   * nil when the pipeline returned within the limit after the cancel (latency <= limit);
///   * a SlowCancelError{latency, limit, stages, stuck} (goro::make_error) when it returned
///     later than the limit, or not at all within the cap (stuck, latency = cap);
///   * an error that goro::is finds ErrNothingToMeasure in when it returned before the cancel.
/// The pipeline's own error (usually ctx.err()) does not change the verdict.
[[nodiscard]] goro::Error check_prompt(const goro::Context& ctx, const Pipeline& pipeline,
                                       const MeasureOptions& opts = {});

}  // namespace dojo::ex25
