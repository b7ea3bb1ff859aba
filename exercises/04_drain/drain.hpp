// Exercise 04 — drain: when the consumer fails, the producer must stop too.
#pragma once

#include <functional>

#include "goro/goro.hpp"

namespace dojo::ex04 {

/// Stage 1's source: makes item number `n` (n = 1, 2, ..., items) and returns it. Stage 1 calls
/// it once per item, right before sending that item: every call is one item produced.
using Produce = std::function<int(int n)>;

/// Stage 2's work on one item: nil on success, an error on failure. It is handed the context to
/// watch, and may be slow (it can block, sleep or wait on `ctx.done()`).
using Consume = std::function<goro::Error(const goro::Context& ctx, int item)>;

/// A two-stage pipeline, both stages started by one goro::ErrGroup made with `with_context`:
///   * stage 1 calls `produce(n)` for n = 1 .. items, in order, and sends each item into a
///     channel; then it closes the channel;
///   * stage 2 receives the items in order and calls `consume(gctx, item)` on each.
///
/// When `consume` fails, stage 2 stops at once and fails with an error that wraps what consume
/// returned and names the item: its message contains "item 500" for item 500, and
/// goro::is / goro::as find consume's error through it. Stage 1 then stops producing — a few
/// more items at most, never the rest of the input — and exits, and `run` returns stage 2's
/// error, not a cancellation.
///
/// Returns nil when every item was consumed (also for items <= 0, where nothing is produced).
/// If `ctx` is already cancelled, returns `ctx.err()` and calls neither function. If `ctx` is
/// cancelled while the stages work, both stop promptly and `run` returns the context's error
/// (goro::is(err, goro::Canceled) holds). In every case, when `run` returns, no task it started
/// is still alive.
[[nodiscard]] goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume);

}  // namespace dojo::ex04
