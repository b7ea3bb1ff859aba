// Mutant of exercise 04: when the group failed, run returns the group context's error. After
// wait() that is always Canceled: the caller learns that the pipeline stopped, never why.
// mistake: wrong-error
// expect: an error that is not goro::Canceled
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
  if (g.wait()) return gctx.err();  // BUG: the cancellation, not its cause
  return {};
}

}  // namespace dojo::ex04
