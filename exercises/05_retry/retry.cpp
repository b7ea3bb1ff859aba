// Exercise 05 — retry. Edit this file, then run: ./dojo grade 5
//
// Your task (the full statement is in README.md):
// with_retry:
//   1. Check the context first: if it is already cancelled, return its error.
//   2. Loop over the attempts 1 .. attempts, calling op(ctx) each time.
//   3. Success ends the loop; so does an error that does not wrap ErrTransient (goro::is).
//   4. After the last attempt, give up: wrap the last error ({:w}) in a message that says
//      how many attempts were made.
//   5. Otherwise wait kBaseBackoff · 2^(attempt - 1) — on a timer, inside a select that also
//      watches ctx.done(), so that a cancellation ends the wait at once.
// process_items:
//   6. One group from goro::ErrGroup::with_context(ctx), one task per item.
//   7. Each task retries its item with with_retry(gctx, ...) and returns only when that is
//      over; wrap a final failure as "item <n>: ..." with {:w}. g.wait() gives the first one.
#include "retry.hpp"

namespace dojo::ex05 {

goro::Error with_retry(const goro::Context& ctx, const Operation& op, int attempts) {
  (void)ctx;
  (void)op;
  (void)attempts;
  return goro::new_error("with_retry: not implemented yet");  // replace this line with your loop
}

goro::Error process_items(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& process) {
  (void)ctx;
  (void)items;
  (void)process;
  return goro::new_error("process_items: not implemented yet");  // replace this line with your stage
}

}  // namespace dojo::ex05
