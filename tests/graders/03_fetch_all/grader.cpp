// Hidden checks for exercise 03 (fetch_all).
//
// Every check starts its own loopback HTTP server (exercises/03_fetch_all/loopback_server.hpp)
// and sends real requests, so real time passes even in the deterministic runs: there the
// HTTP calls run inside goro::blocking, the tasks wait in "IO wait" and the virtual clock
// stands still. Timing is therefore measured on the real (steady) clock, and every wait of the
// grader and of the server is bounded. The grader waits for the server only from inside
// goro::blocking, never with a bare condition variable on a goro task.
#include <algorithm>
#include <atomic>
#include <memory>

#include "fetch_all.hpp"
#include "grader.hpp"
#include "loopback_server.hpp"

using dojo::ex03::fetch_all;
using dojo::ex03::HttpStatus;
using dojo::ex03::NetError;
using dojo::ex03::testing::Clock;
using dojo::ex03::testing::LoopbackServer;
using dojo::ex03::testing::ms_between;
using dojo::ex03::testing::Seen;
using dojo::grader::Check;
using namespace std::chrono_literals;

// ThreadSanitizer (the tsan preset) reports races inside the Debian-built cpp-httplib library,
// on the server's own threads: the library is not instrumented, so TSan misses its
// synchronisation (a memcmp in its request routing reads memory another worker thread
// allocated earlier). No learner code runs on those threads, so reports whose stack goes
// through that library are suppressed. Without TSan this function is never called.
extern "C" const char* __tsan_default_suppressions() { return "race:libcpp-httplib.so\n"; }

namespace {

// The margins. "Within 100 ms" is what the statement asks, and what a correct fetch_all
// achieves with room to spare: http_get notices a cancelled context within 5 ms, and the server
// notices a closed connection at its next write, 2 ms later — a few milliseconds in all (at
// most 16 ms in hundreds of runs on a loaded 2-core machine). But what the grader measures
// also includes waking threads of the server, of libcurl and of the runtime, on a machine whose
// two cores may be busy with other work (a build, other graders), and a thread that is not
// scheduled for a few hundred milliseconds there is rare but real. The learner controls none
// of that, so the grader allows kPromptLimit = 1 s. What it must catch is a fetch_all that does
// not cancel at all (the requests made with the caller's ctx, an error swallowed): such a
// fetch_all keeps every slow request open for its whole kSlow and returns only after it, three
// times the limit, and the server sees those requests run to their end instead of being
// dropped. kSlow costs a correct solution nothing (it never waits for a slow request); only a
// failing fetch_all waits it out, once per failing check.
constexpr auto kStatementLimit = 100ms;
constexpr auto kPromptLimit = 1s;
constexpr int kSlowMs = 3000;  // how long a /hang request would take
constexpr auto kSlow = std::chrono::milliseconds(kSlowMs);

long long ms(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

std::string list(const std::vector<std::string>& v) {
  if (v.size() > 6) return fmt::format("{{{}, ... ({} in all)}}", fmt::join(v.begin(), v.begin() + 6, ", "), v.size());
  return fmt::format("{{{}}}", fmt::join(v, ", "));
}

// Waits (real time, bounded) until the server has finished with every connection the client
// opened, so that its record is complete. A dropped connection is noticed a few milliseconds
// after the client closed it, possibly after fetch_all has returned; and a request cancelled
// right after it was sent may reach the server's handler only after fetch_all has returned (the
// kernel accepted the connection, the server's threads had not run yet). wait_settled sees
// those too. The bound lets a fetch_all that does not cancel run its slow requests to the end.
void settle(LoopbackServer& server) {
  (void)goro::blocking([&server] { return server.wait_settled(kSlow + 2s); });
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

// Every /hang request that reached the server was dropped by the client, no later than
// kPromptLimit after `from` (the failure or the cancellation, on the real clock) — or after the
// request reached the server, if that was later: the server cannot see a connection dropped
// before it has accepted it, and how late a busy machine runs the server's threads is not the
// learner's doing.
void expect_hangs_dropped(Check& check, const std::vector<Seen>& seen, Clock::time_point from, std::string_view what) {
  std::vector<std::string> problems;
  for (const Seen& s : seen) {
    if (!s.hang) continue;
    const auto since = std::max(from, s.arrived);
    const std::string_view since_what = since == from ? what : std::string_view("it reached the server");
    if (!s.ended) {
      problems.push_back(fmt::format("{} was still open when the grader stopped waiting", path_of(s.target)));
    } else if (!s.dropped) {
      problems.push_back(fmt::format("{} ran to its end ({} ms after {}) instead of being dropped", path_of(s.target),
                                     ms_between(from, *s.ended), what));
    } else if (*s.ended - since > kPromptLimit) {
      problems.push_back(fmt::format("{} was dropped {} ms after {}: too late", path_of(s.target),
                                     ms_between(since, *s.ended), since_what));
    }
  }
  std::string got = problems.empty() ? "" : fmt::format("{}", fmt::join(problems, "\n"));
  check.expect(problems.empty(),
               fmt::format("every request still in flight dropped within {} ms of {} (the grader allows {} ms "
                           "on a busy machine)",
                           ms(kStatementLimit), what, ms(kPromptLimit)),
               got,
               "The requests must be made with the group's context (gctx from ErrGroup::with_context), not the "
               "caller's: the group cancels gctx at the first error, and http_get aborts its transfer the moment "
               "its context is cancelled.");
}

void expect_returned_promptly(Check& check, Clock::time_point from, Clock::time_point returned, std::string_view what) {
  check.expect(returned - from <= kPromptLimit,
               fmt::format("fetch_all returns within {} ms of {} (the grader allows {} ms)", ms(kStatementLimit), what,
                           ms(kPromptLimit)),
               fmt::format("it returned {} ms after {}", ms_between(from, returned), what),
               "g.wait() returns once every task has returned; a task returns promptly only if its request "
               "watches the group's context.");
}

void expect_names(Check& check, const goro::Error& err, const std::string& url) {
  check.expect(err && err.message().find(url) != std::string::npos, fmt::format("a message that names {}", url),
               Check::describe_error(err),
               "http_get's errors say what went wrong, not where: each task wraps its error with its own URL "
               "(and {:w}, so that the cause stays findable).");
}

// The scenario "the URL at index `bad` fails with HTTP 500 while 7 slow requests are open".
void failure_while_others_in_flight(Check& check, bool failing_first) {
  LoopbackServer server;
  std::vector<std::string> urls;
  const std::string bad = server.status_url(500, "bad", 7);
  if (failing_first) urls.push_back(bad);
  for (int i = 0; i < 7; ++i) urls.push_back(server.hang_url(fmt::format("slow{}", i), kSlowMs));
  if (failing_first) {
    for (int i = 7; i < 11; ++i) urls.push_back(server.hang_url(fmt::format("later{}", i), kSlowMs));
    check.say(fmt::format("calling fetch_all(background, {{/status/500/bad, /hang/slow0 .. /hang/slow6, /hang/later7 "
                          ".. /hang/later10}}): the first URL answers 500 once the 7 slow requests are open; each "
                          "slow request would take {} s",
                          kSlowMs / 1000));
  } else {
    urls.push_back(bad);
    check.say(fmt::format("calling fetch_all(background, {{/hang/slow0 .. /hang/slow6, /status/500/bad}}): the last "
                          "URL answers 500 once the 7 slow requests are open; each slow request would take {} s",
                          kSlowMs / 1000));
  }
  auto r = fetch_all(goro::background(), urls);
  const auto returned = Clock::now();
  settle(server);

  auto status = check.expect_as<HttpStatus>(r.error(), "HttpStatus",
                                            "Return the error of the failing request from its task, wrapped "
                                            "with {:w} so that its cause stays findable.");
  check.expect_eq(status.code, 500, "the status code found by goro::as<HttpStatus>");
  expect_names(check, r.error(), bad);
  check.expect(server.hangs_open_at_failure() == 7,
               "the 7 slow requests in flight together with the failing one (8 at once)",
               fmt::format("{} slow requests were open when the failure was sent", server.hangs_open_at_failure()),
               "Start a task per URL and let the group's limit hold back the ninth: the requests run at the "
               "same time, not one after the other.");
  auto failed = server.failed_at();
  check.expect(failed.has_value(), "the server sent the 500", "it never did");
  auto seen = server.seen();
  expect_hangs_dropped(check, seen, *failed, "the failure");
  expect_returned_promptly(check, *failed, returned, "the failure");
  std::vector<std::string> late;
  for (const Seen& s : seen)
    if (s.arrived > *failed) late.push_back(path_of(s.target));
  check.expect(late.empty(), "no request sent after the failure", fmt::format("sent after it: {}", list(late)),
               "A task started after the failure calls http_get with the cancelled group context, which sends "
               "nothing.");
}

}  // namespace

DOJO_CHECK("no URLs: an empty result, and no request", "With nothing to fetch there is no task, and wait() returns at once.") {
  LoopbackServer server;
  check.say("calling fetch_all(background, {})");
  auto r = fetch_all(goro::background(), {});
  check.expect_ok(r.error(), "fetch_all(...)");
  check.expect_eq(r.value(), std::vector<std::string>{}, "the bodies");
  check.expect_eq(server.seen().size(), std::size_t{0}, "requests the server received");
}

DOJO_CHECK("one URL: its body", "One task, one request; its body goes into the only slot.") {
  LoopbackServer server;
  check.say("calling fetch_all(background, {/ok/only})");
  auto r = fetch_all(goro::background(), {server.ok_url("only")});
  check.expect_ok(r.error(), "fetch_all(...)");
  check.expect_eq(r.value(), std::vector<std::string>{"page only"}, "the bodies");
}

DOJO_CHECK("the bodies come in the order of the URLs, not in the order the answers arrive",
           "Size the result up front (std::vector<std::string> bodies(urls.size())) and let task i write "
           "bodies[i] only. Appending as answers arrive gives the order of arrival.") {
  LoopbackServer server;
  std::vector<std::string> urls, want;
  for (int i = 0; i < 12; ++i) {  // the earlier the URL, the slower its answer
    urls.push_back(server.ok_url(fmt::format("p{}", i), 6 * (12 - i)));
    want.push_back(fmt::format("page p{}", i));
  }
  check.say("calling fetch_all(background, {/ok/p0 .. /ok/p11}) where /ok/p0 takes 72 ms, p1 66 ms, ... p11 6 ms");
  auto r = fetch_all(goro::background(), urls);
  check.expect_ok(r.error(), "fetch_all(...)");
  check.expect_eq(r.value(), want, "the bodies");
}

DOJO_CHECK("at most 8 requests in flight, and more than one",
           "ErrGroup::set_limit(kMaxInFlight), called once before the first go, caps the active tasks; "
           "everything else runs in parallel.") {
  LoopbackServer server;
  std::vector<std::string> urls;
  for (int i = 0; i < 20; ++i) urls.push_back(server.ok_url(fmt::format("p{}", i), 30));
  check.say("calling fetch_all(background, 20 URLs that each take 30 ms); the server counts the requests in flight");
  auto r = fetch_all(goro::background(), urls);
  check.expect_ok(r.error(), "fetch_all(...)");
  const int peak = server.peak();
  check.expect(peak <= 8, "at most 8 requests in flight at once",
               fmt::format("the server saw {} requests in flight at once", peak),
               "Without a limit every URL gets its request at once; set the group's limit before starting "
               "any task.");
  check.expect(peak > 1, "more than one request in flight at once",
               fmt::format("the server saw {} request(s) in flight at once: the requests ran one after the other", peak),
               "Start a task for every URL with g.go and wait only at the end, with g.wait(): fetching in the "
               "loop itself is sequential.");
  check.expect_eq(r.value().size(), urls.size(), "the number of bodies");
}

DOJO_CHECK("a large input: 100 URLs, every body in its place, never more than 8 at once",
           "One task per URL, the group's limit, one slot per URL.") {
  LoopbackServer server;
  std::vector<std::string> urls, want;
  for (int i = 0; i < 100; ++i) {
    urls.push_back(server.ok_url(fmt::format("p{}", i), i % 3));
    want.push_back(fmt::format("page p{}", i));
  }
  check.say("calling fetch_all(background, {/ok/p0 .. /ok/p99})");
  auto r = fetch_all(goro::background(), urls);
  check.expect_ok(r.error(), "fetch_all(...)");
  check.expect_eq(r.value(), want, "the bodies");
  check.expect(server.peak() <= 8, "at most 8 requests in flight at once",
               fmt::format("the server saw {} requests in flight at once", server.peak()));
}

DOJO_CHECK("the first URL fails (HTTP 500): its error names the URL, the requests in flight are dropped at once",
           "ErrGroup::with_context cancels gctx when a task returns an error; requests made with gctx are "
           "aborted then.") {
  failure_while_others_in_flight(check, true);
}

DOJO_CHECK("the last URL fails (HTTP 500): its error names the URL, the requests in flight are dropped at once",
           "ErrGroup::with_context cancels gctx when a task returns an error; requests made with gctx are "
           "aborted then.") {
  failure_while_others_in_flight(check, false);
}

DOJO_CHECK("a refused connection: a NetError that names the URL, and the other requests are dropped",
           "Any error of http_get is a failure of its URL: wrap it with the URL using {:w} and return it.") {
  LoopbackServer server;
  std::vector<std::string> urls;
  for (int i = 0; i < 7; ++i) urls.push_back(server.hang_url(fmt::format("slow{}", i), kSlowMs));
  const std::string refused = server.refused_url("nobody-home");
  urls.push_back(refused);
  check.say(fmt::format("calling fetch_all(background, {{/hang/slow0 .. /hang/slow6, a URL on a port where nothing "
                        "listens}}); each slow request would take {} s",
                        kSlowMs / 1000));
  // The refused connection is the failure, and no server sees it: the time is counted from the
  // call (refusing takes a millisecond; a slow request would take kSlow), or, for a request that
  // reached the server only later, from then (see expect_hangs_dropped). The refusal is often
  // faster than the slow requests: some of them are cancelled before they are sent, others are
  // sent and abandoned before the server has even accepted them — settle() waits for those.
  const auto start = Clock::now();
  auto r = fetch_all(goro::background(), urls);
  const auto returned = Clock::now();
  settle(server);
  auto net = check.expect_as<NetError>(r.error(), "NetError",
                                       "Return the error of the failing request, wrapped with {:w} so that its "
                                       "cause stays findable.");
  check.expect(net.curl_code != 0, "a libcurl error code in the NetError", "code 0");
  expect_names(check, r.error(), refused);
  expect_hangs_dropped(check, server.seen(), start, "the call");
  expect_returned_promptly(check, start, returned, "the call");
}

DOJO_CHECK("several failures: the error is one of them, and names that one's URL",
           "The group keeps the first error a task returns; each task wraps its own error with its own URL.") {
  LoopbackServer server;
  const std::vector<std::pair<int, std::string>> bad = {
      {500, server.status_url(500, "b")}, {503, server.status_url(503, "d")}, {404, server.status_url(404, "f")}};
  std::vector<std::string> urls = {server.ok_url("a", 10), bad[0].second, server.ok_url("c", 10),
                                   bad[1].second,          server.ok_url("e", 10), bad[2].second};
  check.say("calling fetch_all(background, {/ok/a, /status/500/b, /ok/c, /status/503/d, /ok/e, /status/404/f})");
  auto r = fetch_all(goro::background(), urls);
  auto status = check.expect_as<HttpStatus>(r.error(), "HttpStatus",
                                            "Return the error of the failing request from its task, wrapped with {:w}.");
  std::string url;
  for (const auto& [code, u] : bad)
    if (code == status.code) url = u;
  check.expect(!url.empty(), "status 500, 503 or 404", fmt::format("status {}", status.code));
  expect_names(check, r.error(), url);
}

DOJO_CHECK("an already-cancelled context: its error, and no request sent",
           "Check ctx.err() first. A cancelled caller wants no work done.") {
  LoopbackServer server;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling fetch_all(ctx, {/ok/a, /ok/b, /ok/c}) with ctx already cancelled");
  auto r = fetch_all(ctx, {server.ok_url("a"), server.ok_url("b"), server.ok_url("c")});
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
  check.expect_eq(server.seen().size(), std::size_t{0}, "requests the server received");
}

DOJO_CHECK("cancelled by the caller while requests are in flight: goro::Canceled, and the connections dropped at once",
           "Derive the group's context from the caller's ctx (ErrGroup::with_context(ctx)) and make every "
           "request with it: the caller's cancellation then reaches every request.") {
  LoopbackServer server;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  struct Shared {
    bool reached = false;
    Clock::time_point at;
  };
  auto shared = std::make_shared<Shared>();
  auto done = goro::make_chan<goro::Unit>();
  LoopbackServer* srv = &server;
  goro::go_named("grader: canceller", [srv, shared, done, cancel = cancel] {
    shared->reached = goro::blocking([srv] { return srv->wait_open_hangs(8, 2s); });
    shared->at = Clock::now();
    cancel();
    done.close();
  });
  std::vector<std::string> urls;
  for (int i = 0; i < 12; ++i) urls.push_back(server.hang_url(fmt::format("slow{}", i), kSlowMs));
  check.say(fmt::format("calling fetch_all(ctx, {{/hang/slow0 .. /hang/slow11}}), each would take {} s; a helper "
                        "task cancels ctx once 8 of them are open",
                        kSlowMs / 1000));
  auto r = fetch_all(ctx, urls);
  const auto returned = Clock::now();
  server.interrupt();  // the helper stops waiting if fetch_all returned first
  (void)done.recv();   // and has cancelled when this returns: `shared` is complete
  cancel();
  settle(server);
  check.expect(shared->reached, "8 requests in flight at once before the caller cancels",
               fmt::format("there never were 8 at once (the server's peak: {})", server.peak()),
               "Start a task for every URL (the group's limit holds back the ninth); wait only at the end.");
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
  auto seen = server.seen();
  expect_hangs_dropped(check, seen, shared->at, "the cancellation");
  expect_returned_promptly(check, shared->at, returned, "the cancellation");
  check.expect(seen.size() == 8, "no request sent after the cancellation (8 in all)",
               fmt::format("the server received {} requests", seen.size()));
}

DOJO_CHECK("the result does not depend on the schedule",
           "Task i writes bodies[i] only, and the bodies are read after g.wait().", dojo::grader::Options{.seeds = 8}) {
  LoopbackServer server;
  const int delays[] = {7, 0, 13, 3, 9, 1, 11, 5, 2, 8};
  std::vector<std::string> urls, want;
  for (int i = 0; i < 10; ++i) {
    urls.push_back(server.ok_url(fmt::format("p{}", i), delays[i]));
    want.push_back(fmt::format("page p{}", i));
  }
  check.say("calling fetch_all(background, {/ok/p0 .. /ok/p9}) with answers taking 0 to 13 ms");
  auto r = fetch_all(goro::background(), urls);
  check.expect_ok(r.error(), "fetch_all(...)");
  check.expect_eq(r.value(), want, "the bodies");
}
