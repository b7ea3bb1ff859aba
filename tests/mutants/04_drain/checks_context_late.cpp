// Mutant of exercise 04: no ctx.err() before the stages start. A caller that has already
// cancelled still gets goro::Canceled, since both selects see gctx.done() at once, but stage 1 has
// called produce for the first item by then: work done for a caller who wanted none.
// mistake: ignored-cancellation
// expect: calls to produce: 0
#include "drain.hpp"

namespace dojo::ex04 {

goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume) {
  // BUG: no ctx.err() up front: the cancellation is seen only in stage 1's first select, after produce(1)
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, gctx = gctx, items, &produce]() -> goro::Error {
    for (int n = 1; n <= items; ++n) {
      const int item = produce(n);
      if (goro::select(goro::on_send(ch, item), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();
      }
    }
    ch.close();
    return {};
  });
  g.go([ch, gctx = gctx, &consume]() -> goro::Error {
    for (;;) {
      int item = 0;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &item, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};
      if (goro::Error err = consume(gctx, item)) {
        return goro::errorf("item {}: {:w}", item, err);
      }
    }
  });
  return g.wait();
}

}  // namespace dojo::ex04
