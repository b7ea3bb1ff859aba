// Hidden checks for exercise 09 (stage_error).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "grader.hpp"
#include "stage_error.hpp"

using dojo::ex09::run_pipeline;
using dojo::ex09::StageError;
using dojo::ex09::Stages;
using dojo::grader::Check;
using namespace std::chrono_literals;

namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::missing_wrap, mistake::missing_context, mistake::wrong_error, mistake::blocked_send,
                     mistake::missing_close, mistake::ignored_cancellation, mistake::kept_going);

namespace {

const goro::Error ErrSyntax = goro::new_error("syntax error");
const goro::Error ErrOverflow = goro::new_error("overflow");

// A typed root cause, to be found with goro::as through the StageError.
struct DiskFull {
  int value;
  [[nodiscard]] std::string message() const { return fmt::format("disk full while writing {}", value); }
};

// What the grader's stage functions saw. Each stage runs in its own task: counters are atomic,
// the stored values guarded by a mutex. Held by shared_ptr so no task can outlive it.
struct Probe {
  std::atomic<int> parsed{0}, transformed{0}, stored{0};
  goro::Mutex mu;
  std::vector<int> values;
  [[nodiscard]] int calls() const { return parsed.load() + transformed.load() + stored.load(); }
};

// Which value each stage fails on (-1: never) and with what.
struct Faults {
  int parse_at = -1, transform_at = -1, store_at = -1;
  goro::Error parse_err = ErrSyntax;
  goro::Error transform_err = ErrOverflow;
  std::function<goro::Error(int)> store_err = [](int v) { return goro::make_error(DiskFull{v}); };
};

// parse: the line's number; transform: +1000; store: records. Each fails where `f` says.
Stages stages_with(std::shared_ptr<Probe> p, Faults f) {
  return Stages{
      .parse = [p, f](const goro::Context&, const std::string& line) -> goro::Result<int> {
        ++p->parsed;
        int v = std::stoi(line);
        if (v == f.parse_at) return f.parse_err;
        return v;
      },
      .transform = [p, f](const goro::Context&, int v) -> goro::Result<int> {
        ++p->transformed;
        if (v == f.transform_at) return f.transform_err;
        return v + 1000;
      },
      .store = [p, f](const goro::Context&, int v) -> goro::Error {
        ++p->stored;
        if (v - 1000 == f.store_at) return f.store_err(v - 1000);
        std::lock_guard lk(p->mu);
        p->values.push_back(v);
        return {};
      },
  };
}

std::vector<std::string> lines(int from, int to) {  // "from" .. "to"
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(std::to_string(i));
  return out;
}

// For an `is`/`as` that must reach the root cause through the StageError.
const char* const kHintChain =
    "goro::is and goro::as walk the chain through StageError::unwrap(): it must return the cause itself, the very "
    "error the stage function returned (not nil, and not a new error with its text).";
// That hint, for an error that is there; a nil error has the class's own (swallowed-error).
dojo::grader::Why chain(const goro::Error& err) { return err ? dojo::grader::Why(kHintChain) : dojo::grader::Why(); }

// goro::as<StageError> finds one, naming `stage`.
StageError expect_stage(Check& check, const goro::Error& err, const std::string& stage) {
  auto se = goro::as<StageError>(err);
  // Nil: the failure never reached the caller. An error without a StageError in its chain: the stage's
  // failure was reported as some other error (errorf, or a copy of its text).
  check.expect(se.has_value(), "an error that goro::as<StageError> finds", Check::describe_error(err),
               err ? dojo::grader::Why(mistake::missing_wrap,
                                       "Return a stage function's failure as a StageError (goro::make_error(StageError{"
                                       "...})): errorf makes a plain error, in which no StageError can be found.")
                   : dojo::grader::Why(mistake::swallowed_error));
  check.expect_eq(se->stage, stage, "the failing stage (StageError::stage)",
                  {mistake::wrong_error,
                   "Each stage's task attaches its own name, in one place, around its own function's error."});
  return *se;
}

// The message is "<stage>: <cause's message>".
void expect_message(Check& check, const goro::Error& err, const std::string& stage, const std::string& cause) {
  const std::string msg = err.message();
  check.expect(msg.rfind(stage, 0) == 0, fmt::format("a message that starts with the stage name \"{}\"", stage),
               fmt::format("\"{}\"", msg), "StageError::message() is \"<stage>: <cause's message>\".");
  check.expect(msg.find(cause) != std::string::npos, fmt::format("a message that contains the cause, \"{}\"", cause),
               fmt::format("\"{}\"", msg), "StageError::message() is \"<stage>: <cause's message>\".");
}

}  // namespace

// ---- the type on its own ------------------------------------------------------------------------

DOJO_CHECK("StageError on its own: message, unwrap, is and as",
           "message() is \"<stage>: <cause's message>\"; unwrap() returns the cause, which is what lets "
           "goro::is and goro::as look through it.") {
  check.say("made err = goro::make_error(StageError{\"store\", ErrSyntax})");
  goro::Error err = goro::make_error(StageError{"store", ErrSyntax});
  check.expect_eq(err.message(), std::string("store: syntax error"), "err.message()");
  check.expect(goro::unwrap(err) == ErrSyntax, "goro::unwrap(err) is the cause, ErrSyntax",
               Check::describe_error(goro::unwrap(err)), {mistake::missing_wrap, kHintChain});
  check.expect_is(err, ErrSyntax, "ErrSyntax (the cause)", chain(err));
  expect_stage(check, err, "store");
}

DOJO_CHECK("StageError through more wrapping: goro::as finds the stage, goro::is the root cause",
           "unwrap() must return the cause itself, not a copy of its text: identity is what goro::is compares.") {
  check.say("made err = errorf(\"import: {:w}\", make_error(StageError{\"parse\", errorf(\"line 3: {:w}\", ErrSyntax)}))");
  goro::Error err =
      goro::errorf("import: {:w}", goro::make_error(StageError{"parse", goro::errorf("line 3: {:w}", ErrSyntax)}));
  expect_stage(check, err, "parse");
  check.expect_is(err, ErrSyntax, "ErrSyntax (wrapped inside the cause)", chain(err));
}

// ---- the pipeline ---------------------------------------------------------------------------

DOJO_CHECK("no lines: nil, and no stage function is called",
           "Each stage's loop ends when its input is closed and drained; parse closes at once.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run_pipeline(background, {}, stages)");
  goro::Error err = run_pipeline(goro::background(), {}, stages_with(p, {}));
  check.expect_ok(err, "run_pipeline(...)");
  check.expect_eq(p->calls(), 0, "stage function calls");
}

DOJO_CHECK("one line goes through every stage", "One value, three stages, two channels, each closed by its sender.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run_pipeline(background, {\"5\"}, stages) with transform = +1000");
  goro::Error err = run_pipeline(goro::background(), {"5"}, stages_with(p, {}));
  check.expect_ok(err, "run_pipeline(...)");
  std::lock_guard lk(p->mu);
  check.expect_eq(p->values, std::vector<int>{1005}, "the stored values");
}

DOJO_CHECK("many lines are stored in input order",
           "One task per stage, channels in between: values flow through in the order they were sent.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run_pipeline(background, {\"1\" .. \"200\"}, stages)");
  goro::Error err = run_pipeline(goro::background(), lines(1, 200), stages_with(p, {}));
  check.expect_ok(err, "run_pipeline(...)");
  std::vector<int> want;
  for (int i = 1; i <= 200; ++i) want.push_back(i + 1000);
  std::lock_guard lk(p->mu);
  check.expect(p->values == want, "the 200 values, +1000, in input order",
               fmt::format("{} values: {}", p->values.size(), p->values));
}

DOJO_CHECK("parse fails on the first line: a StageError for \"parse\", caused by ErrSyntax",
           "The parse task returns goro::make_error(StageError{\"parse\", err}); nothing reaches the later stages.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run_pipeline(background, {\"1\" .. \"10\"}, stages): parse fails on \"1\" with ErrSyntax");
  goro::Error err = run_pipeline(goro::background(), lines(1, 10), stages_with(p, {.parse_at = 1}));
  expect_stage(check, err, "parse");
  check.expect_is(err, ErrSyntax, "ErrSyntax", chain(err));
  expect_message(check, err, "parse", "syntax error");
  check.expect_eq(p->transformed.load() + p->stored.load(), 0, "transform and store calls");
}

DOJO_CHECK("transform fails on the last value: a StageError for \"transform\", caused by ErrOverflow",
           "The transform task attaches \"transform\", only to what its own function returned.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run_pipeline(background, {\"1\" .. \"10\"}, stages): transform fails on 10 with ErrOverflow");
  goro::Error err = run_pipeline(goro::background(), lines(1, 10), stages_with(p, {.transform_at = 10}));
  expect_stage(check, err, "transform");
  check.expect_is(err, ErrOverflow, "ErrOverflow", chain(err));
  check.expect_not_is(err, ErrSyntax, "ErrSyntax");
  expect_message(check, err, "transform", "overflow");
}

DOJO_CHECK("store fails: a StageError for \"store\", and goro::as finds the typed root cause too",
           "The StageError's unwrap() leads goro::as to the DiskFull that store returned.") {
  auto p = std::make_shared<Probe>();
  check.say("calling run_pipeline(background, {\"1\" .. \"10\"}, stages): store fails on 4 with make_error(DiskFull{4})");
  goro::Error err = run_pipeline(goro::background(), lines(1, 10), stages_with(p, {.store_at = 4}));
  expect_stage(check, err, "store");
  auto disk = goro::as<DiskFull>(err);
  check.expect(disk.has_value(), "an error in which goro::as<DiskFull> finds the root cause",
               Check::describe_error(err), {mistake::missing_wrap, kHintChain});
  check.expect_eq(disk->value, 4, "DiskFull::value");
  expect_message(check, err, "store", "disk full while writing 4");
}

DOJO_CHECK("the root cause is found when the stage wraps it further",
           "unwrap() returns the cause itself; goro::is then keeps walking into whatever the cause wraps.") {
  auto p = std::make_shared<Probe>();
  Faults f{.parse_at = 3};
  f.parse_err = goro::errorf("line \"3\": {:w}", ErrSyntax);
  check.say("calling run_pipeline(background, {\"1\" .. \"5\"}, stages): parse fails on \"3\" with "
            "errorf(\"line \\\"3\\\": {:w}\", ErrSyntax)");
  goro::Error err = run_pipeline(goro::background(), lines(1, 5), stages_with(p, f));
  expect_stage(check, err, "parse");
  check.expect_is(err, ErrSyntax, "ErrSyntax (wrapped inside the cause)", chain(err));
  check.expect_is(err, f.parse_err, "the error parse returned", chain(err));
}

DOJO_CHECK("a failure stops the whole pipeline: upstream stops producing, no task left behind",
           "The failing stage's error cancels gctx, and the other stages must notice: every send, and every "
           "receive that no close will end, must also end when gctx.done() is closed.",
           dojo::grader::Options{.fair = true}) {
  auto p = std::make_shared<Probe>();
  const int n = check.deterministic() ? 20'000 : 5'000;
  check.say(fmt::format("calling run_pipeline(background, {{\"1\" .. \"{}\"}}, stages): transform fails on 3", n));
  goro::Error err = run_pipeline(goro::background(), lines(1, n), stages_with(p, {.transform_at = 3}));
  expect_stage(check, err, "transform");
  check.expect_is(err, ErrOverflow, "ErrOverflow");
  const int parsed = p->parsed.load();
  check.expect(parsed < 100, "parse stops soon after the failure (a handful of lines at most)",
               fmt::format("{} of {} lines were parsed", parsed, n), mistake::kept_going);
  check.expect(p->stored.load() <= 2, "store gets only the values before the failure",
               fmt::format("{} values stored", p->stored.load()), mistake::kept_going);
}

DOJO_CHECK("an already-cancelled context: its error, and no stage function called",
           "Check ctx.err() before starting the stages: a cancelled caller wants no work.") {
  auto p = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling run_pipeline(ctx, {\"1\" .. \"100\"}, stages) with ctx already cancelled");
  goro::Error err = run_pipeline(ctx, lines(1, 100), stages_with(p, {}));
  // Calls although the caller had cancelled: the context was not looked at before the stages started.
  check.expect_eq(p->calls(), 0, "stage function calls", mistake::ignored_cancellation);
  check.expect_is(err, goro::Canceled, "goro::Canceled");
}

DOJO_CHECK("cancelled while working: the context's error, promptly, no task left behind",
           "Pass gctx to the stage functions and watch gctx.done() in every select.",
           dojo::grader::Options{.fair = true}) {
  auto p = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  goro::go_named("grader: canceller", [cancel = cancel] {
    goro::sleep(5ms);
    cancel();
  });
  Stages s = stages_with(p, {});
  s.store = [p](const goro::Context& c, int) -> goro::Error {  // a slow store that honours ctx
    ++p->stored;
    if (goro::select(goro::on_recv(c.done()), goro::on_recv(goro::after(10s))) == 1)
      return goro::new_error("store was never told to stop: is it given the group's context?");
    return c.err();
  };
  check.say("calling run_pipeline(ctx, {\"1\" .. \"50\"}, stages) with a store that waits for ctx.done(); "
            "a helper task cancels ctx after 5 ms");
  goro::Error err = run_pipeline(ctx, lines(1, 50), s);
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  cancel();
}

DOJO_CHECK("the stage does not depend on the schedule", "Each stage attaches its own name, and only its own.",
           dojo::grader::Options{.seeds = 12}) {
  auto p = std::make_shared<Probe>();
  check.say("calling run_pipeline(background, {\"1\" .. \"20\"}, stages): store fails on 7 with make_error(DiskFull{7})");
  goro::Error err = run_pipeline(goro::background(), lines(1, 20), stages_with(p, {.store_at = 7}));
  expect_stage(check, err, "store");
  check.expect(goro::as<DiskFull>(err).has_value(), "an error in which goro::as<DiskFull> finds the root cause",
               Check::describe_error(err));
}
