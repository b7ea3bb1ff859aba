// pipelines Q13: one fetch fails, another ignores the context. When does wait return?
#include <chrono>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q13 {

// A slow call that ignores the context: nothing can cut it short.
goro::Error slow_ignoring_ctx() {
  goro::sleep(std::chrono::hours(1));
  return {};
}

// The same call, giving up as soon as the context ends.
goro::Error slow_with_ctx(const goro::Context& ctx) {
  auto t = goro::new_timer(std::chrono::hours(1));
  if (goro::select(goro::on_recv(ctx.done()), goro::on_recv(t.c())) == 0) {
    t.stop();
    return ctx.err();
  }
  return {};
}

void run(dojo::interview::Out& out) {
  for (bool honour : {false, true}) {
    const goro::Time start = goro::now();
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    g.go([] { return goro::new_error("url 1: connection refused"); });
    g.go([ctx = ctx, honour] { return honour ? slow_with_ctx(ctx) : slow_ignoring_ctx(); });
    const goro::Error err = g.wait();
    out.line("{}: wait returned \"{}\" after {}", honour ? "honouring ctx" : "ignoring ctx", err,
             goro::format_duration(goro::since(start)));
  }
}

}  // namespace pipelines_q13

DOJO_PROGRAM("pipelines-q13", pipelines_q13::run, dojo::interview::Modes::simulation);
