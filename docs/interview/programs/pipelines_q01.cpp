// pipelines Q1: what does an ErrGroup add to a WaitGroup, and what does with_context add?
#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q01 {

void run(dojo::interview::Out& out) {
  // The zero group: waits for every task and keeps the first error. Nobody is told to stop.
  goro::ErrGroup plain;
  plain.go([] { return goro::new_error("boom"); });
  plain.go([] { return goro::Error{}; });
  out.line("zero group: wait returned {}", plain.wait());

  // with_context: the first error also cancels the group's context, with that error as cause.
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([] { return goro::new_error("boom"); });
  g.go([ctx = ctx] {
    (void)ctx.done().recv();  // only the group's cancellation ends this wait
    return ctx.err();
  });
  const goro::Error err = g.wait();
  out.line("with_context: wait returned {}", err);
  out.line("sibling's context: err {}, cause {}", ctx.err(), goro::cause(ctx));
}

}  // namespace pipelines_q01

DOJO_PROGRAM("pipelines-q01", pipelines_q01::run);
