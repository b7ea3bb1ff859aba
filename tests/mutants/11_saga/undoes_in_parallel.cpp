// Mutant of exercise 11: the compensators are started all at once in a WaitGroup, "to roll
// back faster". They no longer run newest first: the order is the scheduler's, and a
// compensator may run while the one for a later step has not finished.
// mistake: over-limit
// expect: compensators ran at the same time
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
  std::vector<goro::Error> errs(done);
  goro::WaitGroup wg;
  for (std::size_t i = done; i-- > 0;) {
    if (!steps[i].compensate) continue;
    wg.go([&, i] {  // BUG: every compensator at once
      if (goro::Error err = steps[i].compensate(undo_ctx))
        errs[i] = goro::errorf("compensate {}: {:w}", steps[i].name, err);
    });
  }
  wg.wait();
  errs.insert(errs.begin(), failure);
  return goro::join(errs);
}

}  // namespace dojo::ex11
