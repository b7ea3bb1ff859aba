// Exercise 03 — fetch_all: many HTTP requests at once, at most 8 in flight, first failure
// cancels the rest.
#pragma once

#include <string>
#include <vector>

#include "goro/goro.hpp"
#include "http.hpp"

namespace dojo::ex03 {

/// The most requests fetch_all may have in flight at any moment.
inline constexpr int kMaxInFlight = 8;

/// GETs every URL of `urls` with http_get, in parallel but with at most kMaxInFlight requests
/// in flight at a time, and returns the response bodies in the order of `urls` (bodies[i] is
/// the body of urls[i], whichever response arrived first).
///
///   * On the first failure (an HTTP error status, a refused connection, ...) every request
///     still in flight is cancelled — its connection is closed at once — no further request
///     is sent, and fetch_all returns that first error, wrapped so that
///       - its message names the URL that failed, and
///       - goro::as<HttpStatus> / goro::as<NetError> still find the cause.
///   * If `ctx` is cancelled (before the call or while requests are in flight), every request
///     stops and fetch_all returns an error for which goro::is(err, goro::Canceled) holds.
///   * An empty `urls` gives an empty vector.
///   * When fetch_all returns, every task it started has finished.
[[nodiscard]] goro::Result<std::vector<std::string>> fetch_all(const goro::Context& ctx,
                                                               const std::vector<std::string>& urls);

}  // namespace dojo::ex03
