// pipelines Q9: retry a transient error inside the stage instead of returning it.
#include <chrono>
#include <cstddef>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q09 {

inline const goro::Error ErrTransient = goro::new_error("transient");
inline const goro::Error ErrFatal = goro::new_error("bad credentials");

// Fails with failures[i] on call i, succeeds once they are used up.
struct FlakyOp {
  std::vector<goro::Error> failures;
  int calls = 0;
  goro::Error operator()() {
    const auto i = static_cast<std::size_t>(calls++);
    return i < failures.size() ? failures[i] : goro::Error{};
  }
};

goro::Error with_retry(const goro::Context& ctx, FlakyOp& op, int max_attempts) {
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    goro::Error err = op();
    if (!err) return {};
    if (!goro::is(err, ErrTransient)) return err;  // permanent: no point trying again
    if (attempt + 1 == max_attempts) break;         // no pause after the last attempt
    auto pause = goro::new_timer((1 << attempt) * std::chrono::milliseconds(1));
    if (goro::select(goro::on_recv(ctx.done()), goro::on_recv(pause.c())) == 0) {
      pause.stop();
      return ctx.err();
    }
  }
  return goro::errorf("retries exhausted after {} attempts", max_attempts);
}

// One stage does the flaky call; a sibling stage ends when the first one finishes, or when the
// group's context is cancelled. Returns what the sibling saw.
void scenario(dojo::interview::Out& out, const char* name, FlakyOp op, bool retry) {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto finished = goro::make_chan<goro::Unit>();
  auto sibling = goro::make_chan<const char*>(1);
  g.go([ctx = ctx, &op, retry, finished] {
    goro::Error err = retry ? with_retry(ctx, op, 3) : op();
    if (!err) finished.close();
    return err;
  });
  g.go([ctx = ctx, finished, sibling]() -> goro::Error {
    if (goro::select(goro::on_recv(finished), goro::on_recv(ctx.done())) == 0) {
      sibling.send("finished normally");
      return {};
    }
    sibling.send("was cancelled");
    return ctx.err();
  });
  const goro::Error err = g.wait();
  out.line("{}: {} call(s), wait returned {}, sibling {}", name, op.calls, err, sibling.recv().value);
}

void run(dojo::interview::Out& out) {
  scenario(out, "no retry", FlakyOp{{ErrTransient}}, false);
  scenario(out, "retry, 2 transient failures", FlakyOp{{ErrTransient, ErrTransient}}, true);
  scenario(out, "retry, permanent failure", FlakyOp{{ErrFatal}}, true);
  scenario(out, "retry, always transient", FlakyOp{{ErrTransient, ErrTransient, ErrTransient}}, true);
}

}  // namespace pipelines_q09

DOJO_PROGRAM("pipelines-q09", pipelines_q09::run);
