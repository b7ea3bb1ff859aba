// errgroup Q3: what does with_context give back, and when does that context end?
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q03 {

void run(dojo::interview::Out& out) {
  const goro::Error down = goro::new_error("backend unavailable");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([down] { return down; });
  (void)ctx.done().recv();  // returns only because the failure cancelled the context
  out.line("a task failed, wait not called yet: err() = {}, cause() = {}", ctx.err(), goro::cause(ctx));
  out.line("wait returned {}", g.wait());

  auto [quiet, quiet_ctx] = goro::ErrGroup::with_context(goro::background());
  quiet.go([] { return goro::Error{}; });
  out.line("no failure: err() before wait = {}", quiet_ctx.err());
  const goro::Error quiet_err = quiet.wait();
  out.line("wait returned {}; err() after wait = {}", quiet_err, quiet_ctx.err());
}

}  // namespace errgroup_q03

DOJO_PROGRAM("errgroup-q03", errgroup_q03::run);
