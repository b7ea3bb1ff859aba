// production 2: what does ErrGroup::with_context hand back besides the group, and what state is
// that context in after wait?
#include <chrono>

#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/time.hpp"

namespace production_2 {

using namespace std::chrono_literals;

// A call that honours its context: 5 ms of work, or the context's error.
goro::Error call(const goro::Context& ctx) {
  if (goro::select(goro::on_recv(goro::after(5ms)), goro::on_recv(ctx.done())) == 1) return ctx.err();
  return {};
}

void run(dojo::interview::Out& out) {
  const goro::Error not_found = goro::new_error("user 42 not found");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([c = ctx] { return call(c); });
  const goro::Error err = g.wait();
  out.line("all succeeded: wait returned {}; ctx after wait: {}", err, ctx.err());
  out.line("a call made later with that ctx: {}", call(ctx));
  auto [g2, ctx2] = goro::ErrGroup::with_context(goro::background());
  g2.go([not_found] { return not_found; });
  g2.go([c = ctx2] { return call(c); });  // a sibling stopped by the failure
  const goro::Error err2 = g2.wait();
  out.line("one failed: wait returned {}; cause(ctx) = {}", err2, goro::cause(ctx2));
}

}  // namespace production_2

DOJO_PROGRAM("production-2", production_2::run);
