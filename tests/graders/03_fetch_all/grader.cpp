// Hidden checks for exercise 03 (fetch_all).
//
// Every check starts its own loopback HTTP server (exercises/03_fetch_all/loopback_server.hpp)
// and sends real requests, so real time passes even in the deterministic runs: there the
// HTTP calls run inside goro::blocking, the tasks wait in "IO wait" and the virtual clock
// stands still.
//
// No verdict depends on how fast the machine is. The checks about timing — parallelism, the
// order of the answers, cancellation — hold requests at the server and let the referee below
// decide when each one is answered. The referee acts only when fetch_all is *quiet*: nothing
// in it can happen any more unless the server answers. Precisely, at one moment:
//   * every goro task of the run is blocked on a goro operation (a channel, a select, the
//     group's wait or limit, a mutex, a timer), or is inside http_get;
//   * every http_get call in flight (exercises/03_fetch_all/http.cpp lists them) watches a
//     context that is not cancelled, and waits for a request that the server holds;
//   * the server has no other connection (nothing waiting in the kernel to be accepted);
// and none of these changed while the referee looked (goro's progress counter, the list of
// calls in flight and the server's record did not move). From such a moment on, nothing
// changes by itself: a blocked task needs another task to wake it, and every other task
// waits for the server. (On real threads a goro timer could still fire later; a task waiting
// on one counts as blocked here, as it does in the deterministic runs, where the virtual
// clock does not move while a request is in flight.)
//
// So the referee can prove, instead of guessing with a clock, that
//   * the requests fetch_all has in flight are all it will send for now (the peak, and the
//     moment to send the failure or cancel the caller's context: with 8 requests open);
//   * a fetch_all that keeps a /hang open after the failure will never drop it: every request
//     it waits for watches a context that is not cancelled, and nothing else can run. The
//     referee then releases the hangs (they run to their end, fetch_all returns) and the check
//     reports that they were not dropped.
// A correct fetch_all is never quiet while it still has something to do, so it is never
// judged early, however long a busy machine makes it wait.
//
// Quiet with nothing held, fetch_all waits for something other than the server (a deadlock,
// a timer): the referee then lets everything go and stops looking, so that goro reports what
// fetch_all waits on. A wait of the grader for the server is a short poll inside
// goro::blocking; how often it polls changes how soon the referee looks, never a verdict.
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <thread>

#include "fetch_all.hpp"
#include "grader.hpp"
#include "kit.hpp"
#include "loopback_server.hpp"

using dojo::ex03::fetch_all;
using dojo::ex03::HttpStatus;
using dojo::ex03::NetError;
using dojo::ex03::testing::Held;
using dojo::ex03::testing::Kind;
using dojo::ex03::testing::LoopbackServer;
using dojo::ex03::testing::requests_in_flight;
using dojo::ex03::testing::RequestInFlight;
using dojo::ex03::testing::Seen;
using dojo::grader::Check;
using namespace std::chrono_literals;

// ThreadSanitizer (the tsan preset) reports races inside the Debian-built cpp-httplib library,
// on the server's own threads: the library is not instrumented, so TSan misses its
// synchronisation (a memcmp in its request routing reads memory another worker thread
// allocated earlier). No learner code runs on those threads, so reports whose stack goes
// through that library are suppressed. Without TSan this function is never called.
extern "C" const char* __tsan_default_suppressions() { return "race:libcpp-httplib.so\n"; }

namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_order, mistake::ignored_cancellation, mistake::over_limit, mistake::serialized,
                     mistake::swallowed_error, mistake::missing_context, mistake::missing_wrap);

namespace {

// What the referee saw when fetch_all was quiet (see the top of this file).
struct Quiet {
  std::vector<Held> held;     // what the server holds (each request in flight waits for one)
  std::size_t requests = 0;   // http_get calls in flight
  [[nodiscard]] std::size_t count(Kind k) const {
    return static_cast<std::size_t>(std::count_if(held.begin(), held.end(), [&](const Held& h) { return h.kind == k; }));
  }
  [[nodiscard]] const Held* find(Kind k) const {
    auto it = std::find_if(held.begin(), held.end(), [&](const Held& h) { return h.kind == k; });
    return it == held.end() ? nullptr : &*it;
  }
};

// What a policy may do when fetch_all is quiet.
class Moves {
 public:
  Moves(std::shared_ptr<LoopbackServer> server, goro::CancelFunc cancel)
      : server_(std::move(server)), cancel_(std::move(cancel)) {}
  /// Lets one held request go: an /ok or /status answers, a /hang ends (released).
  void answer(const Held& h) { server_->answer(h.index); }
  /// Lets every held request go, and every later one.
  void release_all() { server_->release_all(); }
  /// Cancels the context the check gave fetch_all; when this returns, every context derived
  /// from it is cancelled too.
  void cancel_caller() {
    if (cancel_) cancel_();
  }
  /// Quiet with nothing held: fetch_all waits for something that is not the server (a
  /// deadlock, or a timer). Nothing is held any more and the referee stops looking, so that
  /// goro can report what fetch_all waits on.
  void give_up() {
    server_->release_all();
    gave_up_ = true;
  }
  [[nodiscard]] bool gave_up() const { return gave_up_; }

 protected:
  std::shared_ptr<LoopbackServer> server_;
  goro::CancelFunc cancel_;
  bool gave_up_ = false;
};

/// Called each time fetch_all is quiet, until it returns.
using Policy = std::function<void(Moves&, const Quiet&)>;

// The referee. In a deterministic run it is a goro task: it looks at the run between two
// steps of the run, when no other task can move, and it may cancel a context. On real threads
// it is a plain thread: it moves no progress counter that would hide a stall from the
// watchdog. Its state is shared with it, so that a run torn down in the middle (a panic, the
// step limit) may end the check's task first.
class Referee {
 public:
  /// Call it from the check's task, before fetch_all. `cancel` is for Moves::cancel_caller.
  Referee(std::shared_ptr<LoopbackServer> server, Policy policy, goro::CancelFunc cancel = {})
      : st_(std::make_shared<State>(std::move(server), std::move(policy), std::move(cancel))) {
    if (st_->deterministic) {
      done_ = goro::make_chan<goro::Unit>();
      goro::go_named("grader: referee", [st = st_, done = done_] {
        st->self = goro::current_task_id();
        while (st->look()) st->pause();
        done.close();
      });
    } else {
      thread_ = std::thread([st = st_] {
        while (st->look()) st->pause();
      });
    }
  }
  ~Referee() {  // normally after finish(); before it only when the check is being unwound
    st_->stop = true;
    if (thread_.joinable()) thread_.join();
  }
  Referee(const Referee&) = delete;
  Referee& operator=(const Referee&) = delete;

  /// fetch_all has returned: stops the referee, then waits until the server's record is
  /// complete — every connection the client opened has been seen to its end.
  void finish() {
    st_->returned = true;
    if (done_) (void)done_.recv();
    if (thread_.joinable()) goro::blocking([this] { thread_.join(); });
    for (;;) {
      const std::uint64_t v = st_->server_->version();
      // Whatever is still held waits for a client that has gone: an /ok or /status is
      // answered (no one reads it); a /hang stays until the server sees it dropped — unless
      // a call in flight still waits for it (a task left running): that one is released.
      for (const Held& h : st_->server_->held())
        if (h.kind != Kind::hang) st_->server_->answer(h.index);
      if (st_->server_->settled()) return;
      if (auto q = st_->quiet(true); q && q->requests > 0) st_->server_->release_all();
      goro::blocking([&] { st_->server_->wait_change(v, 2ms); });
    }
  }

 private:
  struct State : Moves {
    State(std::shared_ptr<LoopbackServer> server, Policy p, goro::CancelFunc cancel)
        : Moves(std::move(server), std::move(cancel)),
          policy(std::move(p)),
          main(goro::current_task_id()),
          deterministic(run.deterministic()) {}

    Policy policy;
    dojo::grader::RunView run;
    const std::uint64_t main;    // the check's task
    const bool deterministic;
    std::atomic<std::uint64_t> self{0};  // the referee's task (deterministic runs)
    std::atomic<bool> returned{false}, stop{false};
    std::uint64_t seen = 0;      // the server's version at the last look

    using Moves::server_;

    // One look; false once the referee has nothing more to do.
    bool look() {
      if (returned || stop || gave_up()) return false;
      seen = server_->version();
      if (auto q = quiet(false)) policy(*this, *q);
      return !gave_up();
    }
    // Until the next look: a poll, which decides how soon the referee looks again, never a
    // verdict. A deterministic run waits inside goro::blocking (the run goes on meanwhile).
    void pause() {
      if (deterministic)
        goro::blocking([server = server_, v = seen] { server->wait_change(v, 2ms); });
      else
        server_->wait_change(seen, 2ms);
    }

    // Whether fetch_all is quiet (see the top of this file); after it has returned, the
    // check's own task (waiting for the server) does not count.
    std::optional<Quiet> quiet(bool after_return) {
      const std::uint64_t p1 = dojo::grader::progress_now();
      const std::uint64_t v1 = server_->version();
      std::uint64_t r1 = 0;
      const std::vector<RequestInFlight> reqs = requests_in_flight(&r1);
      const std::vector<goro::TaskInfo> tasks = run.tasks();
      std::vector<Held> held = server_->held();

      std::set<std::uint64_t> in_http;
      for (const RequestInFlight& r : reqs) {
        if (r.cancelled) return std::nullopt;  // about to return
        in_http.insert(r.task);
      }
      using dojo::grader::TaskState;
      for (const goro::TaskInfo& t : tasks) {
        if (t.id == self || (after_return && t.id == main) || t.state == TaskState::exited) continue;
        if (t.adopted && t.id != main) continue;  // a thread that is not part of the run
        if (in_http.contains(t.id)) {
          // Parked in IO wait (deterministic runs) or running the transfer on its own thread.
          if (t.state != (deterministic ? TaskState::blocked : TaskState::running)) return std::nullopt;
          continue;
        }
        if (t.state != TaskState::blocked || t.reason == dojo::grader::WaitReason::external) return std::nullopt;
      }
      std::vector<bool> used(held.size(), false);
      for (const RequestInFlight& r : reqs) {
        bool found = false;
        for (std::size_t j = 0; j < held.size() && !found; ++j)
          if (!used[j] && server_->url(held[j].target) == r.url) used[j] = found = true;
        if (!found) return std::nullopt;  // not (yet) held: the server will answer it, or see it
      }
      const int conns = server_->open_connections();
      if (conns >= 0 && static_cast<std::size_t>(conns) != held.size()) return std::nullopt;

      std::uint64_t r2 = 0;
      (void)requests_in_flight(&r2);
      if (r2 != r1 || server_->version() != v1 || dojo::grader::progress_now() != p1) return std::nullopt;
      return Quiet{std::move(held), reqs.size()};
    }
  };

  std::shared_ptr<State> st_;
  goro::Chan<goro::Unit> done_;
  std::thread thread_;
};

std::string list(const std::vector<std::string>& v) {
  if (v.size() > 6) return fmt::format("{{{}, ... ({} in all)}}", fmt::join(v.begin(), v.begin() + 6, ", "), v.size());
  return fmt::format("{{{}}}", fmt::join(v, ", "));
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

// Every /hang request that reached the server was dropped by the client. A /hang never ends
// by itself: one that did not end dropped was released by the referee, which does that only
// once fetch_all provably waits for it with nothing left that could cancel it.
void expect_hangs_dropped(Check& check, const std::vector<Seen>& seen, std::string_view what) {
  std::vector<std::string> released, open;
  for (const Seen& s : seen) {
    if (s.kind != Kind::hang) continue;
    if (!s.ended) open.push_back(path_of(s.target));
    if (s.released) released.push_back(path_of(s.target));
  }
  std::vector<std::string> problems;
  auto names = [](const std::vector<std::string>& v) {
    if (v.size() > 8) return fmt::format("{}, ... ({} in all)", fmt::join(v.begin(), v.begin() + 8, ", "), v.size());
    return fmt::format("{}", fmt::join(v, ", "));
  };
  const bool one = released.size() == 1;
  if (!released.empty())
    problems.push_back(fmt::format(
        "{} ran to {} end instead of being dropped: {}.\nfetch_all kept waiting for {}: every request it had in "
        "flight watched a context that was not cancelled, and nothing else in fetch_all could still run, so the "
        "grader ended {}.",
        one ? "1 request" : fmt::format("{} requests", released.size()), one ? "its" : "their", names(released),
        one ? "it" : "them", one ? "it" : "them"));
  if (!open.empty()) problems.push_back(fmt::format("still open when the grader stopped waiting: {}", names(open)));
  check.expect(problems.empty(),
               fmt::format("every request still in flight dropped as soon as {} (fetch_all closes its connection "
                           "instead of waiting for it)",
                           what),
               fmt::format("{}", fmt::join(problems, "\n")),
               {mistake::ignored_cancellation,
                "http_get aborts a transfer only when the context it was given is cancelled: make every request "
                "with a context that the first failure and the caller both cancel (the group's gctx is one), not "
                "with the caller's ctx alone."});
}

void expect_names(Check& check, const goro::Error& err, const std::string& url) {
  check.expect(err && err.message().find(url) != std::string::npos, fmt::format("a message that names {}", url),
               Check::describe_error(err),
               {mistake::missing_context,
                "http_get's errors say what went wrong, not where: each task wraps its error with its own URL "
                "(and {:w}, so that the cause stays findable)."});
}

// The bodies, in the order of their URLs. The right bodies in another order were put where
// their answers arrived, not where their URLs are.
void expect_bodies(Check& check, const std::vector<std::string>& got, const std::vector<std::string>& want) {
  auto a = got, b = want;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  check.expect_eq(got, want, "the bodies",
                  a == b ? dojo::grader::Why{mistake::wrong_order,
                                             "Each body belongs at its URL's index, whatever order the answers "
                                             "arrive in."}
                         : dojo::grader::Why{});
}

// The scenario "the URL at index `bad` fails with HTTP 500 while 7 slow requests are open".
void failure_while_others_in_flight(Check& check, bool failing_first) {
  auto srv = std::make_shared<LoopbackServer>();
  LoopbackServer& server = *srv;
  std::vector<std::string> urls;
  const std::string bad = server.held_status_url(500, "bad");
  if (failing_first) urls.push_back(bad);
  for (int i = 0; i < 7; ++i) urls.push_back(server.hang_url(fmt::format("slow{}", i)));
  if (failing_first) {
    for (int i = 7; i < 11; ++i) urls.push_back(server.hang_url(fmt::format("later{}", i)));
    check.say("calling fetch_all(background, {/status/500/bad, /hang/slow0 .. /hang/slow6, /hang/later7 .. "
              "/hang/later10}): the first URL answers 500 once fetch_all has 8 requests open and waits; a /hang "
              "request never ends by itself");
  } else {
    urls.push_back(bad);
    check.say("calling fetch_all(background, {/hang/slow0 .. /hang/slow6, /status/500/bad}): the last URL answers "
              "500 once fetch_all has 8 requests open and waits; a /hang request never ends by itself");
  }
  Referee referee(srv, [failure_sent = false](Moves& m, const Quiet& q) mutable {
    if (!failure_sent) {
      if (const Held* status = q.find(Kind::status)) {
        m.answer(*status);  // with whatever is open: the check below says if it is not 7 hangs
        failure_sent = true;
      } else if (!q.held.empty()) {
        m.release_all();  // the failing URL is not even sent while these wait (one at a time?)
      } else {
        m.give_up();
      }
    } else if (!q.held.empty()) {
      m.release_all();  // after the failure, fetch_all waits for these and nothing can cancel them
    } else {
      m.give_up();
    }
  });
  auto r = fetch_all(goro::background(), urls);
  referee.finish();

  auto status = check.expect_as<HttpStatus>(r.error(), "HttpStatus",
                                            "Return the error of the failing request from its task, wrapped "
                                            "with {:w} so that its cause stays findable.");
  check.expect_eq(status.code, 500, "the status code found by goro::as<HttpStatus>");
  expect_names(check, r.error(), bad);
  const int open_at_failure = server.hangs_open_at_failure();
  check.expect(open_at_failure == 7, "the 7 slow requests in flight together with the failing one (8 at once)",
               fmt::format("{} slow requests were open when the failure was sent", open_at_failure),
               open_at_failure > 7 ? dojo::grader::Why{mistake::over_limit}
                                   : dojo::grader::Why{mistake::serialized, "Start the requests before waiting for "
                                                                            "any of them; only the cap of 8 holds "
                                                                            "the ninth back."});
  auto failed = server.failed_at();
  check.expect(failed.has_value(), "the server sent the 500", "it never did");
  auto seen = server.seen();
  expect_hangs_dropped(check, seen, "the failure is known");
  // The failure is sent while fetch_all is quiet, with every request it had sent held open:
  // a request that reached the server after it was sent after it.
  std::vector<std::string> late;
  for (const Seen& s : seen)
    if (s.arrived > *failed) late.push_back(path_of(s.target));
  check.expect(late.empty(), "no request sent after the failure", fmt::format("sent after it: {}", list(late)),
               {mistake::ignored_cancellation,
                "Once the failure has cancelled the requests' context, a request made with it sends nothing: "
                "every request, also the ones not started yet, must use that context."});
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
           "Each body belongs at its URL's index: store it there (a slot per URL, or the index kept with the "
           "body and used after wait()). Appending as answers arrive gives the order of arrival.") {
  auto srv = std::make_shared<LoopbackServer>();
  std::vector<std::string> urls, want;
  for (int i = 0; i < 12; ++i) {
    urls.push_back(srv->held_ok_url(fmt::format("p{}", i)));
    want.push_back(fmt::format("page p{}", i));
  }
  check.say("calling fetch_all(background, {/ok/p0 .. /ok/p11}); the server holds every request until fetch_all "
            "has sent all it can and waits, answers the latest URL it holds first (p7: the limit holds back "
            "p8 .. p11) and the others only once fetch_all has taken that answer and waits again");
  Referee referee(srv, [first = true](Moves& m, const Quiet& q) mutable {
    if (q.held.empty()) return m.give_up();
    if (first) {  // the latest URL's answer arrives first, alone
      auto index = [](const Held& h) { return std::stoi(h.name.substr(1)); };
      m.answer(*std::max_element(q.held.begin(), q.held.end(),
                                 [&](const Held& a, const Held& b) { return index(a) < index(b); }));
      first = false;
    } else {
      for (const Held& h : q.held) m.answer(h);
    }
  });
  auto r = fetch_all(goro::background(), urls);
  referee.finish();
  check.expect_ok(r.error(), "fetch_all(...)");
  expect_bodies(check, r.value(), want);
}

DOJO_CHECK("at most 8 requests in flight, and more than one",
           "A request may start only when one of 8 slots is free (a group limit set before the first go, a "
           "semaphore, 8 workers); up to that cap the requests run at the same time.") {
  auto srv = std::make_shared<LoopbackServer>();
  LoopbackServer& server = *srv;
  std::vector<std::string> urls;
  for (int i = 0; i < 20; ++i) urls.push_back(server.held_ok_url(fmt::format("p{}", i)));
  check.say("calling fetch_all(background, 20 URLs); the server holds every request until fetch_all has sent "
            "all it is going to send and waits, then answers them together, and counts the requests in flight");
  Referee referee(srv, [](Moves& m, const Quiet& q) {
    if (q.held.empty()) return m.give_up();
    for (const Held& h : q.held) m.answer(h);
  });
  auto r = fetch_all(goro::background(), urls);
  referee.finish();
  check.expect_ok(r.error(), "fetch_all(...)");
  const int peak = server.peak();
  check.expect(peak <= 8, "at most 8 requests in flight at once",
               fmt::format("the server saw {} requests in flight at once", peak),
               {mistake::over_limit, "Without a cap every URL gets its request at once; the cap must already hold "
                                     "when the first request starts."});
  check.expect(peak > 1, "more than one request in flight at once",
               fmt::format("the server saw {} request(s) in flight at once: the requests ran one after the other", peak),
               {mistake::serialized, "Start the requests before waiting for any of them, and wait once at the "
                                     "end: a request made in the loop itself waits for the one before."});
  check.expect_eq(r.value().size(), urls.size(), "the number of bodies");
}

DOJO_CHECK("a large input: 100 URLs, every body in its place, never more than 8 at once",
           "Every URL fetched concurrently, never more than 8 at once, each body at its URL's index.") {
  LoopbackServer server;
  std::vector<std::string> urls, want;
  for (int i = 0; i < 100; ++i) {
    urls.push_back(server.ok_url(fmt::format("p{}", i), i % 3));
    want.push_back(fmt::format("page p{}", i));
  }
  check.say("calling fetch_all(background, {/ok/p0 .. /ok/p99})");
  auto r = fetch_all(goro::background(), urls);
  check.expect_ok(r.error(), "fetch_all(...)");
  expect_bodies(check, r.value(), want);
  check.expect(server.peak() <= 8, "at most 8 requests in flight at once",
               fmt::format("the server saw {} requests in flight at once", server.peak()), mistake::over_limit);
}

DOJO_CHECK("the first URL fails (HTTP 500): its error names the URL, the requests in flight are dropped at once",
           "The first failure must cancel the context every other request was made with (a group made with "
           "ErrGroup::with_context cancels its gctx when a task returns an error); a request stops only then.") {
  failure_while_others_in_flight(check, true);
}

DOJO_CHECK("the last URL fails (HTTP 500): its error names the URL, the requests in flight are dropped at once",
           "The first failure must cancel the context every other request was made with (a group made with "
           "ErrGroup::with_context cancels its gctx when a task returns an error); a request stops only then.") {
  failure_while_others_in_flight(check, false);
}

DOJO_CHECK("a refused connection: a NetError that names the URL, and the other requests are dropped",
           "Any error of http_get is a failure of its URL: wrap it with the URL using {:w} and return it.") {
  auto srv = std::make_shared<LoopbackServer>();
  LoopbackServer& server = *srv;
  std::vector<std::string> urls;
  for (int i = 0; i < 7; ++i) urls.push_back(server.hang_url(fmt::format("slow{}", i)));
  const std::string refused = server.refused_url("nobody-home");
  urls.push_back(refused);
  check.say("calling fetch_all(background, {/hang/slow0 .. /hang/slow6, a URL on a port where nothing listens}); "
            "a /hang request never ends by itself");
  // The refusal is often faster than the slow requests: some of them are cancelled before they
  // are sent, others are sent and abandoned before the server has even accepted them. The
  // referee's finish() waits for those to reach the server and be seen dropped.
  Referee referee(srv, [](Moves& m, const Quiet& q) {
    if (q.held.empty()) return m.give_up();
    m.release_all();  // the refusal is in the past: fetch_all waits for these, nothing cancels them
  });
  auto r = fetch_all(goro::background(), urls);
  referee.finish();
  auto net = check.expect_as<NetError>(r.error(), "NetError",
                                       "Return the error of the failing request, wrapped with {:w} so that its "
                                       "cause stays findable.");
  check.expect(net.curl_code != 0, "a libcurl error code in the NetError", "code 0");
  expect_names(check, r.error(), refused);
  expect_hangs_dropped(check, server.seen(), "the connection is refused");
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
           "A cancelled caller wants no work done: look at ctx.err() before sending anything.") {
  LoopbackServer server;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling fetch_all(ctx, {/ok/a, /ok/b, /ok/c}) with ctx already cancelled");
  auto r = fetch_all(ctx, {server.ok_url("a"), server.ok_url("b"), server.ok_url("c")});
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
  check.expect_eq(server.seen().size(), std::size_t{0}, "requests the server received", mistake::ignored_cancellation);
}

DOJO_CHECK("cancelled by the caller while requests are in flight: goro::Canceled, and the connections dropped at once",
           "Make every request with a context derived from the caller's ctx (the group's gctx from "
           "ErrGroup::with_context(ctx) is one): the caller's cancellation then reaches every request.") {
  auto srv = std::make_shared<LoopbackServer>();
  LoopbackServer& server = *srv;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  std::vector<std::string> urls;
  for (int i = 0; i < 12; ++i) urls.push_back(server.hang_url(fmt::format("slow{}", i)));
  check.say("calling fetch_all(ctx, {/hang/slow0 .. /hang/slow11}); a /hang request never ends by itself; the "
            "grader cancels ctx once fetch_all has its requests open and waits");
  // How many requests were open when the grader cancelled; read after finish().
  auto open_at_cancel = std::make_shared<std::optional<std::size_t>>();
  Referee referee(
      srv,
      [open_at_cancel](Moves& m, const Quiet& q) {
        if (!*open_at_cancel) {
          *open_at_cancel = q.count(Kind::hang);
          m.cancel_caller();
        } else if (!q.held.empty()) {
          m.release_all();  // cancelled, yet fetch_all waits for these and nothing cancels them
        } else {
          m.give_up();
        }
      },
      cancel);
  auto r = fetch_all(ctx, urls);
  referee.finish();
  cancel();
  const std::optional<std::size_t> open = *open_at_cancel;
  check.expect(open == std::size_t{8}, "8 requests in flight at once before the caller cancels",
               open ? fmt::format("fetch_all stopped to wait for the server with {} open",
                                  *open == 1 ? std::string("1 request") : fmt::format("{} requests", *open))
                    : std::string("fetch_all returned before the caller cancelled"),
               !open       ? dojo::grader::Why{}
               : *open > 8 ? dojo::grader::Why{mistake::over_limit}
                           : dojo::grader::Why{mistake::serialized, "Start the requests before waiting for any of "
                                                                    "them; only the cap of 8 holds the ninth back."});
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
  auto seen = server.seen();
  expect_hangs_dropped(check, seen, "the caller cancels");
  check.expect(seen.size() == 8, "no request sent after the cancellation (8 in all)",
               fmt::format("the server received {} requests", seen.size()), mistake::ignored_cancellation);
}

DOJO_CHECK("the result does not depend on the schedule",
           "Each task writes only its own URL's result, and the results are read once every task is done "
           "(after wait()).",
           dojo::grader::Options{.seeds = 8}) {
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
  expect_bodies(check, r.value(), want);
}
