// Exercise 08 — aggregate: try every item, keep every error.
#pragma once

#include <functional>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex08 {

/// The work done for one item: nil on success, an error on failure. It is handed the context
/// to watch, and may be slow (it can block, sleep or wait on `ctx.done()`).
using ItemFn = std::function<goro::Error(const goro::Context& ctx, int item)>;

/// Calls `fn(ctx, item)` once for every item of `items`, each in its own task, all at the same
/// time. A failing item stops nothing and cancels nothing: every item gets its attempt.
///
///   * Each failure is wrapped with its item: `item <n>: <the error fn returned>` (use `{:w}`,
///     so goro::is / goro::as still find what fn returned).
///   * The result joins every wrapped failure with goro::join, in any order; nil when every
///     item succeeded (and for an empty `items`).
///   * `fn` receives the caller's `ctx`. If `ctx` is already cancelled, process_all returns
///     `ctx.err()` and calls `fn` for no item.
///   * When process_all returns, every task it started has finished.
[[nodiscard]] goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn);

}  // namespace dojo::ex08
