// Mutant of exercise 05: the give-up error copies the last error's text ({}) instead of
// wrapping it ({:w}). It reads the same, but goro::is no longer finds ErrTransient in it.
// mistake: missing-wrap
// expect: goro::is finds ErrTransient
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
    const goro::Duration backoff = kBaseBackoff * (1LL << (attempt - 1));
    auto timer = goro::new_timer(backoff);
    if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
      timer.stop();
      return ctx.err();
    }
  }
  return goro::errorf("gave up after {} attempts: {}", attempts, last);  // BUG: {} loses the chain
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
