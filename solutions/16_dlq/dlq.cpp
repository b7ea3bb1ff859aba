// Exercise 16 — dlq: reference solution.
#include "dlq.hpp"

namespace dojo::ex16 {

namespace {

// Sends v on ch, waiting for the reader as long as it takes — unless ctx ends first. False: ctx
// ended and v was not delivered. Never a default case here: a busy reader is no reason to drop
// an item.
template <class T>
bool send(const goro::Context& ctx, const goro::Chan<T>& ch, T v) {
  return goro::select(goro::on_send(ch, std::move(v)), goro::on_recv(ctx.done())) == 0;
}

// Waits d on the runtime's clock, or less if ctx ends first. False: ctx ended.
bool wait(const goro::Context& ctx, goro::Duration d) {
  auto timer = goro::new_timer(d);
  if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 0) return true;
  timer.stop();
  return false;
}

// Up to kAttempts attempts at one item. Nil: an attempt succeeded. Otherwise the reason to
// dead-letter it — unless ctx has ended, which the caller asks ctx itself about afterwards.
goro::Error attempt(const goro::Context& ctx, const Item& item, const Process& process, goro::Duration backoff) {
  goro::Error err;
  for (int n = 1; n <= kAttempts; ++n) {
    if (goro::Error stop = ctx.err()) return stop;  // no attempt starts after ctx ended
    err = process(ctx, item);
    if (!err) return {};
    if (ctx.err()) return err;  // the failure may be the cancellation's: not the item's fault
    // Poison: no attempt can help. Dead-letter it now, without a wait.
    if (goro::is(err, ErrPoison)) return goro::errorf("item {}: poison: {:w}", item.id, err);
    if (n == kAttempts) break;  // no wait after the last attempt
    if (!wait(ctx, backoff * (1 << (n - 1)))) return ctx.err();
  }
  // {:w}, not {}: whoever drains the DLQ must still be able to ask goro::is / goro::as what went wrong.
  return goro::errorf("item {}: gave up after {} attempts: {:w}", item.id, kAttempts, err);
}

goro::Error drain(const goro::Context& ctx, const goro::Chan<Item>& in, const goro::Chan<Item>& done,
                  const goro::Chan<DeadLetter>& dlq, const Process& process, goro::Duration backoff) {
  for (;;) {
    if (goro::Error err = ctx.err()) return err;  // a cancelled caller: take nothing more
    Item item;
    bool ok = false;
    if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(ctx.done())) == 1) return ctx.err();
    if (!ok) return {};  // `in` closed and drained: every item has been handled

    goro::Error reason = attempt(ctx, item, process, backoff);
    // Decided by ctx, not by the error: an attempt's own timeout is the item's failure, while
    // after ctx ended the item in hand goes nowhere (the caller will redeliver it).
    if (goro::Error err = ctx.err()) return err;
    // Exactly one send per item, after its last attempt: on done or on dlq, never both.
    const bool sent = reason ? send(ctx, dlq, DeadLetter{item, reason}) : send(ctx, done, item);
    if (!sent) return ctx.err();
    // A dead letter is not a failure of the stage: go on with the next item.
  }
}

}  // namespace

goro::Error run_stage(const goro::Context& ctx, goro::Chan<Item> in, goro::Chan<Item> done, goro::Chan<DeadLetter> dlq,
                      const Process& process, goro::Duration base_backoff) {
  // The loop may leave by several returns; the two closes sit after it, so that they run on
  // every path (Go: defer close(done); defer close(dlq)). `in` is the caller's: left open.
  goro::Error err = drain(ctx, in, done, dlq, process, base_backoff);
  done.close();
  dlq.close();
  return err;
}

}  // namespace dojo::ex16
