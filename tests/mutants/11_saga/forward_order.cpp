// Mutant of exercise 11: the rollback walks the completed steps from the first to the last.
// The payment is refunded while the courier is still booked for it: the order in which the
// steps depend on each other is ignored.
// mistake: wrong-order
// expect: the rollback ran oldest first
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
  std::vector<goro::Error> errs{failure};
  for (std::size_t i = 0; i < done; ++i) {  // BUG: oldest first
    const Step& step = steps[i];
    if (!step.compensate) continue;
    if (goro::Error err = step.compensate(undo_ctx)) errs.push_back(goro::errorf("compensate {}: {:w}", step.name, err));
  }
  return goro::join(errs);
}

}  // namespace dojo::ex11
