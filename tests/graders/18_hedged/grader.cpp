// Hidden checks for exercise 18 (hedged).
//
// The replicas are real HTTP servers: exercise 03's loopback server (one server, one URL per
// replica: /ok/r1?hold=1, /hang/r0, /status/503/r0, ...) and exercise 03's client, http_get,
// which closes the connection of a request within milliseconds of its context's cancellation
// and lists the calls in flight for the grader.
//
// Time. In a deterministic run http_get runs inside goro::blocking, and a task there is not
// durably blocked: the virtual clock stands still for as long as any request is in flight (Go's
// synctest does the same with a goroutine in a system call). The referee below also waits for
// the server inside goro::blocking, between its looks, so the virtual clock never moves while it
// runs. Hence, in a deterministic run:
//   * a hedge timer never fires while the referee holds requests: every request beyond the ones
//     that failures make due was sent "before the hedge delay had passed" — exactly, with no
//     clock involved;
//   * that the delay does fire (a first replica that hangs) cannot be shown at all: that check
//     runs on real threads only (Options{.seeds = 0});
//   * a check without a referee whose requests all end by themselves lets the clock jump to the
//     hedge timer once nothing is in flight: there "returned before the delay" is exact.
// On real threads the moments come from one steady clock: the grader reads it just before the
// call, the server when a request reaches it. A timer of goro fires no earlier than its delay
// and a request reaches the server after it was sent, so for a correct hedged_fetch the k-th
// hedge arrives at least k delays after the call, whatever the machine's load: that bound only
// ever fails code that sends too early. The checks that need a request NOT to be sent for a
// while use a delay of 10 s, during which the referee (which acts within milliseconds of the
// moment hedged_fetch waits) has long answered.
//
// The referee. As in exercise 03's grader, it acts only when hedged_fetch is *quiet*: every
// task of the run is blocked on a goro operation or is inside http_get, every call in flight
// watches a context that is not cancelled and waits for a request that the server holds, the
// server has no other connection, and none of this changed while the referee looked. From such
// a moment nothing happens unless the server answers (or, on real threads, a timer fires). So:
//   * "3 requests in flight at once" is read at a quiet moment: it is all hedged_fetch sends;
//   * the winner is the one request the referee answers first;
//   * a request that hedged_fetch still waits for after the winner answered (or after the
//     caller cancelled) is one it will never drop: the referee then lets it run to its end, and
//     the check reports that it was not dropped. A correct hedged_fetch is never quiet with a
//     cancelled request in flight, so it is never judged early, however slow the machine;
//   * "after the failure, hedged_fetch waited with no request in flight" is a quiet moment with
//     nothing held: only a timer could still wake it. The referee then cancels the caller's
//     context, so that the run ends at once.
// Connection drops are judged by that order of events, not by a duration: the server records
// when each /hang was dropped, and the checks report how long after the winner's answer that
// was (a report line, never a verdict).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <thread>

#include "../03_fetch_all/loopback_server.hpp"
#include "grader.hpp"
#include "hedged.hpp"
#include "kit.hpp"

using dojo::ex03::testing::Clock;
using dojo::ex03::testing::Held;
using dojo::ex03::testing::Kind;
using dojo::ex03::testing::LoopbackServer;
using dojo::ex03::testing::ms_between;
using dojo::ex03::testing::requests_in_flight;
using dojo::ex03::testing::RequestInFlight;
using dojo::ex03::testing::Seen;
using dojo::ex18::ErrNoReplicas;
using dojo::ex18::hedged_fetch;
using dojo::ex18::HttpStatus;
using dojo::ex18::NetError;
using dojo::grader::Check;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_count, mistake::wrong_timing, mistake::unexpected_error,
                     mistake::swallowed_error, mistake::ignored_cancellation, mistake::leak);

// ThreadSanitizer reports races inside the Debian-built cpp-httplib library, on the server's
// own threads (the library is not instrumented, so TSan misses its synchronisation). No learner
// code runs there; those reports are suppressed. Without TSan this function is never called.
extern "C" const char* __tsan_default_suppressions() { return "race:libcpp-httplib.so\n"; }

namespace {

// ---------------------------------------------------------------- the referee

// What the referee saw when hedged_fetch was quiet.
struct Quiet {
  std::vector<Held> held;    // what the server holds; every request in flight waits for one
  std::size_t requests = 0;  // http_get calls in flight
  [[nodiscard]] const Held* find(std::string_view name) const {
    auto it = std::find_if(held.begin(), held.end(), [&](const Held& h) { return h.name == name; });
    return it == held.end() ? nullptr : &*it;
  }
  [[nodiscard]] std::string names() const {
    std::vector<std::string> v;
    for (const Held& h : held) v.push_back(h.target.substr(0, h.target.find('?')));
    std::sort(v.begin(), v.end());  // the order of arrival depends on the machine
    return v.empty() ? std::string("none") : fmt::format("{}", fmt::join(v, ", "));
  }
};

// What a policy may do when hedged_fetch is quiet.
class Moves {
 public:
  Moves(std::shared_ptr<LoopbackServer> server, goro::CancelFunc cancel)
      : server_(std::move(server)), cancel_(std::move(cancel)) {}
  /// Lets held request `name` go (an /ok or /status answers, a /hang ends); false if not held.
  bool answer(const Quiet& q, std::string_view name) {
    const Held* h = q.find(name);
    if (h != nullptr) server_->answer(h->index);
    return h != nullptr;
  }
  /// Lets every held request go, and every later one.
  void release_all() { server_->release_all(); }
  /// Cancels the context the check gave hedged_fetch (and so every context derived from it).
  void cancel_caller() {
    if (cancel_) cancel_();
  }
  /// Quiet with nothing held and nothing more to do: lets everything go and stops looking, so
  /// that goro can report what hedged_fetch waits on.
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

/// Called each time hedged_fetch is quiet, until it returns.
using Policy = std::function<void(Moves&, const Quiet&)>;

// In a deterministic run the referee is a goro task that looks between two steps of the run;
// on real threads it is a plain thread, which moves no progress counter (the watchdog still
// sees a stall). Its state is shared with it, so that a run torn down early may end first.
class Referee {
 public:
  /// Made on the check's task, just before hedged_fetch is called.
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
  ~Referee() {
    st_->stop = true;
    if (thread_.joinable()) thread_.join();
  }
  Referee(const Referee&) = delete;
  Referee& operator=(const Referee&) = delete;

  /// hedged_fetch has returned: stops the referee, then waits until the server has seen every
  /// connection the client opened to its end.
  void finish() {
    st_->returned = true;
    if (done_) (void)done_.recv();
    if (thread_.joinable()) goro::blocking([this] { thread_.join(); });
    for (;;) {
      const std::uint64_t v = st_->server_->version();
      // Held /ok and /status requests wait for a client that has gone: answer them. A /hang
      // stays until the server sees it dropped, unless a call still waits for it (a task
      // left running): then everything is let go.
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
    const std::uint64_t main;  // the check's task, which runs hedged_fetch
    const bool deterministic;
    std::atomic<std::uint64_t> self{0};
    std::atomic<bool> returned{false}, stop{false};
    std::uint64_t seen = 0;

    using Moves::server_;

    bool look() {
      if (returned || stop || gave_up()) return false;
      seen = server_->version();
      if (auto q = quiet(false)) policy(*this, *q);
      return !gave_up();
    }
    // Until the next look: a poll, never a verdict.
    void pause() {
      if (deterministic)
        goro::blocking([server = server_, v = seen] { server->wait_change(v, 2ms); });
      else
        server_->wait_change(seen, 2ms);
    }

    // Whether hedged_fetch is quiet (see the top of this file).
    std::optional<Quiet> quiet(bool after_return) {
      const std::uint64_t p1 = dojo::grader::progress_now();
      const std::uint64_t v1 = server_->version();
      std::uint64_t r1 = 0;
      const std::vector<RequestInFlight> reqs = requests_in_flight(&r1);
      const std::vector<goro::TaskInfo> tasks = run.tasks();
      std::vector<Held> held = server_->held();

      std::set<std::uint64_t> in_http;
      for (const RequestInFlight& r : reqs) {
        if (r.cancelled) return std::nullopt;  // it is about to return
        in_http.insert(r.task);
      }
      using dojo::grader::TaskState;
      for (const goro::TaskInfo& t : tasks) {
        if (t.id == self || (after_return && t.id == main) || t.state == TaskState::exited) continue;
        if (t.adopted && t.id != main) continue;
        if (in_http.contains(t.id)) {
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
        if (!found) return std::nullopt;  // not held (yet): the server will answer it, or see it
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

// ---------------------------------------------------------------- texts

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

// "/ok/r1" for "http://127.0.0.1:40123/ok/r1?hold=1"; a refused URL keeps its port.
std::string short_url(const std::string& url) {
  const std::string_view prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) return url;
  const std::size_t slash = url.find('/', prefix.size());
  return slash == std::string::npos ? url : path_of(url.substr(slash));
}

std::string names(const std::vector<std::string>& v) {
  if (v.empty()) return "none";
  if (v.size() > 8) return fmt::format("{}, ... ({} in all)", fmt::join(v.begin(), v.begin() + 8, ", "), v.size());
  return fmt::format("{}", fmt::join(v, ", "));
}

std::string requests(std::size_t n) { return n == 1 ? std::string("1 request") : fmt::format("{} requests", n); }

std::string dur(goro::Duration d) { return goro::format_duration(d); }

// ---------------------------------------------------------------- verdicts

const char* const kHintWaitForLosers =
    "Cancel the requests that lost, then wait until every request task you started has ended before returning "
    "(however you wait for them). A cancelled request ends within milliseconds, but until then its task is still "
    "running: returning earlier leaks it.";
const char* const kHintCancelLosers =
    "The requests need a context that hedged_fetch itself can cancel, derived from ctx: cancel it as soon as a "
    "replica has answered, and http_get closes every other connection at once.";
const char* const kHintEarly =
    "Ask the next replica only when the hedge delay has passed without an answer (a timer restarted at every "
    "request), or at once when a request failed. Sending to every replica up front is not hedging: it "
    "multiplies the load on the replicas on every call.";

// The calls of http_get still in flight the moment hedged_fetch returned: there must be none.
void expect_nothing_left(Check& check, const std::vector<RequestInFlight>& left) {
  std::vector<std::string> v;
  for (const RequestInFlight& r : left) v.push_back(short_url(r.url));
  std::sort(v.begin(), v.end());
  check.expect(v.empty(), "no request of hedged_fetch still in flight when it returns",
               fmt::format("{} still in flight when hedged_fetch returned: {}",
                           v.size() == 1 ? std::string("1 request was") : fmt::format("{} requests were", v.size()),
                           names(v)),
               {mistake::leak, kHintWaitForLosers});
}

// Every /hang that reached the server was dropped by the client. A /hang never ends by itself:
// one that did not end dropped was released by the referee, which does that only once
// hedged_fetch provably waits for it with nothing left that could cancel it.
void expect_hangs_dropped(Check& check, const std::vector<Seen>& seen, std::string_view when) {
  std::vector<std::string> released, open;
  for (const Seen& s : seen) {
    if (s.kind != Kind::hang) continue;
    if (!s.ended) open.push_back(path_of(s.target));
    if (s.released) released.push_back(path_of(s.target));
  }
  std::sort(released.begin(), released.end());
  std::sort(open.begin(), open.end());
  std::vector<std::string> problems;
  const bool one = released.size() == 1;
  if (!released.empty())
    problems.push_back(fmt::format(
        "{} ran to {} end instead of being dropped: {}.\nhedged_fetch kept waiting for {} after {}: every request "
        "it had in flight watched a context that was not cancelled, and nothing else in it could still run, so "
        "the grader ended {}.",
        requests(released.size()), one ? "its" : "their", names(released), one ? "it" : "them", when,
        one ? "it" : "them"));
  if (!open.empty()) problems.push_back(fmt::format("still open when the grader stopped waiting: {}", names(open)));
  // A request nobody cancelled, although the winner (or the caller's cancellation) said it was no
  // longer wanted: the cancellation never reached it.
  check.expect(problems.empty(), fmt::format("every other request dropped (its connection closed) once {}", when),
               fmt::format("{}", fmt::join(problems, "\n")), {mistake::ignored_cancellation, kHintCancelLosers});
}

// How many hedge delays must have passed before replica `name` may be asked (0: it may be
// asked at once), in a check where the failures are known in advance.
using DelaysBefore = std::function<int(const std::string& name)>;

// No request reached the server before its hedge delays allowed it. On real threads from the
// moments (see the top of this file); in a deterministic run the virtual clock has not moved,
// so a replica that needed a delay must not have been asked at all.
void expect_not_early(Check& check, const std::vector<Seen>& seen, Clock::time_point called, goro::Duration delay,
                      const DelaysBefore& delays_before) {
  std::vector<std::string> early;
  for (const Seen& s : seen) {
    const int k = delays_before(s.name);
    if (k <= 0) continue;
    if (check.deterministic()) {
      early.push_back(path_of(s.target));
    } else if (s.arrived + 1ms < called + k * delay) {
      early.push_back(fmt::format("{} ({} ms after the call; due {} ms after it at the earliest)", path_of(s.target),
                                  ms_between(called, s.arrived),
                                  std::chrono::duration_cast<std::chrono::milliseconds>(k * delay).count()));
    }
  }
  std::sort(early.begin(), early.end());
  check.expect(early.empty(), fmt::format("no replica asked before the hedge delay ({}) allowed it", dur(delay)),
               fmt::format("sent before the hedge delay had passed: {}{}", names(early),
                           check.deterministic() ? " (on the virtual clock, which stands still while a request is in "
                                                   "flight, no time at all had passed since the call)"
                                                 : ""),
               {mistake::wrong_timing, kHintEarly});
}

void walk(const goro::Error& e, const std::function<void(const goro::Error&)>& f) {
  if (!e) return;
  f(e);
  for (const goro::Error& c : goro::unwrap_all(e)) walk(c, f);
}

// What one replica's failure must be found as in the joined error.
struct Failure {
  std::string url;
  int status = 0;  // 0: a NetError (refused connection)
  [[nodiscard]] std::string shown() const {
    return status != 0 ? short_url(url) : fmt::format("{} (a port where nothing listens)", url);
  }
  [[nodiscard]] std::string cause() const {
    return status != 0 ? fmt::format("goro::as<HttpStatus> finds {}", status) : "goro::as<NetError> finds it";
  }
};

// Whether `failure`'s cause (its HttpStatus, or a NetError) is anywhere in err's tree.
bool cause_anywhere(const goro::Error& err, const Failure& f) {
  bool found = false;
  walk(err, [&](const goro::Error& e) {
    if (const HttpStatus* s = e.get_if<HttpStatus>()) found = found || (f.status != 0 && s->code == f.status);
    if (e.get_if<NetError>() != nullptr) found = found || f.status == 0;
  });
  return found;
}

// The error holds every failure: each URL is named, and under the error that names it (and no
// other replica) its cause is still findable.
void expect_every_failure(Check& check, const goro::Error& err, const std::vector<Failure>& failures) {
  check.expect(static_cast<bool>(err), "an error (every replica failed)", "no error (nil)", mistake::swallowed_error);
  const std::string text = err.message();
  std::vector<std::string> missing;
  bool dropped = false;  // a replica's error is gone altogether: neither its URL nor its cause is there
  for (const Failure& f : failures)
    if (text.find(f.url) == std::string::npos) {
      missing.push_back(f.shown());
      dropped = dropped || !cause_anywhere(err, f);
    }
  check.expect(missing.empty(), "an error that names every replica that failed",
               fmt::format("missing from the error: {}\nthe error: \"{}\"", names(missing), text),
               {dropped ? mistake::swallowed_error : mistake::wrong_result,
                "Keep the error of every replica, each wrapped as \"GET <url>: {:w}\", and return goro::join of all "
                "of them: the caller learns why each replica failed, not only the last one."});
  for (const Failure& f : failures) {
    bool found = false;
    bool text_only = true;  // every error that names this replica wraps nothing: its cause was copied as text
    walk(err, [&](const goro::Error& node) {
      const std::string m = node.message();
      if (found || m.find(f.url) == std::string::npos) return;
      for (const Failure& other : failures)
        if (other.url != f.url && m.find(other.url) != std::string::npos) return;  // names more than one
      text_only = text_only && goro::unwrap_all(node).empty();
      walk(node, [&](const goro::Error& inner) {
        if (const HttpStatus* s = inner.get_if<HttpStatus>()) found = found || (f.status != 0 && s->code == f.status);
        if (inner.get_if<NetError>() != nullptr) found = found || f.status == 0;
      });
    });
    check.expect(found, fmt::format("under the error that names {}, its cause: {}", f.shown(), f.cause()),
                 fmt::format("no such cause there\n{}", Check::describe_error(err)),
                 {text_only ? mistake::missing_wrap : mistake::wrong_result,
                  "Wrap each replica's error with its URL using {:w} (goro::errorf(\"GET {}: {:w}\", url, err)), so "
                  "that goro::as still finds its cause inside the joined error."});
  }
}

// Milliseconds from the winner's answer to the last loser's drop, for a report line.
std::string drop_report(const std::vector<Seen>& seen, std::string_view winner) {
  std::optional<Clock::time_point> won, last;
  std::size_t n = 0;
  for (const Seen& s : seen) {
    if (s.name == winner && s.let_go) won = s.let_go;
    if (s.kind == Kind::hang && s.dropped && s.ended) {
      ++n;
      if (!last || *s.ended > *last) last = s.ended;
    }
  }
  if (!won || !last || n == 0) return {};
  return fmt::format("{} dropped by the client {} ms after the winner was answered", requests(n),
                     std::max<long long>(0, ms_between(*won, *last)));
}

}  // namespace

// ---------------------------------------------------------------- checks

DOJO_CHECK("one replica that answers: its body", "urls[0] is asked at once; its success is the answer.") {
  LoopbackServer server;
  check.say("calling hedged_fetch(background, {/ok/only}, 10s)");
  auto r = hedged_fetch(goro::background(), {server.ok_url("only")}, 10s);
  check.expect_ok(r.error(), "hedged_fetch(...)");
  check.expect_eq(r.value(), std::string("page only"), "the body");
  expect_nothing_left(check, requests_in_flight());
}

DOJO_CHECK("no replica: ErrNoReplicas, and nothing sent", "With no URL there is no one to ask: return ErrNoReplicas.") {
  LoopbackServer server;
  check.say("calling hedged_fetch(background, {}, 10s)");
  auto r = hedged_fetch(goro::background(), {}, 10s);
  check.expect_is(r.error(), ErrNoReplicas, "ErrNoReplicas");
  check.expect_eq(server.seen().size(), std::size_t{0}, "requests the servers received");
}

DOJO_CHECK("an already-cancelled context: its error, and no request sent",
           "Check ctx.err() first: a caller that has given up wants no request sent.") {
  LoopbackServer server;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling hedged_fetch(ctx, {/ok/r0, /ok/r1, /ok/r2}, 0s) with ctx already cancelled");
  auto r = hedged_fetch(ctx, {server.ok_url("r0"), server.ok_url("r1"), server.ok_url("r2")}, 0s);
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
  check.expect_eq(server.seen().size(), std::size_t{0}, "requests the servers received", mistake::ignored_cancellation);
  expect_nothing_left(check, requests_in_flight());
}

DOJO_CHECK("the first replica answers within the hedge delay: no other replica is asked",
           "A hedge is sent only when the delay passes without an answer; an answer in time means one request.") {
  auto srv = std::make_shared<LoopbackServer>();
  const goro::Duration delay = 10s;
  std::vector<std::string> urls = {srv->held_ok_url("r0"), srv->held_ok_url("r1"), srv->held_ok_url("r2")};
  check.say("calling hedged_fetch(background, {/ok/r0, /ok/r1, /ok/r2}, 10s); the server holds every request and "
            "answers /ok/r0 as soon as hedged_fetch waits");
  Referee referee(srv, [answered = false](Moves& m, const Quiet& q) mutable {
    if (!answered && m.answer(q, "r0")) {
      answered = true;
    } else if (!q.held.empty()) {
      m.release_all();
    } else {
      m.give_up();
    }
  });
  const Clock::time_point called = Clock::now();
  auto r = hedged_fetch(goro::background(), urls, delay);
  const auto left = requests_in_flight();
  referee.finish();
  expect_not_early(check, srv->seen(), called, delay, [](const std::string& name) { return std::stoi(name.substr(1)); });
  check.expect_ok(r.error(), "hedged_fetch(...)");
  check.expect_eq(r.value(), std::string("page r0"), "the body");
  expect_nothing_left(check, left);
}

DOJO_CHECK("the first replica hangs: once the hedge delay has passed the second is asked, and its answer wins",
           "A timer of hedge_delay, started with the first request: when it fires with no answer yet, ask the next "
           "replica too, and keep the first one in flight.",
           dojo::grader::Options{.seeds = 0}) {
  // Real threads only: in a deterministic run the virtual clock stands still while /hang/r0 is
  // in flight, so no hedge timer can ever fire there (see the top of this file).
  auto srv = std::make_shared<LoopbackServer>();
  const goro::Duration delay = 20ms;
  // A hedged_fetch that never asks the second replica is quiet with only /hang/r0 held, for
  // ever. The grader gives up on it after this much real time, 250 times the delay: a correct
  // hedged_fetch has sent its hedge long before, however loaded the machine (the real-threads
  // watchdog itself reports a stall after 10 s).
  const auto patience = 5s;
  check.say("calling hedged_fetch(background, {/hang/r0, /ok/r1, /ok/r2}, 20ms) on real threads; /hang/r0 never "
            "answers; the server holds the others and answers /ok/r1 once it has arrived and hedged_fetch waits");
  auto never_hedged = std::make_shared<bool>(false);
  const Clock::time_point called = Clock::now();
  Referee referee(srv, [answered = false, never_hedged, called, delay, patience](Moves& m, const Quiet& q) mutable {
    if (answered) {
      if (q.held.empty()) return m.give_up();
      return m.release_all();  // after the winner, hedged_fetch waits for these: not dropped
    }
    if (m.answer(q, "r1")) {
      answered = true;
    } else if (q.held.size() == 1 && q.find("r0") != nullptr) {
      if (Clock::now() - called > delay + patience) {
        *never_hedged = true;
        m.release_all();
      }
      // else: the hedge timer is still to fire
    } else if (!q.held.empty()) {
      m.release_all();
    } else {
      m.give_up();
    }
  });
  auto r = hedged_fetch(goro::background(), {srv->hang_url("r0"), srv->held_ok_url("r1"), srv->held_ok_url("r2")},
                        delay);
  const auto left = requests_in_flight();
  referee.finish();
  check.expect(!*never_hedged, "the second replica asked once the hedge delay (20ms) had passed",
               "it was never asked: hedged_fetch waited for /hang/r0 alone for 5 s, then the grader ended it",
               {mistake::wrong_timing, "A hedge is due when hedge_delay has passed without an answer: wait for the "
                                       "answers and for that delay at the same time, and when the delay ends first, "
                                       "ask the next replica."});
  auto seen = srv->seen();
  expect_not_early(check, seen, called, delay, [](const std::string& name) { return std::stoi(name.substr(1)); });
  check.expect_ok(r.error(), "hedged_fetch(...)");
  check.expect_eq(r.value(), std::string("page r1"), "the body");
  expect_nothing_left(check, left);
  expect_hangs_dropped(check, seen, "the second replica had answered");
  if (auto line = drop_report(seen, "r1"); !line.empty()) check.report(line);
}

DOJO_CHECK("the fastest replica wins: its body, and the slower requests are dropped once it has answered",
           "Every request that is not the winner must be cancelled as soon as the winner is known.") {
  auto srv = std::make_shared<LoopbackServer>();
  check.say("calling hedged_fetch(background, {/hang/r0, /ok/r1, /hang/r2}, 0s): a delay of 0 asks every replica "
            "at once; /hang/r0 and /hang/r2 never answer; the server holds /ok/r1 and answers it once hedged_fetch "
            "has its requests open and waits");
  auto open_at_first = std::make_shared<std::optional<std::string>>();
  auto in_flight_at_first = std::make_shared<std::size_t>(0);
  Referee referee(srv, [answered = false, open_at_first, in_flight_at_first](Moves& m, const Quiet& q) mutable {
    if (!*open_at_first) {
      *open_at_first = q.names();
      *in_flight_at_first = q.held.size();
    }
    if (!answered && m.answer(q, "r1")) {
      answered = true;
    } else if (!q.held.empty()) {
      m.release_all();
    } else {
      m.give_up();
    }
  });
  auto r = hedged_fetch(goro::background(), {srv->hang_url("r0"), srv->held_ok_url("r1"), srv->hang_url("r2")}, 0s);
  const auto left = requests_in_flight();
  referee.finish();
  check.expect(*in_flight_at_first == 3, "the 3 replicas in flight at once (a hedge delay of 0 asks every one)",
               fmt::format("when hedged_fetch first waited, {} in flight: {}",
                           *in_flight_at_first == 1 ? std::string("1 request was")
                                                    : fmt::format("{} requests were", *in_flight_at_first),
                           open_at_first->value_or("none")),
               {mistake::serialized, "A hedge adds a request; it does not replace one. Keep the earlier requests "
                                     "in flight: any of them may still be the first to answer."});
  check.expect_ok(r.error(), "hedged_fetch(...)");
  check.expect_eq(r.value(), std::string("page r1"), "the body");
  expect_nothing_left(check, left);
  auto seen = srv->seen();
  expect_hangs_dropped(check, seen, "the winner had answered");
  if (auto line = drop_report(seen, "r1"); !line.empty()) check.report(line);
}

DOJO_CHECK("the replica that answers first wins, wherever it is in the list",
           "The winner is the first success to arrive, not the first URL: take the answers as they come.") {
  auto srv = std::make_shared<LoopbackServer>();
  std::vector<std::string> urls;
  for (int i = 0; i < 4; ++i) urls.push_back(srv->held_ok_url(fmt::format("r{}", i)));
  check.say("calling hedged_fetch(background, {/ok/r0 .. /ok/r3}, 0s); the server holds every request and answers "
            "/ok/r3 first, once hedged_fetch has them all open and waits");
  auto waited_for = std::make_shared<std::optional<std::string>>();
  Referee referee(srv, [answered = false, waited_for](Moves& m, const Quiet& q) mutable {
    if (!answered) {
      if (q.held.size() == 4) {
        (void)m.answer(q, "r3");
        answered = true;
      } else if (!q.held.empty()) {
        m.release_all();  // fewer than 4 requests in flight and nothing else to come: let them go
      } else {
        m.give_up();
      }
    } else if (!q.held.empty()) {
      if (!*waited_for) *waited_for = q.names();
      m.release_all();  // hedged_fetch waits for requests nobody cancelled
    } else {
      m.give_up();
    }
  });
  auto r = hedged_fetch(goro::background(), urls, 0s);
  const auto left = requests_in_flight();
  referee.finish();
  check.expect_ok(r.error(), "hedged_fetch(...)");
  check.expect_eq(r.value(), std::string("page r3"), "the body");
  expect_nothing_left(check, left);
  check.expect(!*waited_for, "the other requests cancelled once /ok/r3 had answered",
               fmt::format("after /ok/r3 had answered, hedged_fetch waited for {}, whose context was not cancelled: "
                           "they were not dropped",
                           waited_for->value_or("")),
               {mistake::ignored_cancellation, kHintCancelLosers});
}

DOJO_CHECK("an error is not an answer: a replica that fails first does not win",
           "Only a success wins. A failure is kept (for the case where every replica fails) and the other requests "
           "go on.") {
  auto srv = std::make_shared<LoopbackServer>();
  check.say("calling hedged_fetch(background, {/status/500/r0, /ok/r1}, 0s); the server holds both, sends the 500 "
            "of /status/500/r0 first, and answers /ok/r1 only once hedged_fetch waits again");
  Referee referee(srv, [step = 0](Moves& m, const Quiet& q) mutable {
    if (step == 0 && q.held.size() == 2) {
      (void)m.answer(q, "r0");
      step = 1;
    } else if (step == 1 && m.answer(q, "r1")) {
      step = 2;
    } else if (!q.held.empty()) {
      m.release_all();
    } else {
      m.give_up();
    }
  });
  const std::string bad = srv->held_status_url(500, "r0");
  auto r = hedged_fetch(goro::background(), {bad, srv->held_ok_url("r1")}, 0s);
  const auto left = requests_in_flight();
  referee.finish();
  check.expect(static_cast<bool>(r), "the body of /ok/r1, the only replica that succeeded",
               r ? std::string() : fmt::format("hedged_fetch returned the failure of /status/500/r0, which answered "
                                               "first: {}", Check::describe_error(r.error())),
               {mistake::unexpected_error,
                "A failure is not an answer: keep its error and go on waiting for the requests still in flight. Only "
                "a success wins; the errors matter only when every replica has failed."});
  check.expect_eq(r.value(), std::string("page r1"), "the body");
  expect_nothing_left(check, left);
}

DOJO_CHECK("a failing replica makes hedged_fetch ask the next one at once, without waiting for the delay",
           "When a request fails there is nothing left to wait for: ask the next replica right away.") {
  auto srv = std::make_shared<LoopbackServer>();
  const goro::Duration delay = 10s;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  check.say("calling hedged_fetch(ctx, {/status/503/r0, /ok/r1, /ok/r2}, 10s); the server holds every request, "
            "sends the 503 of /status/503/r0 once hedged_fetch waits, then answers /ok/r1 once it has arrived");
  auto idle_after_failure = std::make_shared<bool>(false);
  Referee referee(
      srv,
      [step = 0, idle_after_failure](Moves& m, const Quiet& q) mutable {
        if (step == 0 && m.answer(q, "r0")) {
          step = 1;
        } else if (step == 1 && m.answer(q, "r1")) {
          step = 2;
        } else if (step == 1 && q.held.empty()) {
          // Nothing in flight and nothing that the server could still change: only the hedge
          // timer could wake hedged_fetch. The run ends here (the caller cancels).
          *idle_after_failure = true;
          m.cancel_caller();
          step = 3;
        } else if (!q.held.empty()) {
          m.release_all();
        } else {
          m.give_up();
        }
      },
      cancel);
  const Clock::time_point called = Clock::now();
  auto r = hedged_fetch(ctx, {srv->held_status_url(503, "r0"), srv->held_ok_url("r1"), srv->held_ok_url("r2")},
                        delay);
  const auto left = requests_in_flight();
  referee.finish();
  cancel();
  check.expect(!*idle_after_failure, "/ok/r1 asked as soon as /status/503/r0 had failed",
               "after /status/503/r0 failed, hedged_fetch waited with no request in flight (for the hedge delay of "
               "10s, it seems); the grader then cancelled ctx",
               {mistake::wrong_timing, "A failure is not a slow answer: nothing is left to wait for. Ask the next "
                                       "replica at once when a request fails, and count the hedge delay from that "
                                       "new request."});
  // /ok/r1 may be asked at once (after the failure); /ok/r2 only once a delay has passed.
  expect_not_early(check, srv->seen(), called, delay, [](const std::string& name) { return name == "r2" ? 1 : 0; });
  check.expect_ok(r.error(), "hedged_fetch(...)");
  check.expect_eq(r.value(), std::string("page r1"), "the body");
  expect_nothing_left(check, left);
}

DOJO_CHECK("every replica fails: one error joining all of them, each naming its URL and keeping its cause",
           "Keep every replica's error, wrapped as \"GET <url>: {:w}\", and return goro::join of them all.") {
  LoopbackServer server;
  const goro::Duration delay = 10s;
  const std::vector<Failure> failures = {
      {server.status_url(500, "r0"), 500}, {server.refused_url("r1"), 0}, {server.status_url(404, "r2"), 404}};
  std::vector<std::string> urls;
  for (const Failure& f : failures) urls.push_back(f.url);
  check.say("calling hedged_fetch(background, {/status/500/r0, a port where nothing listens, /status/404/r2}, 10s)");
  const goro::Time t0 = goro::now();
  auto r = hedged_fetch(goro::background(), urls, delay);
  const goro::Duration took = goro::since(t0);
  const auto left = requests_in_flight();
  expect_every_failure(check, r.error(), failures);
  expect_nothing_left(check, left);
  // Nothing holds the virtual clock here: a hedged_fetch that waits for the delay after a
  // failure lets it jump. The requests themselves take no virtual time.
  if (check.deterministic())
    check.expect(took < delay, "hedged_fetch returns without waiting for the hedge delay (10s): each failure asks "
                               "the next replica at once",
                 fmt::format("it returned after {} on the virtual clock", dur(took)),
                 {mistake::wrong_timing, "After a failure ask the next replica at once; once every replica has failed, "
                                         "return at once."});
}

DOJO_CHECK("five replicas fail before the sixth succeeds: the sixth one's body, without waiting for any delay",
           "Each failure asks the next replica at once; the first success ends the search.") {
  LoopbackServer server;
  const goro::Duration delay = 10s;
  const int codes[] = {500, 503, 502, 404, 500};
  std::vector<std::string> urls;
  for (int i = 0; i < 5; ++i) urls.push_back(server.status_url(codes[i], fmt::format("r{}", i)));
  urls.push_back(server.ok_url("r5"));
  check.say("calling hedged_fetch(background, {/status/500/r0, /status/503/r1, /status/502/r2, /status/404/r3, "
            "/status/500/r4, /ok/r5}, 10s)");
  const goro::Time t0 = goro::now();
  auto r = hedged_fetch(goro::background(), urls, delay);
  const goro::Duration took = goro::since(t0);
  check.expect_ok(r.error(), "hedged_fetch(...)", "The failures are not the answer while a replica may succeed.");
  check.expect_eq(r.value(), std::string("page r5"), "the body");
  expect_nothing_left(check, requests_in_flight());
  if (check.deterministic())
    check.expect(took < delay, "hedged_fetch returns without waiting for the hedge delay (10s)",
                 fmt::format("it returned after {} on the virtual clock", dur(took)),
                 {mistake::wrong_timing, "After a failure ask the next replica at once."});
  check.expect_eq(server.seen().size(), std::size_t{6}, "requests the servers received", mistake::wrong_count);
}

DOJO_CHECK("cancelled by the caller while 3 replicas are in flight: goro::Canceled, and every connection dropped",
           "Derive the requests' context from the caller's ctx (goro::with_cancel(ctx)) and watch ctx.done() while "
           "you wait: the caller's cancellation must stop everything at once.") {
  auto srv = std::make_shared<LoopbackServer>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  check.say("calling hedged_fetch(ctx, {/hang/r0, /hang/r1, /hang/r2}, 0s); a /hang never answers; the grader "
            "cancels ctx once hedged_fetch has its requests open and waits");
  auto open_at_cancel = std::make_shared<std::optional<std::size_t>>();
  Referee referee(
      srv,
      [open_at_cancel](Moves& m, const Quiet& q) {
        if (!*open_at_cancel) {
          *open_at_cancel = q.held.size();
          m.cancel_caller();
        } else if (!q.held.empty()) {
          m.release_all();  // cancelled, yet hedged_fetch waits for these and nothing cancels them
        } else {
          m.give_up();
        }
      },
      cancel);
  auto r = hedged_fetch(ctx, {srv->hang_url("r0"), srv->hang_url("r1"), srv->hang_url("r2")}, 0s);
  const auto left = requests_in_flight();
  referee.finish();
  cancel();
  const std::optional<std::size_t> open = *open_at_cancel;
  check.expect(open == std::size_t{3}, "3 requests in flight when the caller cancels",
               open ? fmt::format("hedged_fetch waited with {} in flight", requests(*open))
                    : std::string("hedged_fetch returned before the caller cancelled"),
               {open && *open < 3 ? mistake::serialized : mistake::wrong_result,
                "A delay of 0 asks every replica at once; keep them all in flight."});
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
  expect_nothing_left(check, left);
  auto seen = srv->seen();
  expect_hangs_dropped(check, seen, "the caller had cancelled");
  check.expect_eq(seen.size(), std::size_t{3}, "requests the servers received (none after the cancellation)",
                  seen.size() > 3 ? dojo::grader::Why(mistake::ignored_cancellation) : dojo::grader::Why());
}

DOJO_CHECK("cancelled by the caller while waiting for the hedge delay: goro::Canceled, and no other replica asked",
           "The wait for the hedge delay is a select: ctx.done() belongs in it, next to the timer and the answers.") {
  auto srv = std::make_shared<LoopbackServer>();
  const goro::Duration delay = 10s;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  check.say("calling hedged_fetch(ctx, {/hang/r0, /ok/r1}, 10s); /hang/r0 never answers; the grader cancels ctx "
            "once hedged_fetch waits");
  auto cancelled_at = std::make_shared<std::optional<Clock::time_point>>();
  Referee referee(
      srv,
      [cancelled_at](Moves& m, const Quiet& q) {
        if (!*cancelled_at) {
          *cancelled_at = Clock::now();
          m.cancel_caller();
        } else if (!q.held.empty()) {
          m.release_all();
        } else {
          m.give_up();
        }
      },
      cancel);
  const goro::Time t0 = goro::now();
  const Clock::time_point called = Clock::now();
  auto r = hedged_fetch(ctx, {srv->hang_url("r0"), srv->ok_url("r1")}, delay);
  const goro::Duration took = goro::since(t0);
  const auto left = requests_in_flight();
  referee.finish();
  cancel();
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
  expect_nothing_left(check, left);
  auto seen = srv->seen();
  expect_hangs_dropped(check, seen, "the caller had cancelled");
  std::vector<std::string> after;
  for (const Seen& s : seen)
    if (*cancelled_at && s.arrived > **cancelled_at) after.push_back(path_of(s.target));
  check.expect(after.empty(), "no request sent after the cancellation", fmt::format("sent after it: {}", names(after)),
               {mistake::ignored_cancellation, "Once ctx is cancelled, return: a replica asked now is asked for nothing."});
  expect_not_early(check, seen, called, delay, [](const std::string& name) { return name == "r1" ? 1 : 0; });
  if (check.deterministic())
    check.expect(took < delay, "hedged_fetch returns at once when the caller cancels, not after the delay (10s)",
                 fmt::format("it returned after {} on the virtual clock", dur(took)),
                 {mistake::ignored_cancellation, "Select on ctx.done() too while you wait for the timer and the answers."});
}

DOJO_CHECK("the result does not depend on the schedule",
           "The answers arrive in any order; the first success wins whichever task reports it.",
           dojo::grader::Options{.seeds = 8}) {
  auto srv = std::make_shared<LoopbackServer>();
  check.say("calling hedged_fetch(background, {/status/500/r0, /hang/r1, /ok/r2, /hang/r3}, 0s); /status/500/r0 "
            "fails at once, a /hang never answers, the server holds /ok/r2 and answers it once hedged_fetch waits");
  Referee referee(srv, [answered = false](Moves& m, const Quiet& q) mutable {
    if (!answered && m.answer(q, "r2")) {
      answered = true;
    } else if (!q.held.empty()) {
      m.release_all();
    } else {
      m.give_up();
    }
  });
  auto r = hedged_fetch(goro::background(),
                        {srv->status_url(500, "r0"), srv->hang_url("r1"), srv->held_ok_url("r2"), srv->hang_url("r3")},
                        0s);
  const auto left = requests_in_flight();
  referee.finish();
  check.expect_ok(r.error(), "hedged_fetch(...)");
  check.expect_eq(r.value(), std::string("page r2"), "the body");
  expect_nothing_left(check, left);
  expect_hangs_dropped(check, srv->seen(), "the winner had answered");
}
