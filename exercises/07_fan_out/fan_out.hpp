// Exercise 07 — fan_out: one pipeline stage, four workers inside it, one closer for its output.
#pragma once

#include <functional>

#include "goro/goro.hpp"

namespace dojo::ex07 {

/// How many workers the stage runs: never more, never fewer (while there is work).
inline constexpr int kWorkers = 4;

/// The work done for one item: its result, or an error. It is handed the context to watch and
/// may be slow (it can block, sleep or wait on `ctx.done()`).
using Work = std::function<goro::Result<int>(const goro::Context& ctx, int item)>;

/// A pipeline stage. It reads items from `in` until `in` is closed and drained, runs
/// `work(wctx, item)` on each in one of exactly kWorkers worker tasks, and sends every result on
/// `out` (in any order). The workers belong to a group of their own, nested inside the stage and
/// made with goro::ErrGroup::with_context(ctx); `wctx` is that group's context.
///
///   * `out` is closed by fan_out, exactly once, after every worker has finished, and before
///     fan_out returns — on every path: success, failure and cancellation. A downstream stage
///     that ranges over `out` therefore sees every result, then the end.
///   * When `work` fails, the other workers are cancelled (their `work` sees `wctx.done()`), no
///     new item is taken from `in`, and fan_out returns that error (goro::is / goro::as find
///     it; wrapping it with {:w} to add detail is fine) — not the cancellation it caused.
///   * `in` belongs to the upstream stage: fan_out never closes it, and on a failure it simply
///     stops reading (the caller's group then stops the upstream stage).
///   * Returns nil when every item was processed and sent. If `ctx` is already cancelled, it
///     closes `out`, returns `ctx.err()` and calls `work` for no item. If `ctx` is cancelled
///     while the workers run (the caller gave up, or a downstream stage stopped reading), every
///     worker stops promptly and fan_out returns the context's error.
///     One exception, as in Go: the upstream stage, cancelled too, closes `in` as it leaves,
///     and a worker whose select finds `in` closed rather than wctx.done() (select picks at
///     random when both are ready) has simply run out of input and returns nil. If every
///     worker ends that way — none was halfway through an item, so every item taken was sent
///     on `out` — fan_out returns nil; the caller's group still reports the error that
///     cancelled the pipeline. Either answer is correct; do not try to force one.
///   * When fan_out returns, every task it started has finished.
[[nodiscard]] goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out,
                                  const Work& work);

}  // namespace dojo::ex07
