// Mutant of exercise 04: stage 2 names the item but formats consume's error with {} instead of
// {:w}. The message reads right ("item 500: out of stock"), but the new error does not wrap the
// cause: goro::is and goro::as no longer find it.
// mistake: missing-wrap
// expect: goro::is finds ErrOutOfStock
#include "drain.hpp"

namespace dojo::ex04 {

goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume) {
  if (goro::Error err = ctx.err()) return err;
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
        return goro::errorf("item {}: {}", item, err);  // BUG: {} copies the text only
      }
    }
  });
  return g.wait();
}

}  // namespace dojo::ex04
