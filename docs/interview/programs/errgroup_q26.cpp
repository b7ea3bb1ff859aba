// errgroup Q26: the group cancels with a cause: err() says Canceled, cause() names the failure.
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q26 {

void run(dojo::interview::Out& out) {
  const goro::Error doom = goro::new_error("shard 3: checksum mismatch");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto sibling_saw = goro::make_chan<goro::Error>(1);
  g.go([ctx = ctx, sibling_saw] {  // a sibling reads why it was stopped
    (void)ctx.done().recv();
    sibling_saw.send(goro::cause(ctx));
    return ctx.err();
  });
  g.go([doom] { return doom; });
  const goro::Error why = sibling_saw.recv().value;
  out.line("sibling: err() = {}, cause() = {}", ctx.err(), why);
  out.line("wait returned {}", g.wait());

  auto [quiet, quiet_ctx] = goro::ErrGroup::with_context(goro::background());
  quiet.go([] { return goro::Error{}; });
  (void)quiet.wait();
  out.line("no failure: after wait cause() = {}", goro::cause(quiet_ctx));
}

}  // namespace errgroup_q26

DOJO_PROGRAM("errgroup-q26", errgroup_q26::run);
