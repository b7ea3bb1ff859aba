// Exercise 25 — cancel_timing. Edit this file, then run: ./dojo grade 25
//
// Your task (the full statement is in README.md):
//   1. Remember the ids of the tasks alive now (goro::tasks()): any task that appears later
//      belongs to the pipeline.
//   2. Derive a cancellable context from ctx, and start the pipeline with it in a task of its
//      own. That task hands back the pipeline's error on a channel with room for it (a buffer
//      of 1), so that it can exit even when nobody is waiting any more. Capture by value.
//   3. Let it run for opts.cancel_after (goro::new_timer): if it returns first, report
//      finished_before_cancel and return at once.
//   4. Otherwise note goro::now(), cancel, and select on the pipeline's return, a timer of
//      opts.limit and a timer of opts.cap. When the limit passes, note the pipeline's tasks
//      still alive (not the one running the pipeline function). On the return: latency =
//      goro::now() - the moment of the cancel (never std::chrono's clocks: they do not see the
//      virtual clock). On the cap: the pipeline is stuck; stop waiting.
//   5. Release the derived context on every way out.
//   6. check_prompt: measure, then ErrNothingToMeasure, a SlowCancelError (latency > limit or
//      stuck), or nil (latency <= limit).
#include "cancel_timing.hpp"

namespace dojo::ex25 {

CancelReport measure_cancel(const goro::Context& ctx, const Pipeline& pipeline, const MeasureOptions& opts) {
  (void)ctx;
  (void)pipeline;
  (void)opts;
  return {};  // replace this line with your measurement
}

goro::Error check_prompt(const goro::Context& ctx, const Pipeline& pipeline, const MeasureOptions& opts) {
  (void)ctx;
  (void)pipeline;
  (void)opts;
  return goro::new_error("check_prompt: not implemented yet");  // replace this line with your verdict
}

}  // namespace dojo::ex25
