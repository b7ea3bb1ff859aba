// errgroup Q17: bound the total weight in flight with a weighted semaphore next to the group.
#include <atomic>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/semaphore.hpp"

namespace errgroup_q17 {

void run(dojo::interview::Out& out) {
  const std::vector<int> weights{1, 10, 1, 1, 10, 5, 5, 1, 3, 7, 2, 8};
  goro::Semaphore sem(10);
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  std::atomic<int> in_flight{0}, peak{0}, ran{0};
  for (int w : weights) {
    if (goro::Error err = sem.acquire(ctx, w)) {  // admission by weight, before go
      out.line("acquire failed: {}", err);
      break;
    }
    g.go([&, w] {
      const int now = in_flight.fetch_add(w) + w;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      goro::yield();
      in_flight.fetch_sub(w);
      ran.fetch_add(1);
      sem.release(w);
      return goro::Error{};
    });
  }
  const goro::Error err = g.wait();
  out.line("wait returned {}; {} tasks ran", err, ran.load());
  out.line("peak weight in flight within 10: {}", peak.load() <= 10);
}

}  // namespace errgroup_q17

DOJO_PROGRAM("errgroup-q17", errgroup_q17::run);
