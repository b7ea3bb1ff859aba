// Mutant of exercise 04: stage 2 logs a failing item and moves on to the next one. Nothing
// leaks and nothing hangs, but the caller is told that everything went well.
// mistake: swallowed-error
// expect: goro::is finds ErrRejected
#include <cstdio>

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
      if (goro::Error err = consume(gctx, item))
        std::fprintf(stderr, "item %d failed: %s\n", item, err.message().c_str());  // BUG: logged, not returned
    }
  });
  return g.wait();
}

}  // namespace dojo::ex04
