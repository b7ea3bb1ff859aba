// Mutant of exercise 05: the backoff waits with std::this_thread::sleep_for, the way a program
// without goro would. The waits happen in real time, on no clock the runtime can see: a
// deterministic run stands still while they last, the attempts all start at +0 on goro's clock,
// and a cancel during a backoff is noticed only once the sleep is over.
// mistake: wall-clock-sleep
// expect: slept on the wall clock
#include <thread>

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
    std::this_thread::sleep_for(backoff);  // BUG: real time, invisible to goro's clock
    if (goro::Error err = ctx.err()) return err;
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
