// Visible examples for exercise 06. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include <cctype>

#include "grader.hpp"
#include "skip.hpp"

using dojo::ex06::ErrSkip;
using dojo::ex06::process;

namespace {

const goro::Error ErrUnreadable = goro::new_error("unreadable item");

// Upper-cases an item; an empty item is skipped, the item "???" is broken.
goro::Result<std::string> shout(const std::string& item) {
  if (item.empty()) return ErrSkip;
  if (item == "???") return goro::errorf("shout {:?}: {:w}", item, ErrUnreadable);
  std::string out = item;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

DOJO_CHECK("example: empty items are left out, and the pipeline succeeds",
           "In the collecting stage, goro::is(msg.err, ErrSkip) means: drop this item and go on.") {
  check.say("calling process(background, {\"go\", \"\", \"home\", \"\"}, shout)");
  auto r = process(goro::background(), {"go", "", "home", ""}, shout);
  check.expect_ok(r.error(), "process(...)", "ErrSkip is not a failure: handle it, never return it.");
  check.expect_eq(r.value(), std::vector<std::string>{"GO", "HOME"}, "the output");
}

DOJO_CHECK("example: without empty items every item comes out, in order",
           "One transform stage sends in input order, one collecting stage appends: the order is kept.") {
  check.say("calling process(background, {\"a\", \"b\", \"c\"}, shout)");
  auto r = process(goro::background(), {"a", "b", "c"}, shout);
  check.expect_ok(r.error(), "process(...)");
  check.expect_eq(r.value(), std::vector<std::string>{"A", "B", "C"}, "the output");
}

DOJO_CHECK("example: any other error still fails the pipeline",
           "Only ErrSkip is handled; the collecting stage returns every other error, and g.wait() "
           "hands it to the caller.") {
  check.say("calling process(background, {\"a\", \"\", \"???\", \"b\"}, shout)");
  auto r = process(goro::background(), {"a", "", "???", "b"}, shout);
  check.expect_is(r.error(), ErrUnreadable, "ErrUnreadable");
  check.expect_not_is(r.error(), ErrSkip, "ErrSkip");
}
