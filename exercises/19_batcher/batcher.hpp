// Exercise 19 — batcher: collect events into batches, flushed by size or by time, with retries
// and a dead-letter queue.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex19 {

/// A batch is flushed as soon as it holds this many events.
inline constexpr std::size_t kMaxBatch = 100;
/// ... or this long after its first event arrived, whichever comes first (the default window;
/// run_batcher takes the window as its last argument).
inline constexpr goro::Duration kMaxWait = std::chrono::seconds(1);
/// Calls of the downstream per batch, the first one included.
inline constexpr int kFlushAttempts = 3;
/// The wait between a failed attempt and the next one (always the same).
inline constexpr goro::Duration kRetryBackoff = std::chrono::milliseconds(100);

/// One event of the stream; ids tell the events apart.
struct Event {
  int id = 0;
};

/// The events of one batch, in the order they were received.
using Batch = std::vector<Event>;

/// A batch the downstream refused kFlushAttempts times, and why.
struct FailedBatch {
  Batch batch;
  goro::Error reason;
};

/// The downstream: delivers one batch, or fails. It is handed run_batcher's context; a slow
/// downstream that watches it returns (an error wrapping ctx.err()) soon after ctx ends.
using Flush = std::function<goro::Error(const goro::Context& ctx, const Batch& batch)>;

/// Reads events from `in` until it is closed, groups them into batches (max_wait > 0) and hands
/// each batch to `flush`.
///
/// Batch boundaries. A batch begins with the first event received while no batch is pending;
/// the moment run_batcher receives that event is the start of the batch's window. The batch is
/// flushed
///   * as soon as it holds kMaxBatch events (a size flush, the moment the 100th arrives), or
///   * max_wait after its start (a time flush), with whatever it holds, or
///   * when `in` is closed (the remainder), whichever comes first.
/// Every batch has its own window: after any flush nothing is pending, and the next window
/// starts with the next event received, never earlier. flush is never called with an empty
/// batch, and never with more than kMaxBatch events. Example, with events at +0, +300 ms and
/// +900 ms, then +1.5 s and +1.6 s: the first three are flushed at +1 s, the other two at +2.5 s.
///
/// Delivery. flush is called from run_batcher's own task, one call at a time; while a batch is
/// being delivered, no event is received (events sent meanwhile wait in `in`, and the next batch
/// starts when the first of them is received). A batch gets up to kFlushAttempts calls of
/// flush(ctx, batch), with a wait of kRetryBackoff on the runtime's clock after each failed call
/// but the last. Nil from a call: the batch is delivered. When every attempt failed, run_batcher
/// sends FailedBatch{the batch, reason} on `dlq` and goes on with the next batch; `reason` is an
/// error whose message says "after 3 attempts" (kFlushAttempts) and which wraps the last
/// attempt's error with {:w}. Each event is flushed successfully, or dead-lettered, exactly once,
/// in the order received.
///
/// Cancellation. Once ctx has ended, run_batcher returns ctx.err() promptly: while it waits for
/// an event or for a window to end, during a backoff, while the send on `dlq` waits for a
/// receiver, and as soon as a flush call returns. No flush call starts once ctx has ended (none
/// at all for an already-cancelled ctx); a batch whose call failed after ctx ended is neither
/// retried nor dead-lettered; events not yet delivered are dropped.
///
/// Returns nil when `in` was closed and every event received was delivered or dead-lettered
/// (a dead-lettered batch is not an error of run_batcher), or ctx.err(). run_batcher never
/// closes `in` or `dlq` (they belong to its caller) and leaves no task behind.
[[nodiscard]] goro::Error run_batcher(const goro::Context& ctx, goro::Chan<Event> in, const Flush& flush,
                                      goro::Chan<FailedBatch> dlq, goro::Duration max_wait = kMaxWait);

}  // namespace dojo::ex19
