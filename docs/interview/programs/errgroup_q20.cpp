// errgroup Q20: with_context on a parent that is already cancelled.
#include <atomic>

#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q20 {

void run(dojo::interview::Out& out) {
  auto [parent, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  out.line("group context before any task: {}", ctx.err());
  std::atomic<bool> ignorer_ran{false};
  g.go([ctx = ctx]() -> goro::Error {  // checks its context first
    if (goro::select(goro::on_recv(ctx.done()), goro::on_default()) == 0) return ctx.err();
    return {};
  });
  g.go([&ignorer_ran] {  // never looks at it
    ignorer_ran = true;
    return goro::Error{};
  });
  const goro::Error err = g.wait();
  out.line("wait returned {}; the task ignoring ctx ran anyway: {}", err, ignorer_ran.load());
}

}  // namespace errgroup_q20

DOJO_PROGRAM("errgroup-q20", errgroup_q20::run);
