// Visible examples for exercise 09. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "grader.hpp"
#include "stage_error.hpp"

using dojo::ex09::run_pipeline;
using dojo::ex09::StageError;
using dojo::ex09::Stages;

namespace {

const goro::Error ErrNotANumber = goro::new_error("not a number");

// parse: "7" → 7, anything else fails with ErrNotANumber; transform: × 10; store: appends.
struct Store {
  goro::Mutex mu;
  std::vector<int> values;
};
Stages example_stages(std::shared_ptr<Store> store) {
  return Stages{
      .parse = [](const goro::Context&, const std::string& line) -> goro::Result<int> {
        if (line.empty() || line.find_first_not_of("0123456789") != std::string::npos) return ErrNotANumber;
        return std::stoi(line);
      },
      .transform = [](const goro::Context&, int v) -> goro::Result<int> { return v * 10; },
      .store = [store](const goro::Context&, int v) -> goro::Error {
        std::lock_guard lk(store->mu);
        store->values.push_back(v);
        return {};
      },
  };
}

}  // namespace

DOJO_CHECK("example: \"1\", \"2\", \"3\" go through all three stages, in order",
           "Parse sends on channel 1, transform receives from it and sends on channel 2, store receives; "
           "each sender closes its channel when done.") {
  auto store = std::make_shared<Store>();
  check.say("calling run_pipeline(background, {\"1\", \"2\", \"3\"}, stages) with transform = ×10");
  goro::Error err = run_pipeline(goro::background(), {"1", "2", "3"}, example_stages(store));
  check.expect_ok(err, "run_pipeline(...)");
  std::lock_guard lk(store->mu);
  check.expect_eq(store->values, std::vector<int>{10, 20, 30}, "the stored values");
}

DOJO_CHECK("example: a bad line is a parse failure, and its cause is still findable",
           "Return goro::make_error(StageError{\"parse\", err}) from the parse stage; unwrap() returns the cause.") {
  auto store = std::make_shared<Store>();
  check.say("calling run_pipeline(background, {\"1\", \"x\", \"3\"}, stages): parse fails on \"x\"");
  goro::Error err = run_pipeline(goro::background(), {"1", "x", "3"}, example_stages(store));
  auto se = goro::as<StageError>(err);
  check.expect(se.has_value(), "an error that goro::as<StageError> finds", check.describe_error(err),
               dojo::grader::mistake::missing_wrap);
  check.expect_eq(se->stage, std::string("parse"), "the failing stage (StageError::stage)");
  check.expect_is(err, ErrNotANumber, "ErrNotANumber", dojo::grader::mistake::missing_wrap);
}

DOJO_CHECK("example: a StageError's message starts with its stage",
           "message() is \"<stage>: <cause's message>\"; an Error formats as its message with {}.") {
  goro::Error err = goro::make_error(StageError{"transform", ErrNotANumber});
  check.say("made goro::make_error(StageError{\"transform\", ErrNotANumber})");
  check.expect_eq(err.message(), std::string("transform: not a number"), "its message",
                  dojo::grader::mistake::missing_context);
}
