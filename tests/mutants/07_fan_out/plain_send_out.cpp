// Mutant of exercise 07: the workers send results with a plain send. While downstream reads,
// all is well; when downstream stops reading, a worker waits in its send forever, and the
// stage's wait() with it.
// mistake: blocked-send
// expect: chan send
#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  if (goro::Error err = ctx.err()) {
    out.close();
    return err;
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
        if (!r) return r.error();
        out.send(r.value());  // BUG: no select on wctx.done()
      }
    });
  }
  goro::Error err = workers.wait();
  out.close();
  return err;
}

}  // namespace dojo::ex07
