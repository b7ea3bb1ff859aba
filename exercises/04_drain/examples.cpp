// Visible examples for exercise 04. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include <atomic>
#include <memory>
#include <string>

#include "drain.hpp"
#include "grader.hpp"

using dojo::ex04::run;

namespace {

const goro::Error ErrOutOfStock = goro::new_error("out of stock");

}  // namespace

DOJO_CHECK("example: 10 items, every one consumed, no error",
           "Stage 1 sends produce(1) .. produce(10), then closes; stage 2 consumes until the channel is "
           "closed and drained.") {
  auto sum = std::make_shared<std::atomic<int>>(0);
  check.say("calling run(background, 10, produce = n -> n, consume = add the item up)");
  goro::Error err = run(goro::background(), 10, [](int n) { return n; },
                        [sum](const goro::Context&, int item) -> goro::Error {
                          *sum += item;
                          return {};
                        });
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
               "an error whose message contains \"item 500\"", dojo::grader::Check::describe_error(err));
}

DOJO_CHECK("example: an already-cancelled context gives its error, and nothing is produced",
           "Check ctx.err() before starting the stages: a cancelled caller wants no work.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto produced = std::make_shared<std::atomic<int>>(0);
  check.say("calling run(ctx, 1000, ...) with ctx already cancelled");
  goro::Error err = run(ctx, 1000, [produced](int n) { ++*produced; return n; },
                        [](const goro::Context&, int) -> goro::Error { return {}; });
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect_eq(produced->load(), 0, "calls to produce");
}
