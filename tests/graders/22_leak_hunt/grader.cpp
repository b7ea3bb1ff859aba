// Hidden checks for exercise 22 (leak_hunt).
//
// The stub already returns the right answers; what it gets wrong is the tasks it leaves behind.
// So every call goes through probe::call_search (exercises/22_leak_hunt/leak_probe.hpp), which
// fails the check when search never returns or when a task it started outlives it, and names the
// path that leaked: the early stop at the limit, the full run, the caller's cancellation, a
// failing match, an already-cancelled caller, a large input. The answers are checked as well, so
// that a "fix" that stops leaking by losing results does not pass.
//
// Nothing here depends on the machine's speed: the caller's cancellation and the malformed doc
// are triggered by the grader's own match function (so they come at the same doc on the
// virtual clock and on real threads), the work done after an early stop is judged by the number
// of docs looked at, and moments are compared only on the virtual clock (check.deterministic()).
// On real threads a match takes a tenth as long.
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "leak_hunt.hpp"
#include "leak_probe.hpp"

using dojo::ex22::Doc;
using dojo::ex22::kMatchers;
using dojo::ex22::kProgressEvery;
using dojo::ex22::Match;
using dojo::ex22::Progress;
using dojo::ex22::probe::Call;
using dojo::ex22::probe::call_search;
using dojo::ex22::probe::Request;
using dojo::grader::Check;
using dojo::grader::list;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::leak, mistake::blocked_send, mistake::missing_close, mistake::lost_item);

namespace {

const goro::Error ErrMalformed = goro::new_error("malformed doc");

const char* const kEarlyStop = "the early-stop path";
const char* const kFullRun = "the full-run path";
const char* const kExactLimit = "the exact-limit path";
const char* const kCallerCancel = "the caller-cancellation path";
const char* const kMatcherError = "the matcher-error path";
const char* const kAlreadyCancelled = "the already-cancelled path";
const char* const kLargeInput = "the large-input path";

std::string dur(goro::Duration d) { return goro::format_duration(d); }

// How long one match takes, and how large a large input is: on the virtual clock 10 ms and
// 10,000 docs; on real threads 1 ms and 2,000 docs.
struct Scale {
  goro::Duration per_doc;
  int large;
};
Scale scale(const Check& check) { return check.deterministic() ? Scale{10ms, 10'000} : Scale{1ms, 2'000}; }

// Docs 1..n; doc i matches ("mentions the needle") when i is a multiple of `every`; the docs in
// `malformed` have no text at all.
std::vector<Doc> corpus(int n, int every, const std::set<int>& malformed = {}) {
  std::vector<Doc> docs;
  docs.reserve(static_cast<std::size_t>(n));
  for (int i = 1; i <= n; ++i) {
    std::string text = i % every == 0 ? fmt::format("doc {} mentions the needle", i) : fmt::format("doc {} is hay", i);
    if (malformed.contains(i)) text.clear();
    docs.push_back(Doc{i, std::move(text)});
  }
  return docs;
}

std::vector<int> multiples(int n, int every) {
  std::vector<int> v;
  for (int i = every; i <= n; i += every) v.push_back(i);
  return v;
}

// What the grader's match saw. Held by shared_ptr: a task left behind may call it late.
struct MatchLog {
  std::atomic<int> calls{0};
  std::atomic<bool> stopped{false};         // the grader cancelled, or a doc failed
  std::atomic<int> started_after_stop{0};   // calls that began after that
  goro::Mutex mu;
  goro::Time stop_at{};

  void mark_stop() {
    std::lock_guard lk(mu);
    if (!stopped.load()) stop_at = goro::now();
    stopped.store(true);
  }
  goro::Time stopped_at() {
    std::lock_guard lk(mu);
    return stop_at;
  }
};

enum class Speed {
  instant,    // answers at once
  listening,  // takes per_doc, and stops early with ctx's error when ctx ends
  deaf,       // takes per_doc whatever happens
};

// The grader's match: "mentions the needle". A doc with no text is malformed. When `cancel` is
// given, the caller gives up as doc `cancel_at` starts being matched.
Match needle(std::shared_ptr<MatchLog> log, Speed speed, goro::Duration per_doc, int cancel_at = 0,
             goro::CancelFunc cancel = {}) {
  return [log, speed, per_doc, cancel_at, cancel](const goro::Context& ctx, const Doc& doc) -> goro::Result<bool> {
    ++log->calls;
    if (log->stopped.load()) ++log->started_after_stop;
    if (cancel && doc.id == cancel_at) {
      log->mark_stop();
      cancel();
    }
    if (speed == Speed::listening) {
      goro::Timer timer = goro::new_timer(per_doc);
      if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
        (void)timer.stop();
        return goro::errorf("match doc {}: {:w}", doc.id, ctx.err());
      }
    } else if (speed == Speed::deaf) {
      goro::sleep(per_doc);
    }
    if (doc.text.empty()) {
      log->mark_stop();
      return ErrMalformed;
    }
    return doc.text.find("needle") != std::string::npos;
  };
}

// The progress bar's calls, and whether any came after search had returned.
struct ProgressLog {
  goro::Mutex mu;
  std::vector<int> values;
  std::vector<goro::Time> at;
  std::atomic<bool> returned{false};
  int after_return = 0;
  dojo::grader::Concurrency calls;
};

Progress recorder(const std::shared_ptr<ProgressLog>& p) {
  return [p](int scanned) {
    auto in = p->calls.enter();
    std::lock_guard lk(p->mu);
    p->values.push_back(scanned);
    p->at.push_back(goro::now());
    if (p->returned.load()) ++p->after_return;
  };
}

Request request(const char* path, std::vector<Doc> docs, Match match, int limit) {
  Request req;
  req.path = path;
  req.docs = std::move(docs);
  req.match = std::move(match);
  req.limit = limit;
  req.progress = recorder(std::make_shared<ProgressLog>());
  return req;
}

std::string ids_text(const std::vector<int>& v) { return v.empty() ? std::string("{} (nothing)") : list(v); }

// The full answer: exactly `want` (every matching doc, sorted).
void expect_all(Check& check, const Call& call, const std::vector<int>& want) {
  check.expect_ok(call.result.error(), "search(...)",
                  "Fewer matches than the limit (or no limit): search looks at every doc and returns what it found.");
  const std::vector<int>& got = call.result.value();
  if (got == want) return;
  std::vector<std::string> notes;
  std::vector<int> missing, extra, dups;
  std::set<int> seen;
  for (int id : got) {
    if (!seen.insert(id).second) dups.push_back(id);
    if (!std::binary_search(want.begin(), want.end(), id)) extra.push_back(id);
  }
  for (int id : want)
    if (!seen.contains(id)) missing.push_back(id);
  if (!missing.empty())
    notes.push_back(fmt::format("matching docs missing from the result: {} (match said yes for each of them)",
                                list(missing)));
  if (!extra.empty()) notes.push_back(fmt::format("ids of docs that do not match: {}", list(extra)));
  if (!dups.empty()) notes.push_back(fmt::format("ids returned twice: {}", list(dups)));
  if (missing.empty() && extra.empty() && dups.empty()) notes.push_back("the right ids, but not sorted ascending");
  check.expect(false, fmt::format("the ids of every matching doc, sorted: {}", ids_text(want)),
               fmt::format("{}\n{}", ids_text(got), fmt::join(notes, "\n")),
               {!missing.empty() ? mistake::lost_item
                : !dups.empty()  ? mistake::duplicate
                : extra.empty()  ? mistake::wrong_order
                                 : mistake::wrong_result,
                "Every hit a matcher finds must reach the collector: a send that is dropped when the collector "
                "is busy (a select with a default case) loses answers. Wait for the collector or for ctx.done(), "
                "nothing else."});
}

// An early stop: exactly `limit` different ids of matching docs, sorted.
void expect_some(Check& check, const Call& call, const std::vector<int>& matching, int limit) {
  check.expect_ok(call.result.error(), "search(...)",
                  "Reaching the limit is a success: return the ids, even though stopping the pipeline made its "
                  "tasks return Canceled.");
  const std::vector<int>& got = call.result.value();
  bool valid = static_cast<int>(got.size()) == limit && std::is_sorted(got.begin(), got.end()) &&
               std::adjacent_find(got.begin(), got.end()) == got.end();
  for (int id : got) valid = valid && std::binary_search(matching.begin(), matching.end(), id);
  check.expect(valid,
               fmt::format("{} different ids of matching docs (multiples of {}), sorted", limit,
                           matching.size() > 1 ? matching[1] - matching[0] : 1),
               fmt::format("{} ({} ids)", ids_text(got), got.size()),
               {static_cast<int>(got.size()) < limit ? mistake::lost_item : mistake::wrong_result,
                "The collector stops at `limit` ids: no fewer (while matches remain), no more, each once."});
}

}  // namespace

DOJO_CHECK("early stop: 40 of 400 docs match, the limit is 5: five of them, and every task has exited",
           "The collector stops reading once it has `limit` ids. The matchers that still want to send, and the "
           "producer behind them, wait for a reader that is gone — unless the pipeline's context is cancelled "
           "and every send is in a select with ctx.done(). Then wait for them before returning.",
           dojo::grader::Options{.seeds = 6}) {
  const Scale s = scale(check);
  auto log = std::make_shared<MatchLog>();
  check.say(fmt::format("calling search(background, docs 1..400 where every 10th matches, limit 5); match takes {} "
                        "and listens to ctx",
                        dur(s.per_doc)));
  Call call = call_search(check, request(kEarlyStop, corpus(400, 10), needle(log, Speed::listening, s.per_doc), 5));
  expect_some(check, call, multiples(400, 10), 5);
}

DOJO_CHECK("fewer matches than the limit: every match, sorted, and every task has exited (also with no limit, and "
           "with no docs)",
           "When the docs run out before the limit, every stage ends by itself: the producer closes the feed, the "
           "matchers' range ends, the last of them closes the hits. What does not end by itself is a helper that "
           "loops forever — the progress ticker. Stop it, and wait for it.") {
  const Scale s = scale(check);
  {
    auto log = std::make_shared<MatchLog>();
    check.say("calling search(background, docs 1..200 where every 25th matches, limit 100)");
    Call call = call_search(check, request(kFullRun, corpus(200, 25), needle(log, Speed::listening, s.per_doc), 100));
    expect_all(check, call, multiples(200, 25));
  }
  {
    auto log = std::make_shared<MatchLog>();
    check.say("calling search(background, docs 1..200 where every 25th matches, limit 0: no limit)");
    Call call = call_search(check, request(kFullRun, corpus(200, 25), needle(log, Speed::listening, s.per_doc), 0));
    expect_all(check, call, multiples(200, 25));
  }
  {
    auto log = std::make_shared<MatchLog>();
    check.say("calling search(background, no docs, limit 5)");
    Call call = call_search(check, request(kFullRun, {}, needle(log, Speed::listening, s.per_doc), 5));
    expect_all(check, call, {});
  }
}

DOJO_CHECK("the limit equals the number of matches: all ten, and every task has exited",
           "The tenth id both completes the answer and is the last one there is: whichever way the collector "
           "leaves its loop, the same cancel() and wait() must follow.") {
  const Scale s = scale(check);
  auto log = std::make_shared<MatchLog>();
  check.say("calling search(background, docs 1..50 where every 5th matches, limit 10)");
  Call call = call_search(check, request(kExactLimit, corpus(50, 5), needle(log, Speed::listening, s.per_doc), 10));
  expect_all(check, call, multiples(50, 5));
}

DOJO_CHECK("an early stop on a large input stops the work: limit 10, and far fewer than all the docs are looked at",
           "Stop the producer and the matchers once the collector has `limit` ids: cancel the pipeline's "
           "context. Reading and throwing away the remaining hits instead ends the leak but makes the matchers "
           "look at every doc for nothing.") {
  const Scale s = scale(check);
  auto log = std::make_shared<MatchLog>();
  check.say(fmt::format("calling search(background, docs 1..{} where every 10th matches, limit 10); match answers "
                        "at once",
                        s.large));
  Call call = call_search(check, request(kEarlyStop, corpus(s.large, 10), needle(log, Speed::instant, 0ms), 10));
  expect_some(check, call, multiples(s.large, 10), 10);
  const int calls = log->calls.load();
  check.expect(calls <= s.large / 2,
               fmt::format("at most {} of the {} docs looked at (about 100 are enough to find ten matches)",
                           s.large / 2, s.large),
               fmt::format("{} docs looked at: the search went on after it had its ten", calls), mistake::wrong_count);
  check.report(fmt::format("{} of {} docs looked at before the search stopped", calls, s.large));
}

DOJO_CHECK("the caller cancels mid-way, and match listens to ctx: goro::Canceled, at once, and every task has exited",
           "The caller's cancellation reaches every stage through ctx: the producer's send, the matchers' "
           "receive, match itself, the progress ticker. Each one must have a way out, and search must still wait "
           "until all of them have taken it.",
           dojo::grader::Options{.seeds = 6}) {
  const Scale s = scale(check);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto log = std::make_shared<MatchLog>();
  check.say(fmt::format("calling search(ctx, docs 1..400 where every 50th matches, no limit); match takes {} and "
                        "listens to ctx; the caller cancels ctx as doc 100 starts",
                        dur(s.per_doc)));
  Request req = request(kCallerCancel, corpus(400, 50), needle(log, Speed::listening, s.per_doc, 100, cancel), 0);
  req.ctx = ctx;
  Call call = call_search(check, std::move(req));
  check.expect_is(call.result.error(), goro::Canceled, "goro::Canceled",
                  "A search the caller gave up on is not complete: return ctx.err(), not the ids found so far.");
  if (check.deterministic()) {
    const goro::Duration late = call.returned - log->stopped_at();
    check.expect(late <= s.per_doc, fmt::format("search returns within {} of the cancellation", dur(s.per_doc)),
                 fmt::format("it returned {} after the cancellation", dur(late)), mistake::ignored_cancellation);
  }
  cancel();
}

DOJO_CHECK("the caller cancels mid-way while match ignores ctx: search waits for the docs in hand, returns "
           "goro::Canceled, and every task has exited",
           "A match that does not listen to ctx finishes its doc anyway. Returning as soon as ctx ends leaves "
           "those matchers running behind the caller's back: still cancel, but then wait for them.",
           dojo::grader::Options{.seeds = 6}) {
  const Scale s = scale(check);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto log = std::make_shared<MatchLog>();
  check.say(fmt::format("calling search(ctx, docs 1..400 where every 50th matches, no limit); match takes {} and "
                        "never looks at ctx; the caller cancels ctx as doc 100 starts",
                        dur(s.per_doc)));
  Request req = request(kCallerCancel, corpus(400, 50), needle(log, Speed::deaf, s.per_doc, 100, cancel), 0);
  req.ctx = ctx;
  Call call = call_search(check, std::move(req));
  check.expect_is(call.result.error(), goro::Canceled, "goro::Canceled");
  const int late_starts = log->started_after_stop.load();
  check.expect(late_starts <= 3 * kMatchers,
               fmt::format("at most {} docs started after the cancellation (the few taken at that moment)",
                           3 * kMatchers),
               fmt::format("{} docs started after the cancellation, of the 300 left", late_starts),
               {mistake::ignored_cancellation,
                "Once ctx has ended, no matcher should take a new doc: watch ctx.done() in the select around the "
                "receive (and look at ctx.err() before starting a doc that arrived just then)."});
  if (check.deterministic()) {
    const goro::Duration late = call.returned - log->stopped_at();
    check.expect(late <= 10 * s.per_doc,
                 fmt::format("search returns within {} of the cancellation (the docs in hand take {})",
                             dur(10 * s.per_doc), dur(s.per_doc)),
                 fmt::format("it returned {} after the cancellation", dur(late)), mistake::ignored_cancellation);
  }
  cancel();
}

DOJO_CHECK("doc 137 is malformed: search returns match's error, naming the doc, promptly, and every task has exited",
           "A failing matcher cancels the group's context, so the other matchers stop. The producer, blocked "
           "in its send with a doc for them, and the progress ticker must see that cancellation too — and search "
           "must wait for all of them before it returns the error.",
           dojo::grader::Options{.seeds = 6}) {
  const Scale s = scale(check);
  {
    auto log = std::make_shared<MatchLog>();
    check.say(fmt::format("calling search(background, docs 1..400 where every 50th matches and doc 137 has no text, "
                          "no limit); match takes {} and listens to ctx",
                          dur(s.per_doc)));
    Call call =
        call_search(check, request(kMatcherError, corpus(400, 50, {137}), needle(log, Speed::listening, s.per_doc), 0));
    const goro::Error err = call.result.error();
    check.expect_is(err, ErrMalformed, "ErrMalformed",
                    "Return match's error, wrapped as goro::errorf(\"doc {}: {:w}\", doc.id, err).");
    check.expect_not_is(err, goro::Canceled, "goro::Canceled",
                        "The caller cancelled nothing: the other tasks' Canceled is the echo of the failure. Return "
                        "the error that stopped the pipeline.");
    check.expect(err.message().find("doc 137") != std::string::npos, "a message that names \"doc 137\"",
                 Check::describe_error(err));
    if (check.deterministic()) {
      const goro::Duration late = call.returned - log->stopped_at();
      check.expect(late <= s.per_doc, fmt::format("search returns within {} of the failure", dur(s.per_doc)),
                   fmt::format("it returned {} after the failure", dur(late)), mistake::wrong_timing);
    }
  }
  {
    auto log = std::make_shared<MatchLog>();
    check.say("calling search(background, docs 1..50 where doc 1 has no text, no limit)");
    Call call =
        call_search(check, request(kMatcherError, corpus(50, 5, {1}), needle(log, Speed::listening, s.per_doc), 0));
    check.expect_is(call.result.error(), ErrMalformed, "ErrMalformed");
    check.expect(call.result.error().message().find("doc 1") != std::string::npos, "a message that names \"doc 1\"",
                 Check::describe_error(call.result.error()));
  }
}

DOJO_CHECK("an already-cancelled caller, and a deadline already past: ctx.err() at once, and every task has exited",
           "With ctx already ended, there is nothing to do: return ctx.err() at once — or let the pipeline start "
           "and stop, as long as nothing of it is left behind.") {
  const Scale s = scale(check);
  {
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    cancel();
    auto log = std::make_shared<MatchLog>();
    check.say("calling search(ctx, docs 1..100 where every 10th matches, no limit) with ctx already cancelled");
    Request req = request(kAlreadyCancelled, corpus(100, 10), needle(log, Speed::listening, s.per_doc), 0);
    req.ctx = ctx;
    Call call = call_search(check, std::move(req));
    check.expect_is(call.result.error(), goro::Canceled, "goro::Canceled");
    if (check.deterministic())
      check.expect(call.returned == call.started, "search returns at once (+0s)",
                   fmt::format("it returned at +{}", dur(call.returned - call.started)));
  }
  {
    auto [ctx, cancel] = goro::with_deadline(goro::background(), goro::now());
    auto log = std::make_shared<MatchLog>();
    check.say("calling search(ctx, docs 1..100 where every 10th matches, no limit) with ctx's deadline already past");
    Request req = request(kAlreadyCancelled, corpus(100, 10), needle(log, Speed::listening, s.per_doc), 0);
    req.ctx = ctx;
    Call call = call_search(check, std::move(req));
    check.expect_is(call.result.error(), goro::DeadlineExceeded, "goro::DeadlineExceeded",
                    "Return ctx.err() itself: the caller tells a deadline from a cancellation by it.");
    cancel();
  }
}

DOJO_CHECK("progress: a slow search reports every 100 ms how many docs were looked at, and never after it returned",
           "The progress ticker is one of search's tasks like the others: it reports while the search runs, "
           "stops when the pipeline stops (a select on the ticker and ctx.done()), and search waits for it. "
           "Stopping the leak by dropping the progress bar is not the answer.") {
  const Scale s = scale(check);
  auto log = std::make_shared<MatchLog>();
  auto p = std::make_shared<ProgressLog>();
  check.say(fmt::format("calling search(background, docs 1..400 where every 10th matches, no limit, a progress bar); "
                        "match takes {}: with {} matchers, about {} in all",
                        dur(s.per_doc), kMatchers, dur(400 / kMatchers * s.per_doc)));
  Request req = request(kFullRun, corpus(400, 10), needle(log, Speed::deaf, s.per_doc), 0);
  req.progress = recorder(p);
  req.on_return = [p] { p->returned.store(true); };
  Call call = call_search(check, std::move(req));
  expect_all(check, call, multiples(400, 10));
  std::lock_guard lk(p->mu);
  check.expect(p->after_return == 0, "no progress call after search returned",
               fmt::format("{} progress call(s) after search returned", p->after_return),
               {mistake::leak, "A progress call after the return means the ticker's task outlived search: stop it, "
                               "then wait for it, before returning."});
  check.expect(p->calls.peak() <= 1, "one progress call at a time",
               fmt::format("{} progress calls at the same time", p->calls.peak()), mistake::over_limit);
  check.expect(std::is_sorted(p->values.begin(), p->values.end()) &&
                   std::all_of(p->values.begin(), p->values.end(), [](int v) { return v >= 0 && v <= 400; }),
               "counts that never go down, between 0 and 400", fmt::format("the counts reported: {}", list(p->values)));
  if (check.deterministic()) {
    const goro::Duration took = call.returned - call.started;
    const auto ticks = static_cast<std::size_t>(took / kProgressEvery);
    check.expect(p->values.size() >= ticks / 2 && p->values.size() <= ticks + 2,
                 fmt::format("about one progress call every {} of the {} search ({})", dur(kProgressEvery),
                             dur(took), ticks),
                 fmt::format("{} progress calls: {}", p->values.size(), list(p->values)),
                 "Call progress on every tick of a goro::new_ticker(kProgressEvery), with the count of docs looked "
                 "at so far — not once per doc, and not never.");
    check.report(fmt::format("progress reported {} times in {}: {}", p->values.size(), dur(took), list(p->values)));
  }
}

DOJO_CHECK("a large input: every 7th doc matches, no limit: all of them, and every task has exited",
           "The same pipeline at a larger scale: every stage must end by itself when the input runs out.") {
  const Scale s = scale(check);
  auto log = std::make_shared<MatchLog>();
  check.say(fmt::format("calling search(background, docs 1..{} where every 7th matches, no limit); match answers "
                        "at once",
                        s.large));
  Call call = call_search(check, request(kLargeInput, corpus(s.large, 7), needle(log, Speed::instant, 0ms), 0));
  expect_all(check, call, multiples(s.large, 7));
  check.expect(log->calls.load() == s.large, fmt::format("each of the {} docs looked at once", s.large),
               fmt::format("{} calls of match", log->calls.load()));
}

DOJO_CHECK("repeated calls: goro::num_tasks() is back to where it was after each of six searches on different paths",
           "This is the symptom a server shows: every request leaves a few tasks behind, and "
           "runtime.NumGoroutine (goro::num_tasks()) only ever grows. Each path must clean up after itself.") {
  const Scale s = scale(check);
  const int before = goro::num_tasks();
  goro::LeakCheck since_start;
  std::vector<std::shared_ptr<void>> keep;  // the data of each call, alive as long as its tasks
  std::vector<int> counts;
  std::vector<goro::CancelFunc> cancels;
  auto run = [&](Request req) {
    req.check_leaks = false;
    Call call = call_search(check, std::move(req));
    keep.push_back(call.keep);
    (void)since_start.check();  // lets the tasks on their way out finish
    counts.push_back(goro::num_tasks());
  };
  check.say(fmt::format("goro::num_tasks() is {} before the first call", before));
  check.say("six calls: an early stop, a full run, a failing match, a cancelled caller, an early stop, a full run");
  auto log = std::make_shared<MatchLog>();
  run(request(kEarlyStop, corpus(200, 10), needle(log, Speed::listening, s.per_doc), 3));
  run(request(kFullRun, corpus(100, 10), needle(log, Speed::listening, s.per_doc), 50));
  run(request(kMatcherError, corpus(200, 10, {55}), needle(log, Speed::listening, s.per_doc), 0));
  {
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    cancels.push_back(cancel);
    Request req = request(kCallerCancel, corpus(200, 10), needle(std::make_shared<MatchLog>(), Speed::listening,
                                                                 s.per_doc, 50, cancel),
                          0);
    req.ctx = ctx;
    run(std::move(req));
  }
  run(request(kEarlyStop, corpus(200, 10), needle(log, Speed::listening, s.per_doc), 3));
  run(request(kFullRun, corpus(100, 10), needle(log, Speed::listening, s.per_doc), 50));
  for (const auto& cancel : cancels) cancel();

  goro::LeakReport left = since_start.check();
  // Where the tasks left behind were started, and how many of each.
  std::map<std::string, int> sites;
  for (const goro::TaskInfo& t : left.leaked)
    ++sites[fmt::format("\"{}\" started at {}:{}", t.name, dojo::ex22::probe::short_file(t.started_at.file_name()),
                        t.started_at.line())];
  std::vector<std::string> lines;
  for (const auto& [site, n] : sites) lines.push_back(fmt::format("  {} x {}", n, site));
  if (left) (void)since_start.release();
  const bool flat = std::all_of(counts.begin(), counts.end(), [before](int n) { return n == before; });
  check.expect(flat, fmt::format("goro::num_tasks() back to {} after every call", before),
               fmt::format("goro::num_tasks() after each call: {} — it grows by the tasks each call leaves "
                           "behind.\nStill alive after the six calls:\n{}",
                           list(counts), fmt::join(lines, "\n")),
               {mistake::leak, dojo::ex22::probe::kUsualCauses});
  check.report(fmt::format("goro::num_tasks() after each call: {}", list(counts)));
}
