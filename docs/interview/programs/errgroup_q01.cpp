// errgroup Q1: what does a group do? It runs tasks together, waits for all of them and reports a failure.
#include <atomic>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q01 {

void run(dojo::interview::Out& out) {
  const goro::Error failed = goro::new_error("task 2 failed");
  goro::ErrGroup g;
  auto gate = goro::make_chan<goro::Unit>();
  std::atomic<int> finished{0};
  for (int i = 0; i < 4; ++i) {
    g.go([gate, &finished, i, failed]() -> goro::Error {
      (void)gate.recv();  // all four are in flight at the same time
      finished.fetch_add(1);
      return i == 2 ? failed : goro::Error{};
    });
  }
  out.line("go returned 4 times; finished so far: {}", finished.load());
  gate.close();
  const goro::Error err = g.wait();
  out.line("wait returned \"{}\" after {} of 4 tasks finished", err, finished.load());
}

}  // namespace errgroup_q01

DOJO_PROGRAM("errgroup-q01", errgroup_q01::run);
