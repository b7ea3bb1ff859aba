// Exercise 19 — batcher: reference solution.
#include "batcher.hpp"

#include <utility>

namespace dojo::ex19 {

namespace {

// Settles one batch: up to kFlushAttempts calls of flush, then the dead-letter queue.
// Returns nil once the batch is delivered or dead-lettered, ctx.err() once ctx has ended.
goro::Error deliver(const goro::Context& ctx, const Batch& batch, const Flush& flush,
                    const goro::Chan<FailedBatch>& dlq) {
  goro::Error last;
  for (int attempt = 1; attempt <= kFlushAttempts; ++attempt) {
    if (goro::Error err = ctx.err()) return err;  // a caller who gave up gets no further call
    last = flush(ctx, batch);
    if (!last) return {};
    // The call failed because ctx ended (a slow downstream gave up waiting): the downstream did
    // not refuse the batch, we stopped. Neither retry it nor dead-letter it.
    if (goro::Error err = ctx.err()) return err;
    if (attempt == kFlushAttempts) break;  // no wait after the last attempt
    // A backoff the caller can cut short: a timer and ctx.done() in one select.
    auto backoff = goro::new_timer(kRetryBackoff);
    if (goro::select(goro::on_recv(backoff.c()), goro::on_recv(ctx.done())) == 1) {
      backoff.stop();
      return ctx.err();
    }
  }
  // {:w} keeps the downstream's error findable with goro::is / goro::as in the reason.
  FailedBatch failed{batch, goro::errorf("batch of {} events: flush failed after {} attempts: {:w}", batch.size(),
                                         kFlushAttempts, last)};
  // The send waits for the dead-letter reader, but never longer than the caller wants.
  if (goro::select(goro::on_send(dlq, std::move(failed)), goro::on_recv(ctx.done())) == 1) return ctx.err();
  return {};
}

}  // namespace

goro::Error run_batcher(const goro::Context& ctx, goro::Chan<Event> in, const Flush& flush,
                        goro::Chan<FailedBatch> dlq, goro::Duration max_wait) {
  if (goro::Error err = ctx.err()) return err;

  Batch batch;  // the pending batch; empty: none
  // The pending batch's window. It runs only while a batch is pending: started by the batch's
  // first event, stopped by every flush. A stopped timer delivers nothing (Go 1.23 semantics),
  // so its channel can stay in the select all the time.
  goro::Timer window = goro::new_timer(max_wait);
  window.stop();

  // Hands the pending batch over; afterwards nothing is pending and the window is closed.
  auto flush_pending = [&]() -> goro::Error {
    window.stop();  // also after a size flush: the next batch gets a window of its own
    Batch out;
    out.swap(batch);
    return deliver(ctx, out, flush, dlq);
  };

  for (;;) {
    Event ev;
    bool ok = false;
    switch (goro::select(goro::on_recv(in, &ev, &ok), goro::on_recv(window.c()), goro::on_recv(ctx.done()))) {
      case 0:
        if (!ok) return batch.empty() ? goro::Error{} : flush_pending();  // closed: the remainder
        batch.push_back(ev);
        if (batch.size() == 1) window.reset(max_wait);  // the window starts with the FIRST event
        if (batch.size() == kMaxBatch) {
          if (goro::Error err = flush_pending()) return err;
        }
        break;
      case 1:  // the window of the pending batch ended (it runs only while one is pending)
        if (goro::Error err = flush_pending()) return err;
        break;
      default:
        return ctx.err();
    }
  }
}

}  // namespace dojo::ex19
