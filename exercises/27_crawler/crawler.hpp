// Exercise 27 — crawler: URLs arrive on a channel; at most N fetches at once; every page, or the
// first failure.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "goro/goro.hpp"

namespace dojo::ex27 {

/// What a crawl returns: the body of every page fetched, by URL.
using Pages = std::map<std::string, std::string>;

/// Fetches one URL: its body, or an error. It is handed the context to watch and may be slow
/// (it can block, sleep or wait on `ctx.done()`); when that context is cancelled it gives up
/// and returns an error (usually ctx.err()).
using Fetch = std::function<goro::Result<std::string>(const goro::Context& ctx, const std::string& url)>;

/// Crawls the URLs that arrive on `urls`, with at most `workers` calls of `fetch` in progress at
/// any moment (workers >= 1), and returns the body of every URL.
///
///   * Reads `urls` until it is closed and drained. `urls` belongs to the caller: crawl never
///     closes it. URLs may arrive slowly, or in bursts; an empty channel that is still open
///     means "more may come", not "done".
///   * Never more than `workers` fetches at once, and, while there are URLs waiting, that many.
///   * Each distinct URL is fetched once: a URL that arrives again (while its first fetch is
///     still running, or after it finished) is not fetched again.
///   * Every fetch is handed a context derived from `ctx`. The first fetch that fails cancels
///     that context, so the fetches still in flight give up, and crawl returns that error
///     wrapped with its URL: "fetch <url>: <error>", with {:w}, so that goro::is / goro::as
///     still find the cause.
///   * After a failure, or once `ctx` is cancelled, crawl stops reading `urls` (the producer,
///     watching ctx, will stop on its own) and does not wait for `urls` to be closed. In
///     particular a crawl blocked on an empty, open channel returns as soon as `ctx` is
///     cancelled, with an error for which goro::is(err, ctx.err()) holds.
///   * When crawl returns, every fetch it started has returned and every task it started has
///     finished.
///
/// Returns the pages (an empty map when `urls` was closed without a URL), or the error.
[[nodiscard]] goro::Result<Pages> crawl(const goro::Context& ctx, goro::Chan<std::string> urls, int workers,
                                        const Fetch& fetch);

}  // namespace dojo::ex27
