// Mutant of exercise 11: when compensators fail, only their errors are returned — the reason
// the saga failed in the first place is lost, and the caller cannot tell a declined card from
// a missing courier.
// mistake: wrong-error
// expect: ErrNoCourier (the original error)
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
  std::vector<goro::Error> undo_errs;
  for (std::size_t i = done; i-- > 0;) {
    const Step& step = steps[i];
    if (!step.compensate) continue;
    if (goro::Error err = step.compensate(undo_ctx))
      undo_errs.push_back(goro::errorf("compensate {}: {:w}", step.name, err));
  }
  if (!undo_errs.empty()) return goro::join(undo_errs);  // BUG: the original error is dropped
  return failure;
}

}  // namespace dojo::ex11
