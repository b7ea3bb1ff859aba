// Mutant of exercise 10: one task per item instead of `workers` workers taking items from a
// queue. Nothing limits how many items are worked on at once: all 100 start together, and a
// run that one worker could not finish in time is done in one item's time.
// mistake: over-limit
// expect: at most 10 items worked on at the same time
#include <atomic>

#include "deadline.hpp"

namespace dojo::ex10 {

namespace {

// Go's `defer cancel()`: calls the CancelFunc on every way out of the scope.
struct CancelOnExit {
  goro::CancelFunc cancel;
  ~CancelOnExit() { cancel(); }
};

}  // namespace

goro::Error run_with_deadline(const goro::Context& ctx, const std::vector<int>& items, int workers,
                              const WorkFn& work, goro::Duration timeout) {
  if (goro::Error err = ctx.err()) return err;

  // ONE deadline for the whole run, made here, before any work. A with_timeout per item would
  // give every item a fresh 5 s, and the run as a whole would never time out.
  auto [run_ctx, cancel] = goro::with_timeout(ctx, timeout);
  // Without it the deadline's timer (and the link to ctx) would live on until the 5 s are over.
  CancelOnExit cancel_on_exit{cancel};

  std::atomic<int> done{0};  // items whose work succeeded; the workers run in parallel
  auto [g, gctx] = goro::ErrGroup::with_context(run_ctx);
  (void)workers;  // BUG: ignored: every item gets a task of its own, all at once
  for (int item : items) {
    g.go([item, gctx = gctx, &work, &done]() -> goro::Error {
      if (goro::Error err = gctx.err()) return err;
      if (goro::Error err = work(gctx, item)) return goro::errorf("item {}: {:w}", item, err);
      ++done;
      return {};
    });
  }
  // wait() returns only when every worker has returned: none is left behind, and `done` is final.
  goro::Error err = g.wait();

  // The group's error is wrapped ("item 17: ...: context deadline exceeded"): `err ==
  // goro::DeadlineExceeded` is false then. goro::is looks through every layer.
  if (goro::is(err, goro::DeadlineExceeded))
    return goro::errorf("timed out after {} of {} items: {:w}", done.load(), items.size(), err);
  return err;
}

}  // namespace dojo::ex10
