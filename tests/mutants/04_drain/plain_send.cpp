// Mutant of exercise 04: the group and its context are right, but stage 1 sends with a plain
// send. When stage 2 fails nobody receives any more, and a plain send cannot notice that gctx
// was cancelled: stage 1 blocks forever, and g.wait() with it.
// mistake: blocked-send
// expect: chan send
#include "drain.hpp"

namespace dojo::ex04 {

goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<int>();
  g.go([ch, items, &produce]() -> goro::Error {
    for (int n = 1; n <= items; ++n) ch.send(produce(n));  // BUG: no select on gctx.done()
    ch.close();
    return {};
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
