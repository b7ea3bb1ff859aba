// Mutant of exercise 10: the timeout is made for each item instead of once for the run. Every
// item gets a fresh 5 s, so 100 items of 100 ms on one worker take 10 s and never time out.
// mistake: ignored-cancellation
// expect: one deadline for every item
#include <atomic>

#include "deadline.hpp"

namespace dojo::ex10 {

goro::Error run_with_deadline(const goro::Context& ctx, const std::vector<int>& items, int workers,
                              const WorkFn& work, goro::Duration timeout) {
  if (goro::Error err = ctx.err()) return err;
  auto jobs = goro::make_chan<int>(items.size());
  for (int item : items) jobs.send(item);
  jobs.close();
  std::atomic<int> done{0};
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  for (int w = 0; w < workers; ++w) {
    g.go([jobs, gctx = gctx, &work, &done, timeout]() -> goro::Error {
      for (;;) {
        if (goro::Error err = gctx.err()) return err;
        auto [item, ok] = jobs.recv();
        if (!ok) return {};
        auto [item_ctx, item_cancel] = goro::with_timeout(gctx, timeout);  // BUG: a new deadline per item
        goro::Error err = work(item_ctx, item);
        item_cancel();
        if (err) return goro::errorf("item {}: {:w}", item, err);
        ++done;
      }
    });
  }
  goro::Error err = g.wait();
  if (goro::is(err, goro::DeadlineExceeded))
    return goro::errorf("timed out after {} of {} items: {:w}", done.load(), items.size(), err);
  return err;
}

}  // namespace dojo::ex10
