// Visible examples for exercise 04. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "drain.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex04::run;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrOutOfStock = goro::new_error("out of stock");

}  // namespace

DOJO_CHECK("example: 10 items, every one consumed, no error",
           "Stage 1 sends produce(1) .. produce(10), then closes; stage 2 consumes until the channel is "
           "closed and drained.") {
  auto sum = std::make_shared<std::atomic<int>>(0);
  auto consumed = std::make_shared<std::atomic<int>>(0);
  // On the virtual clock the grader cancels ctx an hour after the call: a run that no task can
  // finish gets there at once and returns, so that the check can say what it was waiting for.
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  std::optional<dojo::grader::Canceller> rescue;
  if (check.deterministic()) rescue.emplace(cancel, std::chrono::hours(1));
  check.say("calling run(ctx, 10, produce = n -> n, consume = add the item up)");
  goro::Error err = run(ctx, 10, [](int n) { return n; },
                        [sum, consumed](const goro::Context&, int item) -> goro::Error {
                          *sum += item;
                          ++*consumed;
                          return {};
                        });
  if (rescue) rescue->join();
  cancel();
  if (rescue && rescue->fired())
    check.fail("run returns nil once the 10th item is consumed",
               fmt::format("{} of 10 items consumed, and run still had not returned an hour later (virtual time), "
                           "when the grader cancelled ctx{}",
                           consumed->load(), consumed->load() == 10 ? ": stage 2 was still waiting for an 11th item" : ""),
               consumed->load() == 10 ? dojo::grader::Why{mistake::missing_close,
                                                          "Stage 2 learns that the input is over only when stage 1 "
                                                          "closes the channel after its last send."}
                                      : dojo::grader::Why{mistake::deadlock});
  check.expect_ok(err, "run(...)");
  check.expect_eq(sum->load(), 55, "the sum of the consumed items");
}

DOJO_CHECK("example: stage 2 fails on item 500 of 1000; the caller gets that error, naming the item",
           "Stage 2 returns goro::errorf(\"item {}: {:w}\", item, err); the group keeps that first error "
           "and g.wait() hands it back. goro::is looks through the wrapping.") {
  check.say("calling run(background, 1000, produce = n -> n, consume fails on item 500 with ErrOutOfStock)");
  goro::Error err = run(goro::background(), 1000, [](int n) { return n; },
                        [](const goro::Context&, int item) -> goro::Error {
                          return item == 500 ? ErrOutOfStock : goro::Error{};
                        });
  check.expect_is(err, ErrOutOfStock, "ErrOutOfStock");
  check.expect(err && err.message().find("item 500") != std::string::npos,
               "an error whose message contains \"item 500\"", dojo::grader::Check::describe_error(err),
               mistake::missing_context);
}

DOJO_CHECK("example: an already-cancelled context gives its error, and nothing is produced",
           "Check ctx.err() before starting the stages: a cancelled caller wants no work.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto produced = std::make_shared<std::atomic<int>>(0);
  check.say("calling run(ctx, 1000, ...) with ctx already cancelled");
  goro::Error err = run(ctx, 1000, [produced](int n) { ++*produced; return n; },
                        [](const goro::Context&, int) -> goro::Error { return {}; });
  // Work done although the caller had cancelled: the context was looked at too late, or never.
  check.expect_eq(produced->load(), 0, "calls to produce", mistake::ignored_cancellation);
  check.expect_is(err, goro::Canceled, "goro::Canceled");
}
