// errgroup Q14: first success wins: the finder returns a sentinel that cancels the others.
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q14 {

void run(dojo::interview::Out& out) {
  const goro::Error found = goro::new_error("found");
  constexpr int n = 5;
  constexpr int winner = 3;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  std::vector<goro::Error> seen(n);       // each task writes its own slot; read after wait
  auto never = goro::make_chan<goro::Unit>();  // the other searches would never end alone
  for (int i = 0; i < n; ++i) {
    g.go([i, &seen, never, found, ctx = ctx]() -> goro::Error {
      if (i == winner) return found;
      (void)goro::select(goro::on_recv(ctx.done()), goro::on_recv(never));
      seen[i] = ctx.err();
      return seen[i];
    });
  }
  const goro::Error err = g.wait();
  const goro::Error result = goro::is(err, found) ? goro::Error{} : err;
  int cancelled = 0;
  for (int i = 0; i < n; ++i)
    if (i != winner && seen[i] == goro::Canceled) ++cancelled;
  out.line("wait returned {}; the caller reports {}", err, result);
  out.line("searches stopped by cancellation: {} of {}", cancelled, n - 1);
}

}  // namespace errgroup_q14

DOJO_PROGRAM("errgroup-q14", errgroup_q14::run);
