// Mutant of exercise 11: the compensators are handed the caller's context. After a
// cancellation that context has ended, so a compensator that watches it gives up at once and
// the rollback silently does nothing useful.
// mistake: wrong-result
// expect: compensator(s) got a context that was already cancelled
#include "saga.hpp"

namespace dojo::ex11 {

goro::Error run_saga(const goro::Context& ctx, const std::vector<Step>& steps) {
  std::size_t done = 0;
  goro::Error failure;
  for (const Step& step : steps) {
    goro::Error err = ctx.err();
    if (!err) err = step.action(ctx);
    if (err) {
      failure = goro::errorf("step {}: {:w}", step.name, err);
      break;
    }
    ++done;
  }
  if (!failure) return {};
  std::vector<goro::Error> errs{failure};
  for (std::size_t i = done; i-- > 0;) {
    const Step& step = steps[i];
    if (!step.compensate) continue;
    if (goro::Error err = step.compensate(ctx))  // BUG: ctx may already be cancelled
      errs.push_back(goro::errorf("compensate {}: {:w}", step.name, err));
  }
  return goro::join(errs);
}

}  // namespace dojo::ex11
