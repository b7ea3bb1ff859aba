// Mutant of exercise 07: "fan-out" as one task per item. Results, errors and the close are all
// right, but nothing bounds the concurrency: with 100 slow items, 100 work calls run at once.
// mistake: over-limit
// expect: work calls at once
#include "fan_out.hpp"

namespace dojo::ex07 {

goro::Error fan_out(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, const Work& work) {
  if (goro::Error err = ctx.err()) {
    out.close();
    return err;
  }
  auto [workers, wctx] = goro::ErrGroup::with_context(ctx);
  for (;;) {
    int item = 0;
    bool ok = false;
    if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(wctx.done())) == 1) break;
    if (!ok) break;
    workers.go([out, wctx = wctx, &work, item]() -> goro::Error {  // BUG: a task per item, no limit
      goro::Result<int> r = work(wctx, item);
      if (!r) return r.error();
      if (goro::select(goro::on_send(out, r.value()), goro::on_recv(wctx.done())) == 1) return wctx.err();
      return {};
    });
  }
  goro::Error err = workers.wait();
  out.close();
  return err;
}

}  // namespace dojo::ex07
