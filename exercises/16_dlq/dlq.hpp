// Exercise 16 — dlq: retry what may pass, set aside what never will, and lose nothing.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "goro/goro.hpp"

namespace dojo::ex16 {

/// How many times an item is tried, the first call included.
inline constexpr int kAttempts = 3;

/// The wait after an item's first failed attempt; the wait after the second is twice as long.
inline constexpr goro::Duration kBaseBackoff = std::chrono::milliseconds(100);

/// Marks an item that can never be processed (a payload that does not parse, a field out of
/// range): retrying it is pointless. `process` wraps it into the error it returns, e.g.
///   return goro::errorf("order {}: price is not a number: {:w}", item.id, ErrPoison);
/// or returns a typed error whose unwrap() gives ErrPoison. An item is poison exactly when
/// goro::is(err, ErrPoison) is true for the error of one of its attempts. Every other error
/// may go away on its own (a timeout, a busy service) and is retried.
inline const goro::Error ErrPoison = goro::new_error("poison item");

/// One unit of work. `id` tells items apart; `payload` is what `process` works on.
struct Item {
  int id = 0;
  std::string payload;
};

/// An item the stage gave up on, and why.
struct DeadLetter {
  Item item;           // the item exactly as it came from `in`
  goro::Error reason;  // see run_stage
};

/// One attempt at an item: nil when it worked, otherwise the reason it did not. It is handed the
/// stage's context to watch and may be slow.
using Process = std::function<goro::Error(const goro::Context& ctx, const Item& item)>;

/// A pipeline stage with a dead-letter queue. It takes items from `in` until `in` is closed and
/// drained, and handles them one at a time, in the calling task (it starts no task):
///
///   * Attempts: `process(ctx, item)` is called up to kAttempts (3) times for an item. Nil ends
///     it: the item is sent on `done`. After a failed attempt n that is not the last, the stage
///     waits base_backoff · 2^(n-1) on the runtime's clock (100 ms, then 200 ms by default), so
///     the attempts start at +0, +100 ms and +300 ms. There is no wait after the last attempt.
///   * Poison: an error that goro::is finds ErrPoison in ends the item at once — no further
///     attempt, no wait. It is sent on `dlq` as DeadLetter{item, reason} with
///       reason = "item <id>: poison: <the error>"                     (wrapped with {:w});
///   * Exhausted: when all kAttempts attempts failed, the item is sent on `dlq` with
///       reason = "item <id>: gave up after 3 attempts: <the last attempt's error>" ({:w});
///     so goro::is / goro::as find the cause in every reason.
///   * Every item taken from `in` leaves on exactly one of `done` and `dlq`, exactly once. A
///     send waits for the reader, however slow it is (or until ctx ends): it is never skipped.
///   * A failing item never fails the stage: it is dead-lettered and the stage goes on.
///
/// Channels: `in` belongs to the caller and is never closed by the stage. `done` and `dlq`
/// belong to the stage: it closes both, once each, before it returns — on every path.
///
/// Returns
///   * nil once `in` is closed and drained and every item taken has been sent on done or dlq;
///   * ctx.err() when ctx ends — before the call (then nothing is taken from `in` and `process`
///     is never called) or during it. The stage then stops at once: no further attempt, no
///     backoff waited out, no further item. The item in hand at that moment goes on neither
///     channel (an error that came from an attempt after ctx ended is the cancellation's doing,
///     not the item's); the caller redelivers it. Whether ctx has ended is asked of ctx itself
///     (ctx.err()): an attempt that fails with a timeout of its own is an ordinary failure.
[[nodiscard]] goro::Error run_stage(const goro::Context& ctx, goro::Chan<Item> in, goro::Chan<Item> done,
                                    goro::Chan<DeadLetter> dlq, const Process& process,
                                    goro::Duration base_backoff = kBaseBackoff);

}  // namespace dojo::ex16
