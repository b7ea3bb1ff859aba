// errgroup Q19: at the limit, go holds the producer back; nothing is dropped.
#include <atomic>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q19 {

void run(dojo::interview::Out& out) {
  goro::ErrGroup g;
  g.set_limit(1);
  auto gate = goro::make_chan<goro::Unit>();
  g.go([gate] {
    (void)gate.recv();  // holds the only slot
    return goro::Error{};
  });
  std::atomic<int> submitted{0}, ran{0};
  auto producer_done = goro::make_chan<goro::Unit>(1);
  goro::go([g, &submitted, &ran, producer_done] {
    for (int i = 0; i < 3; ++i) {
      g.go([&ran] {
        ran.fetch_add(1);
        return goro::Error{};
      });
      submitted.fetch_add(1);
    }
    producer_done.send(goro::Unit{});
  });
  out.line("slot held: producer got past {} of 3 go calls", submitted.load());
  gate.close();
  (void)producer_done.recv();
  const goro::Error err = g.wait();
  out.line("slot freed: wait returned {}; {} of 3 tasks ran", err, ran.load());
}

}  // namespace errgroup_q19

DOJO_PROGRAM("errgroup-q19", errgroup_q19::run);
