// errgroup Q10: the group's context is not passed to the fetch: after a failure it runs on.
#include <atomic>

#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q10 {

void run(dojo::interview::Out& out) {
  const goro::Error failed = goro::new_error("fetch /b: 503");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto slow = goro::make_chan<goro::Unit>();  // the slow download finishes when this closes
  std::atomic<bool> ignorer_done{false};
  auto watcher_saw = goro::make_chan<goro::Error>(1);
  g.go([slow, &ignorer_done] {  // fetch(url): never looks at ctx
    (void)slow.recv();
    ignorer_done = true;
    return goro::Error{};
  });
  g.go([ctx = ctx, slow, watcher_saw] {  // fetch(ctx, url): gives up when ctx ends
    (void)goro::select(goro::on_recv(ctx.done()), goro::on_recv(slow));
    watcher_saw.send(ctx.err());
    return ctx.err();
  });
  g.go([failed] { return failed; });
  out.line("the task given ctx stopped with: {}", watcher_saw.recv().value);
  out.line("the task without ctx had finished: {}", ignorer_done.load());
  slow.close();
  const goro::Error err = g.wait();  // could not return before the slow one did
  out.line("wait returned \"{}\" once the slow task was done ({})", err, ignorer_done.load());
}

}  // namespace errgroup_q10

DOJO_PROGRAM("errgroup-q10", errgroup_q10::run);
