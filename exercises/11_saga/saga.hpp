// Exercise 11 — saga: undo the steps that completed, newest first, when a later one fails.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex11 {

/// One call of a step's action or compensator. It is handed a context: an action gets the
/// caller's `ctx` (and should stop when it ends); a compensator gets a context that is never
/// cancelled, so that a rollback still runs after the caller has given up.
using StepFn = std::function<goro::Error(const goro::Context& ctx)>;

/// One step of a saga: `action` does the work ("charge the card"), `compensate` undoes it after
/// the action succeeded ("refund the card"). A step with nothing to undo has an empty
/// `compensate` (it converts to false); it is skipped in a rollback.
struct Step {
  std::string name;
  StepFn action;
  StepFn compensate;
};

/// Runs the saga `steps`: each step's action, in order, one at a time, in the calling task.
///
///   * Before each action, run_saga checks `ctx`: once it has ended, no further action starts,
///     and the step that would have been next counts as failed with ctx.err().
///   * When an action fails (or the context ended before it), the steps that COMPLETED are
///     compensated, in exact reverse order (newest first). The failed step itself is not: its
///     action did not take effect. Compensators run one at a time under
///     goro::without_cancel(ctx), and a failing compensator does not stop the rollback: every
///     other compensator still runs.
///
/// Returns
///   * nil when every action succeeded (and for no steps); no compensator runs then;
///   * otherwise goro::join(failure, compensator errors...), where
///       failure = "step <name>: <the action's error>" (or ctx.err()), wrapped with {:w};
///       each compensator error = "compensate <name>: <its error>", wrapped with {:w},
///       in the order the compensators ran;
///     so goro::is / goro::as find the original error and every compensator's error in it.
///
/// run_saga starts no task of its own; it returns when the last compensator has returned.
[[nodiscard]] goro::Error run_saga(const goro::Context& ctx, const std::vector<Step>& steps);

}  // namespace dojo::ex11
