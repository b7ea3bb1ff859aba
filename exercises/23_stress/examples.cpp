// Visible examples for exercise 23. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: an import job reads a record, parses it and writes it, three records per run. The
// job's code asks the injector before every operation; stress runs it again and again and says
// whether it ever hid a fault.
#include <string>

#include "grader.hpp"
#include "stress.hpp"

using dojo::ex23::FaultInjector;
using dojo::ex23::InjectedFault;
using dojo::ex23::ProblemKind;
using dojo::ex23::stress;
using dojo::ex23::StressOptions;
using namespace std::chrono_literals;

namespace {

// The import job, in one task. `drop_parse_faults`: a bad parse is skipped silently (a bug).
goro::Error import_job(const goro::Context& ctx, FaultInjector& faults, bool drop_parse_faults) {
  for (int record = 0; record < 3; ++record) {
    for (const char* op : {"read", "parse", "write"}) {
      if (goro::Error err = ctx.err()) return err;
      if (goro::Error fault = faults.maybe_fail(op)) {
        if (drop_parse_faults && std::string(op) == "parse") break;  // "skip the bad record"
        return goro::errorf("record {}: {}: {:w}", record, op, fault);
      }
    }
  }
  return {};
}

StressOptions hundred_runs() {
  StressOptions o;
  o.runs = 100;
  o.rate = 0.05;
  o.seed = 7;
  o.per_run_limit = 10s;  // generous: no run here comes near it
  return o;
}

}  // namespace

DOJO_CHECK("example: rate 1 fails every call with an InjectedFault that names the operation; rate 0 never fails",
           "maybe_fail fails with probability rate: a typed error, goro::make_error(InjectedFault{op, n}).") {
  check.say("making FaultInjector(1, 1.0) and calling maybe_fail(\"read\") and maybe_fail(\"write\")");
  FaultInjector always(1, 1.0);
  goro::Error first = always.maybe_fail("read");
  goro::Error second = always.maybe_fail("write");
  auto a = check.expect_as<InjectedFault>(first, "InjectedFault");
  auto b = check.expect_as<InjectedFault>(second, "InjectedFault");
  check.expect(a.op == "read" && a.n == 1 && b.op == "write" && b.n == 2,
               "InjectedFault{\"read\", 1} and InjectedFault{\"write\", 2}",
               fmt::format("InjectedFault{{\"{}\", {}}} and InjectedFault{{\"{}\", {}}}", a.op, a.n, b.op, b.n));
  check.expect_eq(always.injected(), 2, "injected()");
  check.say("making FaultInjector(1, 0.0) and calling maybe_fail(\"read\") 100 times");
  FaultInjector never(1, 0.0);
  int failed = 0;
  for (int i = 0; i < 100; ++i) failed += never.maybe_fail("read") ? 1 : 0;
  check.expect_eq(failed, 0, "calls that failed");
}

DOJO_CHECK("example: an import job that reports every fault: 100 runs, a clean report, every run with faults failed",
           "Run the pipeline options.runs times, each with FaultInjector(seed + i, rate); a run that returns its "
           "fault (wrapped with {:w}) is a failed run, not a problem.") {
  check.say("calling stress(import job, {runs 100, rate 0.05, seed 7})");
  auto report = stress([](const goro::Context& ctx, FaultInjector& faults) { return import_job(ctx, faults, false); },
                       hundred_runs());
  check.expect_eq(report.runs, 100, "report.runs");
  check.expect(report.runs_with_faults > 0, "some runs with faults at rate 0.05",
               fmt::format("runs_with_faults {}", report.runs_with_faults));
  check.expect_eq(report.failed_runs, report.runs_with_faults, "report.failed_runs (= runs_with_faults)");
  check.expect(report.clean() && report.problems.empty(), "a clean report: no hang, nothing swallowed, no leak",
               fmt::format("hangs {}, swallowed {}, leaks {}, {} problem(s)", report.hangs, report.swallowed,
                           report.leaks, report.problems.size()));
}

DOJO_CHECK("example: an import job that skips a record whose parse failed: those runs are swallowed",
           "A run swallowed its fault when its injector injected one but the run returned nil (or an error in "
           "which goro::as<InjectedFault> finds nothing). Name the run and its seed in the problem.") {
  check.say("calling stress(import job that drops parse faults, {runs 100, rate 0.05, seed 7})");
  const StressOptions o = hundred_runs();
  auto report = stress([](const goro::Context& ctx, FaultInjector& faults) { return import_job(ctx, faults, true); }, o);
  check.expect(report.swallowed > 0, "some swallowed runs", fmt::format("report.swallowed {}", report.swallowed));
  bool named = !report.problems.empty();
  for (const auto& p : report.problems)
    named = named && p.kind == ProblemKind::swallowed && p.seed == o.seed + static_cast<std::uint64_t>(p.run);
  check.expect(named && static_cast<int>(report.problems.size()) == report.swallowed,
               "one swallowed problem per swallowed run, each with seed = 7 + run",
               fmt::format("{} problem(s) for {} swallowed run(s)", report.problems.size(), report.swallowed));
}
