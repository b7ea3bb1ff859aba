// Hidden checks for exercise 23 (stress).
//
// The learner writes the tool, not the pipeline: the grader hands stress() pipelines of its own —
// a correct one, and ones that drop a fault, re-word it, hang on it, stall until their context
// ends, or leave a task behind — and holds the report against what those pipelines saw from
// inside. Every invocation of a grader pipeline is recorded (when it began and returned, what it
// returned, how many faults its injector had injected by then, whether it hung or leaked on
// purpose), so the expected report is computed from the run itself, whatever decisions the
// learner's injector made: no check depends on which calls a particular generator fails.
//
// Stuck and leaked tasks wait on the grader's gate, which the grader closes once stress has
// returned; the check then waits until every invocation has returned, so nothing is left behind.
//
// Hangs are a matter of time: the checks about them run only on the virtual clock (a hang
// costs nothing there). On real threads the limit is made generous (10 s, which no run comes
// near) and everything is judged by what the pipelines saw, never by how long they took.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "stress.hpp"

using dojo::ex23::ErrInjected;
using dojo::ex23::FaultInjector;
using dojo::ex23::InjectedFault;
using dojo::ex23::Pipeline;
using dojo::ex23::Problem;
using dojo::ex23::ProblemKind;
using dojo::ex23::stress;
using dojo::ex23::StressOptions;
using dojo::ex23::StressReport;
using dojo::grader::Check;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::lost_item, mistake::wrong_result, mistake::wrong_timing, mistake::ignored_cancellation);

namespace {

// The pipeline's own error (not injected): a failure, never a swallowed fault.
const goro::Error ErrBadRecord = goro::new_error("bad record");

std::string dur(goro::Duration d) { return goro::format_duration(d); }

// ---- recording what the grader's pipelines did ---------------------------------------------

// One invocation of a grader pipeline, seen from inside.
struct RunRecord {
  goro::Duration began{};  // since the recorder was made
  goro::Duration ended{};
  bool returned = false;
  goro::Error err;
  int injected = 0;     // the injector's count when it returned (or began to hang)
  bool hung = false;    // it hung on purpose (and stays stuck until the gate opens)
  bool leaked = false;  // it left a task behind on purpose
  std::vector<std::string> ops;  // the operations it asked about, in order (sequential pipelines)
  std::vector<bool> failed;      // ... and which of them failed
};

struct Recorder {
  goro::Time t0 = goro::now();
  goro::Mutex mu;
  std::vector<std::shared_ptr<RunRecord>> runs;  // in the order the invocations began
  // Stuck and leaked tasks wait here; closed by release() once stress has returned.
  goro::Chan<goro::Unit> gate = goro::make_chan<goro::Unit>();
  goro::WaitGroup busy;  // invocations that have not returned, and forgotten tasks still alive
  bool released = false;

  int invocations() {
    std::lock_guard lk(mu);
    return static_cast<int>(runs.size());
  }
  // Opens the gate and waits until every invocation has returned and every forgotten task has exited.
  void release() {
    if (!released) gate.close();
    released = true;
    busy.wait();
  }
};

// What a grader pipeline's body is handed: the run's injector, through the recorder.
class Run {
 public:
  Run(std::shared_ptr<Recorder> rec, std::shared_ptr<RunRecord> r, FaultInjector& faults, int index)
      : rec_(std::move(rec)), r_(std::move(r)), faults_(faults), index_(index) {}

  // faults.maybe_fail(op), recorded.
  goro::Error ask(std::string_view op) {
    goro::Error f = faults_.maybe_fail(op);
    std::lock_guard lk(rec_->mu);
    r_->ops.emplace_back(op);
    r_->failed.push_back(static_cast<bool>(f));
    return f;
  }
  // Blocks until the grader opens the gate, deaf to the context: a call with no timeout that
  // never answers.
  void hang() {
    {
      std::lock_guard lk(rec_->mu);
      r_->hung = true;
      r_->injected = faults_.injected();
    }
    (void)rec_->gate.recv();
  }
  // Starts a task that outlives the run: it waits on the gate (a worker nobody stops).
  void leak() {
    {
      std::lock_guard lk(rec_->mu);
      r_->leaked = true;
    }
    rec_->busy.add(1);
    goro::go_named("grader: a task the pipeline forgot", [rec = rec_] {
      (void)rec->gate.recv();
      rec->busy.done();
    });
  }
  [[nodiscard]] int index() const noexcept { return index_; }

 private:
  std::shared_ptr<Recorder> rec_;
  std::shared_ptr<RunRecord> r_;
  FaultInjector& faults_;
  int index_;
};

using Body = std::function<goro::Error(const goro::Context& ctx, Run& run)>;

// A Pipeline that runs `body` and records the invocation.
Pipeline recorded(const std::shared_ptr<Recorder>& rec, Body body) {
  auto shared_body = std::make_shared<const Body>(std::move(body));
  return [rec, shared_body](const goro::Context& ctx, FaultInjector& faults) -> goro::Error {
    // Copies on this task's stack: they stay valid even if the closure is destroyed meanwhile.
    const std::shared_ptr<Recorder> keep = rec;
    const std::shared_ptr<const Body> fn = shared_body;
    auto r = std::make_shared<RunRecord>();
    int index = 0;
    {
      std::lock_guard lk(keep->mu);
      index = static_cast<int>(keep->runs.size());
      r->began = goro::now() - keep->t0;
      keep->runs.push_back(r);
    }
    keep->busy.add(1);
    Run run(keep, r, faults, index);
    goro::Error err = (*fn)(ctx, run);
    {
      std::lock_guard lk(keep->mu);
      r->returned = true;
      r->err = err;
      r->injected = faults.injected();
      r->ended = goro::now() - keep->t0;
    }
    keep->busy.done();
    return err;
  };
}

// ---- the grader's pipelines --------------------------------------------------------------

// What a stage does when the injector fails one of its operations.
enum class OnFault {
  report,  // returns it, wrapped with {:w}: correct
  drop,    // logs nothing, skips the item and carries on: the fault is lost
  reword,  // returns "<op> item <i> failed: <text>" with {} instead of {:w}: the fault is lost
  hang,    // waits for an answer that never comes, deaf to its context, then returns it
  leak,    // starts a task that never ends, then returns it (wrapped: correct otherwise)
};

struct Shape {
  OnFault read = OnFault::report, transform = OnFault::report, write = OnFault::report;
};

constexpr int kItems = 4;  // items through the three stages: 12 operations in a run without faults

// What a stage returns for a fault on item i (stop: the stage returns it; else it carries on).
struct Reaction {
  bool stop;
  goro::Error err;
};
Reaction react(Run& run, OnFault how, std::string_view op, int i, const goro::Error& fault) {
  switch (how) {
    case OnFault::report: return {true, goro::errorf("{} item {}: {:w}", op, i, fault)};
    case OnFault::drop: return {false, {}};
    case OnFault::reword: return {true, goro::errorf("{} item {} failed: {}", op, i, fault)};
    case OnFault::hang: run.hang(); return {true, goro::errorf("{} item {}: {:w}", op, i, fault)};
    case OnFault::leak: run.leak(); return {true, goro::errorf("{} item {}: {:w}", op, i, fault)};
  }
  return {true, fault};
}

// read -> transform -> write, three tasks of an ErrGroup joined by unbuffered channels; every
// stage asks the injector before its operation on each item.
goro::Error three_stages(const goro::Context& parent, Run& run, Shape shape) {
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  auto raw = goro::make_chan<int>();
  auto cooked = goro::make_chan<int>();
  g.go_named("grader: read", [&run, ctx = ctx, raw, shape]() -> goro::Error {
    struct Closer {
      goro::Chan<int> c;
      ~Closer() { c.close(); }
    } closer{raw};
    for (int i = 0; i < kItems; ++i) {
      if (goro::Error f = run.ask("read")) {
        Reaction r = react(run, shape.read, "read", i, f);
        if (r.stop) return r.err;
        continue;
      }
      if (goro::select(goro::on_send(raw, i), goro::on_recv(ctx.done())) == 1) return ctx.err();
    }
    return {};
  });
  g.go_named("grader: transform", [&run, ctx = ctx, raw, cooked, shape]() -> goro::Error {
    struct Closer {
      goro::Chan<int> c;
      ~Closer() { c.close(); }
    } closer{cooked};
    for (int i : raw) {
      if (goro::Error f = run.ask("transform")) {
        Reaction r = react(run, shape.transform, "transform", i, f);
        if (r.stop) return r.err;
        continue;
      }
      if (goro::select(goro::on_send(cooked, i * 10), goro::on_recv(ctx.done())) == 1) return ctx.err();
    }
    return {};
  });
  g.go_named("grader: write", [&run, cooked, shape]() -> goro::Error {
    for (int v : cooked) {
      if (goro::Error f = run.ask("write")) {
        Reaction r = react(run, shape.write, "write", v / 10, f);
        if (r.stop) return r.err;
      }
    }
    return {};
  });
  return g.wait();
}

// One task, three items, three operations each: the same operations in the same order on every
// schedule, so that a run can be replayed with a fresh injector.
const char* const kSeqOps[] = {"read", "parse", "write"};
goro::Error sequential(const goro::Context& ctx, Run& run) {
  for (int item = 0; item < 3; ++item)
    for (const char* op : kSeqOps) {
      if (goro::Error e = ctx.err()) return e;
      if (goro::Error f = run.ask(op)) return goro::errorf("{} item {}: {:w}", op, item, f);
    }
  return {};
}

// ---- what the report should say ---------------------------------------------------------

struct Expected {
  int runs = 0, with_faults = 0, failed = 0, hangs = 0, swallowed = 0, leaks = 0;
  std::set<std::pair<ProblemKind, int>> problems;
  std::map<int, std::string> story;  // per run: what the grader's pipeline did
};

// What the grader's pipeline did in one run, as the end of a sentence about that run.
std::string story_of(const RunRecord& r) {
  if (r.hung && !r.returned)
    return fmt::format("it got stuck after {} injected fault(s), deaf to its context, and has not returned", r.injected);
  const goro::Duration took = r.ended - r.began;
  std::string s = fmt::format("it returned {}{}, with {} injected fault(s)",
                              r.err ? fmt::format("error \"{}\"", r.err.message()) : std::string("nil"),
                              took > goro::Duration::zero() ? fmt::format(" {} after it began", dur(took)) : std::string(),
                              r.injected);
  if (r.injected > 0 && r.err && !goro::as<InjectedFault>(r.err)) s += ", and goro::as<InjectedFault> finds none in it";
  if (r.leaked) s += "; it left a task blocked behind it";
  return s;
}

// Read after stress has returned and before the gate opens: a hung invocation has not returned.
Expected expected_of(Recorder& rec) {
  std::lock_guard lk(rec.mu);
  Expected e;
  e.runs = static_cast<int>(rec.runs.size());
  for (int i = 0; i < e.runs; ++i) {
    const RunRecord& r = *rec.runs[static_cast<std::size_t>(i)];
    e.story[i] = story_of(r);
    if (r.injected > 0) ++e.with_faults;
    if (r.hung && !r.returned) {
      ++e.hangs;
      e.problems.insert({ProblemKind::hang, i});
      continue;
    }
    if (r.err) ++e.failed;
    if (r.injected > 0 && !goro::as<InjectedFault>(r.err)) {
      ++e.swallowed;
      e.problems.insert({ProblemKind::swallowed, i});
    }
    if (r.leaked) {
      ++e.leaks;
      e.problems.insert({ProblemKind::leak, i});
    }
  }
  return e;
}

std::string kind_phrase(ProblemKind k) {
  switch (k) {
    case ProblemKind::hang: return "a hang";
    case ProblemKind::swallowed: return "swallowed";
    case ProblemKind::leak: return "a leak";
  }
  return "?";
}

std::string lines(const std::vector<std::string>& v, std::size_t at_most = 5) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < at_most; ++i) out += (i ? "\n" : "") + v[i];
  if (v.size() > at_most) out += fmt::format("\n... and {} more", v.size() - at_most);
  return out;
}

std::string options_text(const StressOptions& o) {
  return fmt::format("{{runs {}, rate {}, seed {}, per_run_limit {}}}", o.runs, o.rate, o.seed, dur(o.per_run_limit));
}

const char* const kHintSwallowed =
    "A run swallowed its faults when its injector injected at least one and what it returned is nil, or an "
    "error in which goro::as<InjectedFault> finds nothing (a fault quoted with {} instead of {:w} is lost "
    "too). Look at the injector's count after the run and search the error's tree, not its text.";
const char* const kHintLeak =
    "Take a goro::LeakCheck just before a run starts and call check() once it has returned: it waits for the "
    "run's finishing tasks to exit or block, and returns those still alive. Counting goro::num_tasks() before "
    "and after works only if you wait for the tasks that are just exiting (your own run task among them).";
const char* const kHintHang =
    "A run may never return: wait for its result and for its time to run out at the same time, on the "
    "runtime's clock (its context ends after per_run_limit, then it has per_run_limit more). A run still silent "
    "then is a hang: count it and go on — you cannot stop it, only stop waiting for it, so it must be able to "
    "hand its result over later without blocking.";
const char* const kHintFalseLeak =
    "Right after a run returns, its tasks (and the task you ran it in) may still be exiting: they are not "
    "leaks. goro::LeakCheck::check() waits until each has exited or blocked; a bare goro::num_tasks() "
    "comparison does not. And a hung run is a hang, nothing else: its tasks are still at work.";
const char* const kHintFalseHang =
    "A hang is a run that has not returned per_run_limit AFTER its context ended (2 × per_run_limit after it "
    "began), measured on the runtime's clock. A run that returns a little after its deadline returned.";
const char* const kHintAccount =
    "Count each run once, by what it did: returned with an error (failed), returned with faults whose error "
    "carries none (swallowed), left tasks alive (leak), never returned in time (hang, and nothing else).";

// Checks the report against what the grader's pipelines saw.
void expect_report(Check& check, const StressReport& got, const Expected& want, const StressOptions& o,
                   std::string_view hint = kHintAccount) {
  check.expect(want.runs == o.runs, fmt::format("the pipeline was run {} times (options.runs)", o.runs),
               fmt::format("it was run {} times", want.runs),
               "Run the pipeline exactly options.runs times, one run after another.");
  check.expect_eq(got.runs, o.runs, "report.runs");

  // The problems, run by run: the most telling difference first.
  std::set<std::pair<ProblemKind, int>> reported;
  std::vector<std::string> wrong_seed;
  for (const Problem& p : got.problems) {
    reported.insert({p.kind, p.run});
    if (p.seed != o.seed + static_cast<std::uint64_t>(p.run))
      wrong_seed.push_back(fmt::format("the {} problem of run {} names seed {}", to_string(p.kind), p.run, p.seed));
  }
  std::vector<std::string> missing, extra;
  std::string_view extra_hint = kHintAccount;
  for (const auto& [kind, run] : want.problems)
    if (!reported.contains({kind, run}))
      missing.push_back(fmt::format("run {} (seed {}) was not reported as {}: {}", run,
                                    o.seed + static_cast<std::uint64_t>(run), kind_phrase(kind), want.story.at(run)));
  for (const auto& [kind, run] : reported)
    if (!want.problems.contains({kind, run})) {
      auto it = want.story.find(run);
      if (extra.empty())
        extra_hint = kind == ProblemKind::leak   ? kHintFalseLeak
                     : kind == ProblemKind::hang ? kHintFalseHang
                                                 : kHintSwallowed;
      extra.push_back(fmt::format("run {} was reported as {}, but {}", run, kind_phrase(kind),
                                  it == want.story.end() ? std::string("there was no such run") : it->second));
    }
  auto want_list = [&] {
    std::vector<std::string> v;
    for (const auto& [kind, run] : want.problems) {
      if (v.size() == 8) {
        v.emplace_back("...");
        break;
      }
      v.push_back(fmt::format("{} in run {}", to_string(kind), run));
    }
    return v.empty() ? std::string("no problem at all") : fmt::format("{}", fmt::join(v, ", "));
  };
  // A problem that happened and is not in the report: the tool lost it.
  check.expect(missing.empty(), fmt::format("every problem reported: {}", want_list()), lines(missing),
               {mistake::lost_item, hint});
  check.expect(extra.empty(), fmt::format("only the real problems reported: {}", want_list()), lines(extra), extra_hint);
  check.expect(wrong_seed.empty(), "every problem naming its run's seed: options.seed + run",
               lines(wrong_seed), "Problem::seed is the seed of that run's injector, so that it can be rerun alone.");

  check.expect_eq(got.hangs, want.hangs, "report.hangs", {mistake::wrong_count, kHintAccount});
  check.expect_eq(got.swallowed, want.swallowed, "report.swallowed", {mistake::wrong_count, kHintAccount});
  check.expect_eq(got.leaks, want.leaks, "report.leaks", {mistake::wrong_count, kHintAccount});
  check.expect_eq(got.runs_with_faults, want.with_faults, "report.runs_with_faults",
                  {mistake::wrong_count, "runs_with_faults counts the runs whose injector's injected() is above 0 once "
                                         "the run is over (hung runs too)."});
  check.expect_eq(got.failed_runs, want.failed, "report.failed_runs",
                  {mistake::wrong_count, "failed_runs counts the runs that returned an error; a hung run never returned."});
}

// At least one run must have done what the check is about; otherwise the injector is at fault.
void require_some(Check& check, int n, std::string_view what, const StressOptions& o) {
  check.expect(n > 0, fmt::format("at least one run in which {}", what),
               fmt::format("none in {} runs with {}", o.runs, options_text(o)),
               "With this rate, a fair injector fails such an operation in many of the runs: check that "
               "FaultInjector fails each call with probability rate.");
}

StressOptions options(const Check& check, int runs, double rate, std::uint64_t seed) {
  StressOptions o;
  o.runs = check.deterministic() ? runs : std::min(runs, 100);  // a real thread per task: fewer runs
  o.rate = rate;
  o.seed = seed;
  // On real threads a generous limit: no run comes near it, however busy the machine.
  o.per_run_limit = check.deterministic() ? 1s : 10s;
  return o;
}

// Runs stress on `body`, releases what the pipelines left stuck, and returns the report with
// what was expected of it.
struct Outcome {
  StressReport report;
  Expected want;
  goro::Duration took{};
  std::shared_ptr<Recorder> rec;
};
Outcome run_stress(Check& check, const std::string& what, const StressOptions& o, Body body) {
  auto rec = std::make_shared<Recorder>();
  check.say(fmt::format("calling stress({}, {})", what, options_text(o)));
  const goro::Time t0 = goro::now();
  Outcome out;
  {
    const Pipeline p = recorded(rec, std::move(body));
    if (check.deterministic()) {
      // stress in a task of its own, so that a stress that never returns is reported as such: a
      // correct one returns within 2 × per_run_limit per run, even if every run hangs.
      auto result = goro::make_chan<StressReport>(1);
      goro::go_named("grader: stress", [result, p, o] { result.send(stress(p, o)); });
      const goro::Duration guard = o.runs * 2 * o.per_run_limit + 1min;
      auto timer = goro::new_timer(guard);
      if (goro::select(goro::on_recv(result, &out.report), goro::on_recv(timer.c())) == 1) {
        std::string where;
        bool waits = false;  // blocked in a wait that nothing will end (no timer of its own)
        for (const goro::TaskInfo& t : dojo::grader::RunView().tasks()) {
          if (t.name != "grader: stress") continue;
          waits = t.state == dojo::grader::TaskState::blocked &&
                  (t.reason == dojo::grader::WaitReason::chan_receive || t.reason == dojo::grader::WaitReason::select);
          if (t.blocked_at.line() != 0) {
            std::string file = t.blocked_at.file_name();
            file = file.substr(file.find_last_of('/') + 1);
            where = fmt::format(" (blocked at {}:{} on {})", file, t.blocked_at.line(), t.blocked_on);
          }
        }
        // Waiting for a run with no limit: the run's context ended long ago and stress did not
        // stop waiting. Still at work: it measures its limits on some other clock.
        check.fail(fmt::format("stress returns within {} ({} runs × 2 × per_run_limit, every run hung at worst)",
                               dur(guard - 1min), o.runs),
                   fmt::format("it had not returned after {}{}", dur(guard), where),
                   {waits ? mistake::ignored_cancellation : mistake::wrong_timing, kHintHang});
      }
      timer.stop();
    } else {
      out.report = stress(p, o);
    }
    out.took = goro::now() - t0;
    out.want = expected_of(*rec);
    check.say(fmt::format("stress returned after {}: runs {}, runs_with_faults {}, failed_runs {}, hangs {}, "
                          "swallowed {}, leaks {}, {} problem(s)",
                          dur(out.took), out.report.runs, out.report.runs_with_faults, out.report.failed_runs,
                          out.report.hangs, out.report.swallowed, out.report.leaks, out.report.problems.size()));
    rec->release();  // the stuck runs return now; every invocation has returned after this
  }
  out.rec = rec;
  return out;
}

// The faults an injector makes over `n` calls: the indexes of the failed calls.
std::vector<int> fault_positions(FaultInjector& f, int n, const char* op = "op") {
  std::vector<int> v;
  for (int i = 0; i < n; ++i)
    if (f.maybe_fail(op)) v.push_back(i);
  return v;
}

}  // namespace

// ---- the injector ------------------------------------------------------------------------

DOJO_CHECK("the injector: rate 0 never fails; rate 1 fails every call with InjectedFault{op, n}, n counting 1, 2, 3...",
           "maybe_fail fails with probability rate: 0 never, 1 always. Each fault is a typed error, "
           "goro::make_error(InjectedFault{op, n}), n being the injector's count after this fault.",
           dojo::grader::Options{.seeds = 1}) {
  {
    check.say("making FaultInjector(3, 0.0) and calling maybe_fail(\"read\") 10000 times");
    FaultInjector f(3, 0.0);
    const auto at = fault_positions(f, 10000, "read");
    check.expect(at.empty(), "no call fails", fmt::format("{} calls failed, the first at call #{}", at.size(),
                                                         at.empty() ? 0 : at.front()));
    check.expect_eq(f.injected(), 0, "injected()");
  }
  check.say("making FaultInjector(3, 1.0) and calling maybe_fail(\"op-0\"), maybe_fail(\"op-1\"), ... 1000 times");
  FaultInjector f(3, 1.0);
  for (int i = 0; i < 1000; ++i) {
    const std::string op = fmt::format("op-{}", i);
    goro::Error err = f.maybe_fail(op);
    check.expect(static_cast<bool>(err), fmt::format("call #{} fails", i), "it returned nil");
    auto fault = check.expect_as<InjectedFault>(err, "InjectedFault",
                                                "Return goro::make_error(InjectedFault{std::string(op), n}).");
    check.expect(fault.op == op && fault.n == i + 1, fmt::format("InjectedFault{{\"{}\", {}}}", op, i + 1),
                 fmt::format("InjectedFault{{\"{}\", {}}}", fault.op, fault.n),
                 "op is the operation maybe_fail was asked about; n is the count of faults including this one.");
    check.expect_is(err, ErrInjected, "ErrInjected");
  }
  check.expect_eq(f.injected(), 1000, "injected() after 1000 faults");
}

DOJO_CHECK("the injector: at rate 0.01, about 1% of 100000 calls fail, spread irregularly; at 0.25, about a quarter",
           "Draw a number uniform in [0, 1) for every call and fail when it is below rate. A pattern (every "
           "100th call) has the right rate but finds no bug that needs two faults close together.",
           dojo::grader::Options{.seeds = 1}) {
  check.say("making FaultInjector(11, 0.01) and calling maybe_fail 100000 times");
  FaultInjector f(11, 0.01);
  const auto at = fault_positions(f, 100000);
  const int n = static_cast<int>(at.size());
  check.expect(n >= 850 && n <= 1150, "between 850 and 1150 faults (1000 expected)", fmt::format("{} faults", n));
  check.expect_eq(f.injected(), n, "injected()");
  std::set<int> gaps;
  int shortest = 1 << 30, longest = 0;
  for (std::size_t i = 1; i < at.size(); ++i) {
    const int gap = at[i] - at[i - 1];
    gaps.insert(gap);
    shortest = std::min(shortest, gap);
    longest = std::max(longest, gap);
  }
  check.expect(gaps.size() >= 30 && shortest < 10 && longest > 300,
               "gaps between faults as irregular as chance makes them: many different lengths, some under 10 calls, "
               "some over 300",
               fmt::format("{} different gap lengths, the shortest {}, the longest {}", gaps.size(), shortest, longest));
  check.say("making FaultInjector(12, 0.25) and calling maybe_fail 20000 times");
  FaultInjector q(12, 0.25);
  const int m = static_cast<int>(fault_positions(q, 20000).size());
  check.expect(m >= 4700 && m <= 5300, "between 4700 and 5300 faults (5000 expected)", fmt::format("{} faults", m));
}

DOJO_CHECK("the injector: the same seed fails the same calls; another seed fails others",
           "Every decision must come from the generator seeded in the constructor, and from nothing else: no "
           "std::random_device, no rand(), no engine shared by all injectors, no clock. That is what lets a "
           "failure found in run 417 be replayed alone.",
           dojo::grader::Options{.seeds = 1}) {
  check.say("making two FaultInjector(42, 0.05), a and b, and asking them in turn (a, b, a, b, ...) about the same "
            "20000 operations");
  FaultInjector a(42, 0.05), b(42, 0.05);
  std::vector<int> fa, fb;
  for (int i = 0; i < 20000; ++i) {
    const char* op = i % 2 == 0 ? "read" : "write";
    if (a.maybe_fail(op)) fa.push_back(i);
    if (b.maybe_fail(op)) fb.push_back(i);
  }
  if (fa != fb) {
    std::size_t k = 0;
    while (k < fa.size() && k < fb.size() && fa[k] == fb[k]) ++k;
    const int at = std::min(k < fa.size() ? fa[k] : 1 << 30, k < fb.size() ? fb[k] : 1 << 30);
    check.fail("a and b fail exactly the same calls",
               fmt::format("same seed, different faults: a failed {} calls, b {}; they differ first at call #{}",
                           fa.size(), fb.size(), at));
  }
  check.expect(!fa.empty(), "some calls fail at rate 0.05", "none did");
  check.say("making FaultInjector(43, 0.05) and asking it about the same operations");
  FaultInjector c(43, 0.05);
  std::vector<int> fc;
  for (int i = 0; i < 20000; ++i)
    if (c.maybe_fail(i % 2 == 0 ? "read" : "write")) fc.push_back(i);
  check.expect(fc != fa, "seed 43 failing other calls than seed 42",
               fmt::format("both failed exactly the same {} calls: the seed is not used", fc.size()));
}

DOJO_CHECK("the injector is safe from many tasks at once: every fault counted once, numbered 1..injected()",
           "The stages of a pipeline ask the injector concurrently: guard the generator and the count with mu_ "
           "(std::lock_guard lk(mu_)), and take the fault's number under the same lock.",
           dojo::grader::Options{.seeds = 4}) {
  check.say("making FaultInjector(5, 0.1); 4 tasks call maybe_fail 2500 times each, at the same time");
  auto f = std::make_shared<FaultInjector>(5, 0.1);
  auto seen = std::make_shared<std::vector<std::vector<int>>>(4);
  goro::WaitGroup wg;
  for (int t = 0; t < 4; ++t)
    wg.go([f, seen, t] {
      for (int i = 0; i < 2500; ++i) {
        goro::Error err = f->maybe_fail(fmt::format("stage-{}", t));
        if (auto fault = goro::as<InjectedFault>(err)) (*seen)[static_cast<std::size_t>(t)].push_back(fault->n);
        if (i % 50 == 0) goro::yield();
      }
    });
  wg.wait();
  std::vector<int> all;
  for (const auto& v : *seen) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  const int total = static_cast<int>(all.size());
  check.expect_eq(f->injected(), total, "injected() (the faults the tasks received)");
  bool numbered = true;
  for (int i = 0; i < total; ++i) numbered = numbered && all[static_cast<std::size_t>(i)] == i + 1;
  check.expect(numbered, fmt::format("the faults numbered 1..{}, each number once", total),
               fmt::format("the numbers: {}", dojo::grader::list(all)));
  check.expect(total >= 800 && total <= 1200, "between 800 and 1200 faults in 10000 calls at rate 0.1",
               fmt::format("{} faults", total));
}

// ---- the runner on a correct pipeline -----------------------------------------------------

DOJO_CHECK("a correct pipeline, 1000 runs at the default options: a clean report, every faulty run failed",
           "A pipeline that reports each fault fails exactly the runs that had faults: no hang, nothing swallowed, "
           "no leak. Tasks that are just exiting when the run returns are not leaks: wait for them (LeakCheck).",
           dojo::grader::Options{.seeds = 1}) {
  // The defaults (1000 runs, rate 0.01, seed 1, 1 s) on the virtual clock; fewer runs and a generous
  // limit on real threads. One schedule: 4000 tasks are costly under the sanitizers, and the checks
  // below run three-stage pipelines under four schedules each.
  const StressOptions o = check.deterministic() ? StressOptions{} : options(check, 1000, 0.01, 1);
  auto out = run_stress(check, "a correct three-stage pipeline", o,
                        [](const goro::Context& ctx, Run& run) { return three_stages(ctx, run, Shape{}); });
  expect_report(check, out.report, out.want, o, kHintLeak);
  check.expect(out.report.clean() && out.report.problems.empty(), "a clean report with no problem",
               fmt::format("{} problem(s)", out.report.problems.size()));
  // 12 operations in a run without faults: a run has some with probability 1 - 0.99^12.
  const double p = 1 - std::pow(1 - o.rate, 3 * kItems);
  const double mean = o.runs * p, sd = std::sqrt(o.runs * p * (1 - p));
  const int lo = static_cast<int>(mean - 5 * sd), hi = static_cast<int>(mean + 5 * sd) + 1;
  check.expect(out.want.with_faults >= lo && out.want.with_faults <= hi,
               fmt::format("between {} and {} runs with faults (about {:.0f}: each of the 12 operations fails with "
                           "probability {})",
                           lo, hi, mean, o.rate),
               fmt::format("{} runs had faults", out.want.with_faults),
               "Each run has an injector of its own, seeded options.seed + i, failing each operation with "
               "probability options.rate.");
  check.report(fmt::format("{} runs, {} with faults, {} failed, clean", out.report.runs, out.report.runs_with_faults,
                           out.report.failed_runs));
}

DOJO_CHECK("run i uses FaultInjector(seed + i, rate): each run replays alone from the seed it names",
           "Give run i a fresh injector made with options.seed + i and options.rate: a problem found in run 417 "
           "is then reproduced by FaultInjector(seed + 417, rate), without the 416 runs before it.",
           dojo::grader::Options{.seeds = 2}) {
  const StressOptions o = options(check, 200, 0.05, 500);
  auto out = run_stress(check, "a one-task pipeline that asks about read, parse, write for 3 items", o, sequential);
  check.expect_eq(out.report.runs, o.runs, "report.runs");
  std::lock_guard lk(out.rec->mu);
  int replayed = 0;
  for (std::size_t i = 0; i < out.rec->runs.size(); ++i) {
    const RunRecord& r = *out.rec->runs[i];
    const std::uint64_t seed = o.seed + i;
    FaultInjector again(seed, o.rate);
    std::vector<std::string> got_f, want_f;
    for (std::size_t k = 0; k < r.ops.size(); ++k) {
      if (r.failed[k]) got_f.push_back(fmt::format("#{} {}", k, r.ops[k]));
      if (again.maybe_fail(r.ops[k])) want_f.push_back(fmt::format("#{} {}", k, r.ops[k]));
    }
    if (got_f != want_f)
      check.fail(fmt::format("run {} failing what FaultInjector({}, {}) fails when asked about the same operations: {}",
                             i, seed, o.rate, want_f.empty() ? "nothing" : fmt::format("{}", fmt::join(want_f, ", "))),
                 fmt::format("run {}'s injector failed {}: the run does not replay from seed + run ({} + {})", i,
                             got_f.empty() ? "nothing" : fmt::format("{}", fmt::join(got_f, ", ")), o.seed, i));
    if (!got_f.empty()) ++replayed;
  }
  check.expect(replayed > 0, "some runs with faults", "no run had a fault at rate 0.05");
  check.report(fmt::format("{} runs with faults, each replayed from its seed", replayed));
}

// ---- faults that get lost ---------------------------------------------------------------

DOJO_CHECK("a stage that drops its fault and carries on: those runs are swallowed, each named with its seed",
           kHintSwallowed, dojo::grader::Options{.seeds = 4}) {
  const StressOptions o = options(check, 150, 0.04, 21);
  Shape shape;
  shape.transform = OnFault::drop;
  auto out = run_stress(check, "a three-stage pipeline whose transform skips an item when it fails, and says nothing",
                        o, [shape](const goro::Context& ctx, Run& run) { return three_stages(ctx, run, shape); });
  require_some(check, out.want.swallowed, "transform's fault was lost", o);
  expect_report(check, out.report, out.want, o, kHintSwallowed);
  check.report(fmt::format("{} of {} runs with faults swallowed", out.report.swallowed, out.report.runs_with_faults));
}

DOJO_CHECK("a stage that quotes its fault with {} instead of {:w}: an error, but the fault is lost, so swallowed",
           kHintSwallowed, dojo::grader::Options{.seeds = 4}) {
  const StressOptions o = options(check, 150, 0.04, 31);
  Shape shape;
  shape.write = OnFault::reword;
  auto out = run_stress(check, "a three-stage pipeline whose write returns \"write item <i> failed: <text>\" (with {})",
                        o, [shape](const goro::Context& ctx, Run& run) { return three_stages(ctx, run, shape); });
  require_some(check, out.want.swallowed, "write's fault was re-worded", o);
  expect_report(check, out.report, out.want, o, kHintSwallowed);
}

DOJO_CHECK("the pipeline's own error, in a run without faults, is a failure and not a swallowed fault",
           "Only a run whose injector injected something can swallow: a pipeline may fail for reasons of its own "
           "(bad input), and that is a failed run, nothing more.",
           dojo::grader::Options{.seeds = 4}) {
  const StressOptions o = options(check, 100, 0.02, 41);
  auto out = run_stress(check, "a correct three-stage pipeline that fails with ErrBadRecord, before any operation, in "
                        "runs 9, 19, 29, ...", o,
                        [](const goro::Context& ctx, Run& run) -> goro::Error {
                          if (run.index() % 10 == 9) return goro::errorf("record {}: {:w}", run.index(), ErrBadRecord);
                          return three_stages(ctx, run, Shape{});
                        });
  expect_report(check, out.report, out.want, o);
  check.expect(out.report.failed_runs == out.report.runs_with_faults + o.runs / 10,
               "failed_runs = runs_with_faults + the runs that failed on their own",
               fmt::format("failed_runs {}, runs_with_faults {}, own failures {}", out.report.failed_runs,
                           out.report.runs_with_faults, o.runs / 10));
}

// ---- hangs (on the virtual clock only) ----------------------------------------------------

DOJO_CHECK("a stage that hangs on a fault: each such run is a hang, and stress goes on and returns",
           kHintHang, dojo::grader::Options{.seeds = 4, .free = false}) {
  StressOptions o = options(check, 100, 0.04, 51);
  o.per_run_limit = 20ms;
  Shape shape;
  shape.write = OnFault::hang;
  auto out = run_stress(check, "a three-stage pipeline whose write, when it fails, waits for an answer that never "
                        "comes (deaf to its context)", o,
                        [shape](const goro::Context& ctx, Run& run) { return three_stages(ctx, run, shape); });
  require_some(check, out.want.hangs, "write failed (and hung)", o);
  expect_report(check, out.report, out.want, o, kHintHang);
  const goro::Duration most = out.want.hangs * 2 * o.per_run_limit + o.runs * (o.per_run_limit / 10);
  check.expect(out.took <= most,
               fmt::format("stress returning within {} ({} hangs × 2 × per_run_limit, and a little per run)", dur(most),
                           out.want.hangs),
               fmt::format("it returned after {}", dur(out.took)), {mistake::wrong_timing, kHintHang});
  check.report(fmt::format("{} hangs among {} runs, stress returned after {} of virtual time", out.report.hangs,
                           out.report.runs, dur(out.took)));
}

DOJO_CHECK("on the runtime's clock: a run is declared hung 2 × per_run_limit after it began, and the next begins then",
           "The run's context times out per_run_limit after it began; the run then has per_run_limit more to "
           "return. Measure both with the runtime's clock (with_timeout, new_timer, goro::after): std::chrono "
           "clocks are real time, and in a deterministic run the runtime's clock is virtual.",
           dojo::grader::Options{.seeds = 2, .free = false}) {
  StressOptions o = options(check, 3, 1.0, 61);
  o.per_run_limit = 50ms;
  auto out = run_stress(check, "a one-task pipeline that hangs at its first operation (rate 1: it always fails)", o,
                        [](const goro::Context&, Run& run) -> goro::Error {
                          if (goro::Error f = run.ask("read")) {
                            run.hang();
                            return f;
                          }
                          return {};
                        });
  expect_report(check, out.report, out.want, o, kHintHang);
  std::vector<goro::Duration> began;
  {
    std::lock_guard lk(out.rec->mu);
    for (const auto& r : out.rec->runs) began.push_back(r->began);
  }
  const std::vector<goro::Duration> starts = began;
  began.push_back(out.took);  // stress returns as the last run is declared hung
  const goro::Duration want = 2 * o.per_run_limit, slack = o.per_run_limit / 10;
  for (std::size_t k = 1; k < began.size(); ++k) {
    const goro::Duration gap = began[k] - began[k - 1];
    check.expect(gap >= want && gap <= want + slack,
                 fmt::format("each run declared hung {} after it began (its context ends at {}, then {} more)",
                             dur(want), dur(o.per_run_limit), dur(o.per_run_limit)),
                 fmt::format("run {} was declared hung {} after it began (runs began at {}; stress returned at {})",
                             k - 1, dur(gap), dojo::grader::offsets(starts),
                             dojo::grader::offset(out.took)),
                 mistake::wrong_timing);
  }
}

DOJO_CHECK("slow to give up is not a hang: a run that returns within per_run_limit after its context ended",
           "A hang is a run still silent per_run_limit AFTER its context ended. A run that waits for the deadline "
           "and returns ctx.err() returned (and lost its fault: swallowed); a run that returns a little late, "
           "with its fault, simply failed.",
           dojo::grader::Options{.seeds = 2, .free = false}) {
  StressOptions o = options(check, 100, 0.05, 71);
  o.per_run_limit = 100ms;
  {
    auto out = run_stress(check, "a one-task pipeline that, when an operation fails, waits for its context to end "
                          "and returns ctx.err()", o,
                          [](const goro::Context& ctx, Run& run) -> goro::Error {
                            for (int item = 0; item < 3; ++item)
                              for (const char* op : kSeqOps)
                                if (run.ask(op)) {
                                  (void)goro::select(goro::on_recv(ctx.done()));
                                  return ctx.err();
                                }
                            return {};
                          });
    require_some(check, out.want.swallowed, "an operation failed", o);
    expect_report(check, out.report, out.want, o);
  }
  const goro::Duration late = o.per_run_limit * 3 / 2;
  auto out = run_stress(check, fmt::format("a one-task pipeline that, when an operation fails, takes {} (deaf to its "
                                           "context) and then returns the fault", dur(late)), o,
                        [late](const goro::Context&, Run& run) -> goro::Error {
                          for (int item = 0; item < 3; ++item)
                            for (const char* op : kSeqOps)
                              if (goro::Error f = run.ask(op)) {
                                goro::sleep(late);
                                return goro::errorf("{} item {}: {:w}", op, item, f);
                              }
                          return {};
                        });
  require_some(check, out.want.failed, "an operation failed", o);
  expect_report(check, out.report, out.want, o, kHintHang);
}

// ---- leaks ------------------------------------------------------------------------------

DOJO_CHECK("a stage that leaves a task behind on a fault: each such run is a leak, named with its seed",
           kHintLeak, dojo::grader::Options{.seeds = 4}) {
  const StressOptions o = options(check, 150, 0.04, 81);
  Shape shape;
  shape.transform = OnFault::leak;
  auto out = run_stress(check, "a three-stage pipeline whose transform, when it fails, starts a task that never ends "
                        "(and returns its fault correctly)", o,
                        [shape](const goro::Context& ctx, Run& run) { return three_stages(ctx, run, shape); });
  require_some(check, out.want.leaks, "transform failed (and left a task behind)", o);
  expect_report(check, out.report, out.want, o, kHintLeak);
  check.report(fmt::format("{} leaking runs among {}", out.report.leaks, out.report.runs));
}

// ---- options ----------------------------------------------------------------------------

DOJO_CHECK("the options are honoured: runs, rate 0 and 1, seed in every problem; 0 runs does nothing",
           "options.runs runs, each with FaultInjector(options.seed + i, options.rate); every Problem names "
           "its run (0-based) and that seed.",
           dojo::grader::Options{.seeds = 4}) {
  {
    const StressOptions o = options(check, 37, 0.0, 1000);
    auto out = run_stress(check, "a correct three-stage pipeline", o,
                          [](const goro::Context& ctx, Run& run) { return three_stages(ctx, run, Shape{}); });
    expect_report(check, out.report, out.want, o);
    check.expect_eq(out.report.runs_with_faults, 0, "report.runs_with_faults at rate 0");
  }
  {
    const StressOptions o = options(check, 37, 1.0, 1000);
    auto out = run_stress(check, "a one-task pipeline that returns nil whatever fails", o,
                          [](const goro::Context&, Run& run) -> goro::Error {
                            (void)run.ask("read");
                            return {};
                          });
    expect_report(check, out.report, out.want, o, kHintSwallowed);
    check.expect_eq(out.report.swallowed, 37, "report.swallowed at rate 1 (every run has a fault and returns nil)");
  }
  {
    StressOptions o = options(check, 0, 0.01, 1);
    o.runs = 0;
    auto out = run_stress(check, "a correct three-stage pipeline", o,
                          [](const goro::Context& ctx, Run& run) { return three_stages(ctx, run, Shape{}); });
    expect_report(check, out.report, out.want, o);
  }
}
