// Exercise 04 — drain: reference solution.
#include "drain.hpp"

namespace dojo::ex04 {

goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume) {
  // A cancelled caller wants no work at all: not even one item produced.
  if (goro::Error err = ctx.err()) return err;

  // gctx is cancelled the moment either stage returns an error — that is how stage 1 learns
  // that stage 2 has given up — and, in any case, when wait() returns.
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  // Unbuffered: stage 1 is never more than one item ahead of stage 2. A small buffer would be
  // fine too; what matters is that a send can always be abandoned.
  auto ch = goro::make_chan<int>();

  // Stage 1: the only sender, so the only closer — on every way out of the task.
  g.go([ch, gctx = gctx, items, &produce]() -> goro::Error {
    for (int n = 1; n <= items; ++n) {
      const int item = produce(n);
      // A plain ch.send(item) would block forever once stage 2 has returned: nobody receives
      // any more. The select lets the cancellation win instead.
      if (goro::select(goro::on_send(ch, item), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();  // Canceled: the group keeps the error that caused it, not this one
      }
    }
    ch.close();
    return {};
  });

  // Stage 2: stops at the first failure. Returning is what cancels gctx; draining the rest of
  // the channel "to let stage 1 finish" would make stage 1 produce the whole input for nothing.
  g.go([ch, gctx = gctx, &consume]() -> goro::Error {
    for (;;) {
      int item = 0;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &item, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};  // closed and drained: every item was consumed
      if (goro::Error err = consume(gctx, item)) {
        // {:w} keeps consume's error findable with goro::is / goro::as; the text names the item.
        return goro::errorf("item {}: {:w}", item, err);
      }
    }
  });

  // The first error a stage returned. Not gctx.err(): after wait() that is always Canceled,
  // which says only *that* the group stopped, never *why*.
  return g.wait();
}

}  // namespace dojo::ex04
