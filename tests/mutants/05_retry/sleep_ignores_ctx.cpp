// Mutant of exercise 05: the backoff is a plain goro::sleep, and the context is only looked at
// after it. A caller that cancels during a backoff waits it out before hearing back.
// mistake: ignored-cancellation
// expect: the moment ctx is cancelled
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
    goro::sleep(backoff);  // BUG: cannot be interrupted by ctx
    if (goro::Error err = ctx.err()) return err;
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
