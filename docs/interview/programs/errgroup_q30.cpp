// errgroup Q30: two tasks fail at the same moment with A and B. Which error does wait() return?
#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace errgroup_q30 {

void run(dojo::interview::Out& out) {
  const goro::Error a = goro::new_error("A");
  const goro::Error b = goro::new_error("B");
  goro::ErrGroup g;
  g.go([a] { return a; });
  g.go([b] { return b; });
  const goro::Error err = g.wait();
  out.line("wait returned {}", err);
}

}  // namespace errgroup_q30

DOJO_PROGRAM("errgroup-q30", errgroup_q30::run);
