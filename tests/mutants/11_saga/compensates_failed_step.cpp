// Mutant of exercise 11: the step whose action failed is compensated too ("undo everything we
// touched"). Its action took no effect, so its compensator undoes something that never
// happened — a refund for a charge that was declined.
// mistake: wrong-count
// expect: charge was compensated, but its action failed
#include "saga.hpp"

namespace dojo::ex11 {

goro::Error run_saga(const goro::Context& ctx, const std::vector<Step>& steps) {
  std::size_t i = 0;
  goro::Error failure;
  for (; i < steps.size(); ++i) {
    goro::Error err = ctx.err();
    if (!err) err = steps[i].action(ctx);
    if (err) {
      failure = goro::errorf("step {}: {:w}", steps[i].name, err);
      break;
    }
  }
  if (!failure) return {};
  const goro::Context undo_ctx = goro::without_cancel(ctx);
  std::vector<goro::Error> errs{failure};
  for (std::size_t k = i + 1; k-- > 0;) {  // BUG: starts at the failed step itself
    const Step& step = steps[k];
    if (!step.compensate) continue;
    if (goro::Error err = step.compensate(undo_ctx)) errs.push_back(goro::errorf("compensate {}: {:w}", step.name, err));
  }
  return goro::join(errs);
}

}  // namespace dojo::ex11
