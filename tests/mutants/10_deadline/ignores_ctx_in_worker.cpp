// Mutant of exercise 10: the workers never look at the context themselves; they rely on the
// work to notice the deadline. Work that cannot be interrupted keeps them taking item after
// item, and the run ends when the queue is empty, seconds after the deadline.
// mistake: ignored-cancellation
// expect: within 100ms of the deadline
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
        // BUG: no check of gctx before taking the next item
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
    return goro::errorf("timed out after {} of {} items: {:w}", done.load(), items.size(), err);
  return err;
}

}  // namespace dojo::ex10
