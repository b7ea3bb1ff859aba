// Mutant of exercise 16: the dead-letter send has a default case, "so that a slow DLQ never
// holds the pipeline up". Whenever the DLQ reader is busy with the previous dead letter, the
// item is silently dropped: it is in neither done nor dlq, and nobody will ever know.
// mistake: lost-item
// expect: lost (in neither done nor dlq)
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
    if (!ok) return {};

    goro::Error reason = attempt(ctx, item, process, backoff);
    if (goro::Error err = ctx.err()) return err;
    if (reason) {
      // BUG: a busy DLQ reader means the dead letter is dropped
      (void)goro::select(goro::on_send(dlq, DeadLetter{item, reason}), goro::on_recv(ctx.done()), goro::on_default());
      if (goro::Error err = ctx.err()) return err;
      continue;
    }
    if (!send(ctx, done, item)) return ctx.err();
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
