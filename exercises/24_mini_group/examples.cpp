// Visible examples for exercise 24. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a search index is rebuilt shard by shard, one task per shard. The group waits for
// all of them and reports the first shard that failed.
#include <atomic>
#include <memory>

#include "grader.hpp"
#include "mini_group.hpp"

using dojo::ex24::MiniGroup;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrShardDown = goro::new_error("shard 2 is down");

// How many shard tasks began, and how many ran to the end.
struct Count {
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
};

// Why wait() returned before every task had: tasks that had not even begun were not counted
// yet; tasks that had begun were left running.
dojo::grader::Why returned_early(const Count& c, int tasks) {
  if (c.started.load() < tasks)
    return {mistake::unsynchronized,
            "wait() returned before some tasks had even begun: the group had not counted them yet. Count a task "
            "when go() is called, before it starts (not in the task itself), so that a wait() that runs first "
            "still sees it."};
  return {mistake::leak,
          "wait() returns only once every task has returned, also after a failure: the caller must be able to rely "
          "on nothing of the group running any more."};
}

}  // namespace

DOJO_CHECK("example: three tasks succeed: wait() returns nil once all three have run",
           "go() starts each function in a task of its own; wait() blocks until every one has returned.") {
  auto c = std::make_shared<Count>();
  MiniGroup g;
  check.say("MiniGroup g; three g.go(...) calls, each task sleeps 10ms and succeeds; then g.wait()");
  for (int i = 0; i < 3; ++i)
    g.go([c]() -> goro::Error {
      ++c->started;
      goro::sleep(10ms);
      ++c->finished;
      return {};
    });
  goro::Error err = g.wait();
  check.expect_ok(err, "g.wait()");
  check.expect_eq(c->finished.load(), 3, "tasks finished when wait() returned", returned_early(*c, 3));
}

DOJO_CHECK("example: one of three tasks fails: wait() returns its error, after the others have returned too",
           "Keep the first non-nil error a task returns, and return it from wait() once every task is done.") {
  auto c = std::make_shared<Count>();
  MiniGroup g;
  check.say("MiniGroup g; three tasks; the second returns ErrShardDown; then g.wait()");
  for (int i = 0; i < 3; ++i)
    g.go([c, i]() -> goro::Error {
      ++c->started;
      goro::sleep(10ms);
      ++c->finished;
      return i == 1 ? ErrShardDown : goro::Error{};
    });
  goro::Error err = g.wait();
  check.expect_eq(c->finished.load(), 3, "tasks finished when wait() returned", returned_early(*c, 3));
  check.expect_is(err, ErrShardDown, "ErrShardDown");
}

DOJO_CHECK("example: a group made by with_context: its context is cancelled once wait() returns",
           "with_context(parent) derives a context the group cancels, with a cause, on the first error, and in "
           "any case when wait() returns.") {
  check.say("auto [g, ctx] = MiniGroup::with_context(background); one task that succeeds; then g.wait()");
  auto [g, ctx] = MiniGroup::with_context(goro::background());
  check.expect(!ctx.is_nil() && !ctx.err(), "a context that is not cancelled while the group runs",
               ctx.is_nil() ? std::string("the nil Context") : fmt::format("ctx.err() is {}", dojo::grader::show(ctx.err())));
  g.go([]() -> goro::Error { return {}; });
  check.expect_ok(g.wait(), "g.wait()");
  check.expect(ctx.err() == goro::Canceled, "ctx.err() after wait(): goro::Canceled",
               fmt::format("ctx.err() after wait(): {}", dojo::grader::show(ctx.err())),
               {mistake::unreleased_context, "wait() ends the group's work, failure or not: cancel its context "
                                             "then, or it stays linked to its parent."});
}
