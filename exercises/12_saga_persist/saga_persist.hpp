// Exercise 12 — saga_persist: a saga whose progress is kept in an SQLite file, so that a process
// killed at any moment can be started again and finish the saga: every step takes effect
// exactly once, and the saga ends fully completed or fully rolled back.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex12 {

/// One call of a step's action or compensator, with the step's idempotency key. The service
/// behind a step applies a key at most once: calling the action again with the SAME key (after
/// a crash, say) does not charge the card twice, it just reports the outcome again. A new key
/// means a new charge. Compensators get the key of the action they undo.
using StepFn = std::function<goro::Error(const goro::Context& ctx, const std::string& key)>;

/// One step: `action` does the work, `compensate` undoes it (empty: nothing to undo, skipped).
struct Step {
  std::string name;
  StepFn action;
  StepFn compensate;
};

/// Issues a fresh idempotency key (the services accept only keys issued this way).
using NewKey = std::function<std::string()>;

/// The saga failed and was rolled back: run_saga's error wraps it (goro::is finds it).
inline const goro::Error ErrRolledBack = goro::new_error("saga rolled back");
/// The state file cannot be used (not a database, unreadable, or it records a different saga):
/// run_saga's error wraps it, and nothing was called or changed.
inline const goro::Error ErrBadState = goro::new_error("saga state unusable");

/// Runs the saga `steps` like exercise 11 — each action in order; when one fails, the completed
/// steps are compensated newest first, the failed step is not — and records its progress in
/// the SQLite file `state_path` (created when missing) as it goes:
///
///   * Each step gets ONE key from `new_key`, saved in the state before the step's action is
///     first called. Every later call for that step (the action again after a restart, its
///     compensator) passes that saved key.
///   * The outcome of every action and every compensator is saved before the next one starts.
///   * Called again with the same `state_path` (the process was killed and restarted), it
///     resumes: steps recorded as done are not called again; a step whose outcome was not saved
///     is called again with its saved key; a rollback in progress goes on with the steps not yet
///     compensated. A saga that already ended returns the same result and calls nothing.
///   * Before each action, `ctx` is checked: once it has ended, run_saga returns ctx.err()
///     (wrapped) at once, without rolling back: the saga is paused, and a later call resumes it.
///   * Compensators run under goro::without_cancel(ctx), one at a time.
///
/// Returns
///   * nil when every step completed (now or in an earlier run);
///   * when the saga was rolled back: an error wrapping ErrRolledBack whose text names the
///     failed step and its reason ("saga rolled back: step book: no courier available"); when
///     the failure happened in this call, it also wraps the action's error (goro::is / goro::as
///     find it); any compensator errors are joined to it ("compensate <name>: <error>"), and
///     those steps stay to be compensated by a later call;
///   * an error wrapping ErrBadState, naming `state_path`, when the file cannot be used; the
///     file is left exactly as it was and no step is called;
///   * an error wrapping a DbError (db.hpp) when saving the state fails mid-way.
[[nodiscard]] goro::Error run_saga(const goro::Context& ctx, const std::string& state_path,
                                   const std::vector<Step>& steps, const NewKey& new_key);

}  // namespace dojo::ex12
