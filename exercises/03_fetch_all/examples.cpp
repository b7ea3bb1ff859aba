// Visible examples for exercise 03. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads. The HTTP
// server is real (loopback_server.hpp), so these checks take real time: tens of milliseconds.
#include "fetch_all.hpp"
#include <algorithm>

#include "grader.hpp"
#include "loopback_server.hpp"

using dojo::ex03::fetch_all;
using dojo::ex03::HttpStatus;
using dojo::ex03::testing::LoopbackServer;

namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

DOJO_CHECK("example: three pages come back in the order of their URLs",
           "bodies[i] belongs to urls[i], whichever answer arrives first.") {
  LoopbackServer server;
  // The first page is the slowest: its answer arrives last.
  std::vector<std::string> urls = {server.ok_url("a", 30), server.ok_url("b", 15), server.ok_url("c")};
  check.say("calling fetch_all(background, {/ok/a (30 ms), /ok/b (15 ms), /ok/c (at once)})");
  auto r = fetch_all(goro::background(), urls);
  check.expect_ok(r.error(), "fetch_all(...)");
  const std::vector<std::string> want{"page a", "page b", "page c"};
  auto sorted = r.value();
  std::sort(sorted.begin(), sorted.end());
  // The right pages in another order: each was stored where its answer arrived, not at its URL's index.
  check.expect_eq(r.value(), want, "the bodies",
                  sorted == want ? dojo::grader::Why{mistake::wrong_order, "Each body belongs at its URL's index."}
                                 : dojo::grader::Why{});
}

DOJO_CHECK("example: an HTTP 500 is an error that names its URL and keeps its cause",
           "Wrap the error of http_get with its URL, using {:w} so that the cause stays findable.") {
  LoopbackServer server;
  const std::string bad = server.status_url(500, "b");
  std::vector<std::string> urls = {server.ok_url("a"), bad, server.ok_url("c")};
  check.say("calling fetch_all(background, {/ok/a, /status/500/b, /ok/c})");
  auto r = fetch_all(goro::background(), urls);
  auto status = check.expect_as<HttpStatus>(r.error(), "HttpStatus");
  check.expect_eq(status.code, 500, "the status code found by goro::as<HttpStatus>");
  check.expect(r.error().message().find(bad) != std::string::npos, fmt::format("a message that names {}", bad),
               fmt::format("\"{}\"", r.error().message()), mistake::missing_context);
}

DOJO_CHECK("example: never more than 8 requests in flight",
           "A request may start only when fewer than 8 are open: the group's limit (set before the first go), a "
           "semaphore or 8 workers all keep that cap.") {
  LoopbackServer server;
  std::vector<std::string> urls;
  for (int i = 0; i < 12; ++i) urls.push_back(server.ok_url(fmt::format("p{}", i), 20));
  check.say("calling fetch_all(background, 12 URLs that each take 20 ms)");
  auto r = fetch_all(goro::background(), urls);
  check.expect_ok(r.error(), "fetch_all(...)");
  check.expect(server.peak() <= 8, "at most 8 requests in flight at once",
               fmt::format("the server saw {} requests in flight at once", server.peak()), mistake::over_limit);
}
