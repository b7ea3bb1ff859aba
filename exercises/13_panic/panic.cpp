// Exercise 13 — panic. Edit this file, then run: ./dojo grade 13
//
// The pipeline below works — until a stage function throws. Then the exception escapes its task,
// and the whole program ends, as an unrecovered panic does in Go. Your task (the full statement
// is in README.md):
//   1. In each of the three tasks, run the stage's loop inside goro::catch_panic(...), so that an
//      exception becomes an error holding a goro::PanicError (the value and the stack).
//   2. Wrap a recovered panic with the stage's name: goro::errorf("<stage>: {:w}", err). Leave the
//      loop's other results (nil, gctx.err(), consume's wrapped error) as they are.
//   3. Keep each close() where it runs after a panic too: outside the recovered part.
#include "panic.hpp"

namespace dojo::ex13 {

namespace {

// Sends v on out unless the group's context ends first. False: stop (the pipeline is over).
bool send(const goro::Context& gctx, const goro::Chan<int>& out, int v) {
  return goro::select(goro::on_send(out, v), goro::on_recv(gctx.done())) == 0;
}

// Receives the next value from in. False: in is closed and drained, or the context ended.
bool receive(const goro::Context& gctx, const goro::Chan<int>& in, int& v) {
  bool ok = false;
  if (goro::select(goro::on_recv(in, &v, &ok), goro::on_recv(gctx.done())) == 1) return false;
  return ok;
}

}  // namespace

goro::Error run_pipeline(const goro::Context& ctx, int count, const Stages& stages) {
  if (goro::Error err = ctx.err()) return err;

  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto produced = goro::make_chan<int>();
  auto transformed = goro::make_chan<int>();

  g.go([gctx = gctx, produced, count, &stages]() -> goro::Error {
    // TODO: a throw in stages.produce must become "produce: panic: ..." instead of a crash.
    goro::Error err;
    for (int i = 0; i < count && !err; ++i)
      if (!send(gctx, produced, stages.produce(i))) err = gctx.err();
    produced.close();
    return err;
  });
  g.go([gctx = gctx, produced, transformed, &stages]() -> goro::Error {
    // TODO: the same for stages.transform ("transform: panic: ...").
    goro::Error err;
    for (int v = 0; !err && receive(gctx, produced, v);)
      if (!send(gctx, transformed, stages.transform(gctx, v))) err = gctx.err();
    if (!err) err = gctx.err();
    transformed.close();
    return err;
  });
  g.go([gctx = gctx, transformed, &stages]() -> goro::Error {
    // TODO: and for stages.consume ("consume: panic: ...").
    for (int v = 0; receive(gctx, transformed, v);)
      if (goro::Error err = stages.consume(gctx, v)) return goro::errorf("consume: {:w}", err);
    return gctx.err();
  });

  return g.wait();
}

}  // namespace dojo::ex13
