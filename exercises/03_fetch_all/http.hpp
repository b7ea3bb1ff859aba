// Exercise 03 — the HTTP client the exercise gives you (do not edit http.hpp or http.cpp).
//
// http_get is goro's counterpart of Go's
//
//   req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
//   resp, err := http.DefaultClient.Do(req)      // plus a check of resp.StatusCode
//
// It blocks the calling task until the response has arrived, and it watches `ctx` while it
// waits: the moment `ctx` is cancelled, the transfer is aborted and the connection closed
// (within a few milliseconds, not at some timeout).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex03 {

/// The server answered, but not with a 2xx status. Find it with goro::as<HttpStatus>(err).
struct HttpStatus {
  int code = 0;  // 404, 500, 503, ...
  [[nodiscard]] std::string message() const;
};

/// No HTTP answer at all: the connection was refused, reset or timed out, the URL was
/// malformed, ... Find it with goro::as<NetError>(err).
struct NetError {
  int curl_code = 0;   // libcurl's CURLcode (7: could not connect, ...)
  std::string detail;  // libcurl's description of what went wrong
  [[nodiscard]] std::string message() const { return detail; }
};

/// GET `url` and return the response body.
///
///   * A 2xx response gives its body.
///   * Any other status gives an error for which goro::as<HttpStatus> finds the status code.
///   * No response (refused connection, reset, DNS failure, 2 s connect timeout) gives an
///     error for which goro::as<NetError> finds libcurl's diagnosis.
///   * If `ctx` is cancelled before the call, no request is sent; if it is cancelled while
///     the request is in flight, the transfer is aborted and its connection closed at once.
///     Either way the error wraps ctx.err(): goro::is(err, goro::Canceled) holds (or
///     goro::DeadlineExceeded, for a context whose deadline passed).
///
/// The errors describe *what* went wrong, never *which* URL: a caller that fetches many URLs
/// knows which one it asked for, and says so when it wraps the error.
///
/// Runs the transfer inside goro::blocking, so it may be called from any goro task, under
/// real threads and under deterministic schedules alike (there it waits in real time, in the
/// state "IO wait").
[[nodiscard]] goro::Result<std::string> http_get(const goro::Context& ctx, const std::string& url);

namespace testing {

/// One http_get call in flight (started, not yet returned), as the grader sees it.
struct RequestInFlight {
  std::string url;
  std::uint64_t task = 0;  // the goro task that called http_get (goro::current_task_id())
  bool cancelled = false;  // the context it watches is cancelled: the call is about to return
};

/// For the grader: every http_get call in flight right now. `changes`, if given, receives a
/// counter that moves whenever a call starts or returns. A call is listed while its transfer
/// runs (inside goro::blocking): from before it sends anything until after its connection is
/// closed.
[[nodiscard]] std::vector<RequestInFlight> requests_in_flight(std::uint64_t* changes = nullptr);

}  // namespace testing

}  // namespace dojo::ex03
