// Mutant of exercise 04: stage 2 returns consume's error as it is. goro::is still finds the cause,
// but the caller cannot tell which of the items failed.
// mistake: missing-context
// expect: contains "item 500"
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
        return err;  // BUG: not wrapped with the item
      }
    }
  });
  return g.wait();
}

}  // namespace dojo::ex04
