// Mutant of exercise 08: the failures travel over a channel, drained once every task is done.
// But the channel has no buffer: a failing task's send waits for a receiver, and the receiver
// only starts after wg.wait(), which waits for that very task. The first failure hangs it all.
// (A buffer of items.size() would hold every failure until the drain.)
// mistake: blocked-send
// expect: chan send
#include "aggregate.hpp"

namespace dojo::ex08 {

goro::Error process_all(const goro::Context& ctx, const std::vector<int>& items, const ItemFn& fn) {
  if (goro::Error err = ctx.err()) return err;
  auto errc = goro::make_chan<goro::Error>();  // BUG: unbuffered, and nobody receives until the end
  goro::WaitGroup wg;
  for (int item : items) {
    wg.go([&ctx, &fn, errc, item] {
      goro::Error err = fn(ctx, item);
      if (!err) return;
      errc.send(goro::errorf("item {}: {:w}", item, err));
    });
  }
  wg.wait();
  errc.close();
  std::vector<goro::Error> errs;
  for (goro::Error err : errc) errs.push_back(err);
  return goro::join(errs);
}

}  // namespace dojo::ex08
