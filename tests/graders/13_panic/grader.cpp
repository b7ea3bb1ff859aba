// Hidden checks for exercise 13 (panic).
//
// The stage functions are the grader's; each check makes one of them throw at a chosen item, so
// the panic always comes at the same point of the stream, on the virtual clock and on real
// threads alike. What is judged does not depend on the schedule: whether the program survived,
// what the returned error holds, which items went through (a prefix of the input, in order), and
// how much work the other stages did after the panic (by counting calls, not by time).
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "panic.hpp"

using dojo::ex13::run_pipeline;
using dojo::ex13::Stages;
using dojo::grader::Check;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::panic, mistake::swallowed_error, mistake::wrong_error, mistake::missing_wrap,
                     mistake::missing_close, mistake::blocked_send);

namespace {

const goro::Error ErrDiskFull = goro::new_error("disk full");

enum class Where { nowhere, produce, transform, consume };
const char* name(Where w) {
  switch (w) {
    case Where::produce: return "produce";
    case Where::transform: return "transform";
    case Where::consume: return "consume";
    case Where::nowhere: break;
  }
  return "nowhere";
}

// What is thrown.
enum class Kind {
  runtime_error,  // throw std::runtime_error("record <k> is unreadable")
  goro_panic,     // goro::panic("record <k>: bad checksum")
  fault,          // a runtime fault: closing a closed channel ("close of closed channel")
  not_exception,  // throw 42
};

// How the grader's stage functions behave in one check. Item i is produced as i, transformed to
// 10 * i and consumed as such; the stage `where` fails on item `at`.
struct Plan {
  int count = 10;
  Where where = Where::nowhere;
  int at = -1;
  Kind kind = Kind::runtime_error;
  Where second = Where::nowhere;  // a second stage that throws, on item `second_at`
  int second_at = -1;
  bool consume_error = false;     // consume RETURNS ErrDiskFull on item `at` instead of throwing
  goro::CancelFunc cancel_at;     // produce calls it on item `at` (the caller gives up)
};

[[noreturn]] void blow_up(Kind kind, int item) {
  switch (kind) {
    case Kind::runtime_error: throw std::runtime_error(fmt::format("record {} is unreadable", item));
    case Kind::goro_panic: goro::panic(fmt::format("record {}: bad checksum", item));
    case Kind::fault: {
      auto ch = goro::make_chan<int>();
      ch.close();
      ch.close();  // panics: close of closed channel
      break;
    }
    case Kind::not_exception: throw 42;
  }
  throw std::logic_error("unreachable");
}

// What the stages did.
struct Record {
  std::atomic<int> produced{0}, transformed{0}, consumed_calls{0};
  goro::Mutex mu;
  std::vector<int> consumed;  // the items consume received (10 * i), in order
  std::vector<int> snapshot() {
    std::lock_guard lk(mu);
    return consumed;
  }
};

Stages make_stages(const std::shared_ptr<Record>& r, const Plan& p) {
  auto throws_here = [p](Where w, int item) {
    return (p.where == w && p.at == item && !p.consume_error && !p.cancel_at) ||
           (p.second == w && p.second_at == item);
  };
  Stages s;
  s.produce = [r, p, throws_here](int i) {
    ++r->produced;
    if (p.cancel_at && i == p.at) p.cancel_at();
    if (throws_here(Where::produce, i)) blow_up(p.kind, i);
    return i;
  };
  s.transform = [r, p, throws_here](const goro::Context&, int v) {
    ++r->transformed;
    if (throws_here(Where::transform, v)) blow_up(p.kind, v);
    return 10 * v;
  };
  s.consume = [r, p, throws_here](const goro::Context&, int v) -> goro::Error {
    ++r->consumed_calls;
    const int item = v / 10;
    if (p.where == Where::consume && p.consume_error && item == p.at) return ErrDiskFull;
    if (throws_here(Where::consume, item)) blow_up(p.kind, item);
    std::lock_guard lk(r->mu);
    r->consumed.push_back(v);
    return {};
  };
  return s;
}

const char* const kHintRecover =
    "A recover covers only the task it runs in: each stage's task must turn whatever its loop throws into an "
    "error holding a goro::PanicError (goro::catch_panic does that) instead of ending the program. Put the "
    "stage's name in front, wrapping with {:w}.";
const char* const kHintKeep =
    "Keep the error that recovering produced (goro::catch_panic's): it holds the panic's value and the stack "
    "where it was thrown, for any type of exception. An error or PanicError built by hand in a catch block "
    "loses both.";
const char* const kHintStop =
    "The recovered panic is the stage's error: return it, so that the group cancels its context and the "
    "other stages, whose sends and receives select on gctx.done(), stop.";

// An error with no PanicError in it: nil (swallowed-error), the panic's text kept with {}
// (missing-wrap), or a new error of the stage's own making in its place (wrong-error).
const dojo::grader::Mistake& panic_kept_as_text(const goro::Error& err) {
  if (!err) return mistake::swallowed_error;
  return err.message().find("panic: ") != std::string::npos ? mistake::missing_wrap : mistake::wrong_error;
}

// "consume received 0, 10, 20" — and what is wrong with it, if anything: the items consume
// received must be 0, 10, 20, ... with none missing, none twice, in order, and none at or after
// the item where the pipeline failed.
void expect_prefix(Check& check, const std::vector<int>& got, int limit) {
  bool ok = static_cast<int>(got.size()) <= limit;
  for (std::size_t i = 0; ok && i < got.size(); ++i) ok = got[i] == 10 * static_cast<int>(i);
  std::vector<int> want;
  for (int i = 0; i < limit; ++i) want.push_back(10 * i);
  check.expect(ok,
               fmt::format("consume received a first part of {} in order, nothing after the panic",
                           dojo::grader::list(want)),
               fmt::format("consume received {}", dojo::grader::list(got)), kHintStop);
}

// The checks that run_pipeline's result is the recovered panic of stage `w`.
goro::PanicError expect_panic_of(Check& check, const goro::Error& err, Where w, const std::shared_ptr<Record>& r,
                                 int count) {
  if (!err) {
    const auto got = r->snapshot();
    check.fail(fmt::format("an error holding the panic in {} (goro::as<goro::PanicError> finds it)", name(w)),
               fmt::format("no error (nil): the panic was swallowed, and consume received {} of {} records",
                           got.size(), count),
               {mistake::swallowed_error,
                "Recovering must not mean carrying on as if nothing happened: the caller has to learn that a "
                "record could not be handled. Return the recovered panic as the stage's error."});
  }
  auto p = check.expect_as<goro::PanicError>(
      err, "goro::PanicError",
      {panic_kept_as_text(err),
       "The error was made anew, so the panic's value and stack are gone. Return the error that recovering "
       "gave you (wrapping it with {:w} is fine)."});
  const std::string prefix = fmt::format("{}: panic: ", name(w));
  check.expect(err.message().rfind(prefix, 0) == 0, fmt::format("a message that starts with \"{}\"", prefix),
               Check::describe_error(err),
               {mistake::missing_context,
                fmt::format("Say where the panic happened: goro::errorf(\"{}: {{:w}}\", err), in {}'s own task.",
                            name(w), name(w))});
  return p;
}

}  // namespace

DOJO_CHECK("nothing throws: nil, and every item goes through, in order, once",
           "Without a panic the pipeline must work as before: recovering changes nothing on the normal path.") {
  auto r = std::make_shared<Record>();
  Plan p;
  p.count = 50;
  check.say("calling run_pipeline(ctx, 50, stages), where no stage throws");
  goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
  check.expect_ok(err, "run_pipeline(...)");
  std::vector<int> want;
  for (int i = 0; i < p.count; ++i) want.push_back(10 * i);
  check.expect_eq(r->snapshot(), want, "what consume received");
  check.expect(r->produced == 50 && r->transformed == 50, "produce and transform called 50 times each",
               fmt::format("produce called {} times, transform {}", r->produced.load(), r->transformed.load()));
}

DOJO_CHECK("each stage throws in turn, at the first, a middle and the last item: a PanicError that names the stage",
           kHintRecover) {
  for (Where w : {Where::produce, Where::transform, Where::consume}) {
    for (int at : {0, 5, 9}) {
      auto r = std::make_shared<Record>();
      Plan p;
      p.where = w;
      p.at = at;
      check.say(fmt::format("calling run_pipeline(ctx, 10, stages), where {} throws std::runtime_error(\"record {} "
                            "is unreadable\") on item {}",
                            name(w), at, at));
      goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
      auto pe = expect_panic_of(check, err, w, r, p.count);
      check.expect(pe.value == fmt::format("record {} is unreadable (std::runtime_error)", at),
                   fmt::format("the panic's value \"record {} is unreadable (std::runtime_error)\"", at),
                   fmt::format("value \"{}\"", pe.value), {mistake::missing_wrap, kHintKeep});
      expect_prefix(check, r->snapshot(), at);
    }
  }
}

DOJO_CHECK("the recovered panic keeps the stack where it was thrown: not empty",
           kHintKeep) {
  for (Where w : {Where::produce, Where::transform, Where::consume}) {
    auto r = std::make_shared<Record>();
    Plan p;
    p.where = w;
    p.at = 2;
    check.say(fmt::format("calling run_pipeline(ctx, 10, stages), where {} throws on item 2", name(w)));
    goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
    auto pe = expect_panic_of(check, err, w, r, p.count);
    check.expect(!pe.stack.empty(), "a PanicError with a non-empty stack (where the exception was thrown)",
                 "a PanicError with an empty stack", {mistake::missing_wrap, kHintKeep});
  }
}

DOJO_CHECK("a goro::panic in transform and a runtime fault in consume (a channel closed twice) are recovered too",
           kHintRecover) {
  {
    auto r = std::make_shared<Record>();
    Plan p;
    p.where = Where::transform;
    p.at = 4;
    p.kind = Kind::goro_panic;
    check.say("calling run_pipeline(ctx, 10, stages), where transform calls goro::panic(\"record 4: bad checksum\")");
    goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
    auto pe = expect_panic_of(check, err, Where::transform, r, p.count);
    check.expect_eq(pe.value, std::string("record 4: bad checksum"), "the panic's value", {mistake::missing_wrap, kHintKeep});
  }
  {
    auto r = std::make_shared<Record>();
    Plan p;
    p.where = Where::consume;
    p.at = 6;
    p.kind = Kind::fault;
    check.say("calling run_pipeline(ctx, 10, stages), where consume closes a channel twice on item 6");
    goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
    auto pe = expect_panic_of(check, err, Where::consume, r, p.count);
    check.expect_eq(pe.value, std::string("close of closed channel"), "the panic's value", {mistake::missing_wrap, kHintKeep});
    expect_prefix(check, r->snapshot(), 6);
  }
}

DOJO_CHECK("a thrown value that is no std::exception (throw 42) is recovered too",
           "catch (const std::exception&) misses a throw of any other type, and that one still ends the program. "
           "goro::catch_panic recovers everything.") {
  auto r = std::make_shared<Record>();
  Plan p;
  p.where = Where::transform;
  p.at = 3;
  p.kind = Kind::not_exception;
  check.say("calling run_pipeline(ctx, 10, stages), where transform does `throw 42` on item 3");
  goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
  auto pe = expect_panic_of(check, err, Where::transform, r, p.count);
  check.expect(!pe.stack.empty(), "a PanicError with a non-empty stack", "a PanicError with an empty stack",
               {mistake::missing_wrap, kHintKeep});
}

DOJO_CHECK("consume panics on item 4 of 1,000: the producer and transform stop at once, and no task is left",
           kHintStop) {
  auto r = std::make_shared<Record>();
  Plan p;
  p.count = 1000;
  p.where = Where::consume;
  p.at = 4;
  check.say("calling run_pipeline(ctx, 1000, stages), where consume throws on item 4");
  goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
  expect_panic_of(check, err, Where::consume, r, p.count);
  // Unbuffered channels: when consume fails on item 4, transform holds at most item 5 and the
  // producer item 6; a few more may slip through before the cancellation is seen.
  check.expect(r->produced <= 12, "produce called for at most a dozen items (the pipeline stopped)",
               fmt::format("produce called {} times", r->produced.load()), {mistake::kept_going, kHintStop});
  expect_prefix(check, r->snapshot(), 4);
}

DOJO_CHECK("produce panics on item 3: transform and consume stop, having passed on only what came before",
           kHintStop) {
  auto r = std::make_shared<Record>();
  Plan p;
  p.count = 1000;
  p.where = Where::produce;
  p.at = 3;
  check.say("calling run_pipeline(ctx, 1000, stages), where produce throws on item 3");
  goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
  expect_panic_of(check, err, Where::produce, r, p.count);
  check.expect(r->produced == 4, "produce called 4 times (items 0 to 3)",
               fmt::format("produce called {} times", r->produced.load()),
               {mistake::kept_going, "After a panic the stage is over: its loop is not entered again."});
  expect_prefix(check, r->snapshot(), 3);
}

DOJO_CHECK("two stages throw: one error holds a recovered panic, and the program survives both",
           kHintRecover, dojo::grader::Options{.seeds = 8}) {
  auto r = std::make_shared<Record>();
  Plan p;
  p.count = 20;
  p.where = Where::transform;
  p.at = 6;
  p.second = Where::consume;
  p.second_at = 5;
  check.say("calling run_pipeline(ctx, 20, stages), where consume throws on item 5 and transform on item 6");
  goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
  auto pe = check.expect_as<goro::PanicError>(err, "goro::PanicError", {panic_kept_as_text(err), kHintRecover});
  const std::string m = err.message();
  check.expect(m.rfind("consume: panic: ", 0) == 0 || m.rfind("transform: panic: ", 0) == 0,
               "a message that starts with \"consume: panic: \" or \"transform: panic: \"", Check::describe_error(err));
  (void)pe;
  expect_prefix(check, r->snapshot(), 5);
}

DOJO_CHECK("an error that consume returns stays an ordinary error: \"consume: disk full\", not a PanicError",
           "Only a throw is a panic. consume's own error passes through goro::catch_panic unchanged; wrap it as "
           "\"consume: {:w}\" (once), and do not dress it up as a PanicError.") {
  auto r = std::make_shared<Record>();
  Plan p;
  p.where = Where::consume;
  p.at = 3;
  p.consume_error = true;
  check.say("calling run_pipeline(ctx, 10, stages), where consume returns ErrDiskFull on item 3");
  goro::Error err = run_pipeline(goro::background(), p.count, make_stages(r, p));
  check.expect_is(err, ErrDiskFull, "ErrDiskFull");
  check.expect(!goro::as<goro::PanicError>(err), "no PanicError in the error (nothing was thrown)",
               Check::describe_error(err));
  check.expect_eq(err.message(), std::string("consume: disk full"), "the error's message");
  expect_prefix(check, r->snapshot(), 3);
}

DOJO_CHECK("the caller cancels while item 10 of 1,000 is produced: goro::Canceled, no panic, every stage stops",
           "Recovering panics must not change how cancellation works: the stages still return gctx.err(), "
           "and run_pipeline returns it.") {
  auto r = std::make_shared<Record>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Plan p;
  p.count = 1000;
  p.where = Where::produce;
  p.at = 10;
  p.cancel_at = cancel;
  check.say("calling run_pipeline(ctx, 1000, stages); the caller cancels ctx as item 10 is produced");
  goro::Error err = run_pipeline(ctx, p.count, make_stages(r, p));
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect(!goro::as<goro::PanicError>(err), "no PanicError in the error (nothing was thrown)",
               Check::describe_error(err));
  check.expect(r->produced <= 12, "produce called for at most a dozen items",
               fmt::format("produce called {} times", r->produced.load()),
               "Every send and receive selects on gctx.done(), so the stages stop once the caller cancels.");
  cancel();
}

DOJO_CHECK("an already-cancelled caller: goro::Canceled, and no stage function is called",
           "Check ctx.err() before starting the pipeline.") {
  auto r = std::make_shared<Record>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  Plan p;
  check.say("calling run_pipeline(ctx, 10, stages) with ctx already cancelled");
  goro::Error err = run_pipeline(ctx, p.count, make_stages(r, p));
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect(r->produced == 0 && r->transformed == 0 && r->consumed_calls == 0, "no stage function called",
               fmt::format("produce called {} times, transform {}, consume {}", r->produced.load(),
                           r->transformed.load(), r->consumed_calls.load()));
}
