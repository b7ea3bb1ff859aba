// Visible examples for exercise 02. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include "grader.hpp"
#include "negative.hpp"

using dojo::ex02::ErrNegative;
using dojo::ex02::sum;

DOJO_CHECK("example: 1, 2, 3, 4, 5 still add up to 15",
           "Without a negative number, the pipeline behaves exactly like exercise 01's.") {
  check.say("calling sum(background, {1, 2, 3, 4, 5})");
  auto r = sum(goro::background(), {1, 2, 3, 4, 5});
  check.expect_ok(r.error(), "sum(...)");
  check.expect_eq(r.value(), 15LL, "the total");
}

DOJO_CHECK("example: {1, 2, -1, 4} fails with an error that is ErrNegative",
           "The producer returns goro::errorf(\"... {:w}\", ..., ErrNegative); g.wait() hands it back. "
           "goro::is looks through the wrapping.") {
  check.say("calling sum(background, {1, 2, -1, 4})");
  auto r = sum(goro::background(), {1, 2, -1, 4});
  check.expect_is(r.error(), ErrNegative, "ErrNegative");
}

DOJO_CHECK("example: the error names the index and the value",
           "Put the index and the value into the wrapping message: \"nums[2] = -1: negative number\".") {
  check.say("calling sum(background, {1, 2, -1, 4})");
  auto r = sum(goro::background(), {1, 2, -1, 4});
  const goro::Error err = r.error();
  check.expect(err && err.message().find("nums[2] = -1") != std::string::npos,
               "an error whose message contains \"nums[2] = -1\"", dojo::grader::Check::describe_error(err),
               dojo::grader::mistake::missing_context);
}
