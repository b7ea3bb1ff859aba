// errgroup Q24: a task frees its slot before it counts as done, so after wait() every slot is free.
#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/recover.hpp"

namespace errgroup_q24 {

void run(dojo::interview::Out& out) {
  goro::ErrGroup g;
  g.set_limit(1);
  int panics = 0;
  for (int round = 0; round < 20; ++round) {
    g.go([] { return goro::Error{}; });
    (void)g.wait();
    if (goro::catch_panic([&] { g.set_limit(1); })) ++panics;  // legal only with no slot held
  }
  out.line("20 rounds of go, wait, set_limit: {} panics", panics);
  g.set_limit(2);
  auto gate = goro::make_chan<goro::Unit>();
  auto hold = [gate] {
    (void)gate.recv();
    return goro::Error{};
  };
  const bool t1 = g.try_go(hold);
  const bool t2 = g.try_go(hold);
  const bool t3 = g.try_go(hold);
  out.line("limit 2 after those waits: try_go {}, {}, {}", t1, t2, t3);
  gate.close();
  out.line("wait returned {}", g.wait());
}

}  // namespace errgroup_q24

DOJO_PROGRAM("errgroup-q24", errgroup_q24::run);
