// errgroup Q13: "first error" means first returned in time, not first started.
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q13 {

void run(dojo::interview::Out& out) {
  const goro::Error early = goro::new_error("started first");
  const goro::Error late = goro::new_error("started second");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto gate = goro::make_chan<goro::Unit>();
  g.go([gate, early] {
    (void)gate.recv();
    return early;  // started first, fails last
  });
  g.go([late] { return late; });  // started second, fails at once
  (void)ctx.done().recv();
  gate.close();
  out.line("wait returned the error of the task {}", g.wait());
}

}  // namespace errgroup_q13

DOJO_PROGRAM("errgroup-q13", errgroup_q13::run);
