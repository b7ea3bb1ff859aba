// Exercise 07 — fan_out: reference solution.
#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  // `out` is this stage's channel: it closes it on every way out, so that the stage downstream,
  // ranging over `out`, always learns that no more results are coming.
  if (goro::Error err = ctx.err()) {
    out.close();
    return err;
  }

  // A group of the stage's own, nested inside whatever group runs the stage. wctx is cancelled
  // by the first worker that fails (and by the caller's ctx), so the other workers stop too.
  auto [workers, wctx] = goro::ErrGroup::with_context(ctx);
  for (int w = 0; w < kWorkers; ++w) {
    // Exactly kWorkers tasks, each taking items until `in` runs dry: that is what bounds the
    // concurrency. One task per item would have no bound at all.
    workers.go([in, out, wctx = wctx, &work]() -> goro::Error {
      for (;;) {
        int item = 0;
        bool ok = false;
        if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(wctx.done())) == 1) return wctx.err();
        // `in` closed and drained: no more work for anyone. This may also be the upstream stage
        // leaving because the pipeline was cancelled — when wctx.done() and the close are both
        // ready, select picks either. The worker has still finished its input cleanly, and nil
        // is the honest answer (Go's stage would say the same): the caller's group reports the
        // error that cancelled the pipeline. No need to force ctx.err() here.
        if (!ok) return {};
        goro::Result<int> r = work(wctx, item);
        if (!r) return goro::errorf("item {}: {:w}", item, r.error());  // cancels wctx: the others stop
        // Downstream may have stopped reading; the send must be abandonable too.
        if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) return wctx.err();
      }
    });
  }

  // Go's `defer close(out)` runs after `workers.Wait()`: the same order here. Closing before
  // wait() returns would let a worker still busy send on a closed channel (a panic); closing
  // in each worker would close it up to four times (a panic too).
  goro::Error err = workers.wait();
  out.close();
  return err;  // the first error a worker returned, not the Canceled it caused in the others
}

}  // namespace dojo::ex07
