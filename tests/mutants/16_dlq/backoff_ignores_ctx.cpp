// Mutant of exercise 16: the backoff is a plain goro::sleep, and ctx is only looked at after
// it. A caller who cancels during a backoff hears back only when the wait is over; so does one
// whose cancellation made the attempt fail.
// mistake: ignored-cancellation
// expect: run_stage returns the moment ctx is cancelled
#include "dlq.hpp"

namespace dojo::ex16 {

namespace {

template <class T>
bool send(const goro::Context& ctx, const goro::Chan<T>& ch, T v) {
  return goro::select(goro::on_send(ch, std::move(v)), goro::on_recv(ctx.done())) == 0;
}

goro::Error attempt(const goro::Context& ctx, const Item& item, const Process& process, goro::Duration backoff) {
  goro::Error err;
  for (int n = 1; n <= kAttempts; ++n) {
    if (goro::Error stop = ctx.err()) return stop;
    err = process(ctx, item);
    if (!err) return {};
    if (goro::is(err, ErrPoison)) return goro::errorf("item {}: poison: {:w}", item.id, err);
    if (n == kAttempts) break;
    goro::sleep(backoff * (1 << (n - 1)));  // BUG: cannot be cut short by ctx
  }
  return goro::errorf("item {}: gave up after {} attempts: {:w}", item.id, kAttempts, err);
}

goro::Error drain(const goro::Context& ctx, const goro::Chan<Item>& in, const goro::Chan<Item>& done,
                  const goro::Chan<DeadLetter>& dlq, const Process& process, goro::Duration backoff) {
  for (;;) {
    if (goro::Error err = ctx.err()) return err;
    Item item;
    bool ok = false;
    if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(ctx.done())) == 1) return ctx.err();
    if (!ok) return {};

    goro::Error reason = attempt(ctx, item, process, backoff);
    if (goro::Error err = ctx.err()) return err;
    const bool sent = reason ? send(ctx, dlq, DeadLetter{item, reason}) : send(ctx, done, item);
    if (!sent) return ctx.err();
  }
}

}  // namespace

goro::Error run_stage(const goro::Context& ctx, goro::Chan<Item> in, goro::Chan<Item> done, goro::Chan<DeadLetter> dlq,
                      const Process& process, goro::Duration base_backoff) {
  goro::Error err = drain(ctx, in, done, dlq, process, base_backoff);
  done.close();
  dlq.close();
  return err;
}

}  // namespace dojo::ex16
