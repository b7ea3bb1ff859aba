// Mutant of exercise 19: "retry kFlushAttempts times" read as kFlushAttempts retries AFTER the first
// call: a failing batch gets 4 calls instead of 3.
// mistake: wrong-count
// expect: 4 flush attempts
#include "batcher.hpp"

#include <utility>

namespace dojo::ex19 {

namespace {

// Settles one batch: up to kFlushAttempts calls, then the dead-letter queue.
goro::Error deliver(const goro::Context& ctx, const Batch& batch, const Flush& flush,
                    const goro::Chan<FailedBatch>& dlq) {
  goro::Error last;
  for (int attempt = 0; attempt <= kFlushAttempts; ++attempt) {  // BUG: 0 .. 3 is four calls
    if (goro::Error err = ctx.err()) return err;
    last = flush(ctx, batch);
    if (!last) return {};
    if (goro::Error err = ctx.err()) return err;
    if (attempt == kFlushAttempts) break;
    auto backoff = goro::new_timer(kRetryBackoff);
    if (goro::select(goro::on_recv(backoff.c()), goro::on_recv(ctx.done())) == 1) {
      backoff.stop();
      return ctx.err();
    }
  }
  FailedBatch failed{batch, goro::errorf("batch of {} events: flush failed after {} attempts: {:w}", batch.size(),
                                         kFlushAttempts, last)};
  if (goro::select(goro::on_send(dlq, std::move(failed)), goro::on_recv(ctx.done())) == 1) return ctx.err();
  return {};
}

}  // namespace

goro::Error run_batcher(const goro::Context& ctx, goro::Chan<Event> in, const Flush& flush,
                        goro::Chan<FailedBatch> dlq, goro::Duration max_wait) {
  if (goro::Error err = ctx.err()) return err;
  Batch batch;
  goro::Timer window = goro::new_timer(max_wait);
  window.stop();
  auto flush_pending = [&]() -> goro::Error {
    window.stop();
    Batch out;
    out.swap(batch);
    return deliver(ctx, out, flush, dlq);
  };
  for (;;) {
    Event ev;
    bool ok = false;
    switch (goro::select(goro::on_recv(in, &ev, &ok), goro::on_recv(window.c()), goro::on_recv(ctx.done()))) {
      case 0:
        if (!ok) return batch.empty() ? goro::Error{} : flush_pending();
        batch.push_back(ev);
        if (batch.size() == 1) window.reset(max_wait);
        if (batch.size() == kMaxBatch) {
          if (goro::Error err = flush_pending()) return err;
        }
        break;
      case 1:
        if (goro::Error err = flush_pending()) return err;
        break;
      default:
        return ctx.err();
    }
  }
}

}  // namespace dojo::ex19
