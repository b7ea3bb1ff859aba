// Mutant of exercise 16: done and dlq are closed only when `in` runs dry. On the other ways out
// (an already-cancelled ctx, a cancellation mid-stream) the stage returns without closing
// them, and a downstream stage ranging over done or dlq waits forever.
// mistake: missing-close
// expect: run_stage returned without closing `done` and `dlq`
#include "dlq.hpp"

namespace dojo::ex16 {

namespace {

template <class T>
bool send(const goro::Context& ctx, const goro::Chan<T>& ch, T v) {
  return goro::select(goro::on_send(ch, std::move(v)), goro::on_recv(ctx.done())) == 0;
}

bool wait(const goro::Context& ctx, goro::Duration d) {
  auto timer = goro::new_timer(d);
  if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 0) return true;
  timer.stop();
  return false;
}

goro::Error attempt(const goro::Context& ctx, const Item& item, const Process& process, goro::Duration backoff) {
  goro::Error err;
  for (int n = 1; n <= kAttempts; ++n) {
    if (goro::Error stop = ctx.err()) return stop;
    err = process(ctx, item);
    if (!err) return {};
    if (ctx.err()) return err;
    if (goro::is(err, ErrPoison)) return goro::errorf("item {}: poison: {:w}", item.id, err);
    if (n == kAttempts) break;
    if (!wait(ctx, backoff * (1 << (n - 1)))) return ctx.err();
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
    if (!ok) {  // BUG: the only path that closes done and dlq
      done.close();
      dlq.close();
      return {};
    }

    goro::Error reason = attempt(ctx, item, process, backoff);
    if (goro::Error err = ctx.err()) return err;
    const bool sent = reason ? send(ctx, dlq, DeadLetter{item, reason}) : send(ctx, done, item);
    if (!sent) return ctx.err();
  }
}

}  // namespace

goro::Error run_stage(const goro::Context& ctx, goro::Chan<Item> in, goro::Chan<Item> done, goro::Chan<DeadLetter> dlq,
                      const Process& process, goro::Duration base_backoff) {
  return drain(ctx, in, done, dlq, process, base_backoff);
}

}  // namespace dojo::ex16
