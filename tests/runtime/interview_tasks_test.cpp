// Observable answers from the background reading hands-on-tasks.txt: the tasks whose
// "verify" line states a concrete outcome, written against goro (plus the saga question of
// interview-questions-pipelines.txt Q15, which Task 11 builds on). Each test states the task in
// its own words and asserts the expected outcome. The full list, including the tasks not tested
// and why, is docs/interview-coverage.md.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/error.hpp"
#include "goro/goro.hpp"
#include "goro/mutex.hpp"
#include "goro/result.hpp"
#include "support/helpers.hpp"
#include "support/probe.hpp"
#include "support/settle.hpp"

using dojo::test::Settle;
using goro::Error;
using goro::Unit;
using dojo::test::await_tasks_at_most;

namespace {

using goro_test::CloseOnExit;
using goro_test::StageError;

/// Sends `v` unless the context ends first; returns false if it ended.
template <class T>
bool send_or_done(const goro::Context& ctx, const goro::Chan<T>& ch, T v) {
  return goro::select(goro::on_send(ch, std::move(v)), goro::on_recv(ctx.done())) == 0;
}

inline const Error ErrNegative = goro::new_error("negative number");
inline const Error ErrItem = goro::new_error("cannot process item");
inline const Error ErrSkip = goro::new_error("skip");
inline const Error ErrWorker = goro::new_error("worker failed");
inline const Error ErrInvalidRecord = goro::new_error("invalid record");
inline const Error ErrTenantA = goro::new_error("tenant a: quota exceeded");
inline const Error ErrPoison = goro::new_error("poison message");
inline const Error ErrCharge = goro::new_error("card declined");
inline const Error ErrRefund = goro::new_error("refund service down");

/// Tasks 1 and 2: a producer feeds the numbers, a consumer adds them up; a negative number is
/// an error (wrapping ErrNegative) that stops both.
goro::Result<int> sum(const goro::Context& parent, const std::vector<int>& nums) {
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  auto out = goro::make_chan<int>();
  g.go([ctx = ctx, out, nums]() -> Error {
    CloseOnExit<int> closer{out};
    for (int n : nums) {
      if (n < 0) return goro::errorf("number {}: {:w}", n, ErrNegative);
      if (!send_or_done(ctx, out, n)) return ctx.err();
    }
    return {};
  });
  int total = 0;
  g.go([out, &total]() -> Error {
    for (int v : out) total += v;
    return {};
  });
  if (Error err = g.wait()) return err;
  return total;
}

/// Task 7: a stage that reads `in`, fans the work out to `workers` tasks in a group of its own,
/// and closes `out` once every worker has finished (whether they failed or not).
Error fan_out_stage(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<int> out, int workers,
                    std::function<goro::Result<int>(int)> work) {
  CloseOnExit<int> closer{out};  // destroyed after inner.wait() below has returned
  auto [inner, ictx] = goro::ErrGroup::with_context(ctx);
  for (int w = 0; w < workers; ++w) {
    inner.go([in, out, work, c = ictx]() -> Error {
      for (;;) {
        int v = 0;
        bool ok = false;
        if (goro::select(goro::on_recv(in, &v, &ok), goro::on_recv(c.done())) == 1) return c.err();
        if (!ok) return {};
        auto r = work(v);
        if (!r) return r.error();
        if (!send_or_done(c, out, *r)) return c.err();
      }
    });
  }
  return inner.wait();
}

/// Task 7: producer -> fan-out stage -> consumer. Returns the sum of the stage's results.
goro::Result<long> run_fan_out(const std::vector<int>& items, std::function<goro::Result<int>(int)> work) {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto in = goro::make_chan<int>();
  auto out = goro::make_chan<int>();
  g.go([ctx = ctx, in, items]() -> Error {
    CloseOnExit<int> closer{in};
    for (int v : items)
      if (!send_or_done(ctx, in, v)) return ctx.err();
    return {};
  });
  g.go([ctx = ctx, in, out, work] { return fan_out_stage(ctx, in, out, 4, work); });
  long total = 0;
  g.go([out, &total]() -> Error {
    for (int v : out) total += v;
    return {};
  });
  if (Error err = g.wait()) return err;
  return total;
}

/// Task 11 and pipelines Q15: a step and the action that undoes it.
struct Step {
  std::string name;
  std::function<Error()> forward;
  std::function<Error()> compensate;
};

/// Runs the steps in order; when one fails, undoes the completed ones in reverse order, trying
/// every compensation even if some fail, and reports the step's failure with the compensation
/// failures joined.
Error run_saga(const std::vector<Step>& steps) {
  std::vector<const Step*> completed;
  for (const Step& s : steps) {
    if (Error err = s.forward()) {
      std::vector<Error> undo_errs;
      for (auto it = completed.rbegin(); it != completed.rend(); ++it)
        if (Error cerr = (*it)->compensate()) undo_errs.push_back(goro::errorf("undo {}: {:w}", (*it)->name, cerr));
      if (undo_errs.empty()) return goro::errorf("saga rolled back: {:w}", err);
      return goro::errorf("saga failed ({:w}); rollback errors: {:w}", err, goro::join(undo_errs));
    }
    completed.push_back(&s);
  }
  return {};
}

struct Fetched {
  std::string body;
  Error err;
};

/// Task 18: asks every URL at once; the first success wins and the others are cancelled; if all
/// fail, every failure is returned, joined.
goro::Result<std::string> hedged_fetch(const goro::Context& parent, const std::vector<std::string>& urls,
                                       std::function<goro::Result<std::string>(goro::Context, std::string)> fetch) {
  auto [ctx, cancel] = goro::with_cancel(parent);
  auto results = goro::make_chan<Fetched>(urls.size());  // room for every answer: nobody leaks
  for (const auto& url : urls) {
    goro::go([ctx = ctx, url, fetch, results] {
      auto r = fetch(ctx, url);
      results.send(r.ok() ? Fetched{*r, {}} : Fetched{{}, r.error()});
    });
  }
  std::vector<Error> errs;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    Fetched f = results.recv().value;
    if (!f.err) {
      cancel();
      return f.body;
    }
    errs.push_back(f.err);
  }
  cancel();
  return goro::join(errs);
}

}  // namespace

// hands-on-tasks.txt, Task 1: a producer and a consumer in a group add up 1..5: 15.
TEST_CASE("interview: tasks 1 - the two-stage sum of 1..5 is 15", "[interview]") {
  const Settle settle;
  auto total = sum(goro::background(), {1, 2, 3, 4, 5});
  REQUIRE(total.ok());
  CHECK(*total == 15);
}

// hands-on-tasks.txt, Task 2: a negative number makes the producer fail with a wrapped
// sentinel: the result is 0 and an error that is ErrNegative.
TEST_CASE("interview: tasks 2 - a negative number fails the sum with a wrapped sentinel", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  auto [total, err] = sum(goro::background(), {1, 2, -1, 4});
  CHECK(total == 0);
  CHECK(goro::is(err, ErrNegative));
  CHECK(err.message() == "number -1: negative number");
  await_tasks_at_most(base);
}

// hands-on-tasks.txt, Task 4: stage 1 offers 1000 items, stage 2 fails at item 500: the error
// reaches the caller, stage 1 stops early, and no task is left over.
TEST_CASE("interview: tasks 4 - a failure halfway drains the pipeline without leaks", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto items = goro::make_chan<int>();
  std::atomic<int> offered{0};
  g.go([ctx = ctx, items, &offered]() -> Error {
    CloseOnExit<int> closer{items};
    for (int i = 0; i < 1000; ++i) {
      if (!send_or_done(ctx, items, i)) return ctx.err();
      offered.fetch_add(1);
    }
    return {};
  });
  g.go([items]() -> Error {
    for (int v : items)
      if (v == 500) return goro::errorf("item {}: {:w}", v, ErrItem);
    return {};
  });
  Error err = g.wait();
  CHECK(goro::is(err, ErrItem));
  CHECK(err.message() == "item 500: cannot process item");
  CHECK(offered.load() == 501);  // stage 1 stopped right after the failure
  await_tasks_at_most(base);     // nothing leaked
}

// hands-on-tasks.txt, Task 6: the middle stage marks empty items with ErrSkip; the next stage
// recognises the sentinel with is and drops them instead of failing the pipeline.
TEST_CASE("interview: tasks 6 - a skip sentinel drops items without failing the pipeline", "[interview]") {
  const Settle settle;
  struct Parsed {
    std::string value;
    Error err;
  };
  const std::vector<std::string> lines{"apple", "", "pear", "", "fig"};
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto parsed = goro::make_chan<Parsed>();
  g.go([ctx = ctx, parsed, lines]() -> Error {
    CloseOnExit<Parsed> closer{parsed};
    for (std::size_t i = 0; i < lines.size(); ++i) {
      Parsed p;
      if (lines[i].empty()) {
        p.err = goro::errorf("line {}: {:w}", i, ErrSkip);
      } else {
        p.value = lines[i];
        std::transform(p.value.begin(), p.value.end(), p.value.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      }
      if (!send_or_done(ctx, parsed, p)) return ctx.err();
    }
    return {};
  });
  std::vector<std::string> kept;
  g.go([parsed, &kept]() -> Error {
    for (const Parsed& p : parsed) {
      if (goro::is(p.err, ErrSkip)) continue;
      if (p.err) return p.err;
      kept.push_back(p.value);
    }
    return {};
  });
  CHECK_FALSE(g.wait());
  CHECK(kept == std::vector<std::string>{"APPLE", "PEAR", "FIG"});
}

// hands-on-tasks.txt, Task 7: a stage fans out to 4 workers through its own group; when a worker
// fails the stage returns that error, and the stage's output is closed after its workers
// finished, so the consumer's loop ends.
TEST_CASE("interview: tasks 7 - a nested group fans out and reports a worker's failure", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  std::vector<int> items;
  for (int i = 1; i <= 40; ++i) items.push_back(i);
  auto doubled = run_fan_out(items, [](int v) -> goro::Result<int> { return 2 * v; });
  REQUIRE(doubled.ok());
  CHECK(*doubled == 2 * (40 * 41 / 2));

  auto failing = run_fan_out(items, [](int v) -> goro::Result<int> {
    if (v == 17) return goro::errorf("item {}: {:w}", v, ErrWorker);
    return v;
  });
  REQUIRE_FALSE(failing.ok());
  CHECK(goro::is(failing.error(), ErrWorker));
  CHECK(failing.error().message() == "item 17: worker failed");
  await_tasks_at_most(base);
}

// hands-on-tasks.txt, Task 9: each of parse, transform and store wraps its failures in a typed
// stage error; the caller finds the failing stage with as.
TEST_CASE("interview: tasks 9 - a typed stage error tells which stage failed", "[interview]") {
  const Settle settle;
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto raw = goro::make_chan<std::string>();
  auto records = goro::make_chan<int>();
  const std::vector<std::string> input{"1", "2", "x", "4"};
  g.go([ctx = ctx, raw, input]() -> Error {  // parse: read the input lines
    CloseOnExit<std::string> closer{raw};
    for (const auto& line : input)
      if (!send_or_done(ctx, raw, line)) return goro::make_error(StageError{"parse", ctx.err()});
    return {};
  });
  g.go([ctx = ctx, raw, records]() -> Error {  // transform: text to number
    CloseOnExit<int> closer{records};
    for (const std::string& s : raw) {
      if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0])))
        return goro::make_error(StageError{"transform", goro::errorf("\"{}\": {:w}", s, ErrInvalidRecord)});
      if (!send_or_done(ctx, records, std::stoi(s))) return goro::make_error(StageError{"transform", ctx.err()});
    }
    return {};
  });
  std::vector<int> saved;
  g.go([records, &saved]() -> Error {  // store
    for (int r : records) saved.push_back(r);
    return {};
  });
  Error err = goro::errorf("import: {:w}", g.wait());
  auto se = goro::as<StageError>(err);
  REQUIRE(se);
  CHECK(se->stage == "transform");
  CHECK(goro::is(err, ErrInvalidRecord));
  CHECK(err.message() == "import: transform: \"x\": invalid record");
  CHECK(saved == std::vector<int>{1, 2});  // what got through before the failure
}

// interview-questions-pipelines.txt, Q15, and hands-on-tasks.txt, Task 11: when step 3 of a
// saga fails, the compensations of steps 2 and 1 run, in that order; a failing compensation
// does not stop the next one, and its error is reported with the step's failure.
TEST_CASE("interview: pipelines Q15 / tasks 11 - a saga undoes completed steps in reverse", "[interview]") {
  const Settle settle;
  std::vector<std::string> log;
  auto step = [&log](std::string name, Error forward_err, Error undo_err) {
    return Step{name,
                [&log, name, forward_err] {
                  log.push_back("do " + name);
                  return forward_err;
                },
                [&log, name, undo_err] {
                  log.push_back("undo " + name);
                  return undo_err;
                }};
  };
  SECTION("compensations succeed") {
    Error err = run_saga({step("reserve", {}, {}), step("charge", {}, {}), step("ship", ErrCharge, {})});
    CHECK(log == std::vector<std::string>{"do reserve", "do charge", "do ship", "undo charge", "undo reserve"});
    CHECK(goro::is(err, ErrCharge));
    CHECK(err.message() == "saga rolled back: card declined");
  }
  SECTION("a failing compensation does not stop the others, and is reported") {
    Error err = run_saga({step("reserve", {}, {}), step("charge", {}, ErrRefund), step("ship", ErrCharge, {})});
    CHECK(log == std::vector<std::string>{"do reserve", "do charge", "do ship", "undo charge", "undo reserve"});
    CHECK(goro::is(err, ErrCharge));
    CHECK(goro::is(err, ErrRefund));
    CHECK(err.message() == "saga failed (card declined); rollback errors: undo charge: refund service down");
  }
  SECTION("no failure, nothing undone") {
    CHECK_FALSE(run_saga({step("reserve", {}, {}), step("charge", {}, {})}));
    CHECK(log == std::vector<std::string>{"do reserve", "do charge"});
  }
}

// hands-on-tasks.txt, Task 14: one group per tenant, each with its own limit, under an outer
// group whose tasks record the tenant's result and return nil: tenant A failing does not stop
// tenant B.
TEST_CASE("interview: tasks 14 - a failing tenant does not affect the others", "[interview]") {
  const Settle settle;
  goro::Mutex mu;
  std::map<std::string, Error> result;
  std::atomic<int> b_processed{0};
  goro::ErrGroup outer;
  for (std::string tenant : {"a", "b"}) {
    outer.go([tenant, &mu, &result, &b_processed]() -> Error {
      auto [inner, ictx] = goro::ErrGroup::with_context(goro::background());
      inner.set_limit(8);
      for (int item = 0; item < 20; ++item) {
        inner.go([tenant, item, &b_processed]() -> Error {
          if (tenant == "a" && item == 3) return ErrTenantA;
          if (tenant == "b") b_processed.fetch_add(1);
          return {};
        });
      }
      Error err = inner.wait();
      std::lock_guard lk(mu);
      result[tenant] = err;
      return {};  // recorded, not propagated: the other tenant keeps going
    });
  }
  CHECK_FALSE(outer.wait());
  CHECK(result.at("a") == ErrTenantA);
  CHECK_FALSE(result.at("b"));
  CHECK(b_processed.load() == 20);
}

// hands-on-tasks.txt, Task 16: an item that still fails after 3 attempts goes to the
// dead-letter queue; the pipeline processes the others and succeeds.
TEST_CASE("interview: tasks 16 - a poison item lands in the dead-letter queue after 3 tries", "[interview]") {
  const Settle settle;
  struct Dead {
    int item;
    Error reason;
  };
  goro::Mutex mu;
  std::vector<Dead> dlq;
  std::vector<int> attempts(10, 0);  // one slot per item
  std::atomic<int> processed{0};
  goro::ErrGroup g;
  g.set_limit(4);
  for (int item = 0; item < 10; ++item) {
    g.go([item, &mu, &dlq, &attempts, &processed]() -> Error {
      Error last;
      for (int attempt = 0; attempt < 3; ++attempt) {
        ++attempts[static_cast<std::size_t>(item)];
        last = item == 6 ? ErrPoison : Error{};
        if (!last) {
          processed.fetch_add(1);
          return {};
        }
      }
      std::lock_guard lk(mu);
      dlq.push_back({item, goro::errorf("after 3 attempts: {:w}", last)});
      return {};
    });
  }
  CHECK_FALSE(g.wait());
  CHECK(processed.load() == 9);
  REQUIRE(dlq.size() == 1);
  CHECK(dlq[0].item == 6);
  CHECK(goro::is(dlq[0].reason, ErrPoison));
  CHECK(attempts[6] == 3);
  CHECK(attempts[0] == 1);
}

// hands-on-tasks.txt, Task 18: a hedged fetch returns the first success and cancels the
// others; if every attempt fails, all the failures come back joined.
TEST_CASE("interview: tasks 18 - a hedged fetch takes the first success or joins every failure", "[interview]") {
  const Settle settle;
  const int base = settle.base;
  SECTION("one mirror answers; the slow ones are cancelled") {
    auto slow_saw = goro::make_chan<Error>(2);
    auto fetch = [slow_saw](const goro::Context& ctx, const std::string& url) -> goro::Result<std::string> {
      if (url == "fast") return std::string("body from fast");
      (void)ctx.done().recv();  // a slow mirror answers only when told to give up
      slow_saw.send(ctx.err());
      return ctx.err();
    };
    auto r = hedged_fetch(goro::background(), {"slow-1", "fast", "slow-2"}, fetch);
    REQUIRE(r.ok());
    CHECK(*r == "body from fast");
    CHECK(slow_saw.recv().value == goro::Canceled);
    CHECK(slow_saw.recv().value == goro::Canceled);
  }
  SECTION("every mirror fails") {
    auto fetch = [](const goro::Context&, const std::string& url) -> goro::Result<std::string> {
      return goro::errorf("GET {}: {:w}", url, ErrItem);
    };
    auto r = hedged_fetch(goro::background(), {"m1", "m2", "m3"}, fetch);
    REQUIRE_FALSE(r.ok());
    CHECK(goro::unwrap_all(r.error()).size() == 3);
    CHECK(goro::is(r.error(), ErrItem));
  }
  await_tasks_at_most(base);
}
