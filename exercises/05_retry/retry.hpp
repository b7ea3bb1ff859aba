// Exercise 05 — retry: retry what may succeed next time, give up on what never will.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex05 {

/// Marks a failure as worth another try (a timeout, a dropped connection, "busy, try later").
/// An operation wraps it into the error it returns, e.g.
///   return goro::errorf("fetch item {}: {:w}", id, ErrTransient);
/// Every error that does not wrap ErrTransient is permanent: retrying cannot help.
inline const goro::Error ErrTransient = goro::new_error("transient failure");

/// The number of calls of the operation, the first one included, unless the caller asks for
/// another number.
inline constexpr int kMaxAttempts = 3;
/// The wait after the first failed attempt; each later wait is twice the one before.
inline constexpr goro::Duration kBaseBackoff = std::chrono::milliseconds(100);

/// One attempt of the work. It is handed the caller's context to watch.
using Operation = std::function<goro::Error(const goro::Context& ctx)>;

/// Calls `op(ctx)` until it succeeds, fails permanently, or has failed `attempts` times
/// (attempts >= 1; 3 unless the caller says otherwise):
///
///   * nil from op: returns nil at once;
///   * an error that goro::is does not find ErrTransient in: returns that error at once, as is
///     (no further attempt, no wait);
///   * a transient error from attempt n < attempts: waits kBaseBackoff · 2^(n-1) on the
///     runtime's clock (100 ms after the 1st failure, 200 ms after the 2nd, 400 ms after the
///     3rd, ...), then tries again;
///   * a transient error from the last attempt: returns at once (no wait after the last attempt)
///     an error whose message says "after <attempts> attempts" and which wraps that last error.
///
/// So with 3 attempts they start at +0 ms, +100 ms and +300 ms. If `ctx` is already cancelled,
/// returns ctx.err() and never calls op. If `ctx` is cancelled (or its deadline passes) during a
/// wait, returns ctx.err() at that very moment, without another attempt.
[[nodiscard]] goro::Error with_retry(const goro::Context& ctx, const Operation& op, int attempts = kMaxAttempts);

/// The work for one item: nil, or an error (transient when it wraps ErrTransient).
using ItemFn = std::function<goro::Error(const goro::Context& ctx, int item)>;

/// The retrying stage: processes every item of `items` in its own task, all started by one
/// group made with goro::ErrGroup::with_context(ctx). The task of an item calls
/// `process(gctx, item)` through with_retry(gctx, ...) with the default 3 attempts: the retries
/// happen inside the task, which returns only when its item has succeeded or with_retry has
/// given up.
///
///   * every item succeeded (or `items` is empty): returns nil;
///   * an item failed for good (a permanent error, or its attempts are exhausted): returns
///     "item <n>: <what with_retry returned>", wrapping it with {:w}. The group's context is
///     cancelled at that moment, so every other item stops at once, even in the middle of a
///     backoff, and process_items returns then;
///   * `ctx` cancelled, before the call or during the work: returns an error that goro::is finds
///     ctx.err() in, at once (an already-cancelled ctx means `process` is never called).
///
/// When process_items returns, no task it started is still alive.
[[nodiscard]] goro::Error process_items(const goro::Context& ctx, const std::vector<int>& items,
                                        const ItemFn& process);

}  // namespace dojo::ex05
