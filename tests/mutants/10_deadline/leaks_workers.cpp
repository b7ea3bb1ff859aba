// Mutant of exercise 10: plain tasks and a results channel instead of a group, and the caller
// returns the moment the deadline passes. The workers still busy then later try to report on
// the unbuffered results channel that nobody reads any more: blocked forever, leaked.
// mistake: blocked-send
// expect: goroutine leak
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
  auto done = std::make_shared<std::atomic<int>>(0);
  auto results = goro::make_chan<goro::Error>();  // one result per worker, unbuffered
  for (int w = 0; w < workers; ++w) {
    goro::go([jobs, run_ctx = run_ctx, work, done, results] {
      goro::Error result;
      for (;;) {
        if ((result = run_ctx.err())) break;
        auto [item, ok] = jobs.recv();
        if (!ok) break;
        if (goro::Error err = work(run_ctx, item)) {
          result = goro::errorf("item {}: {:w}", item, err);
          break;
        }
        ++*done;
      }
      results.send(result);  // blocks forever once the caller has stopped receiving
    });
  }
  goro::Error first;
  for (int w = 0; w < workers; ++w) {
    goro::Error err;
    if (goro::select(goro::on_recv(results, &err), goro::on_recv(run_ctx.done())) == 1) {
      // BUG: returns at the deadline while the workers are still running; nobody will ever
      // receive their results.
      cancel();
      return goro::errorf("timed out after {} of {} items: {:w}", done->load(), items.size(), run_ctx.err());
    }
    if (err && !first) {
      first = err;
      cancel();
    }
  }
  cancel();
  return first;
}

}  // namespace dojo::ex10
