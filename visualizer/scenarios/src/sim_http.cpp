// Exercise 03's HTTP client, replaced for the visualizer by a simulated one on goro's clock.
//
// The `ex03_fetch_all` scenario runs the reference solutions/03_fetch_all/fetch_all.cpp, which
// calls dojo::ex03::http_get (declared in exercises/03_fetch_all/http.hpp). The real client
// (exercises/03_fetch_all/http.cpp, libcurl) talks to a loopback server in real time, which a
// deterministic, self-contained scenario cannot do. This file defines the same functions with
// the same contract, but the "server" is the URL itself:
//
//   http://shop.test/orders?ms=30&status=500   answers 500 after 30 ms of virtual time
//   http://shop.test/users?ms=20               answers 200 with the body "users" after 20 ms
//
// The wait is a timer in a select next to ctx.done(), so a cancelled request is aborted at
// once with an error that wraps ctx.err() ("request aborted: context canceled"), like the real
// client; a non-2xx status gives an error for which goro::as<HttpStatus> finds the code.
// This file is linked only into dojo_viz_scenarios: no target links it together with http.cpp.
#include <charconv>
#include <chrono>
#include <string>
#include <string_view>

#include "http.hpp"

namespace dojo::ex03 {

std::string HttpStatus::message() const { return fmt::format("unexpected HTTP status {}", code); }

namespace {

/// The integer value of query parameter `key` in `url`, or `fallback`.
int query_int(std::string_view url, std::string_view key, int fallback) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return fallback;
  std::string_view rest = url.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view kv = rest.substr(0, amp);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos && kv.substr(0, eq) == key) {
      int v = fallback;
      const std::string_view num = kv.substr(eq + 1);
      auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
      return ec == std::errc() && p == num.data() + num.size() ? v : fallback;
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return fallback;
}

/// The last path segment of `url` without the query: "users" for http://shop.test/users?ms=20.
std::string resource(std::string_view url) {
  url = url.substr(0, url.find('?'));
  const auto slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

goro::Error aborted(const goro::Error& ctx_err) { return goro::errorf("request aborted: {:w}", ctx_err); }

}  // namespace

goro::Result<std::string> http_get(const goro::Context& ctx, const std::string& url) {
  // A cancelled context: nothing is sent.
  if (goro::Error err = ctx.err()) return aborted(err);
  const int latency_ms = query_int(url, "ms", 10);
  const int status = query_int(url, "status", 200);
  // "In flight": the answer arrives after the latency, unless ctx is cancelled first.
  auto answer = goro::new_timer(std::chrono::milliseconds(latency_ms));
  if (goro::select(goro::on_recv(answer.c()), goro::on_recv(ctx.done())) == 1) {
    (void)answer.stop();
    return aborted(ctx.err());
  }
  if (status < 200 || status > 299) return goro::make_error(HttpStatus{status});
  return resource(url);
}

}  // namespace dojo::ex03
