// Exercise 18 — hedged: ask one replica; if it is slow, ask the next one too; the first success
// wins and every other request is cancelled.
#pragma once

#include <string>
#include <vector>

#include "goro/goro.hpp"
// The HTTP client of exercise 03, given again here (do not edit it): http_get(ctx, url), and
// the error types HttpStatus (a non-2xx answer) and NetError (no answer at all).
#include "../03_fetch_all/http.hpp"

namespace dojo::ex18 {

using ex03::http_get;
using ex03::HttpStatus;
using ex03::NetError;

/// What hedged_fetch returns for an empty list of replicas (and it sends nothing).
inline const goro::Error ErrNoReplicas = goro::new_error("hedged_fetch: no replica to ask");

/// GETs one resource that several replicas serve: `urls` are those replicas, in the order
/// they should be asked. A hedged request keeps the fast case cheap (one request) and the slow
/// case short (a replica that hangs is not waited for):
///
///   * urls[0] is asked at once.
///   * Hedging: whenever `hedge_delay` has passed since the most recent request was sent and
///     no replica has answered with a success, the next replica is asked too — one more
///     replica per delay, while the earlier requests stay in flight. With hedge_delay <= 0
///     every replica is asked at once, one after the other.
///   * A replica that FAILS (any error of http_get: a non-2xx status, a refused connection,
///     ...) does not make anyone wait: the next replica is asked at once.
///   * The first SUCCESS wins: hedged_fetch returns its body, and every other request still in
///     flight is cancelled — its connection closed at once, not left to run to its end.
///   * If every replica fails, hedged_fetch returns goro::join of all their errors, each
///     wrapped with its URL as "GET <url>: <cause>" using {:w}: every message names its URL,
///     and goro::as<HttpStatus> / goro::as<NetError> still find each cause.
///   * If `ctx` is already cancelled, nothing is sent and ctx.err() is returned. If it is
///     cancelled while requests are in flight, every one of them is aborted and the error
///     returned holds goro::Canceled (goro::is(err, goro::Canceled)).
///   * An empty `urls` gives ErrNoReplicas.
///   * When hedged_fetch returns, every task it started has finished: no request of it is
///     still in flight.
[[nodiscard]] goro::Result<std::string> hedged_fetch(const goro::Context& ctx, const std::vector<std::string>& urls,
                                                     goro::Duration hedge_delay);

}  // namespace dojo::ex18
