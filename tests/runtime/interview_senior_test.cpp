// Interview questions with observable answers, from the background reading
// senior-level-guide.txt: its closing quiz (15 questions), its "Tricky Questions", and the
// checkable claims of its "Tricky Points" and errors.Join sections, reproduced against goro.
// Each test states the question in its own words and asserts the model answer. The full
// question list, including the ones not tested and why, is docs/interview-coverage.md.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/error.hpp"
#include "goro/goro.hpp"
#include "goro/mutex.hpp"
#include "goro/once.hpp"
#include "support/helpers.hpp"
#include "support/probe.hpp"
#include "support/settle.hpp"

using dojo::test::Settle;
using goro::Error;
using goro::Unit;
using goro::detail::WaitReason;
using dojo::test::await_blocked;
using dojo::test::await_tasks_at_most;

namespace {

using goro_test::StageError;

using goro_test::ready_now;

inline const Error ErrInvalid = goro::new_error("invalid");
inline const Error ErrDiskFull = goro::new_error("disk full");
inline const Error ErrConflict = goro::new_error("version conflict");
inline const Error ErrUnavailable = goro::new_error("service unavailable");
inline const Error ErrCircuitOpen = goro::new_error("circuit open");
inline const Error ErrSpecific = goro::new_error("the one we look for");

/// Quiz 10: an error that counts how often `is` asks it whether it matches.
struct CountingError {
  std::shared_ptr<std::atomic<int>> asked;
  bool matches = false;
  [[nodiscard]] std::string message() const { return "counting"; }
  [[nodiscard]] bool is(const Error& target) const {
    asked->fetch_add(1);
    return matches && target == ErrSpecific;
  }
};

/// Quiz 14: a circuit breaker that opens after `threshold` failures in a row (the cool-down and
/// half-open state are left out: they depend on elapsed time).
class Breaker {
 public:
  explicit Breaker(int threshold) : threshold_(threshold) {}

  Error call(const std::function<Error()>& fn) {
    {
      std::lock_guard lk(mu_);
      if (open_) return ErrCircuitOpen;
    }
    Error err = fn();
    std::lock_guard lk(mu_);
    if (!err) {
      failures_ = 0;
    } else if (++failures_ >= threshold_) {
      open_ = true;
    }
    return err;
  }

 private:
  goro::Mutex mu_;
  const int threshold_;
  int failures_ = 0;
  bool open_ = false;
};

/// Quiz 2: a stage whose helper runs its own group and, when that group fails, reports the
/// helper context's err() instead of the failure it saw.
Error lossy_stage(const goro::Context& ctx) {
  auto [inner, inner_ctx] = goro::ErrGroup::with_context(ctx);
  inner.go([] { return ErrDiskFull; });
  inner.go([c = inner_ctx] {
    (void)c.done().recv();
    return Error{};
  });
  (void)inner.wait();
  return inner_ctx.err();  // the bug: Canceled instead of the disk-full error
}

}  // namespace

// senior-level-guide.txt, quiz 1: stage A fails with an error wrapping a sentinel while stage B
// is in a select between sending and the context. B takes the context branch and returns
// Canceled, which is ignored; wait returns A's wrapped error.
TEST_CASE("interview: senior quiz 1 - the stage's wrapped error wins over the cancelled sibling", "[interview]") {
  const Settle settle;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto out = goro::make_chan<int>();  // nobody reads: B stays in its select
  Error b_returned;                   // written by B, read after wait
  g.go([out, ctx = ctx, &b_returned]() -> Error {
    if (goro::select(goro::on_send(out, 1), goro::on_recv(ctx.done())) == 1) b_returned = ctx.err();
    return b_returned;
  });
  await_blocked(1, WaitReason::select);  // B is mid-select
  g.go([] { return goro::errorf("validate order 7: {:w}", ErrInvalid); });
  Error err = g.wait();
  CHECK(goro::is(err, ErrInvalid));
  CHECK(err.message() == "validate order 7: invalid");
  CHECK_FALSE(goro::is(err, goro::Canceled));
  CHECK(b_returned == goro::Canceled);
}

// senior-level-guide.txt, quiz 2: wait returned Canceled although the parent was never
// cancelled. Most likely some helper returned a context's err() in place of the real failure.
TEST_CASE("interview: senior quiz 2 - Canceled from wait with a live parent: a helper hid the cause", "[interview]") {
  const Settle settle;
  auto [parent, cancel_parent] = goro::with_cancel(goro::background());
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  g.go([c = ctx] { return lossy_stage(c); });
  Error err = g.wait();
  CHECK(err == goro::Canceled);
  CHECK_FALSE(goro::is(err, ErrDiskFull));  // the real failure is gone
  CHECK_FALSE(parent.err());
  cancel_parent();
}

// senior-level-guide.txt, quiz 3: a typed stage error, wrapped three more times, is still found
// by as.
TEST_CASE("interview: senior quiz 3 - as finds a typed error under three wraps", "[interview]") {
  const Settle settle;
  Error err = goro::make_error(StageError{"transform", ErrConflict});
  for (const char* layer : {"batch 4", "import", "nightly job"}) err = goro::errorf("{}: {:w}", layer, err);
  auto se = goro::as<StageError>(err);
  REQUIRE(se);
  CHECK(se->stage == "transform");
  CHECK(goro::is(err, ErrConflict));
  CHECK(err.message() == "nightly job: import: batch 4: transform: version conflict");
}

// senior-level-guide.txt, quiz 9: with an unbuffered channel, a fast stage feeding a slow one
// waits at every send: it runs at the slow stage's pace (back-pressure).
TEST_CASE("interview: senior quiz 9 - over an unbuffered channel the fast stage waits at every send", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  auto link = goro::make_chan<int>();
  auto progress = goro::make_chan<int>(8);  // what the fast stage got done
  goro::go([link, progress] {
    for (int i = 0; i < 3; ++i) {
      link.send(i);
      progress.send(i);
    }
  });
  for (int i = 0; i < 3; ++i) {
    await_blocked(1, WaitReason::chan_send);
    CHECK(progress.len() == 0);  // stuck until the slow stage takes the value
    CHECK(link.recv().value == i);
    CHECK(progress.recv().value == i);
  }
  await_tasks_at_most(base);
}

// senior-level-guide.txt, quiz 10: is on a join of 1000 errors may look at every one of them:
// up to 1000 comparisons, fewer when a match comes earlier (depth-first, left to right).
TEST_CASE("interview: senior quiz 10 - is over a join of 1000 errors asks each child in turn", "[interview]") {
  const Settle settle;
  auto asked = std::make_shared<std::atomic<int>>(0);
  auto build = [&](int match_at) {
    std::vector<Error> errs;
    for (int i = 0; i < 1000; ++i) errs.push_back(goro::make_error(CountingError{asked, i == match_at}));
    return goro::join(errs);
  };
  Error none_match = build(-1);
  CHECK_FALSE(goro::is(none_match, ErrSpecific));
  CHECK(asked->load() == 1000);

  asked->store(0);
  Error match_at_500 = build(500);
  CHECK(goro::is(match_at_500, ErrSpecific));
  CHECK(asked->load() == 501);  // the search stops at the first match
}

// senior-level-guide.txt, quiz 12 (and hands-on-tasks.txt Task 10): the pipeline has a
// deadline and a stage's query takes longer. The pipeline returns DeadlineExceeded, wrapped by
// whatever the stages added on the way.
TEST_CASE("interview: senior quiz 12 - a query that outlives the deadline ends in DeadlineExceeded", "[interview]") {
  const Settle settle;
  auto [ctx, cancel] = goro::with_timeout(goro::background(), std::chrono::milliseconds(5));
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.go([c = gctx]() -> Error {
    auto query = goro::make_chan<Unit>();  // a query that would take longer than the deadline
    (void)goro::select(goro::on_recv(query), goro::on_recv(c.done()));
    return goro::errorf("query users: {:w}", c.err());
  });
  Error err = g.wait();
  CHECK(goro::is(err, goro::DeadlineExceeded));
  CHECK(err.message() == "query users: context deadline exceeded");
  CHECK(ctx.err() == goro::DeadlineExceeded);
  auto timeout = goro::as<goro::DeadlineExceededError>(err);
  REQUIRE(timeout);
  CHECK(timeout->timeout());
  cancel();
}

// senior-level-guide.txt, quiz 14 (and hands-on-tasks.txt Task 15, without the time-based
// half-open state): once the breaker is open, a call returns ErrCircuitOpen at once and the
// protected function is not called.
TEST_CASE("interview: senior quiz 14 - an open breaker fails fast without calling through", "[interview]") {
  const Settle settle;
  Breaker breaker(5);
  std::atomic<int> calls{0};
  auto failing = [&calls] {
    calls.fetch_add(1);
    return ErrUnavailable;
  };
  for (int i = 0; i < 5; ++i) CHECK(breaker.call(failing) == ErrUnavailable);
  CHECK(calls.load() == 5);
  goro::ErrGroup g;
  std::vector<Error> seen(4);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    g.go([i, &seen, &breaker, &failing] {
      seen[i] = breaker.call(failing);
      return Error{};
    });
  }
  CHECK_FALSE(g.wait());
  for (const Error& e : seen) CHECK(e == ErrCircuitOpen);
  CHECK(calls.load() == 5);  // no call went through
}

// senior-level-guide.txt, quiz 15: two pipelines share one group and one of them calls wait: it
// waits for the other pipeline's tasks too.
TEST_CASE("interview: senior quiz 15 - wait on a shared group waits for everyone's tasks", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  goro::ErrGroup shared;
  auto other_pipeline = goro::make_chan<Unit>();
  shared.go([] { return Error{}; });  // pipeline A's own work, done at once
  shared.go([other_pipeline] {       // pipeline B's work
    (void)other_pipeline.recv();
    return Error{};
  });
  auto a_result = goro::make_chan<Error>(1);
  goro::go([shared, a_result]() mutable { a_result.send(shared.wait()); });  // pipeline A waits
  await_blocked(1, WaitReason::group_wait);
  CHECK_FALSE(ready_now(a_result));  // held up by B's task
  other_pipeline.close();
  CHECK_FALSE(a_result.recv().value);
  await_tasks_at_most(base);
}

// senior-level-guide.txt, tricky question: two stages fail with different stage errors; does
// as work? Wait returns the one recorded first, the other is dropped, and as works on it.
TEST_CASE("interview: senior tricky - as on wait's result finds the first stage's error only", "[interview]") {
  const Settle settle;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([] { return goro::make_error(StageError{"parse", ErrInvalid}); });
  (void)ctx.done().recv();  // parse's failure is the first
  g.go([] { return goro::make_error(StageError{"store", ErrDiskFull}); });
  Error err = g.wait();
  auto se = goro::as<StageError>(err);
  REQUIRE(se);
  CHECK(se->stage == "parse");
  CHECK(goro::is(err, ErrInvalid));
  CHECK_FALSE(goro::is(err, ErrDiskFull));
}

// senior-level-guide.txt, errors.Join deep dive: joining two errors prints both messages on
// separate lines, and is finds each of them.
TEST_CASE("interview: senior errors.Join - the joined text is one line per error, is finds each", "[interview]") {
  const Settle settle;
  Error one = goro::new_error("one");
  Error two = goro::new_error("two");
  Error both = goro::join(one, two);
  CHECK(both.message() == "one\ntwo");
  CHECK(goro::is(both, one));
  CHECK(goro::is(both, two));
  CHECK_FALSE(goro::unwrap(both));  // a join has no single wrapped error
  CHECK(goro::unwrap_all(both) == std::vector<Error>{one, two});
}

// senior-level-guide.txt, tricky points: errors.Join(nil) is nil, so joining whatever was
// collected is harmless when nothing failed; nil entries are dropped.
TEST_CASE("interview: senior tricky points - join of nothing or of nils is nil", "[interview]") {
  const Settle settle;
  CHECK_FALSE(goro::join({}));
  CHECK_FALSE(goro::join({Error{}}));
  CHECK_FALSE(goro::join(Error{}, Error{}));
  CHECK_FALSE(goro::join(std::vector<Error>{}));
  Error only = goro::join(Error{}, ErrInvalid, Error{});
  CHECK(goro::unwrap_all(only) == std::vector<Error>{ErrInvalid});
  CHECK(only.message() == "invalid");
}

// senior-level-guide.txt, tricky points: a Once cannot be reset: after its function ran, calling
// it again (even with another function) runs nothing.
TEST_CASE("interview: senior tricky points - a Once runs its function once and never again", "[interview]") {
  const Settle settle;
  goro::Once once;
  int runs = 0;
  goro::ErrGroup g;
  for (int i = 0; i < 8; ++i) {
    g.go([&once, &runs] {
      once.call([&runs] { ++runs; });
      return Error{};
    });
  }
  CHECK_FALSE(g.wait());
  CHECK(runs == 1);
  once.call([&runs] { runs += 100; });
  CHECK(runs == 1);
  CHECK(once.done());
}
