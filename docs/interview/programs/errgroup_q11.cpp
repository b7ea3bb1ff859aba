// errgroup Q11: the step after wait() is given the group's context, which wait has cancelled.
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q11 {

// The next step: gives up at once if its context is already done.
goro::Error do_b(const goro::Context& c) {
  if (goro::select(goro::on_recv(c.done()), goro::on_default()) == 0) return c.err();
  return {};
}

void run(dojo::interview::Out& out) {
  auto [parent, cancel_parent] = goro::with_cancel(goro::background());
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  g.go([] { return goro::Error{}; });
  out.line("do_a group: wait returned {}", g.wait());
  out.line("do_b(group ctx) returned {}", do_b(ctx));
  out.line("do_b(parent) returned {}", do_b(parent));
  cancel_parent();
}

}  // namespace errgroup_q11

DOJO_PROGRAM("errgroup-q11", errgroup_q11::run);
