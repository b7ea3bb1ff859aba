// Mutant of exercise 26: the tasks report to a results channel, and the collector returns the
// moment an error arrives: it cancels the others, but does not wait for them. The calls in flight
// are still running (cleaning up, writing into state the caller may already have freed) when
// parallel_map has returned. Everything the tasks touch is shared-owned here, so the mistake shows
// as a leak, not a crash.
// mistake: leak
// expect: call(s) of f were still running
#include <memory>

#include "parallel_map.hpp"

namespace dojo::ex26 {

namespace {
struct Outcome {
  std::size_t index = 0;
  int value = 0;
  goro::Error err;
};
}  // namespace

goro::Result<std::vector<int>> parallel_map(const goro::Context& ctx, const std::vector<int>& items, int limit,
                                            const MapFn& f) {
  std::vector<int> results(items.size());
  if (items.empty()) return results;
  auto [gctx, cancel] = goro::with_cancel(ctx);
  auto fn = std::make_shared<MapFn>(f);
  auto out = goro::make_chan<Outcome>(items.size());  // buffered: no task ever blocks on it
  auto sem = std::make_shared<goro::Semaphore>(limit);
  auto feeder_done = goro::make_chan<std::size_t>(1);
  // A feeder starts the tasks, at most `limit` at a time, and stops when gctx ends.
  goro::go([=, items = items] {
    std::size_t started = 0;
    for (std::size_t i = 0; i < items.size(); ++i, ++started) {
      if (sem->acquire(gctx)) break;
      goro::go([=, item = items[i]] {
        auto r = (*fn)(gctx, item);
        sem->release();
        if (!r)
          out.send(Outcome{i, 0, goro::errorf("item {}: {:w}", i, r.error())});
        else
          out.send(Outcome{i, *r, {}});
      });
    }
    feeder_done.send(started);
  });
  for (std::size_t got = 0; got < items.size(); ++got) {
    auto [o, ok] = out.recv();
    if (o.err) {
      cancel();
      return o.err;  // BUG: returns while the other calls (and the feeder) are still running
    }
    results[o.index] = o.value;
  }
  (void)feeder_done.recv();
  cancel();
  return results;
}

}  // namespace dojo::ex26
