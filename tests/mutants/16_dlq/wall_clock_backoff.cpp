// Mutant of exercise 16: the backoff is std::this_thread::sleep_for. It blocks the thread
// without telling the runtime: the runtime's clock does not move (on the virtual clock the
// three attempts all happen at +0), and a cancelled caller has to wait it out.
// mistake: wall-clock-sleep
// expect: slept on the wall clock
#include "dlq.hpp"

#include <thread>

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
    if (ctx.err()) return err;
    if (goro::is(err, ErrPoison)) return goro::errorf("item {}: poison: {:w}", item.id, err);
    if (n == kAttempts) break;
    std::this_thread::sleep_for(backoff * (1 << (n - 1)));  // BUG: the wall clock, not the runtime's
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
