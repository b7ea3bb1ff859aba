// Mutant of exercise 05: the wait grows linearly (100, 200, 300, 400 ms) instead of doubling
// (100, 200, 400, 800 ms). With 3 attempts both give the same two waits; the fourth attempt
// shows the difference.
// mistake: wrong-timing
// expect: attempts at +0s, +100ms, +300ms, +700ms, +1.5s
#include "retry.hpp"

namespace dojo::ex05 {

goro::Error with_retry(const goro::Context& ctx, const Operation& op, int attempts) {
  if (goro::Error err = ctx.err()) return err;
  goro::Error last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    last = op(ctx);
    if (!last) return {};
    if (!goro::is(last, ErrTransient)) return last;
    if (attempt == attempts) break;
    const goro::Duration backoff = kBaseBackoff * attempt;  // BUG: linear, not exponential
    auto timer = goro::new_timer(backoff);
    if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
      timer.stop();
      return ctx.err();
    }
  }
  return goro::errorf("gave up after {} attempts: {:w}", attempts, last);
}

goro::Error process_items(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& process) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  for (int item : items) {
    g.go([gctx = gctx, item, &process]() -> goro::Error {
      goro::Error err = with_retry(gctx, [&](const goro::Context& c) { return process(c, item); });
      if (err) return goro::errorf("item {}: {:w}", item, err);
      return {};
    });
  }
  return g.wait();
}

}  // namespace dojo::ex05
