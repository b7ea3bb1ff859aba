// Visible examples for exercise 01. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include "grader.hpp"
#include "sum.hpp"

using dojo::ex01::sum;

DOJO_CHECK("example: 1, 2, 3, 4, 5 add up to 15",
           "The consumer adds what it receives; the producer sends every number, then closes.") {
  check.say("calling sum(background, {1, 2, 3, 4, 5})");
  auto r = sum(goro::background(), {1, 2, 3, 4, 5});
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 15LL, "the total");
}

DOJO_CHECK("example: an empty input adds up to 0",
           "With nothing to send, the producer closes at once and the consumer's loop ends.") {
  check.say("calling sum(background, {})");
  auto r = sum(goro::background(), {});
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 0LL, "the total");
}

DOJO_CHECK("example: a cancelled context gives its error",
           "Check ctx.err() before starting any work, and return it.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling sum(ctx, {1, 2, 3}) with ctx already cancelled");
  auto r = sum(ctx, {1, 2, 3});
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
}
