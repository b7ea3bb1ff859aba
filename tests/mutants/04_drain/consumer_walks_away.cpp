// Mutant of exercise 04: stage 1 is a loose task and stage 2 runs in the caller. On a failure,
// stage 2 just returns the error. Nobody tells stage 1, which waits in its send for a receiver
// that is gone: the caller gets the right error, and a task leaks every time.
// mistake: leak
// expect: goroutine leak
#include "drain.hpp"

namespace dojo::ex04 {

goro::Error run(const goro::Context& ctx, int items, const Produce& produce, const Consume& consume) {
  if (goro::Error err = ctx.err()) return err;
  auto ch = goro::make_chan<int>();
  goro::go([ch, ctx, items, produce] {  // BUG: not in a group, and no context that stage 2 can cancel
    for (int n = 1; n <= items; ++n) {
      const int item = produce(n);
      if (goro::select(goro::on_send(ch, item), goro::on_recv(ctx.done())) == 1) break;
    }
    ch.close();
  });
  for (;;) {
    int item = 0;
    bool ok = false;
    if (goro::select(goro::on_recv(ch, &item, &ok), goro::on_recv(ctx.done())) == 1) return ctx.err();
    if (!ok) return {};
    if (goro::Error err = consume(ctx, item)) return goro::errorf("item {}: {:w}", item, err);  // stage 1 is stuck
  }
}

}  // namespace dojo::ex04
