// Exercise 10 — deadline: one time budget for a whole run of workers.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex10 {

/// The time budget of one run, counted from the moment run_with_deadline is called.
inline constexpr goro::Duration kDeadline = std::chrono::seconds(5);

/// The work for one item (about 100 ms in the exercise's story). It is handed the run's context;
/// well-behaved work stops when that context ends and returns an error wrapping ctx.err(), but
/// some work cannot be interrupted and simply finishes.
using WorkFn = std::function<goro::Error(const goro::Context& ctx, int item)>;

/// Processes every item of `items` with `workers` worker tasks (workers >= 1), all under ONE
/// deadline: `timeout` (5 s unless the caller says otherwise) from the call, made once with
/// goro::with_timeout(ctx, timeout) and cancelled again on every way out.
///
///   * The workers are started by one goro::ErrGroup made with `with_context` from the deadline
///     context. Each one repeatedly takes the next item and calls `work(run_ctx, item)`, where
///     run_ctx is that group's context; at most `workers` items are worked on at a time.
///   * Before taking an item, a worker checks the context: once it has ended, no new item is
///     started (work that ignores its context must not keep the run alive past the deadline).
///   * A failing item makes its worker return "item <n>: <work's error>" (wrapped with {:w}); the
///     group then cancels the other workers.
///
/// Returns
///   * nil when every item was worked on successfully before the deadline (and for no items);
///   * when the deadline passed first: an error whose message starts with
///     "timed out after <done> of <total> items: " (done = items whose work returned nil) and
///     which wraps the group's error with {:w}, so goro::is(err, goro::DeadlineExceeded) holds.
///     It returns within one item's work of the deadline — at once when the work listens to its
///     context;
///   * any other failure (an item's error, a cancelled `ctx`) unchanged, as g.wait() gave it. An
///     already-cancelled `ctx` gives ctx.err() without calling `work`.
///
/// When run_with_deadline returns, no task it started is still alive.
[[nodiscard]] goro::Error run_with_deadline(const goro::Context& ctx, const std::vector<int>& items, int workers,
                                            const WorkFn& work, goro::Duration timeout = kDeadline);

}  // namespace dojo::ex10
