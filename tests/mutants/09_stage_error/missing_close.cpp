// Mutant of exercise 09: store ranges over its input (for (int v : in), a fine design while
// transform closes its channel on every path), but the transform task returns without closing
// it. Store waits for a value or a close that never comes, and the pipeline never finishes,
// even on a run where nothing failed.
// mistake: missing-close
// expect: your function returns
#include "stage_error.hpp"

namespace dojo::ex09 {

// The stage comes first, so logs and the caller read at once where things went wrong.
std::string StageError::message() const { return fmt::format("{}: {}", stage, cause); }

// Without this, goro::is(err, ErrSyntax) would stop at the StageError and answer false.
goro::Error StageError::unwrap() const { return cause; }

namespace {

// The one place where a stage's name is attached to its failure. make_error, not errorf: only a
// typed error lets the caller read the stage back with goro::as<StageError>.
goro::Error stage_failed(const char* stage, goro::Error cause) {
  return goro::make_error(StageError{stage, std::move(cause)});
}

// Each stage is a plain function returning the stage's error; its task closes the stage's output
// channel on every path afterwards (Go's `defer close(out)`).

goro::Error parse_all(const goro::Context& gctx, const std::vector<std::string>& lines, const Stages& stages,
                      const goro::Chan<int>& out) {
  for (const std::string& line : lines) {
    auto [value, err] = stages.parse(gctx, line);
    if (err) return stage_failed("parse", err);
    // Not a plain send: once a later stage has failed, nobody receives any more.
    if (goro::select(goro::on_send(out, value), goro::on_recv(gctx.done())) == 1)
      return gctx.err();  // stopped, not failed: no StageError
  }
  return {};
}

goro::Error transform_all(const goro::Context& gctx, const Stages& stages, const goro::Chan<int>& in,
                          const goro::Chan<int>& out) {
  for (;;) {
    int value = 0;
    bool ok = false;
    if (goro::select(goro::on_recv(in, &value, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
    if (!ok) return {};  // parse has finished and everything it sent is through
    auto [result, err] = stages.transform(gctx, value);
    if (err) return stage_failed("transform", err);
    if (goro::select(goro::on_send(out, result), goro::on_recv(gctx.done())) == 1) return gctx.err();
  }
}

goro::Error store_all(const goro::Context& gctx, const Stages& stages, const goro::Chan<int>& in) {
  for (int value : in)  // ends when transform closes `in` (after a failure too)
    if (goro::Error err = stages.store(gctx, value)) return stage_failed("store", err);
  return {};
}

}  // namespace

goro::Error run_pipeline(const goro::Context& ctx, const std::vector<std::string>& lines, const Stages& stages) {
  if (goro::Error err = ctx.err()) return err;

  // The first StageError returned cancels gctx, which stops the other two stages; wait() then
  // returns that first error (the other stages' gctx.err() come later and are dropped).
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto parsed = goro::make_chan<int>();
  auto transformed = goro::make_chan<int>();

  g.go([gctx = gctx, parsed, &lines, &stages]() -> goro::Error {
    goro::Error err = parse_all(gctx, lines, stages, parsed);
    parsed.close();  // the only sender closes, on every path
    return err;
  });
  g.go([gctx = gctx, parsed, transformed, &stages]() -> goro::Error {
    return transform_all(gctx, stages, parsed, transformed);  // BUG: `transformed` is never closed
  });
  g.go([gctx = gctx, transformed, &stages]() -> goro::Error { return store_all(gctx, stages, transformed); });

  return g.wait();
}

}  // namespace dojo::ex09
