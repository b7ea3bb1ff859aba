// Mutant of exercise 10: the timeout is recognised with ==. The group's error is the worker's
// "item 17: work on item 17: context deadline exceeded", a new error wrapping the sentinel, so
// == is false and the timeout is reported without its progress message.
// mistake: wrong-error
// expect: timed out after 16 of 100 items
#include <atomic>

#include "deadline.hpp"

namespace dojo::ex10 {

goro::Error run_with_deadline(const goro::Context& ctx, const std::vector<int>& items, int workers,
                              const WorkFn& work, goro::Duration timeout) {
  if (goro::Error err = ctx.err()) return err;
  auto [run_ctx, cancel] = goro::with_timeout(ctx, timeout);
  auto jobs = goro::make_chan<int>(items.size());
  for (int item : items) jobs.send(item);
  jobs.close();
  std::atomic<int> done{0};
  auto [g, gctx] = goro::ErrGroup::with_context(run_ctx);
  for (int w = 0; w < workers; ++w) {
    g.go([jobs, gctx = gctx, &work, &done]() -> goro::Error {
      for (;;) {
        if (goro::Error err = gctx.err()) return err;
        auto [item, ok] = jobs.recv();
        if (!ok) return {};
        if (goro::Error err = work(gctx, item)) return goro::errorf("item {}: {:w}", item, err);
        ++done;
      }
    });
  }
  goro::Error err = g.wait();
  cancel();
  if (err == goro::DeadlineExceeded)  // BUG: only the bare sentinel matches
    return goro::errorf("timed out after {} of {} items: {:w}", done.load(), items.size(), err);
  return err;
}

}  // namespace dojo::ex10
