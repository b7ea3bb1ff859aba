// Mutant of exercise 04: stage 1 closes the channel only when it is cancelled, not after the
// last item. Failures work; a run where every item succeeds leaves stage 2 waiting for one more
// item forever.
// mistake: missing-close
// expect: still waiting for an 11th item
#include "drain.hpp"

namespace dojo::ex04 {

goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, gctx = gctx, items, &produce]() -> goro::Error {
    for (int n = 1; n <= items; ++n) {
      if (goro::select(goro::on_send(ch, produce(n)), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();
      }
    }
    return {};  // BUG: no ch.close() after the last item
  });
  g.go([ch, gctx = gctx, &consume]() -> goro::Error {
    for (;;) {
      int item = 0;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &item, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};
      if (goro::Error err = consume(gctx, item)) return goro::errorf("item {}: {:w}", item, err);
    }
  });
  return g.wait();
}

}  // namespace dojo::ex04
