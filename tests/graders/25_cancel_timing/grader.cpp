// Hidden checks for exercise 25 (cancel_timing).
//
// The learner writes the measuring tool; the grader hands it pipelines whose behaviour after a
// cancel is known exactly: stages that return at once, stages that still finish the image in
// hand (a fixed time after the cancel, without looking at ctx), a stage that never returns until
// the grader releases it, and pipelines that return before any cancel.
//
// Timing: under goro::simulate the clock is virtual, so every latency and the moment the tool
// returns are compared exactly (check.deterministic()). On real threads every duration is a
// tenth as long, and only what a busy machine cannot change is checked: a stage's tail is a
// sleep that starts after it has seen the cancel, so the latency is at least that tail; a stuck
// stage stays stuck until released, whatever the clock says; a pipeline meant to pass gets a
// roomy limit. The names of the stages alive at the limit are compared only on the virtual
// clock, except for a stuck stage, which is alive at any moment.
#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cancel_timing.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex25::CancelReport;
using dojo::ex25::check_prompt;
using dojo::ex25::ErrNothingToMeasure;
using dojo::ex25::measure_cancel;
using dojo::ex25::MeasureOptions;
using dojo::ex25::Pipeline;
using dojo::ex25::SlowCancelError;
using dojo::grader::Check;
using dojo::grader::CountingParent;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_order, mistake::wrong_timing, mistake::missing_context,
                     mistake::unexpected_error);

namespace {

const goro::Error ErrBadHeader = goro::new_error("decode: bad header");

// The key of the request id the caller's context carries.
struct RequestIdKey {
  bool operator==(const RequestIdKey&) const = default;
};

std::string dur(goro::Duration d) { return goro::format_duration(d); }

// What the grader's pipeline saw. On real threads a stuck pipeline runs on after the tool has
// returned, hence the mutex.
struct Probe {
  goro::Mutex mu;
  bool entered = false;
  bool cancelled_at_entry = false;
  bool had_request_id = false;
  goro::Time entered_at{};
  std::optional<goro::Time> saw_cancel_at;  // when a pipeline that waits for the cancel saw it
  goro::Chan<goro::Unit> release = goro::make_chan<goro::Unit>();   // closed: stuck stages return
  bool virt = false;  // on the virtual clock a stuck stage gives up after kStuckGuard
  goro::Chan<goro::Unit> finished = goro::make_chan<goro::Unit>();  // closed as the pipeline returns
  bool released = false;

  void enter(const goro::Context& ctx) {
    std::lock_guard lk(mu);
    entered = true;
    entered_at = goro::now();
    cancelled_at_entry = static_cast<bool>(ctx.err());
    had_request_id = ctx.value<std::string>(RequestIdKey{}) == std::optional<std::string>("req-25");
  }
  bool was_entered() {
    std::lock_guard lk(mu);
    return entered;
  }
  void release_stuck() {
    std::lock_guard lk(mu);
    if (!released) release.close();
    released = true;
  }
  // Releases a stuck pipeline and, if it was started at all, waits until it has returned.
  void release_and_wait() {
    release_stuck();
    if (was_entered()) (void)finished.recv();
  }
};

// One stage of the grader's pipeline.
struct StageSpec {
  std::string name;
  enum Kind { prompt, finishes_item, stuck } kind = prompt;
  goro::Duration tail{};  // finishes_item: how long it still works after the cancel
};
StageSpec prompt(std::string name) { return {std::move(name), StageSpec::prompt, {}}; }
StageSpec finishes(std::string name, goro::Duration tail) { return {std::move(name), StageSpec::finishes_item, tail}; }
StageSpec stuck(std::string name) { return {std::move(name), StageSpec::stuck, {}}; }

// How long a stuck stage waits on the virtual clock before the grader gives up on it: far past any
// cap, so a tool that honours its cap has returned long before. A tool with no cap would otherwise
// wait forever (a deadlock); this way it returns, late, and the check says how late.
constexpr goro::Duration kStuckGuard = std::chrono::hours(1);

goro::Error run_stage(const StageSpec& s, const goro::Context& ctx, const std::shared_ptr<Probe>& probe,
                      goro::Duration step) {
  if (s.kind == StageSpec::stuck) {
    // Waits for a reply that never comes; never looks at ctx.
    if (!probe->virt) {
      (void)probe->release.recv();
    } else {
      auto guard = goro::new_timer(kStuckGuard);
      if (goro::select(goro::on_recv(probe->release), goro::on_recv(guard.c())) == 0) guard.stop();
    }
    return {};
  }
  // Work in steps, looking at ctx between them, until it ends.
  for (;;) {
    auto t = goro::new_timer(step);
    if (goro::select(goro::on_recv(t.c()), goro::on_recv(ctx.done())) == 1) break;
  }
  if (s.kind == StageSpec::finishes_item) goro::sleep(s.tail);  // the image in hand, ctx ignored
  return goro::errorf("{}: {:w}", s.name, ctx.err());
}

// A pipeline of named stages, each a task of one ErrGroup, started in the order given.
Pipeline staged(const std::shared_ptr<Probe>& probe, std::vector<StageSpec> stages, goro::Duration step) {
  return [probe, stages = std::move(stages), step](const goro::Context& ctx) -> goro::Error {
    probe->enter(ctx);
    auto [g, gctx] = goro::ErrGroup::with_context(ctx);
    for (const StageSpec& s : stages)
      g.go_named(s.name, [s, c = gctx, probe, step] { return run_stage(s, c, probe, step); });
    goro::Error err = g.wait();
    probe->finished.close();
    return err;
  };
}

// A pipeline that is done after `after` and returns `err`, without waiting for any cancel.
Pipeline returns_early(const std::shared_ptr<Probe>& probe, goro::Duration after, goro::Error err) {
  return [probe, after, err](const goro::Context& ctx) -> goro::Error {
    probe->enter(ctx);
    goro::sleep(after);
    probe->finished.close();
    return err;
  };
}

// A pipeline that waits for its context to end, notes when it did, and returns ctx.err().
Pipeline waits_for_cancel(const std::shared_ptr<Probe>& probe) {
  return [probe](const goro::Context& ctx) -> goro::Error {
    probe->enter(ctx);
    goro::select(goro::on_recv(ctx.done()));
    {
      std::lock_guard lk(probe->mu);
      probe->saw_cancel_at = goro::now();
    }
    probe->finished.close();
    return ctx.err();
  };
}

// The durations of a check: the statement's on the virtual clock, a tenth of them on real threads.
struct Scale {
  goro::Duration cancel_after;  // how long the pipeline runs before the cancel
  goro::Duration limit;         // the limit, where the check is about exceeding it
  goro::Duration roomy;         // the limit, where the pipeline must pass on any machine
  goro::Duration cap;           // the cap, where the pipeline returns
  goro::Duration stuck_cap;     // the cap, where the pipeline never returns
  goro::Duration step;          // a stage's step of work
  goro::Duration tail;          // resize's image in hand
};
Scale scale(const Check& check) {
  return check.deterministic() ? Scale{1s, 100ms, 100ms, 2s, 2s, 40ms, 250ms}
                               : Scale{100ms, 10ms, 2s, 5s, 300ms, 5ms, 25ms};
}
// Named fields, so that a call site reads like the statement.
MeasureOptions options(goro::Duration cancel_after, goro::Duration limit, goro::Duration cap) {
  MeasureOptions o;
  o.cancel_after = cancel_after;
  o.limit = limit;
  o.cap = cap;
  return o;
}

std::string show_stages(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (const std::string& s : v) q.push_back("'" + s + "'");
  return fmt::format("{{{}}}", fmt::join(q, ", "));
}

std::string show_report(const CancelReport& r) {
  return fmt::format("{{finished_before_cancel {}, stuck {}, latency {}, err {}, stages {}}}",
                     r.finished_before_cancel, r.stuck, dur(r.latency),
                     r.err ? "\"" + r.err.message() + "\"" : std::string("nil"), show_stages(r.stages));
}

const char* const kHintClock =
    "Measure on the runtime's clock: note goro::now() just before you cancel, and subtract it from "
    "goro::now() when the pipeline's result arrives. Only the time after the cancel counts; std::chrono's "
    "clocks do not see the virtual clock the grader runs on.";
const char* const kHintStages =
    "When the limit passes (a timer of `limit`, started at the cancel), look at goro::tasks(): the tasks "
    "that appeared since measure_cancel began, other than the one running the pipeline function, are the "
    "stages still holding it up. Report their names (TaskInfo::name) in the order of their ids.";
const char* const kHintCap =
    "Never wait for the pipeline without a bound: wait for its result, the limit and the cap together. When "
    "the cap passes, report it stuck and return; its task must still be able to hand over its result and "
    "exit later, with nobody receiving it.";

// A stuck pipeline's stage gives up after kStuckGuard on the virtual clock: a tool that waited
// until then, past its cap, waited without a bound.
void expect_bounded(Check& check, const CancelReport& r, goro::Duration took, const MeasureOptions& o) {
  if (check.deterministic() && !r.stuck && took > o.cancel_after + o.cap)
    check.fail(fmt::format("measure_cancel returns at the cap, {} after the cancel, reporting the pipeline stuck",
                           dur(o.cap)),
               fmt::format("it returned at +{}, {}; the report {}", dur(took),
                           took >= kStuckGuard ? "only when the grader gave up on the stuck stage: it waited for the "
                                                 "pipeline without a bound"
                                               : "past the cap, and without reporting the pipeline stuck",
                           show_report(r)),
               {mistake::wrong_timing, kHintCap});
}

void expect_not_early(Check& check, const CancelReport& r) {
  check.expect(!r.finished_before_cancel, "finished_before_cancel false: the pipeline runs until it is cancelled",
               fmt::format("the report {}", show_report(r)),
               "finished_before_cancel means the pipeline returned before the cancel was due; this one only "
               "returns once its context ends.");
}

void expect_not_stuck(Check& check, const CancelReport& r) {
  check.expect(!r.stuck, "stuck false: the pipeline returns well within the cap",
               fmt::format("the report {}", show_report(r)),
               "stuck is for a pipeline that has not returned when the cap passes.");
}

// The latency in the report: exact on the virtual clock, a lower bound on real threads.
void expect_latency(Check& check, const CancelReport& r, goro::Duration want, const MeasureOptions& o,
                    std::string_view why) {
  if (!check.deterministic()) {
    check.expect(r.latency >= want, fmt::format("a latency of at least {} ({})", dur(want), why),
                 fmt::format("a latency of {}; the report {}", dur(r.latency), show_report(r)),
                 {mistake::wrong_timing, kHintClock});
    return;
  }
  if (r.latency == want) return;
  std::string note;
  if (r.latency % 1ms != goro::Duration::zero())
    note = "\nthat reading did not come from the runtime's clock: on the virtual clock every moment of this "
           "check falls on a whole millisecond. A std::chrono clock measures the real time the simulation "
           "took, not the pipeline's.";
  else if (r.latency == want + o.cancel_after)
    note = fmt::format("\nthat is counted from the pipeline's start: it includes the {} the pipeline ran "
                       "before the cancel",
                       dur(o.cancel_after));
  check.fail(fmt::format("a latency of {} ({})", dur(want), why),
             fmt::format("a latency of {}{}", dur(r.latency), note), {mistake::wrong_timing, kHintClock});
}

// The stages in the report, compared on the virtual clock only.
void expect_stages(Check& check, const std::vector<std::string>& got, const std::vector<std::string>& want,
                   std::string_view what = "the report's stages") {
  if (!check.deterministic() || got == want) return;
  std::string note;
  if (got.empty())
    note = " — the report names no stage, so whoever reads it cannot tell which stage ignores the cancel";
  else if (std::find(got.begin(), got.end(), "measure_cancel: pipeline") != got.end() ||
           std::any_of(got.begin(), got.end(), [](const std::string& s) { return s.rfind("task ", 0) == 0; }))
    note = " — a listed task is not one of the pipeline's stages (the task that runs the pipeline function, "
           "or one that was alive before measure_cancel began, is not a stage)";
  else if (got.size() > want.size())
    note = " — a stage that had already returned when the limit passed is listed: look at the tasks at the "
           "limit, not at the cancel";
  check.fail(fmt::format("{}: {}", what, show_stages(want)), fmt::format("{}: {}{}", what, show_stages(got), note),
             got.empty() ? dojo::grader::Why{mistake::missing_context, kHintStages} : dojo::grader::Why{kHintStages});
}

// The moment measure_cancel / check_prompt returned, on the virtual clock only.
void expect_returned_at(Check& check, goro::Duration took, goro::Duration want, std::string_view why) {
  if (!check.deterministic()) return;
  check.expect(took == want, fmt::format("it returns at +{} ({})", dur(want), why),
               fmt::format("it returned at +{}", dur(took)), mistake::wrong_timing);
}

goro::Context caller_ctx() { return goro::with_value(goro::background(), RequestIdKey{}, std::string("req-25")); }

}  // namespace

DOJO_CHECK("a pipeline whose stages all stop at once: latency 0, nothing named, check_prompt nil",
           "Cancel when cancel_after has passed, then wait for the pipeline's result; the latency is "
           "goro::now() at the result minus goro::now() at the cancel.") {
  const Scale s = scale(check);
  const MeasureOptions o = options(s.cancel_after, s.roomy, s.cap);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling measure_cancel(ctx, decode → resize → upload, {{cancel_after {}, limit {}, cap {}}}), "
                        "where every stage returns as soon as ctx ends",
                        dur(o.cancel_after), dur(o.limit), dur(o.cap)));
  const Pipeline p = staged(probe, {prompt("decode"), prompt("resize"), prompt("upload")}, s.step);
  const goro::Time t0 = goro::now();
  const CancelReport r = measure_cancel(caller_ctx(), p, o);
  const goro::Duration took = goro::now() - t0;
  expect_not_early(check, r);
  expect_not_stuck(check, r);
  check.expect_is(r.err, goro::Canceled, "goro::Canceled (report.err: what the pipeline returned)",
                  "report.err is the pipeline's own error, as it returned it; after the cancel it is its stages' "
                  "\"...: context canceled\".");
  expect_latency(check, r, 0ms, o, "every stage returns the moment ctx ends");
  expect_stages(check, r.stages, {}, "the report's stages (only filled when the pipeline is too slow)");
  expect_returned_at(check, took, o.cancel_after, "at the cancel, as the pipeline returns");
  check.say("calling check_prompt(ctx, the same kind of pipeline, the same options)");
  auto probe2 = std::make_shared<Probe>();
  check.expect_ok(check_prompt(caller_ctx(), staged(probe2, {prompt("decode"), prompt("resize"), prompt("upload")}, s.step), o),
                  "check_prompt(...)", "A latency within the limit is a pass: nil.");
}

DOJO_CHECK("the pipeline runs for cancel_after before its context is cancelled, with the caller's values",
           "Start the pipeline first, with a context derived from ctx (goro::with_cancel(ctx)); cancel it only "
           "once cancel_after has passed.") {
  const Scale s = scale(check);
  const goro::Duration run_for = check.deterministic() ? 700ms : 70ms;
  const MeasureOptions o = options(run_for, s.roomy, s.cap);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling measure_cancel(ctx carrying request id \"req-25\", a pipeline that waits for its "
                        "context to end, {{cancel_after {}, limit {}, cap {}}})",
                        dur(o.cancel_after), dur(o.limit), dur(o.cap)));
  const CancelReport r = measure_cancel(caller_ctx(), waits_for_cancel(probe), o);
  std::lock_guard lk(probe->mu);
  check.expect(probe->entered, "the pipeline is called", "measure_cancel never called the pipeline");
  check.expect(!probe->cancelled_at_entry, "the pipeline's context not cancelled yet when the pipeline starts",
               "the pipeline's context was already cancelled when the pipeline started: it never got to run",
               {mistake::wrong_order, "The pipeline must be running when the cancel comes, or nothing is measured: "
                                      "start it, let it run for cancel_after, then cancel."});
  check.expect(probe->had_request_id, "the pipeline's context carrying the caller's request id",
               "the pipeline's context had no request id",
               "Derive the pipeline's context from ctx (goro::with_cancel(ctx)), not from goro::background(): the "
               "caller's values must reach the pipeline.");
  check.expect(probe->saw_cancel_at.has_value(), "the pipeline sees its context end", "it never did");
  const goro::Duration ran = *probe->saw_cancel_at - probe->entered_at;
  // On real threads the pipeline's first moments and the tool's timer race: only the order is checked.
  if (check.deterministic())
    check.expect(ran == run_for, fmt::format("the cancel {} after the pipeline started", dur(run_for)),
                 fmt::format("the cancel {} after the pipeline started", dur(ran)),
                 {mistake::wrong_timing,
                  "cancel_after counts from the pipeline's start: start it, then wait cancel_after, then cancel."});
  expect_latency(check, r, 0ms, o, "the pipeline returns the moment ctx ends");
}

DOJO_CHECK("resize finishes the image in hand after the cancel: latency exactly 250ms, and the report names resize",
           kHintStages) {
  const Scale s = scale(check);
  const MeasureOptions o = options(s.cancel_after, s.limit, s.cap);
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling measure_cancel(ctx, decode → resize → upload, {{cancel_after {}, limit {}, cap {}}}), "
                        "where resize still works {} after the cancel and the others return at once",
                        dur(o.cancel_after), dur(o.limit), dur(o.cap), dur(s.tail)));
  const Pipeline p = staged(probe, {prompt("decode"), finishes("resize", s.tail), prompt("upload")}, s.step);
  const goro::Time t0 = goro::now();
  const CancelReport r = measure_cancel(caller_ctx(), p, o);
  const goro::Duration took = goro::now() - t0;
  expect_not_early(check, r);
  expect_not_stuck(check, r);
  expect_latency(check, r, s.tail, o, "resize's image in hand");
  expect_stages(check, r.stages, {"resize"});
  expect_returned_at(check, took, o.cancel_after + s.tail, "as resize returns");

  check.say("calling check_prompt(ctx, the same kind of pipeline, the same options)");
  auto probe2 = std::make_shared<Probe>();
  goro::Error err = check_prompt(caller_ctx(),
                                 staged(probe2, {prompt("decode"), finishes("resize", s.tail), prompt("upload")}, s.step), o);
  auto slow = check.expect_as<SlowCancelError>(err, "SlowCancelError",
                                               "A latency over the limit is an error: goro::make_error(SlowCancelError{"
                                               "latency, limit, stages, stuck}).");
  check.expect(!slow.stuck, "SlowCancelError::stuck false", "SlowCancelError::stuck true");
  check.expect(slow.limit == o.limit, fmt::format("SlowCancelError::limit {}", dur(o.limit)),
               fmt::format("SlowCancelError::limit {}", dur(slow.limit)));
  if (check.deterministic()) {
    check.expect(slow.latency == s.tail, fmt::format("SlowCancelError::latency {}", dur(s.tail)),
                 fmt::format("SlowCancelError::latency {}", dur(slow.latency)), {mistake::wrong_timing, kHintClock});
    expect_stages(check, slow.stages, {"resize"}, "SlowCancelError::stages");
    check.expect(err.message().find("stage 'resize'") != std::string::npos,
                 "a message that names stage 'resize'", Check::describe_error(err));
  }
}

DOJO_CHECK("the time before the cancel is not counted: after 3s of work, latency 0 and 250ms",
           kHintClock) {
  const Scale s = scale(check);
  const MeasureOptions quick = options(3 * s.cancel_after, s.roomy, s.cap);
  const MeasureOptions strict = options(3 * s.cancel_after, s.limit, s.cap);
  {
    auto probe = std::make_shared<Probe>();
    check.say(fmt::format("calling measure_cancel(ctx, decode → upload, {{cancel_after {}, limit {}}}), where both "
                          "stages return as soon as ctx ends",
                          dur(quick.cancel_after), dur(quick.limit)));
    const goro::Time t0 = goro::now();
    const CancelReport r = measure_cancel(caller_ctx(), staged(probe, {prompt("decode"), prompt("upload")}, s.step), quick);
    const goro::Duration took = goro::now() - t0;
    expect_not_early(check, r);
    expect_latency(check, r, 0ms, quick, "the stages return the moment ctx ends");
    expect_returned_at(check, took, quick.cancel_after, "at the cancel");
  }
  {
    auto probe = std::make_shared<Probe>();
    check.say(fmt::format("calling measure_cancel(ctx, decode → resize → upload, {{cancel_after {}, limit {}}}), where "
                          "resize still works {} after the cancel",
                          dur(strict.cancel_after), dur(strict.limit), dur(s.tail)));
    const goro::Time t0 = goro::now();
    const CancelReport r = measure_cancel(
        caller_ctx(), staged(probe, {prompt("decode"), finishes("resize", s.tail), prompt("upload")}, s.step), strict);
    const goro::Duration took = goro::now() - t0;
    expect_not_early(check, r);
    expect_latency(check, r, s.tail, strict, "resize's image in hand, and nothing of the 3s before the cancel");
    expect_stages(check, r.stages, {"resize"});
    expect_returned_at(check, took, strict.cancel_after + s.tail, "as resize returns");
  }
}

DOJO_CHECK("the limit is inclusive: exactly 100ms passes, 101ms fails; a custom limit is honoured",
           "A latency equal to the limit is still in time: the verdict is latency <= limit. Use opts.limit, "
           "never a constant.",
           dojo::grader::Options{.seeds = 4, .free = false}) {
  auto run = [&](goro::Duration tail, goro::Duration limit) {
    auto probe = std::make_shared<Probe>();
    check.say(fmt::format("calling check_prompt(ctx, decode → resize, {{cancel_after 1s, limit {}, cap 2s}}), where "
                          "resize still works {} after the cancel",
                          dur(limit), dur(tail)));
    return check_prompt(caller_ctx(), staged(probe, {prompt("decode"), finishes("resize", tail)}, 40ms),
                        options(1s, limit, 2s));
  };
  check.expect_ok(run(100ms, 100ms), "check_prompt with a latency of exactly the limit (100ms)",
                  "A latency equal to the limit is within it: latency <= limit passes.");
  {
    goro::Error err = run(101ms, 100ms);
    auto slow = check.expect_as<SlowCancelError>(err, "SlowCancelError",
                                                 "101ms is over the limit of 100ms: the verdict is latency <= limit.");
    check.expect(slow.latency == 101ms, "SlowCancelError::latency 101ms",
                 fmt::format("SlowCancelError::latency {}", dur(slow.latency)), {mistake::wrong_timing, kHintClock});
  }
  check.expect_ok(run(250ms, 300ms), "check_prompt with a latency of 250ms under a limit of 300ms",
                  "The limit is opts.limit: the caller chooses it.");
  check.expect_as<SlowCancelError>(run(60ms, 50ms), "SlowCancelError",
                                   "60ms is over a limit of 50ms. The limit is opts.limit: the caller chooses it.");
}

DOJO_CHECK("several stages: the report names those still running at the limit, in the order they were started",
           kHintStages) {
  const Scale s = scale(check);
  const MeasureOptions o = options(s.cancel_after, s.limit, s.cap);
  const goro::Duration thumb = s.limit / 2, upload = s.tail + s.limit / 2;
  auto probe = std::make_shared<Probe>();
  check.say(fmt::format("calling measure_cancel(ctx, decode → resize → thumbnail → upload, {{cancel_after {}, limit "
                        "{}}}), where after the cancel decode returns at once, resize works {}, thumbnail {} and "
                        "upload {}",
                        dur(o.cancel_after), dur(o.limit), dur(s.tail), dur(thumb), dur(upload)));
  const Pipeline p = staged(probe,
                            {prompt("decode"), finishes("resize", s.tail), finishes("thumbnail", thumb),
                             finishes("upload", upload)},
                            s.step);
  const goro::Time t0 = goro::now();
  const CancelReport r = measure_cancel(caller_ctx(), p, o);
  const goro::Duration took = goro::now() - t0;
  expect_not_early(check, r);
  expect_not_stuck(check, r);
  expect_latency(check, r, upload, o, "the slowest stage, upload");
  // thumbnail returned before the limit passed: it is not what holds the pipeline up.
  expect_stages(check, r.stages, {"resize", "upload"});
  expect_returned_at(check, took, o.cancel_after + upload, "as upload, the last stage, returns");
}

DOJO_CHECK("a pipeline that never returns: reported stuck, the tool returns at the cap and names the stage",
           kHintCap) {
  const Scale s = scale(check);
  const MeasureOptions o = options(s.cancel_after, s.limit, s.stuck_cap);
  {
    auto probe = std::make_shared<Probe>();
    probe->virt = check.deterministic();
    check.say(fmt::format("calling measure_cancel(ctx, decode → upload, {{cancel_after {}, limit {}, cap {}}}), where "
                          "upload waits for a reply that never comes and never looks at ctx{}",
                          dur(o.cancel_after), dur(o.limit), dur(o.cap),
                          check.deterministic() ? fmt::format(" (the grader gives up on it after {})", dur(kStuckGuard))
                                                : std::string()));
    const goro::Time t0 = goro::now();
    const CancelReport r = measure_cancel(caller_ctx(), staged(probe, {prompt("decode"), stuck("upload")}, s.step), o);
    const goro::Duration took = goro::now() - t0;
    expect_bounded(check, r, took, o);
    check.expect(r.stuck, "stuck true: the pipeline had not returned when the cap passed",
                 fmt::format("the report {}", show_report(r)), kHintCap);
    // (On real threads the tool wakes at the cap or a little later.)
    check.expect(check.deterministic() ? r.latency == o.cap : r.latency >= o.cap,
                 fmt::format("latency {} (the cap: how long the tool waited)", dur(o.cap)),
                 fmt::format("latency {}", dur(r.latency)));
    expect_returned_at(check, took, o.cancel_after + o.cap, "the cap after the cancel");
    if (check.deterministic())
      expect_stages(check, r.stages, {"upload"});
    else
      check.expect(std::find(r.stages.begin(), r.stages.end(), "upload") != r.stages.end(),
                   "the report's stages naming 'upload'", fmt::format("the report's stages: {}", show_stages(r.stages)),
                   kHintStages);
    check.say("the grader releases upload and waits for the pipeline to return");
    probe->release_and_wait();
  }
  {
    const MeasureOptions half = options(s.cancel_after, s.limit, s.stuck_cap / 4);
    auto probe = std::make_shared<Probe>();
    probe->virt = check.deterministic();
    check.say(fmt::format("calling check_prompt(ctx, the same kind of pipeline, {{cancel_after {}, limit {}, cap {}}})",
                          dur(half.cancel_after), dur(half.limit), dur(half.cap)));
    const goro::Time t0 = goro::now();
    goro::Error err = check_prompt(caller_ctx(), staged(probe, {prompt("decode"), stuck("upload")}, s.step), half);
    const goro::Duration took = goro::now() - t0;
    auto slow = check.expect_as<SlowCancelError>(err, "SlowCancelError", kHintCap);
    check.expect(slow.stuck, "SlowCancelError::stuck true", "SlowCancelError::stuck false", kHintCap);
    if (check.deterministic())
      check.expect(err.message().find("did not return within " + dur(half.cap)) != std::string::npos,
                   fmt::format("a message that says \"did not return within {}\"", dur(half.cap)),
                   Check::describe_error(err), "Use opts.cap, never a constant.");
    expect_returned_at(check, took, half.cancel_after + half.cap, "the cap after the cancel");
    probe->release_and_wait();
  }
}

DOJO_CHECK("a pipeline that returns before the cancel: reported as such, with its error, and no latency",
           "When the pipeline's result arrives before cancel_after has passed, there was no cancel: set "
           "finished_before_cancel, keep its error, return at once; check_prompt says ErrNothingToMeasure.") {
  const Scale s = scale(check);
  const goro::Duration after = check.deterministic() ? 300ms : 0ms;
  const MeasureOptions o = options(s.cancel_after, s.limit, s.cap);
  {
    auto probe = std::make_shared<Probe>();
    check.say(fmt::format("calling measure_cancel(ctx, a pipeline that fails with ErrBadHeader after {}, "
                          "{{cancel_after {}}})",
                          dur(after), dur(o.cancel_after)));
    const goro::Time t0 = goro::now();
    const CancelReport r = measure_cancel(caller_ctx(), returns_early(probe, after, ErrBadHeader), o);
    const goro::Duration took = goro::now() - t0;
    check.expect(r.finished_before_cancel, "finished_before_cancel true",
                 fmt::format("the report {}", show_report(r)),
                 "Wait for whichever comes first, the pipeline's result or cancel_after; if it is the result, "
                 "there is nothing to cancel.");
    check.expect_is(r.err, ErrBadHeader, "ErrBadHeader (report.err: what the pipeline returned)",
                    "report.err is the pipeline's own error, as it returned it.");
    check.expect(r.latency == goro::Duration::zero() && !r.stuck && r.stages.empty(),
                 "latency 0, not stuck, no stages: there was no cancel to measure",
                 fmt::format("the report {}", show_report(r)));
    expect_returned_at(check, took, after, "as the pipeline returns, without waiting for cancel_after");
  }
  {
    auto probe = std::make_shared<Probe>();
    check.say(fmt::format("calling measure_cancel(ctx, a pipeline that returns nil after {})", dur(after)));
    const CancelReport r = measure_cancel(caller_ctx(), returns_early(probe, after, {}), o);
    check.expect(r.finished_before_cancel && !r.err, "finished_before_cancel true, err nil",
                 fmt::format("the report {}", show_report(r)));
  }
  {
    auto probe = std::make_shared<Probe>();
    check.say(fmt::format("calling check_prompt(ctx, a pipeline that fails with ErrBadHeader after {})", dur(after)));
    goro::Error err = check_prompt(caller_ctx(), returns_early(probe, after, ErrBadHeader), o);
    check.expect_is(err, ErrNothingToMeasure, "ErrNothingToMeasure",
                    "A pipeline that returned before the cancel proves nothing about its cancellation: a test "
                    "tool must say so rather than pass it.");
  }
}

DOJO_CHECK("the tool cleans up: its context is released on every way out, and its task exits after a stuck pipeline",
           "Call the derived context's cancel on every path, the early return too. The task that runs the "
           "pipeline must be able to hand over its result and exit even when nobody waits for it any more, and "
           "must own (a copy of) everything it uses.") {
  const Scale s = scale(check);
  const MeasureOptions o = options(s.cancel_after, s.roomy, s.cap);
  auto expect_released = [&](const std::shared_ptr<CountingParent>& parent, std::string_view how) {
    check.expect(parent->linked() >= 1, "the pipeline's context derived from the caller's ctx",
                 "no context was derived from ctx",
                 "Derive the pipeline's context from ctx with goro::with_cancel(ctx).");
    check.expect(parent->still_linked() == 0, fmt::format("every context derived from ctx released ({})", how),
                 fmt::format("{} of {} still linked to ctx when measure_cancel returned", parent->still_linked(),
                             parent->linked()),
                 {mistake::unreleased_context,
                  "Call the cancel function of the context you derived on every way out of measure_cancel."});
  };
  {
    auto [inner, cancel_inner] = goro::with_cancel(goro::background());  // a parent that can end: goro links to it
    auto parent = std::make_shared<CountingParent>(inner);
    auto probe = std::make_shared<Probe>();
    check.say("calling measure_cancel(counting ctx, decode → upload, both stopping at once)");
    const CancelReport r = measure_cancel(goro::Context(parent), staged(probe, {prompt("decode"), prompt("upload")}, s.step), o);
    expect_not_early(check, r);
    expect_released(parent, "after a prompt pipeline");
    cancel_inner();
  }
  {
    auto [inner, cancel_inner] = goro::with_cancel(goro::background());  // a parent that can end: goro links to it
    auto parent = std::make_shared<CountingParent>(inner);
    auto probe = std::make_shared<Probe>();
    check.say("calling measure_cancel(counting ctx, a pipeline that returns nil at once)");
    const CancelReport r = measure_cancel(goro::Context(parent), returns_early(probe, 0ms, {}), o);
    check.expect(r.finished_before_cancel, "finished_before_cancel true", fmt::format("the report {}", show_report(r)));
    expect_released(parent, "after a pipeline that returned before the cancel");
    cancel_inner();
  }
  {
    auto [inner, cancel_inner] = goro::with_cancel(goro::background());  // a parent that can end: goro links to it
    auto parent = std::make_shared<CountingParent>(inner);
    auto probe = std::make_shared<Probe>();
    goro::LeakCheck leaks;
    const MeasureOptions capped = options(s.cancel_after, s.limit, s.stuck_cap);
    check.say(fmt::format("calling measure_cancel(counting ctx, decode → upload, {{cap {}}}), where upload never "
                          "returns until the grader releases it",
                          dur(capped.cap)));
    probe->virt = check.deterministic();
    const goro::Time t0 = goro::now();
    const CancelReport r =
        measure_cancel(goro::Context(parent), staged(probe, {prompt("decode"), stuck("upload")}, s.step), capped);
    expect_bounded(check, r, goro::now() - t0, capped);
    check.expect(r.stuck, "stuck true", fmt::format("the report {}", show_report(r)), kHintCap);
    expect_released(parent, "after a stuck pipeline");
    check.say("the grader releases upload and waits for the pipeline function to return");
    probe->release_and_wait();
    if (auto left = leaks.check())
      check.fail("every task measure_cancel started has exited once the pipeline returned",
                 "still alive:\n" + left.format(),
                 {mistake::leak,
                  "The task running the pipeline is blocked handing over its result, and nobody will ever take "
                  "it: measure_cancel stopped waiting at the cap. It must be able to hand it over without a "
                  "receiver (room for it in the channel, for instance) and exit."});
    cancel_inner();
  }
}
