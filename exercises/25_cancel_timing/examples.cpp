// Visible examples for exercise 25. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules (virtual clock: the measurements are
// exact) and once on real threads (where every duration is a tenth as long, the limit is roomy
// when the pipeline is meant to pass, and only lower bounds on time are checked).
//
// The story: an image pipeline — decode, resize, upload — must stop within 100 ms of being
// cancelled. Its stages are named tasks, so that a slow one can be pointed at.
#include <string>
#include <vector>

#include "cancel_timing.hpp"
#include "grader.hpp"

using dojo::ex25::check_prompt;
using dojo::ex25::MeasureOptions;
using dojo::ex25::SlowCancelError;
using namespace std::chrono_literals;

namespace {

// A stage that works until its context ends and then returns at once (tail = 0), or first
// finishes the image in hand, which takes `tail` (it does not look at ctx meanwhile).
goro::Error stage(const goro::Context& ctx, const std::string& name, goro::Duration tail) {
  goro::select(goro::on_recv(ctx.done()));
  goro::sleep(tail);
  return goro::errorf("{}: {:w}", name, ctx.err());
}

// decode, resize and upload, each a named task; resize needs `resize_tail` after the cancel.
goro::Error image_pipeline(const goro::Context& ctx, goro::Duration resize_tail) {
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.go_named("decode", [c = gctx] { return stage(c, "decode", 0ms); });
  g.go_named("resize", [c = gctx, resize_tail] { return stage(c, "resize", resize_tail); });
  g.go_named("upload", [c = gctx] { return stage(c, "upload", 0ms); });
  return g.wait();
}

}  // namespace

DOJO_CHECK("example: every stage stops at once: check_prompt returns nil",
           "Cancel after cancel_after, then measure from the cancel to the pipeline's return with "
           "goro::now(); a latency within the limit is a pass (nil).") {
  // On real threads: 100 ms before the cancel, and a roomy limit that a busy machine cannot miss.
  const MeasureOptions opts = check.deterministic() ? MeasureOptions{} : MeasureOptions{100ms, 2s, 5s};
  check.say("calling check_prompt(background, decode → resize → upload, every stage listening to ctx)");
  goro::Error err = check_prompt(goro::background(), [](const goro::Context& ctx) { return image_pipeline(ctx, 0ms); },
                                 opts);
  check.expect_ok(err, "check_prompt(...)");
}

DOJO_CHECK("example: resize finishes its image after the cancel: a SlowCancelError of 250ms that names it",
           "Measure from the cancel, on goro::now(); when the latency exceeds the limit, return "
           "goro::make_error(SlowCancelError{...}) with the names of the tasks still alive at the limit.") {
  const goro::Duration tail = check.deterministic() ? 250ms : 25ms;
  const MeasureOptions opts = check.deterministic() ? MeasureOptions{} : MeasureOptions{100ms, 10ms, 5s};
  check.say(fmt::format("calling check_prompt(background, decode → resize → upload), where resize still needs {} "
                        "after the cancel",
                        goro::format_duration(tail)));
  goro::Error err = check_prompt(goro::background(), [tail](const goro::Context& ctx) { return image_pipeline(ctx, tail); },
                                 opts);
  auto slow = check.expect_as<SlowCancelError>(err, "SlowCancelError");
  if (check.deterministic()) {
    check.expect_eq(goro::format_duration(slow.latency), std::string("250ms"), "SlowCancelError::latency");
    check.expect_eq(slow.stages, std::vector<std::string>{"resize"}, "SlowCancelError::stages");
  } else {
    check.expect(slow.latency >= tail, "a latency of at least " + goro::format_duration(tail),
                 "a latency of " + goro::format_duration(slow.latency));
  }
}

DOJO_CHECK("example: a pipeline that returns before the cancel: ErrNothingToMeasure",
           "If the pipeline returns before cancel_after, there was no cancel to measure: say so instead of "
           "reporting a latency.") {
  check.say("calling check_prompt(background, a pipeline that returns nil at once)");
  goro::Error err = check_prompt(goro::background(), [](const goro::Context&) { return goro::Error{}; });
  check.expect_is(err, dojo::ex25::ErrNothingToMeasure, "ErrNothingToMeasure");
}
