// errgroup Q12: does the group recover a panic in a task? Only if the task recovers it itself.
#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/recover.hpp"

namespace errgroup_q12 {

void run(dojo::interview::Out& out) {
  goro::ErrGroup safe;
  safe.go([] { return goro::catch_panic([]() -> goro::Error { goro::panic("index out of range [5] with length 3"); }); });
  out.line("recovered inside the task: wait returned \"{}\"", safe.wait());

  goro::ErrGroup g;
  g.go([]() -> goro::Error { goro::panic("index out of range [5] with length 3"); });
  out.line("not recovered: wait returned \"{}\"", g.wait());  // never printed: the run ends above
}

}  // namespace errgroup_q12

DOJO_PROGRAM("errgroup-q12", errgroup_q12::run, dojo::interview::Modes::simulation);
