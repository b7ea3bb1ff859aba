// Exercise 19 — batcher. Edit this file, then run: ./dojo grade 19
//
// Your task (the full statement is in README.md):
//   1. An already-cancelled ctx: return ctx.err() before anything else.
//   2. Loop on one select: an event from `in`, the end of the pending batch's window, ctx.done().
//   3. An event: append it. The first event of a batch starts its window (a timer of max_wait);
//      the kMaxBatch-th flushes the batch at once (a size flush).
//   4. The window ends: flush what is pending. After EVERY flush nothing is pending and no
//      window runs: the next event starts a new one. Never flush an empty batch.
//   5. `in` closed: flush the remainder (if any) and return nil.
//   6. A flush is up to kFlushAttempts calls of flush(ctx, batch), kRetryBackoff apart (a timer
//      in a select with ctx.done()). No call once ctx has ended; a call that fails after ctx
//      ended ends run_batcher with ctx.err().
//   7. Every attempt failed: send FailedBatch{batch, reason} on dlq (in a select with
//      ctx.done()), the reason saying "after 3 attempts" and wrapping the last error with {:w};
//      then go on with the next batch.
#include "batcher.hpp"

namespace dojo::ex19 {

goro::Error run_batcher(const goro::Context& ctx, goro::Chan<Event> in, const Flush& flush,
                        goro::Chan<FailedBatch> dlq, goro::Duration max_wait) {
  (void)ctx;
  (void)in;
  (void)flush;
  (void)dlq;
  (void)max_wait;
  return goro::new_error("run_batcher: not implemented yet");  // replace this line with your batcher
}

}  // namespace dojo::ex19
