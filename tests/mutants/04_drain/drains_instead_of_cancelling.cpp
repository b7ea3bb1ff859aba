// Mutant of exercise 04: no group context. After a failure stage 2 keeps reading and discarding
// items "so that stage 1 can finish". Nothing leaks and the error is right, but stage 1 produces
// the whole input for nothing: draining hides the problem that cancelling solves.
// mistake: kept-going
// expect: items produced after the failure
#include "drain.hpp"

namespace dojo::ex04 {

goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume) {
  if (goro::Error err = ctx.err()) return err;
  goro::ErrGroup g;  // BUG: a plain group: nothing is cancelled when stage 2 fails
  auto ch = goro::make_chan<int>();
  g.go([ch, ctx, items, &produce]() -> goro::Error {
    for (int n = 1; n <= items; ++n) {
      if (goro::select(goro::on_send(ch, produce(n)), goro::on_recv(ctx.done())) == 1) {
        ch.close();
        return ctx.err();
      }
    }
    ch.close();
    return {};
  });
  g.go([ch, ctx, &consume]() -> goro::Error {
    goro::Error failed;
    for (;;) {
      int item = 0;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &item, &ok), goro::on_recv(ctx.done())) == 1) return ctx.err();
      if (!ok) return failed;
      if (failed) continue;  // BUG: drain the rest instead of stopping stage 1
      if (goro::Error err = consume(ctx, item)) failed = goro::errorf("item {}: {:w}", item, err);
    }
  });
  return g.wait();
}

}  // namespace dojo::ex04
