// pipelines Q11: how does the group's context relate to its parent?
#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q11 {

void run(dojo::interview::Out& out) {
  {
    auto [parent, cancel_parent] = goro::with_cancel(goro::background());
    auto [g, ctx] = goro::ErrGroup::with_context(parent);
    g.go([] { return goro::new_error("stage failed"); });
    (void)ctx.done().recv();
    out.line("after the failure: group context {}, parent {}", ctx.err(), parent.err());
    const goro::Error err = g.wait();
    out.line("wait returned {}; parent after wait: {}", err, parent.err());
    cancel_parent();
  }
  {
    auto [parent, cancel_parent] = goro::with_cancel(goro::background());
    auto [g, ctx] = goro::ErrGroup::with_context(parent);
    g.go([ctx = ctx] {
      (void)ctx.done().recv();
      return ctx.err();
    });
    cancel_parent();
    const goro::Error err = g.wait();
    out.line("parent cancelled: group context {}, wait returned {}", ctx.err(), err);
  }
}

}  // namespace pipelines_q11

DOJO_PROGRAM("pipelines-q11", pipelines_q11::run);
