// Visible examples for exercise 11. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: placing an order is four steps — reserve the stock, charge the card, book the
// courier, send the confirmation. Each step but the last can be undone.
#include <memory>
#include <string>
#include <vector>

#include "grader.hpp"
#include "saga.hpp"

using dojo::ex11::run_saga;
using dojo::ex11::Step;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrDeclined = goro::new_error("card declined");

// What the steps did, in order: "do reserve", "undo reserve", ... The saga runs in one task,
// but a buggy one might not: hence the mutex.
struct Journal {
  goro::Mutex mu;
  std::vector<std::string> lines;
  void add(std::string line) {
    std::lock_guard lk(mu);
    lines.push_back(std::move(line));
  }
  std::string text() {
    std::lock_guard lk(mu);
    return lines.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(lines, ", "));
  }
};

// A step that records "do <name>" and "undo <name>"; its action fails with `fails` (nil: succeeds).
Step step(const std::shared_ptr<Journal>& j, const std::string& name, goro::Error fails = {}) {
  return Step{name,
              [j, name, fails](const goro::Context&) {
                j->add("do " + name);
                return fails;
              },
              [j, name](const goro::Context&) {
                j->add("undo " + name);
                return goro::Error{};
              }};
}

}  // namespace

DOJO_CHECK("example: every step succeeds: nil, each action once and in order, no compensator",
           "Run the actions one after another; when all of them succeed there is nothing to undo.") {
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(background, {reserve, charge, book, confirm}), where every step succeeds");
  goro::Error err = run_saga(goro::background(), {step(j, "reserve"), step(j, "charge"), step(j, "book"),
                                                  step(j, "confirm")});
  check.expect_ok(err, "run_saga(...)");
  check.expect_eq(j->text(), std::string("do reserve, do charge, do book, do confirm"), "what the steps did");
}

DOJO_CHECK("example: the second of four steps fails: the first is undone, the rest never run",
           "Remember which steps completed; when one fails, undo the completed ones newest first. The "
           "failed step did not take effect, so it is not compensated.") {
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(background, {reserve, charge, book, confirm}), where charge fails with ErrDeclined");
  goro::Error err = run_saga(goro::background(), {step(j, "reserve"), step(j, "charge", ErrDeclined),
                                                  step(j, "book"), step(j, "confirm")});
  check.expect_is(err, ErrDeclined, "ErrDeclined",
                  "Wrap the step's error with {:w} (\"step charge: ...\") so that goro::is still finds it.");
  const std::string got = j->text();
  // An action after the failed one: the saga went on; another number of compensators: the wrong
  // steps were undone (the failed one too, or none).
  std::size_t undos = 0;
  for (std::size_t at = got.find("undo "); at != std::string::npos; at = got.find("undo ", at + 1)) ++undos;
  const bool went_on = got.find("do book") != std::string::npos || got.find("do confirm") != std::string::npos;
  check.expect_eq(got, std::string("do reserve, do charge, undo reserve"), "what the steps did",
                  went_on      ? dojo::grader::Why(mistake::kept_going, "The failed action ends the forward run: "
                                                                        "no later action starts.")
                  : undos != 1 ? dojo::grader::Why(mistake::wrong_count)
                               : dojo::grader::Why());
}

DOJO_CHECK("example: no steps: nil", "An empty saga succeeds at once.") {
  check.say("calling run_saga(background, {})");
  check.expect_ok(run_saga(goro::background(), {}), "run_saga(background, {})");
}
