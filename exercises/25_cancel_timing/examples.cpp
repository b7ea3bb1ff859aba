// Visible examples for exercise 25. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules (virtual clock: the measurements are
// exact) and once on real threads (where every duration is a tenth as long, the limit is roomy
// when the pipeline is meant to pass, and only lower bounds on time are checked).
//
// The story: an image pipeline — decode, resize, upload — must stop within 100 ms of being
// cancelled. Its stages are named tasks, so that a slow one can be pointed at.
#include <memory>
#include <string>
#include <vector>

#include "cancel_timing.hpp"
#include "grader.hpp"

using dojo::ex25::check_prompt;
using dojo::ex25::measure_cancel;
using dojo::ex25::MeasureOptions;
using dojo::ex25::SlowCancelError;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

const char* const kHintMeasure =
    "The latency runs from the cancel to the pipeline's return, both moments read from goro::now(): the "
    "time the pipeline worked before the cancel does not count, and std::chrono's clocks do not see the "
    "virtual clock the grader runs on.";

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

// An error and its wrap chain, for messages that go on after it.
std::string described(const goro::Error& err) {
  std::string s = dojo::grader::Check::describe_error(err);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
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
  // A latency as long as the time before the cancel: it was counted from the pipeline's start.
  if (auto slow = goro::as<SlowCancelError>(err); slow && check.deterministic() && slow->latency >= opts.cancel_after)
    check.fail("check_prompt(...): no error (every stage returns the moment ctx ends: a latency of 0s)",
               fmt::format("{}\na latency of {}: that counts the {} the pipeline ran before the cancel",
                           described(err), goro::format_duration(slow->latency),
                           goro::format_duration(opts.cancel_after)),
               {mistake::wrong_timing, kHintMeasure});
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
  if (!err && check.deterministic()) {
    // Passed although resize was 250ms late: what did the tool measure?
    check.say("check_prompt returned nil; calling measure_cancel(background, the same pipeline) to see the latency "
              "it measures");
    const auto r = measure_cancel(goro::background(), [tail](const goro::Context& ctx) { return image_pipeline(ctx, tail); },
                                  opts);
    if (r.latency != tail && !r.finished_before_cancel && !r.stuck)
      check.fail("a SlowCancelError of 250ms: resize returns 250ms after the cancel, the limit is 100ms",
                 fmt::format("no error (nil): the tool measured a latency of {}{}", goro::format_duration(r.latency),
                             r.latency % 1ms != goro::Duration::zero()
                                 ? " — not a reading of the runtime's clock, on which every moment of this example "
                                   "falls on a whole millisecond"
                                 : ""),
                 {mistake::wrong_timing, kHintMeasure});
  }
  auto slow = check.expect_as<SlowCancelError>(err, "SlowCancelError");
  if (check.deterministic()) {
    check.expect_eq(goro::format_duration(slow.latency), std::string("250ms"), "SlowCancelError::latency",
                    {mistake::wrong_timing, kHintMeasure});
    check.expect_eq(slow.stages, std::vector<std::string>{"resize"}, "SlowCancelError::stages",
                    slow.stages.empty()
                        ? dojo::grader::Why{mistake::missing_context,
                                            "A slow pipeline's error must say which stage held it up: the tasks the "
                                            "pipeline started that are still alive when the limit passes."}
                        : dojo::grader::Why{});
  } else {
    check.expect(slow.latency >= tail, "a latency of at least " + goro::format_duration(tail),
                 "a latency of " + goro::format_duration(slow.latency));
  }
}

DOJO_CHECK("example: a pipeline that returns before the cancel: ErrNothingToMeasure",
           "If the pipeline returns before cancel_after, there was no cancel to measure: say so instead of "
           "reporting a latency.") {
  check.say("calling check_prompt(background, a pipeline that returns nil at once)");
  auto cancelled_at_start = std::make_shared<bool>(false);
  goro::Error err = check_prompt(goro::background(), [cancelled_at_start](const goro::Context& ctx) {
    *cancelled_at_start = static_cast<bool>(ctx.err());
    return goro::Error{};
  });
  if (*cancelled_at_start && !goro::is(err, dojo::ex25::ErrNothingToMeasure))
    check.fail("an error that goro::is finds ErrNothingToMeasure in",
               fmt::format("{}\nthe pipeline's context was already cancelled when the pipeline started: the cancel "
                           "came first, so there was nothing to interrupt",
                           described(err)),
               {mistake::wrong_order, "Start the pipeline first and let it run for cancel_after; cancel only then. "
                                      "If it returns before that, there is nothing to measure."});
  check.expect_is(err, dojo::ex25::ErrNothingToMeasure, "ErrNothingToMeasure");
}
