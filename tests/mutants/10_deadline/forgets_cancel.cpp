// Mutant of exercise 10: the deadline context's cancel function is never called (Go's missing
// `defer cancel()`). A run that finishes early leaves the deadline's timer armed for the rest
// of the 5 s, and the context linked to its parent until then.
// mistake: unreleased-context
// expect: its cancel function called
#include <atomic>

#include "deadline.hpp"

namespace dojo::ex10 {

goro::Error run_with_deadline(const goro::Context& ctx, const std::vector<int>& items, int workers,
                              const WorkFn& work, goro::Duration timeout) {
  if (goro::Error err = ctx.err()) return err;
  auto [run_ctx, cancel] = goro::with_timeout(ctx, timeout);  // BUG: cancel is never called
  (void)cancel;
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
  if (goro::is(err, goro::DeadlineExceeded))
    return goro::errorf("timed out after {} of {} items: {:w}", done.load(), items.size(), err);
  return err;
}

}  // namespace dojo::ex10
