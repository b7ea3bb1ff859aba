// Hidden checks for exercise 04 (drain).
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <vector>

#include "drain.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex04::Consume;
using dojo::ex04::Produce;
using dojo::ex04::run;
using dojo::grader::Check;
using namespace std::chrono_literals;

using dojo::grader::range;
using dojo::grader::list;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::leak, mistake::blocked_send, mistake::missing_close, mistake::kept_going,
                     mistake::swallowed_error, mistake::missing_wrap, mistake::missing_context, mistake::wrong_error,
                     mistake::ignored_cancellation);

namespace {

const goro::Error ErrRejected = goro::new_error("item rejected");

// How many items stage 1 may produce after stage 2's failure: the one it was holding when the
// failure happened, plus whatever a small channel buffer holds. Stage 1 producing the rest of
// the input (hundreds of items) is what this catches.
constexpr int kSlack = 50;

// What the grader's produce and consume saw. Held by shared_ptr so that a task left behind
// cannot outlive it; atomics and a mutex because the stages run on real threads in free mode.
struct Probe {
  std::atomic<int> produced{0};
  std::atomic<int> produced_at_failure{-1};  // `produced` when consume first failed
  goro::Mutex mu;
  std::vector<int> consumed;  // every item consume was called with, in call order
  goro::Time failed_at{};

  std::vector<int> consumed_items() {
    std::lock_guard lk(mu);
    return consumed;
  }
};

Produce counting(std::shared_ptr<Probe> p) {
  return [p](int n) {
    ++p->produced;
    return n;
  };
}

// consume: records the item; fails with the item's error when it has one.
Consume failing_at(std::shared_ptr<Probe> p, std::map<int, goro::Error> fails = {}) {
  return [p, fails = std::move(fails)](const goro::Context&, int item) -> goro::Error {
    {
      std::lock_guard lk(p->mu);
      p->consumed.push_back(item);
    }
    auto it = fails.find(item);
    if (it == fails.end()) return {};
    int unset = -1;
    if (p->produced_at_failure.compare_exchange_strong(unset, p->produced.load())) p->failed_at = goro::now();
    return it->second;
  };
}

// The contract of every failing run: the consume error is found through the wrapping, it is not
// hidden behind a cancellation, and the message names the failing item.
void expect_failure(Check& check, const goro::Error& err, const goro::Error& target, std::string_view target_name,
                    int item) {
  check.expect_not_is(err, goro::Canceled, "goro::Canceled",
                      "The caller cancelled nothing: stage 1's cancellation is a consequence, stage 2's error is "
                      "the cause. g.wait() returns the first error; gctx.err() after wait() is always Canceled.");
  check.expect_is(err, target, target_name,
                  "Return consume's error from stage 2, wrapped with {:w} (never {}), and return g.wait(): "
                  "the group keeps the first error a task returned.");
  const std::string want = fmt::format("item {}", item);
  check.expect(err.message().find(want) != std::string::npos,
               fmt::format("an error whose message names the failing item: contains \"{}\"", want),
               Check::describe_error(err),
               {mistake::missing_context, "The caller must learn which item failed: the statement fixes the "
                                          "wrapping as item <n>: <consume's error>."});
}

// Stage 1 stopped soon after the failure instead of producing the rest of the input.
void expect_stage1_stopped(Check& check, Probe& p, int items) {
  const int at = p.produced_at_failure.load();
  const int total = p.produced.load();
  check.expect(at >= 0, "consume failed", "consume never reached the failing item");
  const int after = total - at;
  check.expect(after <= kSlack,
               fmt::format("at most {} items produced after the failure (far fewer than the {} left)", kSlack,
                           items - at),
               fmt::format("{} items produced after the failure ({} of {} in all): stage 1 kept working", after,
                           total, items),
               {mistake::kept_going, "When stage 2 fails, the group cancels gctx. Stage 1 must notice it in the select around its send "
               "and return, not keep producing. Draining the channel in stage 2 hides the leak but makes stage 1 "
               "produce everything."});
}

// Stage 2 consumed exactly `want`, in order: nothing after the failing item.
void expect_consumed(Check& check, Probe& p, const std::vector<int>& want) {
  const auto got = p.consumed_items();
  // Every item due, then more: stage 2 went on after the failing item.
  const bool went_on = got.size() > want.size() && std::equal(want.begin(), want.end(), got.begin());
  check.expect(got == want, fmt::format("consume called for {}, in order", list(want)),
               fmt::format("consume called for {}", list(got)),
               went_on ? dojo::grader::Why{mistake::kept_going, "Stage 2 returns at its first failure: nothing after "
                                                                "the failing item is consumed."}
                       : dojo::grader::Why{"Stage 2 consumes the items in the order it receives them, and stops at the "
                                           "first failure."});
}

}  // namespace

DOJO_CHECK("1000 items, stage 2 fails on item 500: the error reaches the caller, stage 1 stops",
           "Stage 2 returns its error; the group cancels gctx; stage 1 sees gctx.done() in the select around "
           "its send, closes the channel and returns. g.wait() then hands the caller stage 2's error.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run(background, 1000, produce = n -> n, consume fails on item 500 with ErrRejected)");
  goro::Error err = run(goro::background(), 1000, counting(p), failing_at(p, {{500, ErrRejected}}));
  expect_failure(check, err, ErrRejected, "ErrRejected", 500);
  expect_consumed(check, *p, range(1, 500));
  expect_stage1_stopped(check, *p, 1000);
  if (check.deterministic()) {
    const auto late = goro::since(p->failed_at);
    check.expect(late <= 100ms, "run returns within 100 ms (virtual time) of the failure",
                 fmt::format("run returned {} after the failure", goro::format_duration(late)), mistake::kept_going);
  }
}

DOJO_CHECK("stage 1 exits: the task count is back to its baseline once run returns",
           "A stage that stops receiving leaves the other one blocked in its send forever, unless that send is "
           "in a select with gctx.done() and both stages belong to the group that wait() waits for.") {
  auto p = std::make_shared<Probe>();
  const int before = goro::num_tasks();
  goro::LeakCheck since_call;
  check.say(fmt::format("goro::num_tasks() is {} before the call", before));
  check.say("calling run(background, 1000, produce = n -> n, consume fails on item 500 with ErrRejected)");
  goro::Error err = run(goro::background(), 1000, counting(p), failing_at(p, {{500, ErrRejected}}));
  auto left = since_call.check();  // lets tasks that are on their way out finish exiting
  const int after = goro::num_tasks();
  const std::string report = left ? left.format() : std::string();
  if (left) (void)since_call.release();
  check.expect(after == before, fmt::format("goro::num_tasks() back to {} once run has returned", before),
               fmt::format("goro::num_tasks() is {}: {} task(s) still alive, a goroutine leak\n{}", after,
                           after - before, report),
               mistake::leak);
  check.expect_is(err, ErrRejected, "ErrRejected");
}

DOJO_CHECK("no failure: every item is produced once and consumed once, in order",
           "Stage 1 closes the channel after the last item; stage 2 returns nil when the channel is closed and "
           "drained.") {
  const int n = check.deterministic() ? 5'000 : 1'000;
  auto p = std::make_shared<Probe>();
  check.say(fmt::format("calling run(background, {}, produce = n -> n, consume succeeds)", n));
  goro::Error err = run(goro::background(), n, counting(p), failing_at(p));
  check.expect_ok(err, "run(...)");
  check.expect_eq(p->produced.load(), n, "calls to produce", mistake::wrong_count);
  expect_consumed(check, *p, range(1, n));
}

DOJO_CHECK("stage 2 receives what produce returned",
           "Send the value produce(n) returned, not n: the item is whatever stage 1 made.") {
  auto seen = std::make_shared<std::vector<int>>();
  auto mu = std::make_shared<goro::Mutex>();
  check.say("calling run(background, 5, produce = n -> 100 * n, consume records the items)");
  goro::Error err = run(goro::background(), 5, [](int n) { return 100 * n; },
                        [seen, mu](const goro::Context&, int item) -> goro::Error {
                          std::lock_guard lk(*mu);
                          seen->push_back(item);
                          return {};
                        });
  check.expect_ok(err, "run(...)");
  std::lock_guard lk(*mu);
  check.expect_eq(*seen, std::vector<int>{100, 200, 300, 400, 500}, "the consumed items");
}

DOJO_CHECK("no items: nil, and neither function is called",
           "With nothing to produce, stage 1 closes the channel at once and stage 2's loop ends.") {
  for (int items : {0, -3}) {
    auto p = std::make_shared<Probe>();
    check.say(fmt::format("calling run(background, {}, ...)", items));
    goro::Error err = run(goro::background(), items, counting(p), failing_at(p));
    check.expect_ok(err, "run(...)");
    check.expect_eq(p->produced.load(), 0, "calls to produce", mistake::wrong_count);
    expect_consumed(check, *p, {});
  }
}

DOJO_CHECK("one item that succeeds, and one item that fails",
           "A single send, then close. If its consume fails, that error is the result.") {
  auto ok = std::make_shared<Probe>();
  check.say("calling run(background, 1, ...) where consume succeeds");
  goro::Error err = run(goro::background(), 1, counting(ok), failing_at(ok));
  check.expect_ok(err, "run(...)");
  expect_consumed(check, *ok, {1});
  auto bad = std::make_shared<Probe>();
  check.say("calling run(background, 1, ...) where consume fails on item 1 with ErrRejected");
  err = run(goro::background(), 1, counting(bad), failing_at(bad, {{1, ErrRejected}}));
  expect_failure(check, err, ErrRejected, "ErrRejected", 1);
}

DOJO_CHECK("a failure at the first item: stage 1 stops almost at once",
           "Stage 1 watches gctx.done() from its very first send on.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run(background, 1000, ...) where consume fails on item 1 with ErrRejected");
  goro::Error err = run(goro::background(), 1000, counting(p), failing_at(p, {{1, ErrRejected}}));
  expect_failure(check, err, ErrRejected, "ErrRejected", 1);
  expect_consumed(check, *p, {1});
  expect_stage1_stopped(check, *p, 1000);
}

DOJO_CHECK("a failure at the last item: the result is the error",
           "Every item was produced and every one before the last consumed, but the caller gets the error.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run(background, 1000, ...) where consume fails on item 1000 with ErrRejected");
  goro::Error err = run(goro::background(), 1000, counting(p), failing_at(p, {{1000, ErrRejected}}));
  expect_failure(check, err, ErrRejected, "ErrRejected", 1000);
  check.expect_eq(p->produced.load(), 1000, "calls to produce", mistake::wrong_count);
  expect_consumed(check, *p, range(1, 1000));
}

DOJO_CHECK("several failing items: the first one is returned, nothing after it is consumed",
           "Stage 2 returns at its first failure; it does not go on to collect more.") {
  const goro::Error e300 = goro::new_error("rejected 300");
  const goro::Error e500 = goro::new_error("rejected 500");
  const goro::Error e700 = goro::new_error("rejected 700");
  auto p = std::make_shared<Probe>();
  check.say("calling run(background, 1000, ...) where consume fails on items 300, 500 and 700");
  goro::Error err =
      run(goro::background(), 1000, counting(p), failing_at(p, {{300, e300}, {500, e500}, {700, e700}}));
  expect_failure(check, err, e300, "the error of item 300", 300);
  check.expect_not_is(err, e500, "the error of item 500");
  expect_consumed(check, *p, range(1, 300));
  expect_stage1_stopped(check, *p, 1000);
}

namespace {
struct Rejected {
  int item;
  [[nodiscard]] std::string message() const { return fmt::format("cannot handle {}", item); }
};
}  // namespace

DOJO_CHECK("a typed error from consume is found with goro::as",
           "Wrap consume's error with {:w}: the typed error stays in the chain. {} would keep only its text.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run(background, 1000, ...) where consume fails on item 500 with make_error(Rejected{500})");
  auto fail = failing_at(p);
  goro::Error err = run(goro::background(), 1000, counting(p), [fail](const goro::Context& ctx, int item) {
    goro::Error e = fail(ctx, item);
    return item == 500 ? goro::make_error(Rejected{item}) : e;
  });
  auto r = check.expect_as<Rejected>(err, "Rejected");
  check.expect_eq(r.item, 500, "the Rejected's item");
  check.expect_not_is(err, goro::Canceled, "goro::Canceled");
}

DOJO_CHECK("an already-cancelled context: its error, and neither function is called",
           "Return ctx.err() before starting the stages: a cancelled caller wants no work.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto p = std::make_shared<Probe>();
  check.say("calling run(ctx, 1000, ...) with ctx already cancelled");
  goro::Error err = run(ctx, 1000, counting(p), failing_at(p));
  // Work done although the caller had cancelled: the context was looked at too late, or never.
  check.expect_eq(p->produced.load(), 0, "calls to produce", mistake::ignored_cancellation);
  check.expect_eq(p->consumed_items().size(), std::size_t{0}, "calls to consume", mistake::ignored_cancellation);
  check.expect_is(err, goro::Canceled, "goro::Canceled");
}

DOJO_CHECK("cancelled while stage 2 is busy: both stages stop promptly, the result is goro::Canceled",
           "Both stages watch the group's context, which the caller's cancellation cancels too: stage 1 in "
           "the select around its send, stage 2 in the select around its receive (and consume gets gctx).") {
  // Each consume waits 10 ms (virtual) or 1 ms (real threads: the real run really waits) unless
  // its ctx is cancelled first. The caller cancels during the 100th consume: an event, not a
  // moment, so that on a busy machine too the cancellation comes while stage 2 is busy.
  const goro::Duration per_item = check.deterministic() ? goro::Duration(10ms) : goro::Duration(1ms);
  constexpr int kCancelAt = 100;
  auto p = std::make_shared<Probe>();
  auto cancelled_at = std::make_shared<std::atomic<goro::Time>>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto record = failing_at(p);
  check.say(fmt::format("calling run(ctx, 1000, ...) where consume takes {} per item (or until its ctx is done); "
                        "the caller cancels ctx during the {}th consume",
                        goro::format_duration(per_item), kCancelAt));
  goro::Error err = run(ctx, 1000, counting(p),
                        [record, per_item, cancelled_at, cancel = cancel](const goro::Context& c, int item) -> goro::Error {
                          (void)record(c, item);
                          if (item == kCancelAt) {
                            cancelled_at->store(goro::now());
                            cancel();
                          }
                          if (goro::select(goro::on_recv(goro::after(per_item)), goro::on_recv(c.done())) == 1)
                            return c.err();
                          return {};
                        });
  const goro::Time returned_at = goro::now();
  const int consumed = static_cast<int>(p->consumed_items().size());
  const int produced = p->produced.load();
  // Every item consumed and no error: nothing watched the context.
  if (!err && consumed == 1000)
    check.fail("an error that goro::is finds goro::Canceled in", "no error (nil), and all 1000 items consumed",
               mistake::ignored_cancellation);
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect(produced - consumed <= kSlack,
               fmt::format("stage 1 stops too: at most {} items produced beyond the {} consumed", kSlack, consumed),
               fmt::format("{} items produced, {} consumed: stage 1 kept producing after the cancellation", produced,
                           consumed),
               mistake::ignored_cancellation);
  if (check.deterministic()) {
    const auto late = returned_at - cancelled_at->load();
    check.expect(late <= 100ms, "run returns within 100 ms (virtual time) of the cancellation",
                 fmt::format("run returned {} after the cancellation", goro::format_duration(late)),
                 mistake::ignored_cancellation);
  }
  cancel();
}

DOJO_CHECK("the result does not depend on the schedule",
           "Return g.wait()'s error, whichever stage finished first; every blocking step of both stages sits "
           "in a select with gctx.done().",
           dojo::grader::Options{.seeds = 12}) {
  auto good = std::make_shared<Probe>();
  check.say("calling run(background, 40, ...) where consume succeeds");
  goro::Error err = run(goro::background(), 40, counting(good), failing_at(good));
  check.expect_ok(err, "run(...)");
  expect_consumed(check, *good, range(1, 40));
  auto bad = std::make_shared<Probe>();
  check.say("calling run(background, 40, ...) where consume fails on item 20 with ErrRejected");
  err = run(goro::background(), 40, counting(bad), failing_at(bad, {{20, ErrRejected}}));
  expect_failure(check, err, ErrRejected, "ErrRejected", 20);
  expect_consumed(check, *bad, range(1, 20));
  expect_stage1_stopped(check, *bad, 40);
}
