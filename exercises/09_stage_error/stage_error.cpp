// Exercise 09 — stage_error. Edit this file, then run: ./dojo grade 9
//
// Your task (the full statement is in README.md):
//   1. StageError::message(): "<stage>: <cause's message>".
//   2. StageError::unwrap(): return the cause, so goro::is / goro::as can look through it.
//   3. run_pipeline: if ctx is already cancelled, return ctx.err().
//      Make a group with goro::ErrGroup::with_context(ctx) and two channels:
//        parse task:     each line → stages.parse → send on channel 1; close it at the end
//        transform task: receive from channel 1 → stages.transform → send on channel 2; close it
//        store task:     receive from channel 2 → stages.store
//      A stage function's failure is returned as goro::make_error(StageError{"<stage>", err}).
//      Every send and receive sits in a select next to gctx.done(); when done, return gctx.err().
//   4. Return g.wait().
#include "stage_error.hpp"

namespace dojo::ex09 {

std::string StageError::message() const {
  return "StageError::message: not implemented yet";  // "<stage>: <cause's message>"
}

goro::Error StageError::unwrap() const {
  return {};  // the cause
}

goro::Error run_pipeline(const goro::Context& ctx, const std::vector<std::string>& lines, const Stages& stages) {
  (void)ctx;
  (void)lines;
  (void)stages;
  return goro::new_error("run_pipeline: not implemented yet");  // replace this line with your pipeline
}

}  // namespace dojo::ex09
