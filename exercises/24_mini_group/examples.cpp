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

namespace {

const goro::Error ErrShardDown = goro::new_error("shard 2 is down");

// How many shard tasks ran to the end.
struct Count {
  std::atomic<int> finished{0};
};

}  // namespace

DOJO_CHECK("example: three tasks succeed: wait() returns nil once all three have run",
           "go() starts each function in a task of its own; wait() blocks until every one has returned.") {
  auto c = std::make_shared<Count>();
  MiniGroup g;
  check.say("MiniGroup g; three g.go(...) calls, each task sleeps 10ms and succeeds; then g.wait()");
  for (int i = 0; i < 3; ++i)
    g.go([c]() -> goro::Error {
      goro::sleep(10ms);
      ++c->finished;
      return {};
    });
  goro::Error err = g.wait();
  check.expect_ok(err, "g.wait()");
  check.expect_eq(c->finished.load(), 3, "tasks finished when wait() returned");
}

DOJO_CHECK("example: one of three tasks fails: wait() returns its error, after the others have returned too",
           "Keep the first non-nil error a task returns, and return it from wait() once every task is done.") {
  auto c = std::make_shared<Count>();
  MiniGroup g;
  check.say("MiniGroup g; three tasks; the second returns ErrShardDown; then g.wait()");
  for (int i = 0; i < 3; ++i)
    g.go([c, i]() -> goro::Error {
      goro::sleep(10ms);
      ++c->finished;
      return i == 1 ? ErrShardDown : goro::Error{};
    });
  goro::Error err = g.wait();
  check.expect_is(err, ErrShardDown, "ErrShardDown");
  check.expect_eq(c->finished.load(), 3, "tasks finished when wait() returned");
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
               fmt::format("ctx.err() after wait(): {}", dojo::grader::show(ctx.err())));
}
