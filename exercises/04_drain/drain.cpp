// Exercise 04 — drain. Edit this file, then run: ./dojo grade 4
//
// Your task (the full statement is in README.md):
//   1. If ctx is already cancelled, return ctx.err() without producing anything.
//   2. Make a group bound to the context:  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
//      and one channel between the stages.
//   3. Stage 1 (g.go): for n = 1 .. items, item = produce(n), then send it — in a select next to
//      gctx.done(), so that it stops the moment the group is cancelled. Close the channel on
//      every way out.
//   4. Stage 2 (g.go): receive until the channel is closed (or gctx is done); call
//      consume(gctx, item). On failure return it at once, wrapped so that it names the item:
//        goro::errorf("item {}: {:w}", item, err)
//   5. Return g.wait(): the first error a stage returned, which is stage 2's, not a cancellation.
#include "drain.hpp"

namespace dojo::ex04 {

goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume) {
  (void)ctx;
  (void)items;
  (void)produce;
  (void)consume;
  return goro::new_error("run: not implemented yet");  // replace this line with your two stages
}

}  // namespace dojo::ex04
