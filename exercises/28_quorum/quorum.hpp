// Exercise 28 — quorum: call every replica at once, return as soon as `need` of them have
// succeeded, and cancel the others.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex28 {

/// One replica of a replicated store: a call that reads the value from it. The call is handed
/// the context it must watch. When that context is cancelled, the call gives up and returns
/// soon (as a rule with an error that wraps ctx.err()), but it may take a moment to stop.
using Replica = std::function<goro::Result<std::string>(const goro::Context& ctx)>;

/// Wrapped (with {:w}) by the error of a quorum that can no longer be reached.
inline const goro::Error ErrNoQuorum = goro::new_error("quorum not reached");

/// Wrapped (or returned as is) when more answers are needed than there are replicas.
inline const goro::Error ErrTooFewReplicas = goro::new_error("quorum: more answers needed than there are replicas");

/// Reads from `replicas` and returns once `need` of them have answered with a success.
///
///   * All replicas are called at once, each in a task of its own, with a context derived from
///     `ctx` that quorum cancels itself.
///   * As soon as `need` calls have succeeded, quorum cancels the context of the calls that are
///     still running and returns the `need` answers, in the order they succeeded. The calls it
///     cancelled are not failures: whatever they return is dropped. So are answers that arrive
///     after the quorum was reached.
///   * A failed call does not count. Once so many calls have failed that `need` successes are no
///     longer possible (fewer calls are still running than successes are missing), quorum stops
///     at once: it cancels the calls still running and returns
///       goro::errorf("{:w}: {} of {} needed succeeded: {:w}", ErrNoQuorum, succeeded, need,
///                    goro::join(failures))
///     e.g. "quorum not reached: 1 of 3 needed succeeded: <the failures, one a line>", where
///     `failures` are the errors of the calls that failed before that moment, in the order they
///     failed: goro::is / goro::as find each of them in the result.
///   * If `ctx` is cancelled before the quorum is reached, quorum cancels every call still
///     running and returns ctx.err() (or an error that wraps it).
///   * Edge cases, decided before anything is called, in this order: need <= 0 returns an empty
///     vector; need > replicas.size() returns an error that wraps ErrTooFewReplicas; a `ctx`
///     that is already cancelled returns ctx.err().
///   * quorum returns only after every call it made has returned: a cancelled call is waited for
///     until it has stopped, and no task of quorum is left running.
[[nodiscard]] goro::Result<std::vector<std::string>> quorum(const goro::Context& ctx,
                                                            const std::vector<Replica>& replicas, int need);

}  // namespace dojo::ex28
