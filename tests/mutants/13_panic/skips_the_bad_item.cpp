// Mutant of exercise 13: transform recovers per item and skips the record that threw, and the
// other stages recover the same way. The pipeline "succeeds": the caller gets nil and never
// learns that a record was lost.
// mistake: swallowed-error
// expect: the panic was swallowed
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

// Runs one stage's loop in goro::catch_panic — Go's `defer func() { recover() }()` at the top of
// the goroutine. A throw anywhere inside becomes a PanicError (value and stack); the stage's name
// in front says where it happened. The loop's own Error (nil, gctx.err() or consume's) passes
// through catch_panic unchanged.
template <class Loop>
goro::Error guarded(const char* stage, Loop&& loop) {
  goro::Error err = goro::catch_panic(std::forward<Loop>(loop));
  if (err && goro::as<goro::PanicError>(err)) return goro::errorf("{}: {:w}", stage, err);
  return err;
}

}  // namespace

goro::Error run_pipeline(const goro::Context& ctx, int count, const Stages& stages) {
  if (goro::Error err = ctx.err()) return err;

  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto produced = goro::make_chan<int>();
  auto transformed = goro::make_chan<int>();

  g.go([gctx = gctx, produced, count, &stages]() -> goro::Error {
    goro::Error err = guarded("produce", [&]() -> goro::Error {
      for (int i = 0; i < count; ++i)
        if (!send(gctx, produced, stages.produce(i))) return gctx.err();
      return {};
    });
    produced.close();  // outside the guarded loop: closed after a panic too
    return err;
  });
  g.go([gctx = gctx, produced, transformed, &stages]() -> goro::Error {
    goro::Error err = guarded("transform", [&]() -> goro::Error {
      for (int v = 0; receive(gctx, produced, v);)
      {
        int out = 0;
        if (goro::catch_panic([&] { out = stages.transform(gctx, v); })) continue;  // skip it
        if (!send(gctx, transformed, out)) return gctx.err();
      }
      return gctx.err();  // nil when produced was closed and drained
    });
    transformed.close();
    return err;
  });
  g.go([gctx = gctx, transformed, &stages]() -> goro::Error {
    return guarded("consume", [&]() -> goro::Error {
      for (int v = 0; receive(gctx, transformed, v);)
        if (goro::Error err = stages.consume(gctx, v)) return goro::errorf("consume: {:w}", err);
      return gctx.err();
    });
  });

  // The first failure — a recovered panic or consume's error — cancelled gctx and is returned;
  // the other stages' gctx.err() came later and are dropped.
  return g.wait();
}

}  // namespace dojo::ex13
