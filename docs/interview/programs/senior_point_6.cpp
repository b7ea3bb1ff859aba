// senior point 6: what happens when a group that already finished is used for a second batch?
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace senior_point_6 {

void run(dojo::interview::Out& out) {
  const goro::Error batch1 = goro::new_error("batch 1: row 17 invalid");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([batch1] { return batch1; });
  out.line("batch 1: wait returned {}", g.wait());
  // Second batch on the same group: every task succeeds.
  auto saw = goro::make_chan<goro::Error>(1);
  g.go([c = ctx, saw] {
    saw.send(c.err());  // the context the batch was given
    return goro::Error{};
  });
  out.line("batch 2: its task found the context already {}", saw.recv().value);
  out.line("batch 2: wait returned {}", g.wait());
}

}  // namespace senior_point_6

DOJO_PROGRAM("senior-point-6", senior_point_6::run);
