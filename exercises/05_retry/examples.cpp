// Visible examples for exercise 05. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "grader.hpp"
#include "retry.hpp"

using dojo::ex05::ErrTransient;
using dojo::ex05::process_items;
using dojo::ex05::with_retry;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrNotFound = goro::new_error("not found");

// An operation that returns results[0] on its first call, results[1] on its second, ... and the
// last one for every call after that. `calls` counts the calls (with_retry calls op from the
// caller's own task, so a plain int is enough).
struct Script {
  std::vector<goro::Error> results;
  int calls = 0;
  goro::Error next() {
    const auto i = static_cast<std::size_t>(calls++);
    return results[i < results.size() ? i : results.size() - 1];
  }
};

}  // namespace

DOJO_CHECK("example: every item fails twice with a transient error, then succeeds: the stage succeeds",
           "Each item's task retries inside itself (with_retry) and returns only when its item is done; a "
           "transient failure is not a reason to return from the task.") {
  // item -> calls so far; the items' tasks run in parallel on real threads, hence the mutex.
  struct Calls {
    goro::Mutex mu;
    std::map<int, int> n;
  };
  auto calls = std::make_shared<Calls>();
  check.say("calling process_items(background, {1, 2, 3}, process) where process fails twice per item "
            "with a transient error, then succeeds");
  goro::Error err = process_items(goro::background(), {1, 2, 3}, [calls](const goro::Context&, int item) {
    std::lock_guard lk(calls->mu);
    if (++calls->n[item] <= 2) return goro::errorf("item {} busy: {:w}", item, ErrTransient);
    return goro::Error{};
  });
  check.expect_ok(err, "process_items(...)");
  std::lock_guard lk(calls->mu);
  for (int item : {1, 2, 3})
    check.expect_eq(calls->n[item], 3, fmt::format("number of attempts for item {}", item), mistake::wrong_count);
}

DOJO_CHECK("example: a permanent error is returned at once, without a retry",
           "Only an error that wraps ErrTransient is worth another try; return any other error as it is.") {
  auto s = std::make_shared<Script>();
  s->results = {goro::errorf("user 42: {:w}", ErrNotFound)};
  check.say("calling with_retry(background, op) where op fails with an error wrapping ErrNotFound (permanent)");
  goro::Error err = with_retry(goro::background(), [s](const goro::Context&) { return s->next(); });
  check.expect_eq(s->calls, 1, "number of attempts",
                  {mistake::wrong_count, "A permanent error (one without ErrTransient in its chain) is not retried."});
  check.expect_is(err, ErrNotFound, "ErrNotFound");
}

DOJO_CHECK("example: three transient failures: it gives up and says after how many attempts",
           "After the last attempt, wrap the last error with {:w} in a message such as \"gave up after 3 "
           "attempts: ...\".") {
  auto s = std::make_shared<Script>();
  s->results = {goro::errorf("timeout: {:w}", ErrTransient)};
  check.say("calling with_retry(background, op) where op always fails with a transient error");
  goro::Error err = with_retry(goro::background(), [s](const goro::Context&) { return s->next(); });
  check.expect_eq(s->calls, 3, "number of attempts",
                  {mistake::wrong_count, s->calls > 3 ? "`attempts` counts every call, the first one included."
                                                      : "Retry while the error is transient and attempts remain."});
  check.expect_is(err, ErrTransient, "ErrTransient");
  check.expect(err.message().find("3 attempts") != std::string::npos, "a message that contains \"3 attempts\"",
               dojo::grader::Check::describe_error(err));
}
