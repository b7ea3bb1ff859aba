// Exercise 05 — retry: reference solution.
#include "retry.hpp"

namespace dojo::ex05 {

goro::Error with_retry(const goro::Context& ctx, const Operation& op, int attempts) {
  // A cancelled caller wants no attempt at all.
  if (goro::Error err = ctx.err()) return err;

  goro::Error last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    last = op(ctx);
    if (!last) return {};
    // goro::is looks through every layer of wrapping; `last == ErrTransient` would only match
    // the bare sentinel, and an operation always adds context around it.
    if (!goro::is(last, ErrTransient)) return last;  // permanent: retrying cannot help
    if (attempt == attempts) break;                  // no point waiting after the last attempt

    // 100 ms after the 1st failure, 200 ms after the 2nd, 400 ms after the 3rd: the wait
    // doubles each time (kBaseBackoff · attempt would grow only linearly).
    const goro::Duration backoff = kBaseBackoff * (1LL << (attempt - 1));
    // goro::sleep(backoff) could not be interrupted: a cancelled caller would wait it out.
    // A timer in a select next to ctx.done() ends the wait at whichever comes first.
    auto timer = goro::new_timer(backoff);
    if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
      timer.stop();  // leaving early: release the timer now instead of when it would fire
      return ctx.err();
    }
  }
  // {:w} keeps the last error findable with goro::is / goro::as; {} would keep only its text.
  return goro::errorf("gave up after {} attempts: {:w}", attempts, last);
}

goro::Error process_items(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& process) {
  if (goro::Error err = ctx.err()) return err;

  // The group's context is cancelled when the first item fails for good: every other item,
  // working or waiting out a backoff, then stops at once.
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  for (int item : items) {
    g.go([gctx = gctx, item, &process]() -> goro::Error {
      // Retry *inside* the task: returning the first transient error from the task would make
      // it the group's error and cancel everything, with no second attempt.
      goro::Error err = with_retry(gctx, [&](const goro::Context& c) { return process(c, item); });
      if (err) return goro::errorf("item {}: {:w}", item, err);
      return {};
    });
  }
  // wait() returns only when every task has returned, so nothing is left behind; it gives the
  // first error, the one that cancelled the others.
  return g.wait();
}

}  // namespace dojo::ex05
