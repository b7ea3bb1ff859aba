// senior tricky 4: when does the context made by ErrGroup::with_context get cancelled?
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace senior_tricky_4 {

void run(dojo::interview::Out& out) {
  const goro::Error parse_failed = goro::new_error("parse failed");
  {  // 1. a task returns an error
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    g.go([parse_failed] { return parse_failed; });
    (void)ctx.done().recv();
    out.line("a task failed: err {}, cause {}", ctx.err(), goro::cause(ctx));
    (void)g.wait();
  }
  {  // 2. the parent is cancelled; the task then returns nil
    auto [parent, cancel] = goro::with_cancel(goro::background());
    auto [g, ctx] = goro::ErrGroup::with_context(parent);
    g.go([c = ctx] {
      (void)c.done().recv();
      return goro::Error{};
    });
    cancel();
    (void)ctx.done().recv();
    out.line("parent cancelled: err {}, cause {}", ctx.err(), goro::cause(ctx));
    out.line("parent cancelled: wait returned {}", g.wait());
  }
  {  // 3. every task succeeds
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    g.go([] { return goro::Error{}; });
    out.line("all succeeded, before wait: err {}", ctx.err());
    (void)g.wait();
    out.line("all succeeded, after wait: err {}, cause {}", ctx.err(), goro::cause(ctx));
  }
}

}  // namespace senior_tricky_4

DOJO_PROGRAM("senior-tricky-4", senior_tricky_4::run);
