// errgroup Q9: try_go never blocks: it says true and starts f, or says false and does nothing.
#include <atomic>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q09 {

void run(dojo::interview::Out& out) {
  auto gate = goro::make_chan<goro::Unit>();
  auto hold = [gate] {
    (void)gate.recv();
    return goro::Error{};
  };
  goro::ErrGroup g;
  g.set_limit(1);
  const bool first = g.try_go(hold);
  std::atomic<bool> ran{false};
  const bool second = g.try_go([&ran] {
    ran = true;
    return goro::Error{};
  });
  out.line("limit 1: first try_go {}, second try_go {}", first, second);
  gate.close();
  (void)g.wait();
  out.line("the refused function ever ran: {}", ran.load());

  goro::ErrGroup unlimited;
  int accepted = 0;
  for (int i = 0; i < 50; ++i)
    if (unlimited.try_go([] { return goro::Error{}; })) ++accepted;
  (void)unlimited.wait();
  out.line("no limit: {} of 50 accepted", accepted);
}

}  // namespace errgroup_q09

DOJO_PROGRAM("errgroup-q09", errgroup_q09::run);
