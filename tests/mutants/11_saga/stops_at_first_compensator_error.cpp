// Mutant of exercise 11: the rollback gives up at the first compensator that fails and returns
// at once. The older steps stay done: the card stays charged and the stock stays reserved.
// mistake: wrong-count
// expect: completed steps never undone: charge, reserve
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
  const goro::Context undo_ctx = goro::without_cancel(ctx);
  for (std::size_t i = done; i-- > 0;) {
    const Step& step = steps[i];
    if (!step.compensate) continue;
    if (goro::Error err = step.compensate(undo_ctx))
      return goro::join(failure, goro::errorf("compensate {}: {:w}", step.name, err));  // BUG: stops the rollback
  }
  return failure;
}

}  // namespace dojo::ex11
