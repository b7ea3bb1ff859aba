// Mutant of exercise 11: the saga never looks at the caller's context between steps. A step
// that ignores its context completes, and the saga goes on booking and labelling an order the
// caller has already abandoned.
// mistake: ignored-cancellation
// expect: actions that ran after the saga had failed or been cancelled: book
#include "saga.hpp"

namespace dojo::ex11 {

goro::Error run_saga(const goro::Context& ctx, const std::vector<Step>& steps) {
  std::size_t done = 0;
  goro::Error failure;
  for (const Step& step : steps) {
    if (goro::Error err = step.action(ctx)) {  // BUG: no ctx.err() before the action
      failure = goro::errorf("step {}: {:w}", step.name, err);
      break;
    }
    ++done;
  }
  if (!failure) return {};
  const goro::Context undo_ctx = goro::without_cancel(ctx);
  std::vector<goro::Error> errs{failure};
  for (std::size_t i = done; i-- > 0;) {
    const Step& step = steps[i];
    if (!step.compensate) continue;
    if (goro::Error err = step.compensate(undo_ctx)) errs.push_back(goro::errorf("compensate {}: {:w}", step.name, err));
  }
  return goro::join(errs);
}

}  // namespace dojo::ex11
