// Mutant of exercise 10: a worker that finds the context ended stops quietly, returning nil
// ("it was told to stop, that is not a failure"). When the work ignores its context, no error
// reaches the group at all: the run that ran out of time reports success.
// mistake: swallowed-error
// expect: an error that goro::is finds goro::DeadlineExceeded
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

  // All the items are known up front: queue them in a buffered channel and close it, so a
  // worker never blocks taking one (recv on a closed, drained channel returns ok == false).
  auto jobs = goro::make_chan<int>(items.size());
  for (int item : items) jobs.send(item);
  jobs.close();

  std::atomic<int> done{0};  // items whose work succeeded; the workers run in parallel
  auto [g, gctx] = goro::ErrGroup::with_context(run_ctx);
  for (int w = 0; w < workers; ++w) {
    g.go([jobs, gctx = gctx, &work, &done]() -> goro::Error {
      for (;;) {
        // Ask before every item: work that ignores its context would otherwise keep this
        // worker going through the whole queue long after the deadline.
        if (gctx.err()) return {};  // BUG: the deadline's error is dropped
        auto [item, ok] = jobs.recv();
        if (!ok) return {};  // the queue is empty: this worker is done
        if (goro::Error err = work(gctx, item)) return goro::errorf("item {}: {:w}", item, err);
        ++done;
      }
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
