// Visible examples for exercise 12. The grader runs these first, then its hidden checks, which
// run your saga in a process of its own and kill it (SIGKILL) at many points.
//
// The story: a three-step saga — reserve, charge, ship — whose progress lives in a state file.
// Here everything runs in one process; the steps write what they were asked into a journal.
#include <memory>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "saga_persist.hpp"

using dojo::ex12::run_saga;
using dojo::ex12::Step;

namespace {

const goro::Error ErrDeclined = goro::new_error("card declined");

struct Journal {
  std::vector<std::string> lines;
  int keys = 0;
  std::string text() const { return lines.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(lines, ", ")); }
};

// "do reserve(k1)", "undo reserve(k1)": each call with the key it was given.
Step step(const std::shared_ptr<Journal>& j, const std::string& name, goro::Error fails = {}) {
  return Step{name,
              [j, name, fails](const goro::Context&, const std::string& key) {
                j->lines.push_back(fmt::format("do {}({})", name, key));
                return fails;
              },
              [j, name](const goro::Context&, const std::string& key) {
                j->lines.push_back(fmt::format("undo {}({})", name, key));
                return goro::Error{};
              }};
}

dojo::ex12::NewKey keys(const std::shared_ptr<Journal>& j) {
  return [j] { return fmt::format("k{}", ++j->keys); };
}

}  // namespace

DOJO_CHECK("example: every step succeeds: nil, each action once, each with its own key",
           "Take a key from new_key() for each step, save it, and pass it to the action.") {
  dojo::grader::TempDir dir;
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, \"state.db\", {reserve, charge, ship}, new_key) on a new state file");
  goro::Error err = run_saga(goro::background(), dir.file("state.db"), {step(j, "reserve"), step(j, "charge"), step(j, "ship")}, keys(j));
  check.expect_ok(err, "run_saga");
  check.expect_eq(j->text(), std::string("do reserve(k1), do charge(k2), do ship(k3)"), "the calls");
}

DOJO_CHECK("example: the second of three steps fails: the first is undone with its key; ErrRolledBack",
           "Undo the done steps newest first, each with the key its action had; wrap ErrRolledBack and the step's error.") {
  dojo::grader::TempDir dir;
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, \"state.db\", {reserve, charge, ship}, new_key), where charge fails with ErrDeclined");
  goro::Error err = run_saga(goro::background(), dir.file("state.db"),
                             {step(j, "reserve"), step(j, "charge", ErrDeclined), step(j, "ship")}, keys(j));
  check.expect_is(err, dojo::ex12::ErrRolledBack, "ErrRolledBack");
  check.expect_is(err, ErrDeclined, "ErrDeclined", "In the run where the step failed, wrap its error too ({:w}).");
  // Another number of compensator calls: the wrong steps were undone (the failed one too, or none).
  std::size_t undos = 0;
  for (const std::string& line : j->lines) undos += line.rfind("undo ", 0) == 0 ? 1 : 0;
  check.expect_eq(j->text(), std::string("do reserve(k1), do charge(k2), undo reserve(k1)"), "the calls",
                  undos != 1 ? dojo::grader::Why(dojo::grader::mistake::wrong_count) : dojo::grader::Why());
}

DOJO_CHECK("example: run again on the same state file: a finished saga calls nothing",
           "Read the saved state first: a saga that completed returns nil at once.") {
  dojo::grader::TempDir dir;
  auto j = std::make_shared<Journal>();
  std::vector<Step> steps{step(j, "reserve"), step(j, "charge")};
  check.say("calling run_saga twice with the same state file");
  check.expect_ok(run_saga(goro::background(), dir.file("state.db"), steps, keys(j)), "the first run_saga");
  check.expect_ok(run_saga(goro::background(), dir.file("state.db"), steps, keys(j)), "the second run_saga");
  // The second run called the steps again: their effects would happen twice.
  check.expect_eq(j->text(), std::string("do reserve(k1), do charge(k2)"), "the calls after both",
                  dojo::grader::mistake::duplicate);
}
