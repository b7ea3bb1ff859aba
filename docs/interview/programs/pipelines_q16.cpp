// pipelines Q16: recovering a panic in a group task, and why a recover in the caller does not help.
#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q16 {

void run(dojo::interview::Out& out) {
  {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    auto sibling = goro::make_chan<goro::Error>(1);
    g.go([] {  // recover inside the task itself: the panic becomes its returned error
      return goro::catch_panic([]() -> goro::Error { goro::panic("unexpected token at line 3"); });
    });
    g.go([ctx = ctx, sibling] {
      (void)ctx.done().recv();
      sibling.send(ctx.err());
      return ctx.err();
    });
    const goro::Error err = g.wait();
    const auto p = goro::as<goro::PanicError>(err);
    out.line("recovered in the task: wait returned \"{}\", a PanicError: {}, stack kept: {}", err,
             p.has_value(), p && !p->stack.empty());
    out.line("sibling returned {}", sibling.recv().value);
  }
  // A catch_panic around starting and waiting does not cover the task: the panic is not caught.
  const goro::Error caught = goro::catch_panic([] {
    goro::ErrGroup h;
    h.go([]() -> goro::Error { goro::panic("boom"); });
    return h.wait();
  });
  out.line("recovered in the caller: {}", caught);  // never printed
}

}  // namespace pipelines_q16

DOJO_PROGRAM("pipelines-q16", pipelines_q16::run, dojo::interview::Modes::simulation);
