// Exercise 11 — saga: reference solution.
#include "saga.hpp"

namespace dojo::ex11 {

goro::Error run_saga(const goro::Context& ctx, const std::vector<Step>& steps) {
  std::size_t done = 0;  // steps[0 .. done) completed: exactly these are compensated
  goro::Error failure;
  for (const Step& step : steps) {
    // A cancelled caller: the next action does not start; it counts as the failed step.
    goro::Error err = ctx.err();
    if (!err) err = step.action(ctx);
    if (err) {
      failure = goro::errorf("step {}: {:w}", step.name, err);
      break;
    }
    ++done;
  }
  if (!failure) return {};

  // The rollback must run even though ctx may be cancelled (often that is why we are here):
  // without_cancel keeps ctx's values but is never done.
  const goro::Context undo_ctx = goro::without_cancel(ctx);
  std::vector<goro::Error> errs{failure};  // the original error first, then every compensator's
  // Newest first: a later step may depend on an earlier one (a shipment on a payment), so it is
  // undone before what it depends on. steps[done] failed and took no effect: not compensated.
  for (std::size_t i = done; i-- > 0;) {
    const Step& step = steps[i];
    if (!step.compensate) continue;  // nothing to undo
    if (goro::Error err = step.compensate(undo_ctx))
      errs.push_back(goro::errorf("compensate {}: {:w}", step.name, err));  // keep going
  }
  return goro::join(errs);
}

}  // namespace dojo::ex11
