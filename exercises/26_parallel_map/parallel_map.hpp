// Exercise 26 — parallel_map: apply a function to every item concurrently, at most `limit`
// calls at a time, results in input order; the first failure cancels the rest.
#pragma once

#include <functional>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex26 {

/// The function applied to each item. It is handed a context and should stop (returning that
/// context's error, wrapped or not) when the context ends.
using MapFn = std::function<goro::Result<int>(const goro::Context& ctx, int item)>;

/// Applies `f` to every item of `items` concurrently and returns the results in input order:
/// results[i] is the value of f(ctx', items[i]), whichever call finished first.
///
///   * At most `limit` calls of f run at any moment (limit >= 1). With enough items, `limit`
///     calls do run at once: limit 4 means four calls in flight, not one after the other. A
///     call that returns frees its place for the next item at once (not in batches of
///     `limit`).
///   * f is called at most once per item. Once a call has failed (or ctx has ended), no
///     further call of f starts: items that were not started by then are never passed to f.
///   * The context handed to f (ctx' above) is derived from `ctx` and is cancelled on the first
///     failure, so that the calls still in flight can stop; it is also cancelled when `ctx`
///     is.
///   * The first failure — the first call of f to fail, in time — is returned as the error
///     "item <i>: <f's error>", where i is the index of the item in `items`, with f's error
///     wrapped ({:w}): goro::is and goro::as find it. The errors of the calls that fail after
///     it (often because they were cancelled) are dropped.
///   * If `ctx` ends before every item is done (already cancelled when parallel_map is called,
///     or cancelled or past its deadline while calls are in flight), the result is an error
///     for which goro::is(err, goro::Canceled) (or goro::DeadlineExceeded) holds. A context
///     already done when parallel_map is called means f is never called.
///   * parallel_map returns only after every call of f it started has returned, and leaves no
///     task behind.
///   * An empty `items` gives an empty vector at once, without starting any task.
[[nodiscard]] goro::Result<std::vector<int>> parallel_map(const goro::Context& ctx, const std::vector<int>& items,
                                                          int limit, const MapFn& f);

}  // namespace dojo::ex26
