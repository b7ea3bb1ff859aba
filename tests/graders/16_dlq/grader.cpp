// Hidden checks for exercise 16 (dlq).
//
// Every check runs the learner's stage between tasks of the grader's own: an upstream that sends
// the items on `in` (unbuffered, so a completed send means the stage took the item), a reader of
// `done` and a reader of `dlq`. When run_stage returns, the grader tells the readers, which then
// read what is left without waiting: that is how a channel the stage left open is named instead
// of showing as a deadlock. The grader's process records the moment of every attempt.
//
// The stage handles one item at a time, so what it does (attempts, routes, reasons) does not
// depend on the schedule or on the machine's speed. Moments are compared exactly only on the
// virtual clock (check.deterministic()); on real threads the backoff is a tenth as long and only
// lower bounds are checked (a timer never fires early). Cancellations come from inside an attempt
// (the same point on every run) or, where the stage must be cancelled while it waits, from a
// Canceller: exact on the virtual clock, and on real threads the check accepts every moment the
// cancel may land at.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlq.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex16::DeadLetter;
using dojo::ex16::ErrPoison;
using dojo::ex16::Item;
using dojo::ex16::kAttempts;
using dojo::ex16::kBaseBackoff;
using dojo::ex16::Process;
using dojo::ex16::run_stage;
using dojo::grader::Canceller;
using dojo::grader::Check;
using dojo::grader::list;
using dojo::grader::offset;
using dojo::grader::offsets;
using dojo::grader::range;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_count, mistake::duplicate, mistake::lost_item, mistake::missing_wrap,
                     mistake::missing_close, mistake::blocked_send, mistake::ignored_cancellation,
                     mistake::unexpected_error, mistake::wall_clock_sleep);

namespace {

// The inventory service's sentinel: every transient failure wraps it.
const goro::Error ErrUnavailable = goro::new_error("inventory service unavailable");

// A transient failure that remembers its attempt, so that the grader can tell which attempt's
// error a reason wraps. It unwraps to ErrUnavailable.
struct Timeout {
  int id = 0;
  int attempt = 0;
  [[nodiscard]] std::string message() const {
    return fmt::format("inventory call for item {} timed out (attempt {})", id, attempt);
  }
  [[nodiscard]] goro::Error unwrap() const { return ErrUnavailable; }
};

// A typed poison error: it unwraps to ErrPoison, so the stage must treat it as poison.
struct Malformed {
  int id = 0;
  std::string field;
  [[nodiscard]] std::string message() const { return fmt::format("item {}: field \"{}\" is malformed", id, field); }
  [[nodiscard]] goro::Error unwrap() const { return ErrPoison; }
};

std::string dur(goro::Duration d) { return goro::format_duration(d); }
bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }
std::string payload_of(int id) { return fmt::format("order-{}", id); }
Item item_of(int id) { return Item{id, payload_of(id)}; }

// How the grader's process treats one item.
struct Spec {
  int transient = 0;  // attempts 1 .. transient fail with Timeout (-1: every attempt does)
  int poison = 0;     // then: 0 succeed; 1 fail with an error wrapping ErrPoison; 2 with Malformed
  // Replaces the above when set: the result of attempt `n` (1-based).
  std::function<goro::Error(const goro::Context& ctx, int n)> custom{};
};

// What a correct stage does with an item of that Spec.
enum class Route { done, dlq_gave_up, dlq_poison };
struct Expect {
  Route route;
  int attempts;
};
Expect expect_of(const Spec& s) {
  if (s.transient < 0 || s.transient >= kAttempts) return {Route::dlq_gave_up, kAttempts};
  if (s.poison != 0) return {Route::dlq_poison, s.transient + 1};
  return {Route::done, s.transient + 1};
}
std::string describe(const Spec& s) {
  std::string first;
  if (s.transient < 0 || s.transient >= kAttempts) return "fails every time";
  if (s.transient == 1) first = "fails once, then ";
  if (s.transient == 2) first = "fails twice, then ";
  if (s.poison != 0) return first + (first.empty() ? "poison" : "is poison");
  return first + "succeeds";
}

struct Plan {
  std::map<int, Spec> specs;  // items not listed succeed at once
  [[nodiscard]] const Spec& spec(int id) const {
    static const Spec ok;
    auto it = specs.find(id);
    return it == specs.end() ? ok : it->second;
  }
};

// What the stage did, as the grader's tasks saw it. Several tasks write it (on real threads,
// several threads): hence the mutex. Held by shared_ptr: a task the stage leaves behind must not
// outlive it.
struct Journal {
  goro::Time t0 = goro::now();
  goro::Mutex mu;
  std::map<int, std::vector<goro::Duration>> attempts;  // id -> offsets of its attempts
  std::map<int, int> bad_payload;                       // id -> attempts handed a changed item
  int attempts_after_cancel = 0;                        // attempts that began with ctx already ended
  std::vector<Item> done;
  std::vector<goro::Duration> done_at;
  std::vector<DeadLetter> dead;
  std::vector<goro::Duration> dead_at;
  bool done_closed = false, dlq_closed = false;
  int taken = 0;  // items the stage received from `in`
  std::optional<goro::Duration> cancelled_at;

  int attempts_of(int id) {
    std::lock_guard lk(mu);
    auto it = attempts.find(id);
    return it == attempts.end() ? 0 : static_cast<int>(it->second.size());
  }
  int total_attempts() {
    std::lock_guard lk(mu);
    int n = 0;
    for (const auto& [id, v] : attempts) n += static_cast<int>(v.size());
    return n;
  }
};

Process process_for(const std::shared_ptr<Journal>& j, const std::shared_ptr<const Plan>& plan) {
  return [j, plan](const goro::Context& ctx, const Item& item) -> goro::Error {
    int n = 0;
    {
      std::lock_guard lk(j->mu);
      auto& v = j->attempts[item.id];
      v.push_back(goro::now() - j->t0);
      n = static_cast<int>(v.size());
      if (item.payload != payload_of(item.id)) ++j->bad_payload[item.id];
      if (ctx.err()) ++j->attempts_after_cancel;
    }
    const Spec& s = plan->spec(item.id);
    if (s.custom) return s.custom(ctx, n);
    if (s.transient < 0 || n <= s.transient) return goro::make_error(Timeout{item.id, n});
    if (s.poison == 1) return goro::errorf("item {}: payload does not parse: {:w}", item.id, ErrPoison);
    if (s.poison == 2) return goro::make_error(Malformed{item.id, "price"});
    return {};
  };
}

// The durations of a check: the stage's base backoff, and the pause a slow reader takes before
// each receive. On real threads a tenth of the virtual ones.
struct Scale {
  goro::Duration backoff, pause;
};
Scale scale(const Check& check) { return check.deterministic() ? Scale{kBaseBackoff, 30ms} : Scale{10ms, 3ms}; }

struct RunOpts {
  goro::Duration backoff = kBaseBackoff;
  goro::Duration dlq_pause{0};   // the DLQ reader pauses this long before each receive
  goro::Duration done_pause{0};  // the same for the reader of `done`
  bool dlq_reader = true;        // false: nobody reads `dlq` (the grader only looks after the return)
};

// Reads ch, recording each value, until it is closed — or, once `stop` is closed (run_stage has
// returned), reads what is left without waiting. Returns whether ch was closed.
template <class T, class Record>
bool read(const goro::Chan<T>& ch, const goro::Chan<goro::Unit>& stop, goro::Duration pause, Record record) {
  for (;;) {
    if (pause > goro::Duration(0)) goro::sleep(pause);
    T v{};
    bool ok = false;
    if (goro::select(goro::on_recv(ch, &v, &ok), goro::on_recv(stop)) == 0) {
      if (!ok) return true;
      record(std::move(v));
      continue;
    }
    for (;;) {
      if (goro::select(goro::on_recv(ch, &v, &ok), goro::on_default()) == 1) return false;
      if (!ok) return true;
      record(std::move(v));
    }
  }
}

struct Outcome {
  goro::Error err;            // what run_stage returned
  goro::Duration returned{};  // when, from the journal's t0
};

// Runs upstream (sends `ids` on `in`, then closes it) -> run_stage -> the readers of done and dlq.
Outcome run(const goro::Context& ctx, const std::vector<int>& ids, const std::shared_ptr<Journal>& j,
            const Plan& plan, const RunOpts& opts) {
  auto in = goro::make_chan<Item>();
  auto done = goro::make_chan<Item>();
  auto dlq = goro::make_chan<DeadLetter>();
  auto stop = goro::make_chan<goro::Unit>();
  goro::WaitGroup wg;
  wg.go([in, stop, ids, j] {
    for (int id : ids) {
      if (goro::select(goro::on_send(in, item_of(id)), goro::on_recv(stop)) == 1) break;
      std::lock_guard lk(j->mu);
      ++j->taken;
    }
    in.close();
  });
  wg.go([done, stop, j, pause = opts.done_pause] {
    const bool closed = read(done, stop, pause, [&](Item v) {
      std::lock_guard lk(j->mu);
      j->done.push_back(std::move(v));
      j->done_at.push_back(goro::now() - j->t0);
    });
    std::lock_guard lk(j->mu);
    j->done_closed = closed;
  });
  if (opts.dlq_reader) {
    wg.go([dlq, stop, j, pause = opts.dlq_pause] {
      const bool closed = read(dlq, stop, pause, [&](DeadLetter v) {
        std::lock_guard lk(j->mu);
        j->dead.push_back(std::move(v));
        j->dead_at.push_back(goro::now() - j->t0);
      });
      std::lock_guard lk(j->mu);
      j->dlq_closed = closed;
    });
  }
  Outcome o;
  o.err = run_stage(ctx, in, done, dlq, process_for(j, std::make_shared<const Plan>(plan)), opts.backoff);
  o.returned = goro::now() - j->t0;
  stop.close();
  if (!opts.dlq_reader) {
    const bool closed = read(dlq, stop, goro::Duration(0), [&](DeadLetter v) {
      std::lock_guard lk(j->mu);
      j->dead.push_back(std::move(v));
      j->dead_at.push_back(o.returned);
    });
    std::lock_guard lk(j->mu);
    j->dlq_closed = closed;
  }
  wg.wait();
  return o;
}

const char* const kHintOnce =
    "Each item leaves the stage exactly once: on `done` when an attempt succeeded, on `dlq` when it is "
    "poison or its last attempt failed — one send, after the item's last attempt. Both sends wait for "
    "their reader (a select with ctx.done() only, never a default case): a busy reader is no reason to "
    "drop an item.";
const char* const kHintAttempts =
    "kAttempts (3) counts every call of process, the first one included. An item that keeps failing is "
    "called 3 times, then dead-lettered; a poison error (goro::is(err, ErrPoison)) is dead-lettered "
    "right after the call that returned it, never retried.";
const char* const kHintBackoff =
    "After failed attempt n (not the last) wait base_backoff · 2^(n-1) on the runtime's clock, in a wait "
    "that ctx ending cuts short (a goro timer in a select with ctx.done(), say). std::this_thread::sleep_for "
    "does not move the runtime's clock and cannot be cut short.";
const char* const kHintClose =
    "`done` and `dlq` belong to the stage: close both before every return — the early return for a "
    "cancelled ctx included. Make every way out pass through the closes.";
const char* const kHintCancel =
    "Ask ctx.err() before taking an item, before each attempt and after a failed one; wait and send in "
    "selects that also watch ctx.done(). Once ctx has ended, return ctx.err() at once: no further attempt, "
    "and the item in hand goes nowhere.";

void expect_closed(Check& check, const std::shared_ptr<Journal>& j) {
  std::lock_guard lk(j->mu);
  std::vector<std::string> open;
  if (!j->done_closed) open.emplace_back("`done`");
  if (!j->dlq_closed) open.emplace_back("`dlq`");
  check.expect(open.empty(), "`done` and `dlq` both closed when run_stage returns",
               fmt::format("run_stage returned without closing {}", fmt::join(open, " and ")),
               {mistake::missing_close, kHintClose});
}

// Every id of `ids` came out on done or dlq exactly once — but `in_hand`, which must be on
// neither. Names the lost and the duplicated ids.
void expect_each_once(Check& check, const std::shared_ptr<Journal>& j, const std::vector<int>& ids,
                      std::optional<int> in_hand = std::nullopt) {
  std::lock_guard lk(j->mu);
  std::map<int, int> on_done, on_dlq;
  for (const Item& it : j->done) ++on_done[it.id];
  for (const DeadLetter& d : j->dead) ++on_dlq[d.item.id];
  std::vector<int> lost;
  std::vector<std::string> dup, strangers;
  for (int id : ids) {
    const int a = on_done[id], b = on_dlq[id];
    if (in_hand && id == *in_hand) {
      if (a + b > 0)
        dup.push_back(fmt::format("{} (on {} though it was in hand when ctx was cancelled)", id, a > 0 ? "done" : "dlq"));
      continue;
    }
    if (a + b == 0) lost.push_back(id);
    if (a > 0 && b > 0) dup.push_back(fmt::format("{} (on done and on dlq)", id));
    else if (a > 1) dup.push_back(fmt::format("{} (on done {} times)", id, a));
    else if (b > 1) dup.push_back(fmt::format("{} (on dlq {} times)", id, b));
  }
  for (const auto& m : {on_done, on_dlq})
    for (const auto& [id, n] : m)
      if (n > 0 && std::find(ids.begin(), ids.end(), id) == ids.end()) strangers.push_back(std::to_string(id));
  std::vector<std::string> notes;
  if (!lost.empty()) notes.push_back(fmt::format("lost (in neither done nor dlq): {}", list(lost)));
  if (dup.size() > 8)
    notes.push_back(fmt::format("duplicated: {}, ... ({} ids in all)", fmt::join(dup.begin(), dup.begin() + 8, ", "),
                                dup.size()));
  else if (!dup.empty())
    notes.push_back(fmt::format("duplicated: {}", fmt::join(dup, ", ")));
  if (!strangers.empty()) notes.push_back(fmt::format("ids that were never sent: {}", fmt::join(strangers, ", ")));
  const std::string want =
      in_hand ? fmt::format("every item taken before item {} on `done` or `dlq` exactly once, item {} on neither",
                            *in_hand, *in_hand)
              : fmt::format("each of the {} items on `done` or `dlq` exactly once", ids.size());
  // The first thing wrong names the class: a lost item, else one out twice.
  const dojo::grader::Mistake& m = !lost.empty() ? mistake::lost_item : !dup.empty() ? mistake::duplicate
                                                                                     : mistake::wrong_result;
  check.expect(notes.empty(), want,
               fmt::format("{} on done, {} on dlq; {}", j->done.size(), j->dead.size(), fmt::join(notes, "; ")),
               {m, kHintOnce});
}

// Each item of `ids` went where its Spec says. Run after expect_each_once.
void expect_routes(Check& check, const std::shared_ptr<Journal>& j, const Plan& plan, const std::vector<int>& ids) {
  std::lock_guard lk(j->mu);
  std::map<int, bool> on_done;
  for (const Item& it : j->done) on_done[it.id] = true;
  std::vector<int> should_be_done, should_be_dead;
  for (int id : ids) {
    const bool want_done = expect_of(plan.spec(id)).route == Route::done;
    if (want_done && !on_done[id]) should_be_done.push_back(id);
    if (!want_done && on_done[id]) should_be_dead.push_back(id);
  }
  std::vector<std::string> notes;
  if (!should_be_done.empty())
    notes.push_back(fmt::format("dead-lettered though an attempt succeeded: {}", list(should_be_done)));
  if (!should_be_dead.empty())
    notes.push_back(fmt::format("sent on done though no attempt succeeded: {}", list(should_be_dead)));
  check.expect(notes.empty(), "each item on `done` if one of its attempts succeeded, otherwise on `dlq`",
               fmt::format("{}", fmt::join(notes, "; ")), kHintAttempts);
}

// Each item of `ids` was attempted as often as its Spec says.
void expect_attempts(Check& check, const std::shared_ptr<Journal>& j, const Plan& plan, const std::vector<int>& ids) {
  std::vector<std::string> wrong;
  for (int id : ids) {
    const int want = expect_of(plan.spec(id)).attempts, got = j->attempts_of(id);
    if (got != want)
      wrong.push_back(fmt::format("item {} ({}) was attempted {} time{}, expected {}", id, describe(plan.spec(id)), got,
                                  got == 1 ? "" : "s", want));
  }
  std::string got = wrong.size() > 6 ? fmt::format("{}, ... ({} items in all)",
                                                    fmt::join(wrong.begin(), wrong.begin() + 6, "; "), wrong.size())
                                     : fmt::format("{}", fmt::join(wrong, "; "));
  check.expect(wrong.empty(), "each item attempted as often as it should be", got, {mistake::wrong_count, kHintAttempts});
  std::lock_guard lk(j->mu);
  check.expect(j->bad_payload.empty(), "every attempt handed the item as it came from `in`",
               fmt::format("{} item(s) were handed to process changed", j->bad_payload.size()));
}

// The dead letter of item `id`, or a failure naming what came out instead.
DeadLetter dead_letter(Check& check, const std::shared_ptr<Journal>& j, int id) {
  std::lock_guard lk(j->mu);
  for (const DeadLetter& d : j->dead)
    if (d.item.id == id) {
      check.expect(d.item.payload == payload_of(id), fmt::format("the dead letter holds item {} as it came in", id),
                   fmt::format("its payload is \"{}\", not \"{}\"", d.item.payload, payload_of(id)),
                   "Dead-letter the item you received, unchanged: whoever drains the DLQ needs its payload.");
      return d;
    }
  check.fail(fmt::format("a dead letter for item {}", id),
             fmt::format("none: {} on dlq, {} on done", j->dead.size(), j->done.size()), kHintOnce);
}

// The reason of a dead letter: it names the item and how it ended, and wraps the cause.
void expect_reason(Check& check, const DeadLetter& d, Route route) {
  const std::string prefix = route == Route::dlq_poison ? fmt::format("item {}: poison: ", d.item.id)
                                                        : fmt::format("item {}: gave up after 3 attempts: ", d.item.id);
  // A reason that does not even name its item does not say where it happened.
  const bool names_item = d.reason && starts_with(d.reason.message(), fmt::format("item {}: ", d.item.id));
  check.expect(d.reason && starts_with(d.reason.message(), prefix),
               fmt::format("a reason that starts with \"{}\"", prefix), Check::describe_error(d.reason),
               {names_item || !d.reason ? mistake::wrong_result : mistake::missing_context,
                route == Route::dlq_poison
                    ? "A poison item's reason: goro::errorf(\"item {}: poison: {:w}\", item.id, err)."
                    : "An exhausted item's reason: goro::errorf(\"item {}: gave up after {} attempts: {:w}\", "
                      "item.id, kAttempts, err), with the last attempt's error."});
}

// The attempts were made at exactly `want` (virtual clock), or at least at those offsets (real
// threads, where timers may fire late but never early).
void expect_attempts_at(Check& check, const std::vector<goro::Duration>& got, const std::vector<goro::Duration>& want) {
  bool ok = got.size() == want.size();
  for (std::size_t i = 0; ok && i < want.size(); ++i)
    ok = check.deterministic() ? got[i] == want[i] : got[i] + 1ms >= want[i];
  check.expect(ok, fmt::format("attempts at {}{}", offsets(want), check.deterministic() ? "" : " or later"),
               fmt::format("attempts at {}", offsets(got)), kHintBackoff);
}

void expect_moment(Check& check, goro::Duration got, goro::Duration want, std::string_view what,
                   std::string_view hint) {
  if (check.deterministic())
    check.expect(got == want, fmt::format("{}: at {}", what, offset(want)), fmt::format("at {}", offset(got)), hint);
  else
    check.expect(got + 1ms >= want, fmt::format("{}: at {} or later", what, offset(want)),
                 fmt::format("at {}", offset(got)), hint);
}

void expect_nil(Check& check, const goro::Error& err, std::string_view hint) {
  check.expect(!err, "run_stage returns nil: a dead-lettered item is handled, not a failure of the stage",
               Check::describe_error(err), {mistake::unexpected_error, hint});
}

// A stream of 50 items: some succeed at once, some after one or two failures, some never, some
// are poison (a wrapped sentinel or a typed error), some fail once and then turn out poison.
Plan mixed(int n) {
  Plan p;
  for (int id = 1; id <= n; ++id) {
    Spec s;
    if (id % 5 == 0) {
      s.poison = id % 10 == 0 ? 2 : 1;
    } else if (id % 7 == 0) {
      s.transient = -1;
    } else if (id % 11 == 0) {
      s.transient = 1;
      s.poison = 1;
    } else if (id % 9 == 0) {
      s.transient = 2;
    } else if (id % 3 == 0) {
      s.transient = 1;
    } else {
      continue;
    }
    p.specs[id] = s;
  }
  return p;
}

void expect_mixed(Check& check, const std::shared_ptr<Journal>& j, const Plan& plan, const std::vector<int>& ids) {
  expect_each_once(check, j, ids);
  expect_routes(check, j, plan, ids);
  expect_attempts(check, j, plan, ids);
  for (int id : ids) {
    const Expect e = expect_of(plan.spec(id));
    if (e.route == Route::done) continue;
    const DeadLetter d = dead_letter(check, j, id);
    expect_reason(check, d, e.route);
    if (e.route == Route::dlq_poison)
      check.expect_is(d.reason, ErrPoison, fmt::format("ErrPoison (in item {}'s reason)", id));
    else
      check.expect_is(d.reason, ErrUnavailable, fmt::format("ErrUnavailable (in item {}'s reason)", id),
                      "Wrap the last attempt's error with {:w}: goro::is must find the service's sentinel in it.");
  }
  expect_closed(check, j);
}

}  // namespace

DOJO_CHECK("fails twice, then succeeds: attempts at +0, +100 ms, +300 ms, then on `done`, not on `dlq`",
           "A failure that is not poison is tried again after a backoff; the first nil sends the item on `done`, "
           "and nothing goes on `dlq` for it.") {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[7] = Spec{2, 0};
  check.say(fmt::format("running upstream {{7}} -> run_stage(base backoff {}) -> readers of done and dlq; item 7 "
                        "fails twice with Timeout (wrapping ErrUnavailable), then succeeds",
                        dur(s.backoff)));
  Outcome o = run(goro::background(), {7}, j, plan, {.backoff = s.backoff});
  expect_nil(check, o.err, {});
  expect_each_once(check, j, {7});
  expect_routes(check, j, plan, {7});
  expect_attempts(check, j, plan, {7});
  std::lock_guard lk(j->mu);
  expect_attempts_at(check, j->attempts[7], {0ms, s.backoff, 3 * s.backoff});
  if (!j->done_at.empty()) expect_moment(check, j->done_at[0], 3 * s.backoff, "item 7 received from `done`", {});
  check.expect(j->done_closed && j->dlq_closed, "`done` and `dlq` both closed when run_stage returns",
               "a channel left open", kHintClose);
}

DOJO_CHECK("fails every time: dead-lettered after exactly 3 attempts (+0, +100 ms, +300 ms), at once after the last",
           kHintAttempts) {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[7] = Spec{-1, 0};
  check.say(fmt::format("running upstream {{7}} -> run_stage(base backoff {}) -> readers; item 7 fails every time "
                        "with Timeout (wrapping ErrUnavailable)",
                        dur(s.backoff)));
  Outcome o = run(goro::background(), {7}, j, plan, {.backoff = s.backoff});
  expect_nil(check, o.err, "An item that never succeeds is dead-lettered, and the stage goes on: nil.");
  expect_each_once(check, j, {7});
  expect_attempts(check, j, plan, {7});
  expect_routes(check, j, plan, {7});
  std::lock_guard lk(j->mu);
  expect_attempts_at(check, j->attempts[7], {0ms, s.backoff, 3 * s.backoff});
  if (!j->dead_at.empty())
    expect_moment(check, j->dead_at[0], 3 * s.backoff, "item 7's dead letter received",
                  "There is nothing to wait for after the last attempt: dead-letter the item right away.");
}

DOJO_CHECK("the give-up reason: \"item 7: gave up after 3 attempts: ...\", wrapping the LAST attempt's error",
           "Keep the error of the latest attempt and wrap it with {:w}: goro::is finds the service's sentinel, "
           "goro::as<Timeout> finds attempt 3's error. {} would keep only its text.") {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[7] = Spec{-1, 0};
  check.say("running upstream {7} -> run_stage -> readers; attempt n of item 7 fails with Timeout{7, n}, which "
            "wraps ErrUnavailable");
  Outcome o = run(goro::background(), {7}, j, plan, {.backoff = s.backoff});
  expect_nil(check, o.err, {});
  const DeadLetter d = dead_letter(check, j, 7);
  check.expect_is(d.reason, ErrUnavailable, "ErrUnavailable (the service's sentinel, in the reason)");
  const Timeout t = check.expect_as<Timeout>(d.reason, "Timeout");
  check.expect_eq(t.attempt, 3, "the attempt of the Timeout found in the reason",
                  "The reason wraps the error of the final attempt, not the first one.");
  expect_reason(check, d, Route::dlq_gave_up);
}

DOJO_CHECK("a poison item: dead-lettered right after its first attempt (+0), never retried, reason \"item 5: poison: ...\"",
           kHintAttempts) {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[5] = Spec{0, 1};
  check.say("running upstream {5} -> run_stage -> readers; item 5's attempt fails with \"item 5: payload does not "
            "parse: poison item\" (wrapping ErrPoison)");
  Outcome o = run(goro::background(), {5}, j, plan, {.backoff = s.backoff});
  expect_nil(check, o.err, {});
  expect_attempts(check, j, plan, {5});
  expect_each_once(check, j, {5});
  expect_routes(check, j, plan, {5});
  const DeadLetter d = dead_letter(check, j, 5);
  check.expect_is(d.reason, ErrPoison, "ErrPoison (in the reason)", "Wrap the poison error with {:w}.");
  expect_reason(check, d, Route::dlq_poison);
  std::lock_guard lk(j->mu);
  if (!j->dead_at.empty())
    expect_moment(check, j->dead_at[0], 0ms, "item 5's dead letter received",
                  "No backoff for a poison item: nothing would change in the wait.");
}

DOJO_CHECK("a typed poison error (Malformed, which unwraps to ErrPoison): one attempt, and goro::as finds it in the reason",
           "Decide with goro::is(err, ErrPoison): it also sees through a typed error whose unwrap() gives "
           "ErrPoison. Comparing err == ErrPoison, or reading the message, misses it.") {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[3] = Spec{0, 2};
  check.say("running upstream {1, 2, 3, 4} -> run_stage -> readers; item 3 fails with Malformed{3, \"price\"}, "
            "a typed error that unwraps to ErrPoison; the others succeed");
  Outcome o = run(goro::background(), {1, 2, 3, 4}, j, plan, {.backoff = s.backoff});
  expect_nil(check, o.err, {});
  expect_attempts(check, j, plan, {1, 2, 3, 4});
  expect_each_once(check, j, {1, 2, 3, 4});
  expect_routes(check, j, plan, {1, 2, 3, 4});
  const DeadLetter d = dead_letter(check, j, 3);
  const Malformed m = check.expect_as<Malformed>(d.reason, "Malformed", "Wrap the poison error with {:w}.");
  check.expect(m.id == 3 && m.field == "price", "Malformed{3, \"price\"}",
               fmt::format("Malformed{{{}, \"{}\"}}", m.id, m.field));
  expect_reason(check, d, Route::dlq_poison);
}

DOJO_CHECK("transient, then poison: dead-lettered right after the second attempt (+100 ms) as poison",
           "Ask goro::is(err, ErrPoison) after every attempt, not only the first: the item ends at the attempt "
           "that says it is poison.") {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[11] = Spec{1, 1};
  check.say("running upstream {11} -> run_stage -> readers; item 11's first attempt times out (transient), its "
            "second says the payload does not parse (wrapping ErrPoison)");
  Outcome o = run(goro::background(), {11}, j, plan, {.backoff = s.backoff});
  expect_nil(check, o.err, {});
  expect_attempts(check, j, plan, {11});
  expect_each_once(check, j, {11});
  const DeadLetter d = dead_letter(check, j, 11);
  check.expect_is(d.reason, ErrPoison, "ErrPoison (in the reason)");
  expect_reason(check, d, Route::dlq_poison);
  std::lock_guard lk(j->mu);
  expect_attempts_at(check, j->attempts[11], {0ms, s.backoff});
  if (!j->dead_at.empty()) expect_moment(check, j->dead_at[0], s.backoff, "item 11's dead letter received", {});
}

DOJO_CHECK("a dead letter does not fail the stage: the items after it are processed, and run_stage returns nil",
           "Only ctx ends the stage early. A failing item is handled by dead-lettering it; then take the next "
           "item, as after a success.") {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[1] = Spec{-1, 0};
  plan.specs[3] = Spec{0, 1};
  const std::vector<int> ids{1, 2, 3, 4};
  check.say("running upstream {1, 2, 3, 4} -> run_stage -> readers; item 1 fails every time, item 3 is poison, "
            "items 2 and 4 succeed");
  Outcome o = run(goro::background(), ids, j, plan, {.backoff = s.backoff});
  expect_nil(check, o.err, "Only ctx ends the stage early; a dead-lettered item is a handled item.");
  expect_each_once(check, j, ids);
  expect_routes(check, j, plan, ids);
  expect_attempts(check, j, plan, ids);
  expect_closed(check, j);
}

DOJO_CHECK("50 mixed items: every id comes out exactly once, on the right channel, after the right number of attempts",
           kHintOnce) {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  const Plan plan = mixed(50);
  const auto ids = range(1, 50);
  check.say("running upstream {1 .. 50} -> run_stage -> readers; multiples of 5 are poison (wrapped sentinel or "
            "Malformed), of 7 fail every time, of 11 fail once and are then poison, of 9 fail twice, of 3 fail "
            "once; the rest succeed at once");
  Outcome o = run(goro::background(), ids, j, plan, {.backoff = s.backoff});
  expect_nil(check, o.err, {});
  expect_mixed(check, j, plan, ids);
  std::lock_guard lk(j->mu);
  check.report(fmt::format("{} items on done, {} dead letters, {} attempts", j->done.size(), j->dead.size(),
                           [&] {
                             int n = 0;
                             for (const auto& [id, v] : j->attempts) n += static_cast<int>(v.size());
                             return n;
                           }()));
}

DOJO_CHECK("a slow DLQ reader: every dead letter waits for it, none is lost",
           "The DLQ send is a send like any other: it waits until the reader takes the dead letter (or ctx "
           "ends). A select with a default case, or a timeout, drops the item while the reader is busy.") {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  const auto ids = range(1, 24);
  for (int id : ids)
    if (id % 4 != 0) plan.specs[id] = Spec{0, id % 2 == 0 ? 2 : 1};  // 18 poison items, mostly back to back
  plan.specs[8] = Spec{-1, 0};
  check.say(fmt::format("running upstream {{1 .. 24}} -> run_stage -> readers; every item but the multiples of 4 is "
                        "poison, item 8 fails every time; the DLQ reader pauses {} before each receive",
                        dur(s.pause)));
  Outcome o = run(goro::background(), ids, j, plan, {.backoff = s.backoff, .dlq_pause = s.pause});
  expect_nil(check, o.err, {});
  expect_each_once(check, j, ids);
  expect_routes(check, j, plan, ids);
  expect_attempts(check, j, plan, ids);
  expect_closed(check, j);
}

DOJO_CHECK("slow readers of both channels, under many schedules: nothing lost, nothing doubled",
           kHintOnce, dojo::grader::Options{.seeds = 12}) {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  const Plan plan = mixed(30);
  const auto ids = range(1, 30);
  check.say(fmt::format("running upstream {{1 .. 30}} (the mixed stream) -> run_stage -> readers that pause {} "
                        "(done) and {} (dlq) before each receive",
                        dur(s.pause / 3), dur(s.pause)));
  Outcome o = run(goro::background(), ids, j, plan,
                  {.backoff = s.backoff, .dlq_pause = s.pause, .done_pause = s.pause / 3});
  expect_nil(check, o.err, {});
  expect_mixed(check, j, plan, ids);
}

DOJO_CHECK("an attempt that times out on its own is the item's failure, not the stage's cancellation",
           "Whether the stage must stop is a question for ctx (ctx.err()), not for the item's error: an attempt "
           "may use a timeout of its own, and goro::DeadlineExceeded from it is an ordinary failure — retried, "
           "then dead-lettered.") {
  const Scale s = scale(check);
  auto j = std::make_shared<Journal>();
  Plan plan;
  const goro::Duration limit = s.backoff / 5;
  plan.specs[2].custom = [limit](const goro::Context& ctx, int) -> goro::Error {
    auto [actx, cancel] = goro::with_timeout(ctx, limit);  // the call's own deadline
    auto slow = goro::new_timer(limit * 50);                // the service would answer much later
    (void)goro::select(goro::on_recv(slow.c()), goro::on_recv(actx.done()));
    slow.stop();
    goro::Error err = actx.err();
    cancel();
    return goro::errorf("inventory call: {:w}", err);
  };
  const std::vector<int> ids{1, 2, 3};
  check.say(fmt::format("running upstream {{1, 2, 3}} -> run_stage -> readers; every attempt at item 2 gives up "
                        "after {} on a timeout of its own (goro::DeadlineExceeded); ctx is never cancelled",
                        dur(limit)));
  Outcome o = run(goro::background(), ids, j, plan, {.backoff = s.backoff});
  check.expect(!o.err,
               "run_stage returns nil: an attempt's own timeout is that item's failure; only ctx ending stops the stage",
               Check::describe_error(o.err), mistake::unexpected_error);
  check.expect_eq(j->attempts_of(2), kAttempts, "attempts at item 2", {mistake::wrong_count, kHintAttempts});
  expect_each_once(check, j, ids);
  const DeadLetter d = dead_letter(check, j, 2);
  check.expect_is(d.reason, goro::DeadlineExceeded, "goro::DeadlineExceeded (in item 2's reason)");
  expect_reason(check, d, Route::dlq_gave_up);
  expect_closed(check, j);
}

DOJO_CHECK("no items: nil, `done` and `dlq` closed, process never called",
           "`in` closed at once: the first receive says so; close both outputs and return nil.") {
  auto j = std::make_shared<Journal>();
  check.say("running upstream {} -> run_stage -> readers");
  Outcome o = run(goro::background(), {}, j, {}, {.backoff = scale(check).backoff});
  check.expect_ok(o.err, "run_stage(...)");
  check.expect_eq(j->total_attempts(), 0, "calls of process");
  expect_closed(check, j);
}

DOJO_CHECK("an already-cancelled context: its error, nothing taken from `in`, process never called, both channels closed",
           kHintClose) {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto j = std::make_shared<Journal>();
  auto in = goro::make_chan<Item>(3);
  auto done = goro::make_chan<Item>();
  auto dlq = goro::make_chan<DeadLetter>();
  for (int id : {1, 2, 3}) in.send(item_of(id));
  check.say("calling run_stage(ctx, in, done, dlq, process) with ctx already cancelled and `in` holding items 1, 2, 3 "
            "(not closed)");
  goro::Error err = run_stage(ctx, in, done, dlq, process_for(j, std::make_shared<const Plan>()), kBaseBackoff);
  check.expect_is(err, goro::Canceled, "goro::Canceled", "Check ctx.err() first: a cancelled caller wants no work.");
  check.expect_eq(j->total_attempts(), 0, "calls of process", {mistake::ignored_cancellation, kHintCancel});
  check.expect_eq(in.len(), std::size_t{3}, "items left in `in`",
                  "Look at ctx before taking an item: an item taken after the cancellation is lost to the caller.");
  auto stop = goro::make_chan<goro::Unit>();
  stop.close();
  const bool done_closed = read(done, stop, goro::Duration(0), [](Item) {});
  const bool dlq_closed = read(dlq, stop, goro::Duration(0), [](DeadLetter) {});
  std::vector<std::string> open;
  if (!done_closed) open.emplace_back("`done`");
  if (!dlq_closed) open.emplace_back("`dlq`");
  check.expect(open.empty(), "`done` and `dlq` both closed when run_stage returns",
               fmt::format("run_stage returned without closing {}", fmt::join(open, " and ")),
               {mistake::missing_close, kHintClose});
}

DOJO_CHECK("cancelled by an attempt mid-stream: goro::Canceled at once, no further attempt, nothing lost before it",
           kHintCancel) {
  const Scale s = scale(check);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto j = std::make_shared<Journal>();
  Plan plan = mixed(19);
  // Item 20's first attempt is where the caller gives up: it cancels ctx, and the attempt fails
  // with ctx's error (as a call that watches its context does).
  plan.specs[20].custom = [j, cancel](const goro::Context& c, int n) -> goro::Error {
    if (n == 1) {
      {
        std::lock_guard lk(j->mu);
        j->cancelled_at = goro::now() - j->t0;
      }
      cancel();
    }
    return goro::errorf("inventory call for item 20: {:w}", c.err());
  };
  const auto ids = range(1, 40);
  check.say("running upstream {1 .. 40} -> run_stage(ctx) -> readers; items 1 .. 19 are the mixed stream; the "
            "first attempt at item 20 cancels ctx and fails with ctx's error");
  Outcome o = run(ctx, ids, j, plan, {.backoff = s.backoff});
  check.expect_is(o.err, goro::Canceled, "goro::Canceled", kHintCancel);
  {
    std::lock_guard lk(j->mu);
    check.expect(j->attempts_after_cancel == 0, "no attempt starts after ctx was cancelled",
                 fmt::format("{} attempt(s) started after ctx was cancelled (item 20 was attempted {} times)",
                             j->attempts_after_cancel, j->attempts[20].size()),
                 {mistake::ignored_cancellation, kHintCancel});
    int later = 0;
    for (const auto& [id, v] : j->attempts)
      if (id > 20) later += static_cast<int>(v.size());
    check.expect(later == 0, "no item after item 20 is attempted",
                 fmt::format("{} attempt(s) at items after 20", later), {mistake::ignored_cancellation, kHintCancel});
  }
  expect_each_once(check, j, range(1, 20), 20);
  const auto before = range(1, 19);
  expect_routes(check, j, plan, before);
  expect_attempts(check, j, plan, before);
  expect_closed(check, j);
  if (check.deterministic()) {
    std::lock_guard lk(j->mu);
    const goro::Duration at = j->cancelled_at.value_or(goro::Duration(0));
    check.expect(o.returned == at, fmt::format("run_stage returns the moment ctx is cancelled: at {}", offset(at)),
                 fmt::format("it returned at {}", offset(o.returned)),
                 {mistake::ignored_cancellation,
                  "After a failed attempt, ask ctx.err() before waiting: a cancelled caller waits out no backoff."});
  }
  cancel();
}

DOJO_CHECK("cancelled during a backoff: goro::Canceled at that moment (+50 ms), no further attempt",
           kHintBackoff) {
  // On the virtual clock the backoff is 100 ms and the cancel comes at +50 ms, in its middle. On
  // real threads the backoff is a minute and the cancel comes at +5 ms: wherever a busy machine
  // lets it land (before the attempt, during it, or in the backoff), a correct stage returns at
  // once, having made at most one attempt; one that waits its backoff out is stuck for a minute.
  const goro::Duration backoff = check.deterministic() ? goro::Duration(kBaseBackoff) : goro::Duration(60s);
  const goro::Duration cancel_at = check.deterministic() ? goro::Duration(50ms) : goro::Duration(5ms);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[1] = Spec{-1, 0};
  check.say(fmt::format("running upstream {{1, 2}} -> run_stage(ctx, base backoff {}) -> readers; item 1 fails "
                        "every time; a helper task cancels ctx at {}",
                        dur(backoff), offset(cancel_at)));
  Canceller canceller(cancel, cancel_at);
  Outcome o = run(ctx, {1, 2}, j, plan, {.backoff = backoff});
  canceller.join();
  check.expect_is(o.err, goro::Canceled, "goro::Canceled", kHintCancel);
  const int n = j->attempts_of(1);
  check.expect(check.deterministic() ? n == 1 : n <= 1, check.deterministic() ? "1 attempt at item 1" : "at most 1 attempt at item 1",
               fmt::format("{} attempts at item 1", n), {mistake::ignored_cancellation, kHintCancel});
  check.expect_eq(j->attempts_of(2), 0, "attempts at item 2", {mistake::ignored_cancellation, kHintCancel});
  expect_each_once(check, j, {1}, 1);
  expect_closed(check, j);
  if (check.deterministic())
    check.expect(o.returned == cancel_at,
                 fmt::format("run_stage returns the moment ctx is cancelled: at {}", offset(cancel_at)),
                 fmt::format("it returned at {}", offset(o.returned)), {mistake::ignored_cancellation, kHintBackoff});
  cancel();
}

DOJO_CHECK("cancelled while a dead letter waits for a reader that never comes: the send is given up, and the stage returns",
           "A send that waits for its reader must also watch ctx.done(): goro::select(goro::on_send(dlq, ...), "
           "goro::on_recv(ctx.done())). A plain dlq.send(...) waits forever once nobody reads.") {
  const goro::Duration cancel_at = check.deterministic() ? goro::Duration(50ms) : goro::Duration(5ms);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto j = std::make_shared<Journal>();
  Plan plan;
  plan.specs[2] = Spec{0, 1};
  check.say(fmt::format("running upstream {{1, 2, 3}} -> run_stage(ctx) -> a reader of done only (nobody reads dlq); "
                        "item 2 is poison; a helper task cancels ctx at {}",
                        offset(cancel_at)));
  Canceller canceller(cancel, cancel_at);
  Outcome o = run(ctx, {1, 2, 3}, j, plan, {.backoff = scale(check).backoff, .dlq_reader = false});
  canceller.join();
  check.expect_is(o.err, goro::Canceled, "goro::Canceled", kHintCancel);
  check.expect_eq(j->attempts_of(3), 0, "attempts at item 3",
                  "Item 2's dead letter was never received: the stage cannot have moved on to item 3.");
  expect_closed(check, j);
  if (check.deterministic()) {
    expect_each_once(check, j, {1, 2}, 2);
    check.expect(o.returned == cancel_at,
                 fmt::format("run_stage returns the moment ctx is cancelled: at {}", offset(cancel_at)),
                 fmt::format("it returned at {}", offset(o.returned)), {mistake::ignored_cancellation, kHintCancel});
  }
  cancel();
}
