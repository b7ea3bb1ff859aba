// Mutant of exercise 07: the workers run in a plain group and use the caller's ctx. A failing
// worker's error is kept, but nothing tells the other workers: they finish their slow items and
// go on taking new ones until the input runs dry. The error arrives, but late.
// mistake: ignored-cancellation
// expect: never told to stop
#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  if (goro::Error err = ctx.err()) {
    out.close();
    return err;
  }
  goro::ErrGroup workers;  // BUG: no context of its own that a failure would cancel
  for (int w = 0; w < kWorkers; ++w) {
    workers.go([in, out, ctx, &work]() -> goro::Error {
      for (;;) {
        int item = 0;
        bool ok = false;
        if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(ctx.done())) == 1) return ctx.err();
        if (!ok) return {};
        goro::Result<int> r = work(ctx, item);
        if (!r) return r.error();
        if (goro::select(goro::on_send(out, r.value()), goro::on_recv(ctx.done())) == 1) return ctx.err();
      }
    });
  }
  goro::Error err = workers.wait();
  out.close();
  return err;
}

}  // namespace dojo::ex07
