// Exercise 22 — leak_hunt: a search pipeline that answers correctly but leaves tasks behind.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex22 {

/// One document of the corpus.
struct Doc {
  int id = 0;
  std::string text;
};

/// Does `doc` match the query? true or false, or an error when the doc cannot be read (a
/// malformed doc). It may be slow: it may sleep, block, or wait on `ctx.done()` and then return
/// an error that wraps ctx's.
using Match = std::function<goro::Result<bool>(const goro::Context& ctx, const Doc& doc)>;

/// A progress bar: called with the number of docs looked at so far.
using Progress = std::function<void(int scanned)>;

/// How many matcher tasks look at the docs at once.
inline constexpr int kMatchers = 4;

/// How often the progress bar is updated, on the runtime's clock.
inline constexpr goro::Duration kProgressEvery = std::chrono::milliseconds(100);

/// Searches `docs` for the ones that `match`: a producer hands the docs one at a time to
/// kMatchers matcher tasks, which send the ids of the matching docs to a collector.
///
///   * The result is a list of ids of matching docs, sorted ascending, without duplicates:
///     every matching doc when at most `limit` match (a `limit` of 0 or less means no limit);
///     otherwise exactly `limit` of them — the first ones found — and the search stops as soon
///     as it has them, without looking at the docs that are left.
///   * When `match` fails for a doc (before `limit` matches were found), search stops and
///     returns that error wrapped as "doc <id>: <error>" with {:w}, so goro::is / goro::as find it.
///   * When `ctx` ends before the search is complete, search stops promptly and returns
///     ctx.err(). If `ctx` has already ended, it returns ctx.err() at once.
///   * `progress`, unless empty, is called every kProgressEvery with the number of docs looked
///     at so far, from one task at a time, while search runs — and never after it returned.
///   * When search returns, on every path, every task it started has exited: goro::num_tasks()
///     is back where it was before the call (Go's runtime.NumGoroutine does not grow).
[[nodiscard]] goro::Result<std::vector<int>> search(const goro::Context& ctx, const std::vector<Doc>& docs,
                                                    const Match& match, int limit, const Progress& progress);

}  // namespace dojo::ex22
