// senior quiz 2: wait returns Canceled although nobody cancelled the parent. How?
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace senior_quiz_02 {

// A stage that runs its own inner group. The buggy version reports the inner context's err()
// instead of the error the inner group returned.
goro::Error write_stage(const goro::Context& ctx, const goro::Error& disk_full, bool buggy) {
  auto [inner, inner_ctx] = goro::ErrGroup::with_context(ctx);
  inner.go([disk_full] { return goro::errorf("write batch: {:w}", disk_full); });
  inner.go([c = inner_ctx] {
    (void)c.done().recv();  // a sibling that stops when the inner group is cancelled
    return c.err();
  });
  const goro::Error got = inner.wait();
  return buggy ? inner_ctx.err() : got;
}

void run(dojo::interview::Out& out) {
  const goro::Error disk_full = goro::new_error("disk full");
  for (const bool buggy : {true, false}) {
    auto [parent, cancel_parent] = goro::with_cancel(goro::background());
    auto [g, ctx] = goro::ErrGroup::with_context(parent);
    g.go([c = ctx, disk_full, buggy] { return write_stage(c, disk_full, buggy); });
    const goro::Error err = g.wait();
    out.line("{} stage: wait returned {}, parent err {}", buggy ? "buggy" : "fixed", err, parent.err());
    cancel_parent();
  }
}

}  // namespace senior_quiz_02

DOJO_PROGRAM("senior-quiz-02", senior_quiz_02::run);
