// Mutant of exercise 07: the already-cancelled path closes `out` but forgets to return. fan_out
// goes on as if nothing had happened: it starts the workers, which stop at once on the done
// context, waits for them and closes `out` a second time: a panic, for the one caller that had
// already given up.
// mistake: double-close
// expect: close of closed channel
#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  if (ctx.err()) {
    out.close();
    // BUG: no `return ctx.err();` here: the normal path below closes `out` again
  }
  auto [workers, wctx] = goro::ErrGroup::with_context(ctx);
  for (int w = 0; w < kWorkers; ++w) {
    workers.go([in, out, wctx = wctx, &work]() -> goro::Error {
      for (;;) {
        int item = 0;
        bool ok = false;
        if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(wctx.done())) == 1) return wctx.err();
        if (!ok) return {};
        goro::Result<int> r = work(wctx, item);
        if (!r) return goro::errorf("item {}: {:w}", item, r.error());
        if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) return wctx.err();
      }
    });
  }
  goro::Error err = workers.wait();
  out.close();
  return err;
}

}  // namespace dojo::ex07
