// Exercise 11 — saga. Edit this file, then run: ./dojo grade 11
//
// Your task (the full statement is in README.md):
//   1. Run the steps' actions in order, each with ctx. Before each one, check ctx.err(): a
//      cancelled caller means that step fails with ctx.err(), without calling its action.
//   2. Remember which steps completed.
//   3. When a step fails: wrap its error as "step <name>: ..." with {:w}; then undo the completed
//      steps NEWEST FIRST, each compensator under goro::without_cancel(ctx). Skip a step whose
//      compensate is empty. A compensator that fails does not stop the rollback: wrap its error
//      as "compensate <name>: ..." with {:w}, keep it, and go on.
//   4. Return goro::join(the step's error, the compensator errors...). All steps done: nil.
#include "saga.hpp"

namespace dojo::ex11 {

goro::Error run_saga(const goro::Context& ctx, const std::vector<Step>& steps) {
  (void)ctx;
  (void)steps;
  return goro::new_error("run_saga: not implemented yet");  // replace this line with your saga
}

}  // namespace dojo::ex11
