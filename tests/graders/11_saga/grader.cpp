// Hidden checks for exercise 11 (saga).
//
// A saga runs its steps one after another in the calling task, so most of what is checked here
// (which actions and compensators ran, in which order, what the error holds) does not depend on
// the schedule or on the machine's speed. The caller's cancellation is made by a step itself
// (the grader's action calls cancel), so it always comes at the same point of the saga, on the
// virtual clock and on real threads alike. Moments are compared only on the virtual clock
// (check.deterministic()); on real threads every step is a tenth as long.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "saga.hpp"

using dojo::ex11::run_saga;
using dojo::ex11::Step;
using dojo::grader::Check;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_count, mistake::wrong_order, mistake::wrong_error, mistake::ignored_cancellation,
                     mistake::over_limit, mistake::wrong_result);

namespace {

const goro::Error ErrDeclined = goro::new_error("card declined");
const goro::Error ErrNoCourier = goro::new_error("no courier available");
const goro::Error ErrRefund = goro::new_error("refund rejected by the bank");

// A typed error a step returns: goro::as<OutOfStock> must find it through the saga's wrapping.
struct OutOfStock {
  std::string sku;
  int wanted = 0;
  [[nodiscard]] std::string message() const { return fmt::format("out of stock: {} x{}", sku, wanted); }
};
// A typed error a compensator returns.
struct LockLost {
  std::string what;
  [[nodiscard]] std::string message() const { return fmt::format("lock lost on {}", what); }
};

// The key of the request id the caller's context carries.
struct RequestIdKey {
  bool operator==(const RequestIdKey&) const = default;
};

std::string dur(goro::Duration d) { return goro::format_duration(d); }
bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

// What the steps saw, in order. One task runs the saga; a buggy one might use more, hence the mutex.
struct Journal {
  goro::Time t0 = goro::now();
  goro::Mutex mu;
  std::vector<std::string> lines;              // "do reserve", "undo reserve", ...
  std::vector<goro::Duration> undo_starts;     // offset of each compensator's start
  std::vector<goro::Duration> undo_ends;       // ... and of its return
  int undo_in_flight = 0, undo_peak = 0;
  int undo_cancelled = 0;                      // compensators handed a context already ended
  int undo_without_value = 0;                  // compensators whose context lost the request id

  void add(std::string line) {
    std::lock_guard lk(mu);
    lines.push_back(std::move(line));
  }
  std::string text() {
    std::lock_guard lk(mu);
    return lines.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(lines, ", "));
  }
};

// How one step of a check behaves.
struct Plan {
  std::string name;
  goro::Error fails;        // the action's error (nil: it succeeds)
  goro::Error undo_fails;   // the compensator's error (nil: it succeeds)
  bool undoable = true;     // false: an empty compensate
  bool listens = true;      // the action stops when its context ends
  goro::CancelFunc cancel_during;  // the action calls it as it starts (the caller gives up)
};

// The durations of a check: on the virtual clock 100 ms per action and 50 ms per compensator;
// on real threads a tenth of that.
struct Scale {
  goro::Duration action, undo;
};
Scale scale(const Check& check) { return check.deterministic() ? Scale{100ms, 50ms} : Scale{10ms, 5ms}; }

std::vector<Step> make_steps(const std::shared_ptr<Journal>& j, const std::vector<Plan>& plans, Scale s) {
  std::vector<Step> steps;
  for (const Plan& p : plans) {
    Step st;
    st.name = p.name;
    st.action = [j, p, s](const goro::Context& ctx) -> goro::Error {
      j->add("do " + p.name);
      if (p.cancel_during) p.cancel_during();
      if (p.listens) {
        auto timer = goro::new_timer(s.action);
        if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
          timer.stop();
          return goro::errorf("{}: {:w}", p.name, ctx.err());
        }
      } else {
        goro::sleep(s.action);
      }
      return p.fails;
    };
    if (p.undoable) {
      st.compensate = [j, p, s](const goro::Context& ctx) -> goro::Error {
        {
          std::lock_guard lk(j->mu);
          j->lines.push_back("undo " + p.name);
          j->undo_starts.push_back(goro::now() - j->t0);
          j->undo_peak = std::max(j->undo_peak, ++j->undo_in_flight);
          if (ctx.err()) ++j->undo_cancelled;
          if (ctx.value<std::string>(RequestIdKey{}) != std::optional<std::string>("req-7")) ++j->undo_without_value;
        }
        goro::sleep(s.undo);
        std::lock_guard lk(j->mu);
        --j->undo_in_flight;
        j->undo_ends.push_back(goro::now() - j->t0);
        return p.undo_fails;
      };
    }
    steps.push_back(std::move(st));
  }
  return steps;
}

Plan plan(std::string name, goro::Error fails = {}) {
  Plan p;
  p.name = std::move(name);
  p.fails = std::move(fails);
  return p;
}

// The five steps of an order, all succeeding; a check changes the ones it needs.
std::vector<Plan> order() {
  return {plan("reserve"), plan("charge"), plan("book"), plan("label"), plan("confirm")};
}

// The journal a correct saga leaves when step `failed` (0-based) fails and steps before it completed.
std::string expected_journal(const std::vector<Plan>& plans, std::size_t failed, bool failed_ran = true) {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < failed + (failed_ran ? 1 : 0) && i < plans.size(); ++i) v.push_back("do " + plans[i].name);
  for (std::size_t i = failed; i-- > 0;)
    if (plans[i].undoable) v.push_back("undo " + plans[i].name);
  return v.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(v, ", "));
}

const char* const kHintOrder =
    "Undo only the steps whose action succeeded, newest first: walk back from the step before the one that "
    "failed down to the first. The failed step took no effect: compensating it would undo something that "
    "never happened.";
const char* const kHintKeepGoing =
    "A compensator that fails must not stop the rollback: each step left undone is an inconsistency of its "
    "own. Keep the error (\"compensate <name>: {:w}\"), run the remaining compensators, and return "
    "goro::join(the step's error, every compensator error).";
const char* const kHintCancel =
    "Check ctx.err() before each action: once the caller has given up, no further step starts, and the "
    "steps that completed are rolled back.";
const char* const kHintUndoCtx =
    "The rollback runs after the caller's context may have ended, so compensators get "
    "goro::without_cancel(ctx): never cancelled, but with ctx's values.";

goro::Context caller_ctx() { return goro::with_value(goro::background(), RequestIdKey{}, std::string("req-7")); }

// What went wrong, in a learner's words, when the journal `got` differs from `want`, and the
// failure class that shows: compensators that overlapped (over-limit); actions after the saga
// had been cancelled (ignored-cancellation, when `cancelled`) or had failed (kept-going); the
// right compensators in the wrong order (wrong-order); too many or too few of them, or of the
// actions (wrong-count).
struct Diagnosis {
  std::string notes;
  const dojo::grader::Mistake* cls = &mistake::wrong_result;
  std::string hint;  // when the class needs a hint of its own
};
Diagnosis diagnose(const std::string& want, const std::string& got, int undo_peak, bool cancelled) {
  auto split = [](const std::string& text, std::string_view prefix) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t end = text.find(", ", at);
      if (end == std::string::npos) end = text.size();
      std::string item = text.substr(at, end - at);
      if (starts_with(item, prefix)) out.push_back(item.substr(prefix.size()));
      at = end + 2;
    }
    return out;
  };
  const auto want_do = split(want, "do "), got_do = split(got, "do ");
  const auto want_undo = split(want, "undo "), got_undo = split(got, "undo ");
  auto contains = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  std::vector<std::string> notes;
  Diagnosis d;
  std::vector<std::string> extra_do, missing_undo, extra_undo;
  for (const auto& d : got_do)
    if (!contains(want_do, d)) extra_do.push_back(d);
  for (const auto& u : want_undo)
    if (!contains(got_undo, u)) missing_undo.push_back(u);
  for (const auto& u : got_undo)
    if (!contains(want_undo, u)) extra_undo.push_back(u);
  if (!extra_do.empty())
    notes.push_back(fmt::format("actions that ran after the saga had failed or been cancelled: {}",
                                fmt::join(extra_do, ", ")));
  if (got_do.size() < want_do.size()) notes.push_back("fewer actions ran than should have");
  for (const auto& u : extra_undo)
    notes.push_back(contains(got_do, u) && !contains(want_undo, u) && contains(want_do, u)
                        ? fmt::format("{} was compensated, but its action failed (it never took effect)", u)
                        : fmt::format("{} was compensated, but it never completed", u));
  if (!missing_undo.empty())
    notes.push_back(fmt::format("completed steps never undone: {}", fmt::join(missing_undo, ", ")));
  const bool misordered =
      extra_undo.empty() && missing_undo.empty() && got_undo != want_undo && got_undo.size() == want_undo.size();
  if (misordered) {
    auto reversed = want_undo;
    std::reverse(reversed.begin(), reversed.end());
    notes.push_back(got_undo == reversed ? "the rollback ran oldest first (forward order): it must be newest first"
                                         : "the rollback ran in the wrong order: it must be newest first");
  }
  if (undo_peak > 1) {
    notes.push_back(fmt::format("{} compensators ran at the same time", undo_peak));
    d.cls = &mistake::over_limit;
    d.hint = "Compensators run one at a time, newest first, each after the one before it has returned: run "
             "together, their order is a matter of chance.";
  } else if (!extra_do.empty()) {
    d.cls = cancelled ? &mistake::ignored_cancellation : &mistake::kept_going;
    if (!cancelled) d.hint = "The first action that fails ends the forward run: no later action starts.";
  } else if (misordered) {
    d.cls = &mistake::wrong_order;
  } else if (!extra_undo.empty() || !missing_undo.empty() || got_do.size() != want_do.size()) {
    d.cls = &mistake::wrong_count;
  }
  d.notes = notes.empty() ? std::string() : fmt::format("\n{}", fmt::join(notes, "\n"));
  return d;
}

// `cancelled`: the caller's context ends in this check, so an action too many ignored it.
void expect_journal(Check& check, Journal& j, const std::string& want, std::string_view hint = kHintOrder,
                    bool cancelled = false) {
  const std::string got = j.text();
  if (got == want) return;
  int peak = 0;
  {
    std::lock_guard lk(j.mu);
    peak = j.undo_peak;
  }
  const Diagnosis d = diagnose(want, got, peak, cancelled);
  check.fail(fmt::format("the steps did: {}", want), fmt::format("the steps did: {}{}", got, d.notes),
             {*d.cls, d.hint.empty() ? hint : std::string_view(d.hint)});
}

}  // namespace

DOJO_CHECK("whichever step fails, only the steps before it are undone, newest first",
           kHintOrder) {
  const Scale s = scale(check);
  for (std::size_t k = 0; k < 5; ++k) {
    auto plans = order();
    plans[k].fails = ErrDeclined;
    auto j = std::make_shared<Journal>();
    check.say(fmt::format("calling run_saga(ctx, {{reserve, charge, book, label, confirm}}), where {} fails with "
                          "ErrDeclined",
                          plans[k].name));
    goro::Error err = run_saga(caller_ctx(), make_steps(j, plans, s));
    check.expect_is(err, ErrDeclined, "ErrDeclined");
    expect_journal(check, *j, expected_journal(plans, k));
  }
}

DOJO_CHECK("the failure names its step: \"step charge: card declined\" comes first in the message",
           "Wrap the action's error as goro::errorf(\"step {}: {:w}\", step.name, err), and put it first in "
           "goro::join: the reason the saga failed is what the caller reads first.") {
  const Scale s = scale(check);
  auto plans = order();
  plans[1].fails = ErrDeclined;
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}), where charge fails with ErrDeclined");
  goro::Error err = run_saga(caller_ctx(), make_steps(j, plans, s));
  check.expect_is(err, ErrDeclined, "ErrDeclined");
  // A message that does not name the step at all: the caller cannot tell where the saga failed.
  check.expect(err && starts_with(err.message(), "step charge: card declined"),
               "a message that starts with \"step charge: card declined\"", Check::describe_error(err),
               err && err.message().find("charge") == std::string::npos ? dojo::grader::Why(mistake::missing_context)
                                                                        : dojo::grader::Why());
}

DOJO_CHECK("a typed error from a step: goro::as finds it, fields intact",
           "Wrap with {:w}, never {}: the caller may need the step's typed error (which SKU ran out) to decide "
           "what to tell the customer.") {
  const Scale s = scale(check);
  auto plans = order();
  plans[2].fails = goro::make_error(OutOfStock{"mug-blue", 3});
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}), where book fails with "
            "OutOfStock{\"mug-blue\", 3}");
  goro::Error err = run_saga(caller_ctx(), make_steps(j, plans, s));
  auto found = check.expect_as<OutOfStock>(err, "OutOfStock");
  check.expect(found.sku == "mug-blue" && found.wanted == 3, "OutOfStock{\"mug-blue\", 3}",
               fmt::format("OutOfStock{{\"{}\", {}}}", found.sku, found.wanted));
  expect_journal(check, *j, expected_journal(plans, 2));
}

DOJO_CHECK("two compensators fail: every compensator still runs, and all three errors are reported",
           kHintKeepGoing) {
  const Scale s = scale(check);
  auto plans = order();
  plans[3].fails = ErrNoCourier;                       // label fails: undo book, charge, reserve
  plans[2].undo_fails = goro::make_error(LockLost{"courier slot"});
  plans[1].undo_fails = ErrRefund;
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}), where label fails with ErrNoCourier, "
            "book's compensator fails with LockLost and charge's with ErrRefund");
  goro::Error err = run_saga(caller_ctx(), make_steps(j, plans, s));
  expect_journal(check, *j, expected_journal(plans, 3), kHintKeepGoing);
  check.expect_is(err, ErrNoCourier, "ErrNoCourier (the original error)",
                  "The original error must stay in the result next to the compensators' errors: it is why the "
                  "saga failed. goro::join(failure, compensator errors...) keeps all of them.");
  check.expect_is(err, ErrRefund, "ErrRefund (charge's compensator)", kHintKeepGoing);
  check.expect_as<LockLost>(err, "LockLost (book's compensator)", kHintKeepGoing);
  const std::string m = err.message();
  check.expect(starts_with(m, "step label: ") && m.find("compensate charge: ") != std::string::npos &&
                   m.find("compensate book: ") != std::string::npos,
               "a message that starts with \"step label: \" and names \"compensate book: \" and "
               "\"compensate charge: \"",
               Check::describe_error(err),
               "Wrap each compensator's error as goro::errorf(\"compensate {}: {:w}\", step.name, err).");
}

DOJO_CHECK("the first compensator of the rollback fails: the older steps are still undone",
           kHintKeepGoing) {
  const Scale s = scale(check);
  auto plans = order();
  plans[4].fails = ErrDeclined;      // confirm fails: undo label, book, charge, reserve
  plans[3].undo_fails = ErrRefund;   // ... and the very first compensator fails
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}), where confirm fails and label's "
            "compensator fails with ErrRefund");
  goro::Error err = run_saga(caller_ctx(), make_steps(j, plans, s));
  expect_journal(check, *j, expected_journal(plans, 4), kHintKeepGoing);
  check.expect_is(err, ErrDeclined, "ErrDeclined (the original error)");
  check.expect_is(err, ErrRefund, "ErrRefund (label's compensator)", kHintKeepGoing);
}

DOJO_CHECK("success runs no compensator: nil, five actions in order, each once",
           "When every action succeeds, the saga is done: nothing is undone.") {
  const Scale s = scale(check);
  auto plans = order();
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}), where every step succeeds");
  const goro::Time t0 = goro::now();
  goro::Error err = run_saga(caller_ctx(), make_steps(j, plans, s));
  const goro::Duration took = goro::now() - t0;
  check.expect_ok(err, "run_saga(...)");
  expect_journal(check, *j, "do reserve, do charge, do book, do label, do confirm",
                 "Run each action exactly once, in the order given; compensators only after a failure.");
  if (check.deterministic())
    check.expect(took == 5 * s.action, fmt::format("run_saga returns at +{} (five actions one after another)",
                                                   dur(5 * s.action)),
                 fmt::format("it returned at +{}", dur(took)));
}

DOJO_CHECK("the rollback runs one compensator at a time, newest first, and returns when the last one has",
           "Compensators run in order, each after the one before it has returned: book is undone before "
           "the payment it depends on. Running them in parallel makes the order a matter of chance.",
           dojo::grader::Options{.seeds = 8}) {
  const Scale s = scale(check);
  auto plans = order();
  plans[3].fails = ErrNoCourier;
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}), where label fails with ErrNoCourier; "
            "actions take " + dur(s.action) + ", compensators " + dur(s.undo));
  const goro::Time t0 = goro::now();
  goro::Error err = run_saga(caller_ctx(), make_steps(j, plans, s));
  const goro::Duration took = goro::now() - t0;
  check.expect_is(err, ErrNoCourier, "ErrNoCourier");
  {
    std::lock_guard lk(j->mu);
    check.expect(j->undo_peak <= 1, "one compensator at a time",
                 fmt::format("{} compensators ran at the same time", j->undo_peak), mistake::over_limit);
  }
  expect_journal(check, *j, expected_journal(plans, 3));
  std::lock_guard lk(j->mu);
  if (check.deterministic()) {
    const goro::Duration want = 4 * s.action + 3 * s.undo;
    check.expect(took == want, fmt::format("run_saga returns at +{}, as the last compensator returns", dur(want)),
                 fmt::format("it returned at +{}", dur(took)),
                 "Return after the rollback, not before it: the caller must find the system consistent.");
  }
}

DOJO_CHECK("a step without a compensator is skipped in the rollback",
           "A step with nothing to undo has an empty compensate (it converts to false): skip it instead of "
           "calling it; calling an empty std::function throws std::bad_function_call.") {
  const Scale s = scale(check);
  auto plans = order();
  plans[1].undoable = false;  // charge: nothing to undo (say, a pre-authorisation that expires)
  plans[3].fails = ErrNoCourier;
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge (no compensator), book, label, confirm}), where label fails");
  goro::Error err = run_saga(caller_ctx(), make_steps(j, plans, s));
  check.expect_is(err, ErrNoCourier, "ErrNoCourier");
  expect_journal(check, *j, expected_journal(plans, 3));
}

DOJO_CHECK("the caller cancels during book: label and confirm never run; charge and reserve are undone",
           kHintUndoCtx) {
  const Scale s = scale(check);
  auto [ctx, cancel] = goro::with_cancel(caller_ctx());
  auto plans = order();
  plans[2].cancel_during = cancel;  // book starts, then the caller gives up; book listens and stops
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}); the caller cancels ctx as book starts, "
            "and book stops with ctx's error");
  const goro::Time t0 = goro::now();
  goro::Error err = run_saga(ctx, make_steps(j, plans, s));
  const goro::Duration took = goro::now() - t0;
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  expect_journal(check, *j, expected_journal(plans, 2), kHintCancel, /*cancelled=*/true);
  {
    std::lock_guard lk(j->mu);
    check.expect(j->undo_cancelled == 0, "every compensator handed a context that is not cancelled",
                 fmt::format("{} compensator(s) got a context that was already cancelled", j->undo_cancelled),
                 kHintUndoCtx);
    check.expect(j->undo_without_value == 0, "every compensator's context carrying the caller's request id",
                 fmt::format("{} compensator(s) got a context without it", j->undo_without_value),
                 "goro::without_cancel(ctx) keeps ctx's values (the request id, the tenant, the trace); "
                 "goro::background() loses them.");
  }
  if (check.deterministic()) {
    const goro::Duration want = 2 * s.action + 2 * s.undo;
    check.expect(took == want, fmt::format("run_saga returns at +{}: book stops at once, then two compensators",
                                           dur(want)),
                 fmt::format("it returned at +{}", dur(took)));
  }
  cancel();
}

DOJO_CHECK("the caller cancels during a step that ignores its context: that step counts as done, nothing after it starts",
           kHintCancel) {
  const Scale s = scale(check);
  auto [ctx, cancel] = goro::with_cancel(caller_ctx());
  auto plans = order();
  plans[1].cancel_during = cancel;  // charge cannot be interrupted: it completes
  plans[1].listens = false;
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}); the caller cancels ctx while charge "
            "runs, and charge (which never looks at ctx) completes");
  goro::Error err = run_saga(ctx, make_steps(j, plans, s));
  check.expect_is(err, goro::Canceled, "goro::Canceled", kHintCancel);
  // charge completed, so it is undone; book was never started, so it is neither done nor undone.
  expect_journal(check, *j, expected_journal(plans, 2, /*failed_ran=*/false), kHintCancel, /*cancelled=*/true);
  check.expect(err && starts_with(err.message(), "step book: "), "a message that starts with \"step book: \"",
               Check::describe_error(err),
               "The step that was about to start is the one that failed: \"step book: context canceled\".");
  cancel();
}

DOJO_CHECK("an already-cancelled caller: goro::Canceled, and no action runs",
           "Check ctx.err() before the first action too.") {
  const Scale s = scale(check);
  auto [ctx, cancel] = goro::with_cancel(caller_ctx());
  cancel();
  auto plans = order();
  auto j = std::make_shared<Journal>();
  check.say("calling run_saga(ctx, {reserve, charge, book, label, confirm}) with ctx already cancelled");
  goro::Error err = run_saga(ctx, make_steps(j, plans, s));
  check.expect_is(err, goro::Canceled, "goro::Canceled", kHintCancel);
  expect_journal(check, *j, "nothing", kHintCancel, /*cancelled=*/true);
}

DOJO_CHECK("one step: it fails, nothing to undo; it succeeds, nil",
           "A saga of one step: its failure is the whole story.") {
  const Scale s = scale(check);
  {
    auto j = std::make_shared<Journal>();
    check.say("calling run_saga(ctx, {charge}), where charge fails with ErrDeclined");
    goro::Error err = run_saga(caller_ctx(), make_steps(j, {plan("charge", ErrDeclined)}, s));
    check.expect_is(err, ErrDeclined, "ErrDeclined");
    expect_journal(check, *j, "do charge");
  }
  {
    auto j = std::make_shared<Journal>();
    check.say("calling run_saga(ctx, {charge}), where charge succeeds");
    check.expect_ok(run_saga(caller_ctx(), make_steps(j, {plan("charge")}, s)), "run_saga(ctx, {charge})");
    expect_journal(check, *j, "do charge");
  }
}
