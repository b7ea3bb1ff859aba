// Visible examples for exercise 13. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: an importer reads records (produce), converts them (transform) and stores them
// (consume). The conversion code is old and throws on a record it cannot read.
#include <memory>
#include <stdexcept>
#include <vector>

#include "grader.hpp"
#include "panic.hpp"

using dojo::ex13::run_pipeline;
using dojo::ex13::Stages;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

// What consume received; one task calls it, but the mutex makes no assumption.
struct Stored {
  goro::Mutex mu;
  std::vector<int> items;
};

Stages stages(const std::shared_ptr<Stored>& stored, int throw_at) {
  Stages s;
  s.produce = [](int i) { return i + 1; };
  s.transform = [throw_at](const goro::Context&, int v) {
    if (v == throw_at) throw std::runtime_error("unreadable record");
    return v * 10;
  };
  s.consume = [stored](const goro::Context&, int v) {
    std::lock_guard lk(stored->mu);
    stored->items.push_back(v);
    return goro::Error{};
  };
  return s;
}

}  // namespace

DOJO_CHECK("example: nothing throws: nil, every record stored in order",
           "With no panic the pipeline is the one you were given: keep it working.") {
  auto stored = std::make_shared<Stored>();
  check.say("calling run_pipeline(background, 5, stages), where no stage throws");
  goro::Error err = run_pipeline(goro::background(), 5, stages(stored, -1));
  check.expect_ok(err, "run_pipeline(...)");
  std::lock_guard lk(stored->mu);
  check.expect_eq(stored->items, std::vector<int>{10, 20, 30, 40, 50}, "what consume received");
}

DOJO_CHECK("example: transform throws on record 3: an error holding a PanicError, no crash",
           "Each stage's task must recover what its loop throws (goro::catch_panic): the exception becomes an "
           "error holding a goro::PanicError. Wrap it as goro::errorf(\"transform: {:w}\", err).") {
  auto stored = std::make_shared<Stored>();
  check.say("calling run_pipeline(background, 5, stages), where transform throws std::runtime_error on record 3");
  goro::Error err = run_pipeline(goro::background(), 5, stages(stored, 3));
  check.expect(static_cast<bool>(err), "an error: record 3 could not be handled",
               "no error (nil): the panic was swallowed, and the caller never learns that a record was lost",
               {mistake::swallowed_error,
                "Return the recovered panic as the transform stage's error; do not skip the item and carry on."});
  // No PanicError in the error: its text kept with {} (missing-wrap), or a new error in its place.
  auto p = check.expect_as<goro::PanicError>(
      err, "goro::PanicError",
      err.message().find("panic: ") != std::string::npos ? mistake::missing_wrap : mistake::wrong_error);
  check.expect(p.value.find("unreadable record") != std::string::npos,
               "a PanicError whose value holds \"unreadable record\"", fmt::format("value \"{}\"", p.value));
  check.expect(err.message().rfind("transform: panic: ", 0) == 0,
               "a message that starts with \"transform: panic: \"", dojo::grader::Check::describe_error(err),
               {mistake::missing_context, "Put the stage's name in front: goro::errorf(\"transform: {:w}\", err)."});
}
