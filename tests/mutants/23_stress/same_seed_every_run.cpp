// Mutant of exercise 23: every run's injector is made with options.seed itself, not
// options.seed + i. Every run then fails the same calls: a thousand runs test one fault pattern
// a thousand times, and the seed a problem names does not reproduce its run.
// mistake: wrong-result
// expect: does not replay from seed + run
#include "stress.hpp"

#include <memory>

namespace dojo::ex23 {

FaultInjector::FaultInjector(std::uint64_t seed, double rate) : rng_(seed), rate_(rate) {}

goro::Error FaultInjector::maybe_fail(std::string_view op) {
  std::lock_guard lk(mu_);  // the stages of a pipeline ask at the same time
  // The top 53 bits of one draw, as a double uniform in [0, 1): below rate_ with probability
  // rate_. rate 0 never fails (u < 0 is false), rate 1 always does (u < 1 is true).
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  if (u >= rate_) return {};
  ++injected_;
  return goro::make_error(InjectedFault{std::string(op), injected_});
}

int FaultInjector::injected() const {
  std::lock_guard lk(mu_);
  return injected_;
}

StressReport stress(const Pipeline& pipeline, const StressOptions& options) {
  StressReport report;
  // A hung run's task outlives this call: it keeps its own copy of the pipeline, of its
  // injector and of its result channel, never a reference to anything on this stack.
  const auto shared = std::make_shared<const Pipeline>(pipeline);

  for (int i = 0; i < options.runs; ++i) {
    const std::uint64_t seed = options.seed + static_cast<std::uint64_t>(i);
    auto problem = [&](ProblemKind kind, std::string detail) {
      report.problems.push_back(Problem{kind, i, seed, std::move(detail)});
    };

    auto faults = std::make_shared<FaultInjector>(options.seed, options.rate);  // BUG: not seed + i
    auto [ctx, cancel] = goro::with_timeout(goro::background(), options.per_run_limit);
    // Room for one result: a run that returns after we stopped waiting does not block forever.
    auto done = goro::make_chan<goro::Error>(1);

    goro::LeakCheck leaks;  // remembers the tasks alive now: the run's tasks are the ones after
    goro::go_named(fmt::format("stress run {}", i),
                   [shared, ctx = ctx, faults, done] { done.send((*shared)(ctx, *faults)); });

    // Wait for the result, or for the context to end; then give the run one more limit to
    // notice. Both waits are on the runtime's clock.
    goro::Error err;
    bool returned = goro::select(goro::on_recv(done, &err), goro::on_recv(ctx.done())) == 0;
    if (!returned) {
      auto grace = goro::new_timer(options.per_run_limit);
      returned = goro::select(goro::on_recv(done, &err), goro::on_recv(grace.c())) == 0;
      grace.stop();
    }
    cancel();  // releases the context's timer now, not when it would have fired

    ++report.runs;
    const int injected = faults->injected();
    if (injected > 0) ++report.runs_with_faults;

    if (!returned) {  // we cannot kill it: count it, name it, move on
      ++report.hangs;
      problem(ProblemKind::hang, fmt::format("still running {} after its context ended ({} fault(s) injected)",
                                             goro::format_duration(options.per_run_limit), injected));
      continue;
    }
    if (err) ++report.failed_runs;
    // The fault must still be findable in what the pipeline returned: nil, or a message that
    // merely quotes it ({} instead of {:w}), loses it.
    if (injected > 0 && !goro::as<InjectedFault>(err)) {
      ++report.swallowed;
      problem(ProblemKind::swallowed,
              err ? fmt::format("{} fault(s) injected, but its error carries none: \"{}\"", injected, err.message())
                  : fmt::format("{} fault(s) injected, but it returned nil", injected));
    }
    // check() first lets the run's finishing tasks exit (or block): only the blocked remain.
    if (auto left = leaks.check()) {
      ++report.leaks;
      problem(ProblemKind::leak, fmt::format("{} task(s) still alive after it returned", left.leaked.size()));
    }
  }
  return report;
}

}  // namespace dojo::ex23
