// Exercise 07 — fan_out. Edit this file, then run: ./dojo grade 7
//
// Your task (the full statement is in README.md):
//   1. If ctx is already cancelled: close `out` and return ctx.err().
//   2. Make the stage's own group:  auto [workers, wctx] = goro::ErrGroup::with_context(ctx);
//   3. Start kWorkers tasks in it. Each one loops: receive an item from `in` (or stop when wctx
//      is done; `in` closed and drained means "no more work"), call work(wctx, item), and send
//      the result on `out` (or stop when wctx is done). A failing work call: return its error.
//   4. Wait for the workers, *then* close `out` — once, here, not in the workers.
//   5. Return the error the workers' group returned.
#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  (void)ctx;
  (void)in;
  (void)out;
  (void)work;
  return goro::new_error("fan_out: not implemented yet");  // replace this line with your stage
}

}  // namespace dojo::ex07
