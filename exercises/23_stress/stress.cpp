// Exercise 23 — stress. Edit this file, then run: ./dojo grade 23
//
// Your task (the full statement is in README.md; the contract is in stress.hpp):
//   1. The constructor: seed rng_ with `seed` and keep `rate`. The seed is the only source of
//      randomness (no std::random_device, no rand(), no engine shared between injectors).
//   2. maybe_fail, under mu_: draw a number uniform in [0, 1) from rng_; below rate_ means the
//      operation fails: ++injected_ and return goro::make_error(InjectedFault{op, injected_}).
//      Otherwise return nil. injected(): injected_, under mu_.
//   3. stress: for run i = 0 .. runs-1, one after another:
//        - a fresh injector (shared_ptr) with seed options.seed + i, and a context from
//          goro::with_timeout(goro::background(), per_run_limit);
//        - goro::LeakCheck before the run starts (it remembers the tasks alive now);
//        - start the pipeline in a task that sends its error on a channel with room for one;
//          capture by value: the task may outlive stress;
//        - select on that channel vs ctx.done(); if the context ended first, select once more
//          against a timer of per_run_limit. Still nothing: a hang — count it, add a Problem,
//          and go on with the next run;
//        - it returned: count failures (err != nil); swallowed when faults were injected but
//          goro::as<InjectedFault>(err) finds none; leak when the LeakCheck still finds tasks.
//      Every Problem names its run and that run's seed.
#include "stress.hpp"

namespace dojo::ex23 {

FaultInjector::FaultInjector(std::uint64_t seed, double rate) {
  (void)seed;
  (void)rate;  // replace this constructor's body (an initializer list is the natural place)
}

goro::Error FaultInjector::maybe_fail(std::string_view op) {
  (void)op;
  return goro::new_error("FaultInjector::maybe_fail: not implemented yet");  // replace this line
}

int FaultInjector::injected() const {
  return 0;  // replace this line: injected_ under mu_
}

StressReport stress(const Pipeline& pipeline, const StressOptions& options) {
  (void)pipeline;
  (void)options;
  return StressReport{};  // replace this line with your stress runner
}

}  // namespace dojo::ex23
