// Visible examples for exercise 18. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads. The
// replicas are real HTTP servers on 127.0.0.1 (exercise 03's loopback server: every URL below
// is one replica of the same resource), so these checks take real time: milliseconds.
#include <chrono>

#include "../03_fetch_all/loopback_server.hpp"
#include "grader.hpp"
#include "hedged.hpp"

using dojo::ex18::hedged_fetch;
using dojo::ex18::HttpStatus;
using dojo::ex18::NetError;
using dojo::ex03::testing::LoopbackServer;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

DOJO_CHECK("example: the first replica answers at once: its body, and no other replica is asked",
           "Ask urls[0] first, and the next replica only when the hedge delay passes without an answer.") {
  LoopbackServer server;
  std::vector<std::string> urls = {server.ok_url("a"), server.ok_url("b")};
  check.say("calling hedged_fetch(background, {/ok/a, /ok/b}, 10s); /ok/a answers at once");
  auto r = hedged_fetch(goro::background(), urls, 10s);
  check.expect_ok(r.error(), "hedged_fetch(...)");
  // A second request at once is the mistake; which answer then wins is down to chance.
  check.expect_eq(server.seen().size(), std::size_t{1}, "requests the servers received", mistake::wrong_count);
  // Another replica's body: a second request went out although the first answered at once.
  check.expect_eq(r.value(), std::string("page a"), "the body", mistake::wrong_count);
}

DOJO_CHECK("example: the first replica fails: the second is asked at once, and its body wins",
           "A failure is not worth waiting for: ask the next replica as soon as a request fails, without "
           "waiting for the hedge delay.") {
  LoopbackServer server;
  std::vector<std::string> urls = {server.status_url(503, "a"), server.ok_url("b")};
  check.say("calling hedged_fetch(background, {/status/503/a, /ok/b}, 10s)");
  const goro::Time t0 = goro::now();
  auto r = hedged_fetch(goro::background(), urls, 10s);
  const goro::Duration took = goro::since(t0);
  check.expect_ok(r.error(), "hedged_fetch(...)", "A failed replica is not the end: go on with the next one.");
  check.expect_eq(r.value(), std::string("page b"), "the body");
  check.expect(took < 10s, "hedged_fetch returns long before the hedge delay (10s)",
               fmt::format("it returned after {}", goro::format_duration(took)),
               {mistake::wrong_timing, "After the failure of /status/503/a, ask /ok/b at once instead of waiting "
                                       "for the hedge delay."});
}

DOJO_CHECK("example: every replica fails: one error that holds every failure, each naming its URL",
           "Keep the error of every replica (wrapped as \"GET <url>: {:w}\") and return goro::join of them all.") {
  LoopbackServer server;
  const std::string a = server.status_url(500, "a");
  const std::string b = server.refused_url("b");
  std::vector<std::string> urls = {a, b};
  check.say("calling hedged_fetch(background, {/status/500/a, a port where nothing listens}, 10s)");
  auto r = hedged_fetch(goro::background(), urls, 10s);
  check.expect(static_cast<bool>(r.error()), "an error (every replica failed)", "no error (nil)",
               mistake::swallowed_error);
  // A URL missing from the text, its cause too: that replica's error was dropped.
  for (const std::string& url : urls)
    check.expect(r.error().message().find(url) != std::string::npos, fmt::format("an error that names {}", url),
                 fmt::format("\"{}\"", r.error().message()),
                 url == a && !goro::as<HttpStatus>(r.error()) ? dojo::grader::Why(mistake::swallowed_error)
                 : url == b && !goro::as<NetError>(r.error()) ? dojo::grader::Why(mistake::swallowed_error)
                                                              : dojo::grader::Why());
  auto status = check.expect_as<HttpStatus>(r.error(), "HttpStatus");
  check.expect_eq(status.code, 500, "the status code found by goro::as<HttpStatus>");
  (void)check.expect_as<NetError>(r.error(), "NetError", "The refused connection's error must be in the result too.");
}
