// pipelines Q2: one task fails at once, the other waits for the context or a 1 s timer.
// What is printed?
#include <chrono>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q02 {

void run(dojo::interview::Out& out) {
  using namespace std::chrono_literals;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto timer = goro::new_timer(1s);
  auto second = goro::make_chan<goro::Error>(1);
  g.go([] { return goro::new_error("first"); });
  g.go([ctx = ctx, timer, second] {
    goro::Error e;
    if (goro::select(goro::on_recv(ctx.done()), goro::on_recv(timer.c())) == 0)
      e = ctx.err();
    else
      e = goro::new_error("second");
    second.send(e);
    return e;
  });
  const goro::Error err = g.wait();
  timer.stop();
  out.line("second task returned: {}", second.recv().value);
  out.line("printed: {}", err);
}

}  // namespace pipelines_q02

DOJO_PROGRAM("pipelines-q02", pipelines_q02::run);
