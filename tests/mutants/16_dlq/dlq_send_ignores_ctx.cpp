// Mutant of exercise 16: the dead letter is sent with a plain dlq.send(...). It waits for the
// reader, as it should — but not for ctx: when nobody reads the DLQ any more and the caller
// gives up, the stage waits forever.
// mistake: blocked-send
// expect: deadlock: every task is blocked
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
      dlq.send(DeadLetter{item, reason});  // BUG: does not watch ctx
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
