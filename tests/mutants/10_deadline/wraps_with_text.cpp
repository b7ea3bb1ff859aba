// Mutant of exercise 10: the progress message copies the error's text ({}) instead of wrapping
// it ({:w}). It reads well, but goro::is no longer finds goro::DeadlineExceeded in it.
// mistake: missing-wrap
// expect: goro::is finds goro::DeadlineExceeded
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
  if (goro::is(err, goro::DeadlineExceeded))
    return goro::errorf("timed out after {} of {} items: {}", done.load(), items.size(), err);  // BUG: {}
  return err;
}

}  // namespace dojo::ex10
