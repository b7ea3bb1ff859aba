// Visible examples for exercise 08. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include <map>
#include <memory>
#include <mutex>

#include "aggregate.hpp"
#include "grader.hpp"

using dojo::ex08::process_all;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

// Counts how often fn was called for each item. Tasks call fn in parallel, hence the mutex.
struct Calls {
  goro::Mutex mu;
  std::map<int, int> count;
  void add(int item) {
    std::lock_guard lk(mu);
    ++count[item];
  }
  int of(int item) {
    std::lock_guard lk(mu);
    return count[item];
  }
};

// Never called for an item: it went missing. Called twice: a counting mistake.
dojo::grader::Why once_why(int calls) { return calls == 0 ? mistake::lost_item : mistake::wrong_count; }

// An error missing from the result: dropped, unless its text is there (wrapped with {} only,
// which expect_is diagnoses by itself).
dojo::grader::Why kept_why(const goro::Error& err, const goro::Error& target) {
  if (err && err.message().find(target.message()) != std::string::npos) return {};
  return {mistake::swallowed_error, "Keep every failure (each task's error, recorded under a lock or in a slot of "
                                    "its own), then goro::join them."};
}

const goro::Error ErrBadThree = goro::new_error("three is bad");
const goro::Error ErrBadTwo = goro::new_error("two is bad");
const goro::Error ErrBadFour = goro::new_error("four is bad");

}  // namespace

DOJO_CHECK("example: five items that all succeed give nil, and each is tried once",
           "Start one task per item, wait for all of them, and join what failed: nothing, here.") {
  auto calls = std::make_shared<Calls>();
  check.say("calling process_all(background, {1, 2, 3, 4, 5}, fn) where fn always succeeds");
  goro::Error err = process_all(goro::background(), {1, 2, 3, 4, 5}, [calls](const goro::Context&, int item) {
    calls->add(item);
    return goro::Error{};
  });
  check.expect_ok(err, "process_all(...)");
  for (int item = 1; item <= 5; ++item)
    check.expect_eq(calls->of(item), 1, fmt::format("calls of fn for item {}", item), once_why(calls->of(item)));
}

DOJO_CHECK("example: item 3 fails, the other items are still tried",
           "A failure is recorded, not returned early: every task runs to its end, then the errors are joined.") {
  auto calls = std::make_shared<Calls>();
  check.say("calling process_all(background, {1, 2, 3, 4, 5}, fn) where fn fails for 3 with ErrBadThree");
  goro::Error err = process_all(goro::background(), {1, 2, 3, 4, 5}, [calls](const goro::Context&, int item) {
    calls->add(item);
    return item == 3 ? ErrBadThree : goro::Error{};
  });
  check.expect_is(err, ErrBadThree, "ErrBadThree");
  for (int item = 1; item <= 5; ++item)
    check.expect_eq(calls->of(item), 1, fmt::format("calls of fn for item {}", item), once_why(calls->of(item)));
}

DOJO_CHECK("example: items 2 and 4 fail, both errors are in the result",
           "Every failure must reach the result: errors written by several tasks need a lock or one slot per "
           "task; read them after waiting for all the tasks, then goro::join them.") {
  check.say("calling process_all(background, {1, 2, 3, 4}, fn) where fn fails for 2 and for 4");
  goro::Error err = process_all(goro::background(), {1, 2, 3, 4}, [](const goro::Context&, int item) {
    if (item == 2) return ErrBadTwo;
    if (item == 4) return ErrBadFour;
    return goro::Error{};
  });
  check.expect_is(err, ErrBadTwo, "ErrBadTwo", kept_why(err, ErrBadTwo));
  check.expect_is(err, ErrBadFour, "ErrBadFour", kept_why(err, ErrBadFour));
}
