// Hidden checks for exercise 28 (quorum).
//
// Every replica of a check follows a plan: it answers (or fails) at a given moment unless its
// context is cancelled first, and a "straggler" is a replica that would answer very late. On the
// virtual clock the moments are exact, so the checks compare when quorum returns and when each
// straggler saw its context cancelled. On real threads nothing is judged by time: the moments
// are a hundredth as long, only what can be told apart by events is compared (which answers,
// which errors, who was still running), and a straggler never answers by itself — it waits for
// its context, however long that takes. A quorum that never cancels it is caught by the
// deterministic runs first, where a straggler does answer, late, and the check names the delay.
#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "quorum.hpp"

using dojo::ex28::ErrNoQuorum;
using dojo::ex28::ErrTooFewReplicas;
using dojo::ex28::quorum;
using dojo::ex28::Replica;
using dojo::grader::Check;
using dojo::grader::offset;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::swallowed_error, mistake::unexpected_error, mistake::wrong_error, mistake::kept_going,
                     mistake::leak, mistake::wrong_timing);

namespace {

const goro::Error ErrStale = goro::new_error("replica is behind: stale read");
const goro::Error ErrTimeout = goro::new_error("i/o timeout");

// A typed failure: goro::as<ReplicaDown> must find it in quorum's error.
struct ReplicaDown {
  std::string name;
  [[nodiscard]] std::string message() const { return fmt::format("replica {} is down", name); }
};

const char* const kHintCancel =
    "Call every replica with a context of your own, derived from ctx, and cancel it the moment you have "
    "decided: the calls still running learn at once that their answer is not needed.";
const char* const kHintWait =
    "Cancelling is not stopping: a cancelled call still runs until it notices its context. Cancel, then wait "
    "until every call has returned (count them, or take one result from each), then return.";
const char* const kHintEarly =
    "Return as soon as the answer is known: when the need-th success arrives, or when the calls still running "
    "can no longer make up the successes that are missing. Waiting for the slow replicas is the latency a "
    "quorum read exists to avoid.";
const char* const kHintCount =
    "Only a success counts towards the quorum. A failed call gives you an error to keep, not an answer.";
const char* const kHintJoin =
    "The error of a lost quorum must hold every failure seen so far: keep each one as it comes, and wrap "
    "goro::join of them with {:w}, next to ErrNoQuorum.";

std::string answer_of(const std::string& name) { return "v7 from " + name; }

// How one replica behaves.
struct Plan {
  std::string name;
  goro::Duration at{};           // when it answers, on the virtual clock (a hundredth on real threads)
  goro::Error fails;             // nil: it answers answer_of(name)
  bool straggler = false;        // on real threads: never answers by itself, stops only when cancelled
  goro::Duration wind_down{};    // once it sees its context cancelled, how long it takes to return
};

// What one replica saw.
struct Seen {
  bool called = false, returned = false, cancelled = false;
  goro::Duration called_at{}, returned_at{}, cancelled_at{};
  goro::Context ctx;             // the context it was called with
};

// The record of one call of quorum: what each replica saw. Shared with the replicas' tasks.
struct Board {
  goro::Time t0 = goro::now();
  std::vector<Plan> plans;
  std::mutex mu;
  std::vector<Seen> seen;

  // How many replicas `pred(plan, seen)` holds for.
  template <class P>
  int count(P pred) {
    std::lock_guard lk(mu);
    int n = 0;
    for (std::size_t i = 0; i < plans.size(); ++i) n += pred(plans[i], seen[i]) ? 1 : 0;
    return n;
  }
  Seen get(std::size_t i) {
    std::lock_guard lk(mu);
    return seen[i];
  }
  // The names of the replicas for which `pred(plan, seen)` holds, "a, c", or "" for none.
  template <class P>
  std::string names(P pred) {
    std::lock_guard lk(mu);
    std::string out;
    for (std::size_t i = 0; i < plans.size(); ++i)
      if (pred(plans[i], seen[i])) out += (out.empty() ? "" : ", ") + plans[i].name;
    return out;
  }
};

goro::Duration scaled(bool virt, goro::Duration d) { return virt ? d : d / 100; }

// The replicas of a check, one per plan, reporting to `b`.
std::vector<Replica> make_replicas(const std::shared_ptr<Board>& b, bool virt) {
  std::vector<Replica> out;
  b->seen.assign(b->plans.size(), Seen{});
  for (std::size_t i = 0; i < b->plans.size(); ++i) {
    out.push_back([b, i, virt](const goro::Context& ctx) -> goro::Result<std::string> {
      const Plan p = b->plans[i];
      {
        std::lock_guard lk(b->mu);
        b->seen[i].called = true;
        b->seen[i].called_at = goro::now() - b->t0;
        b->seen[i].ctx = ctx;
      }
      bool cancelled = false;
      if (!virt && p.straggler) {
        (void)ctx.done().recv();
        cancelled = true;
      } else {
        auto timer = goro::new_timer(scaled(virt, p.at));
        if (goro::select(goro::on_recv(ctx.done()), goro::on_recv(timer.c())) == 0) {
          timer.stop();
          cancelled = true;
        }
      }
      if (cancelled) {
        {
          std::lock_guard lk(b->mu);
          b->seen[i].cancelled = true;
          b->seen[i].cancelled_at = goro::now() - b->t0;
        }
        if (p.wind_down > goro::Duration::zero()) goro::sleep(scaled(virt, p.wind_down));
      }
      goro::Error err = cancelled ? goro::errorf("replica {}: {:w}", p.name, ctx.err()) : p.fails;
      {
        std::lock_guard lk(b->mu);
        b->seen[i].returned = true;
        b->seen[i].returned_at = goro::now() - b->t0;
      }
      if (err) return err;
      return answer_of(p.name);
    });
  }
  return out;
}

std::string show_list(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return "{" + out + "}";
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Check::describe_error without its last line break, for messages that go on after it.
std::string described(const goro::Error& err) {
  std::string s = Check::describe_error(err);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// What quorum returned, for messages.
std::string show_result(const goro::Result<std::vector<std::string>>& r) {
  return r.ok() ? fmt::format("the answers {}", show_list(r.value())) : Check::describe_error(r.error());
}

// Every replica was called, and (on the virtual clock) at once.
void expect_all_called_at_once(Check& check, Board& b, bool virt) {
  const std::string never = b.names([](const Plan&, const Seen& s) { return !s.called; });
  check.expect(never.empty(), "every replica is called", fmt::format("replica(s) {} were never called", never),
               "Start every call at once, each in a task of its own: a quorum asks all the replicas.");
  if (!virt) return;
  for (std::size_t i = 0; i < b.plans.size(); ++i) {
    const Seen s = b.get(i);
    check.expect(s.called_at == goro::Duration::zero(), "every replica is called at +0s, all at once",
                 fmt::format("replica {} was called at {}: the calls were made one after another",
                             b.plans[i].name, offset(s.called_at)),
                 "Start every call in its own task before waiting for any answer.");
  }
}

// No replica is still running now (quorum has returned).
void expect_all_returned(Check& check, Board& b, std::string_view when_cancelled) {
  const std::string running = b.names([](const Plan&, const Seen& s) { return s.called && !s.returned; });
  check.expect(running.empty(), "every call has returned when quorum returns",
               fmt::format("replica(s) {} were still running when quorum returned{}", running, when_cancelled),
               {mistake::leak, kHintWait});
}

// Every straggler's context is cancelled by now (quorum has returned).
void expect_stragglers_ctx_cancelled(Check& check, Board& b, bool virt) {
  for (std::size_t i = 0; i < b.plans.size(); ++i) {
    const Plan& p = b.plans[i];
    const Seen s = b.get(i);
    if (!p.straggler || !s.called) continue;
    check.expect(!s.ctx.is_nil() && s.ctx.err(), fmt::format("replica {} is cancelled", p.name),
                 fmt::format("the context replica {} was called with was never cancelled, not even after quorum "
                             "returned{}",
                             p.name, virt ? fmt::format(": it ran to its end at {}", offset(s.returned_at)) : ""),
                 {mistake::kept_going, kHintCancel});
  }
}

// On the virtual clock: every straggler saw its context cancelled at the moment `decided`.
void expect_stragglers_cancelled_at(Check& check, Board& b, bool virt, goro::Duration decided) {
  if (!virt) return;
  for (std::size_t i = 0; i < b.plans.size(); ++i) {
    const Plan& p = b.plans[i];
    const Seen s = b.get(i);
    if (!p.straggler || !s.called) continue;
    check.expect(s.cancelled && s.cancelled_at == decided,
                 fmt::format("replica {} sees its context cancelled at {}, when quorum decides", p.name,
                             offset(decided)),
                 s.cancelled ? fmt::format("replica {} saw it at {}", p.name, offset(s.cancelled_at))
                             : fmt::format("replica {} was not cancelled while it ran: it answered at {} (its "
                                           "context was cancelled only after that)",
                                           p.name, offset(s.returned_at)),
                 {s.cancelled ? mistake::wrong_timing : mistake::kept_going, kHintCancel});
  }
}

}  // namespace

DOJO_CHECK("the quorum is reached while two replicas are slow: the 3 answers, in the order they came, at once",
           kHintEarly) {
  const bool virt = check.deterministic();
  auto parent = std::make_shared<dojo::grader::CountingParent>(goro::background());
  auto b = std::make_shared<Board>();
  b->plans = {{"a", 300ms, {}, false, {}}, {"b", 10s, {}, true, {}}, {"c", 100ms, {}, false, {}},
              {"d", 5s, {}, true, {}}, {"e", 200ms, {}, false, {}}};
  auto rs = make_replicas(b, virt);
  if (virt)
    check.say("quorum(parent, 5 replicas, need 3): a answers at +300ms, b at +10s, c at +100ms, d at +5s, e at "
              "+200ms (unless cancelled first)");
  else
    check.say("quorum(parent, 5 replicas, need 3): a, c and e answer within 3ms; b and d answer only when "
              "cancelled");
  const goro::Time t0 = goro::now();
  auto r = quorum(goro::Context(parent), rs, 3);
  const goro::Duration took = goro::now() - t0;
  check.expect(r.ok(), "quorum returns 3 answers", show_result(r), kHintEarly);
  const std::vector<std::string> want = {answer_of("c"), answer_of("e"), answer_of("a")};
  check.expect(r.value().size() == 3, "exactly 3 answers: as many as needed",
               fmt::format("{} answers: {}", r.value().size(), show_list(r.value())),
               "Return the first `need` successes, no more: stop when you have them.");
  if (virt) {
    std::string got = fmt::format("the answers {}", show_list(r.value()));
    if (r.value() == std::vector<std::string>{answer_of("a"), answer_of("c"), answer_of("e")})
      got += ": the order of the replicas, not the order their answers came in";
    check.expect(r.value() == want, fmt::format("the answers {}: c, e, a, in the order they succeeded", show_list(want)),
                 got, "Append each success to the result as it arrives.");
  } else {
    check.expect(sorted(r.value()) == sorted(want), "the answers of a, c and e (in any order)",
                 fmt::format("the answers {}", show_list(r.value())), kHintCount);
  }
  expect_all_called_at_once(check, *b, virt);
  expect_all_returned(check, *b, "");
  expect_stragglers_ctx_cancelled(check, *b, virt);
  if (virt) {
    std::string got = fmt::format("quorum returned at {}", offset(took));
    if (took >= 10s) got += ", when the slowest replica (b) had answered: it waited for every replica";
    check.expect(took == 300ms, "quorum returns at +300ms, when the 3rd success (a) arrives", got,
                 {mistake::wrong_timing, kHintEarly});
  }
  expect_stragglers_cancelled_at(check, *b, virt, 300ms);
  check.expect(parent->still_linked() == 0, "the context quorum derived for the calls is released when it returns",
               fmt::format("{} context(s) derived from the caller's were never cancelled", parent->still_linked()),
               "Call cancel() on every way out of quorum: a derived context nobody cancels stays linked to its "
               "parent.");
}

DOJO_CHECK("all five replicas succeed at the same moment: exactly 3 answers, distinct, at that moment",
           "Count the successes as they arrive and stop at `need`: the answers that arrive after the quorum are "
           "dropped, even when they come at the same moment.",
           dojo::grader::Options{.seeds = 8}) {
  const bool virt = check.deterministic();
  auto b = std::make_shared<Board>();
  for (const char* n : {"a", "b", "c", "d", "e"}) b->plans.push_back({n, 100ms, {}, false, {}});
  auto rs = make_replicas(b, virt);
  check.say(virt ? "quorum(background, 5 replicas that all answer at +100ms, need 3)"
                 : "quorum(background, 5 replicas that all answer after 1ms, need 3)");
  const goro::Time t0 = goro::now();
  auto r = quorum(goro::background(), rs, 3);
  const goro::Duration took = goro::now() - t0;
  check.expect(r.ok(), "quorum returns 3 answers", show_result(r));
  const std::vector<std::string> got = sorted(r.value());
  check.expect(got.size() == 3, "exactly 3 answers: as many as needed",
               fmt::format("{} answers: {}", got.size(), show_list(r.value())),
               "Stop at the need-th success: the answers that arrive later are not part of the result.");
  const bool distinct = std::adjacent_find(got.begin(), got.end()) == got.end();
  const bool known = std::all_of(got.begin(), got.end(), [](const std::string& s) {
    return s.size() == 9 && s.rfind("v7 from ", 0) == 0 && s[8] >= 'a' && s[8] <= 'e';
  });
  check.expect(distinct && known, "3 different replicas' answers", fmt::format("the answers {}", show_list(r.value())),
               "Each call reports its own answer once.");
  expect_all_returned(check, *b, "");
  if (virt)
    check.expect(took == 100ms, "quorum returns at +100ms", fmt::format("quorum returned at {}", offset(took)),
                 {mistake::wrong_timing, kHintEarly});
}

DOJO_CHECK("two replicas fail, three succeed: the failures do not count, and quorum waits for the 3rd success",
           kHintCount) {
  const bool virt = check.deterministic();
  auto b = std::make_shared<Board>();
  b->plans = {{"a", 100ms, goro::make_error(ReplicaDown{"a"}), false, {}},
              {"b", 200ms, {}, false, {}},
              {"c", 300ms, ErrStale, false, {}},
              {"d", 400ms, {}, false, {}},
              {"e", 500ms, {}, false, {}}};
  auto rs = make_replicas(b, virt);
  check.say(virt ? "quorum(background, 5 replicas, need 3): a fails at +100ms, b answers at +200ms, c fails at "
                   "+300ms, d answers at +400ms, e at +500ms"
                 : "quorum(background, 5 replicas, need 3): a and c fail, b, d and e answer (all within 5ms)");
  const goro::Time t0 = goro::now();
  auto r = quorum(goro::background(), rs, 3);
  const goro::Duration took = goro::now() - t0;
  if (!r.ok()) {
    auto failed_yet = [](const Plan& p, const Seen& s) { return p.fails && s.returned && !s.cancelled; };
    const std::string failed = b->names(failed_yet);
    const int n_failed = b->count(failed_yet);
    check.fail("quorum returns the answers of b, d and e: 3 of 5 succeed, a quorum",
               fmt::format("quorum gave up with {}\nwhen {} replica(s) had failed ({}){}: {} replicas could still "
                           "succeed and 3 were needed",
                           described(r.error()), n_failed, failed.empty() ? "none" : failed,
                           virt ? fmt::format(", at {}", offset(took)) : "", 5 - n_failed),
               {mistake::unexpected_error,
                "A failure only ends the read when the quorum is out of reach: count the calls still running, "
                "and give up only when they cannot make up the successes that are missing."});
  }
  const std::vector<std::string> want = {answer_of("b"), answer_of("d"), answer_of("e")};
  if (sorted(r.value()) != want) {
    std::size_t foreign = 0;
    for (const std::string& s : r.value())
      if (std::find(want.begin(), want.end(), s) == want.end()) ++foreign;
    check.fail(fmt::format("the answers {} (in any order)", show_list(want)),
               fmt::format("the answers {}{}", show_list(r.value()),
                           foreign > 0 ? fmt::format("\n{} of them did not come from a successful call: a failed "
                                                     "replica was counted as a success",
                                                     foreign)
                                       : std::string()),
               foreign > 0 ? dojo::grader::Why{mistake::swallowed_error, kHintCount} : dojo::grader::Why{kHintCount});
  }
  if (virt)
    check.expect(took == 500ms, "quorum returns at +500ms, when the 3rd success (e) arrives",
                 fmt::format("quorum returned at {}", offset(took)), {mistake::wrong_timing, kHintCount});
  expect_all_returned(check, *b, "");
}

DOJO_CHECK("three of five fail: quorum gives up at the 3rd failure, without waiting for the straggler",
           kHintEarly) {
  const bool virt = check.deterministic();
  auto b = std::make_shared<Board>();
  b->plans = {{"a", 50ms, {}, false, {}},
              {"b", 100ms, ErrStale, false, {}},
              {"c", 200ms, goro::make_error(ReplicaDown{"c"}), false, {}},
              {"d", 300ms, goro::errorf("replica d: read: {:w}", ErrTimeout), false, {}},
              {"e", 10s, {}, true, {}}};
  auto rs = make_replicas(b, virt);
  check.say(virt ? "quorum(background, 5 replicas, need 3): a answers at +50ms; b, c and d fail at +100ms, +200ms "
                   "and +300ms; e would answer at +10s"
                 : "quorum(background, 5 replicas, need 3): a answers; b, c and d fail (within 3ms); e answers "
                   "only when cancelled");
  const goro::Time t0 = goro::now();
  auto r = quorum(goro::background(), rs, 3);
  const goro::Duration took = goro::now() - t0;
  check.expect(!r.ok(), "quorum fails: after 3 failures at most 2 of the 3 needed answers are possible",
               show_result(r), {mistake::swallowed_error, kHintCount});
  check.expect_is(r.error(), ErrNoQuorum, "ErrNoQuorum",
                  "Wrap ErrNoQuorum with {:w}: goro::errorf(\"{:w}: {} of {} needed succeeded: {:w}\", ErrNoQuorum, ...).");
  // On real threads a's success may come after the failures: then none had succeeded yet.
  const std::string& msg = r.error().message();
  const bool counted = virt ? msg.find("1 of 3") != std::string::npos
                            : msg.find("1 of 3") != std::string::npos || msg.find("0 of 3") != std::string::npos;
  check.expect(counted,
               virt ? "an error that says how many succeeded: \"... 1 of 3 needed succeeded ...\""
                    : "an error that says how many succeeded: \"... 1 of 3 needed ...\" (or 0 of 3, if a was late)",
               Check::describe_error(r.error()), "Say how many succeeded and how many were needed.");
  expect_all_returned(check, *b, "");
  expect_stragglers_ctx_cancelled(check, *b, virt);
  if (virt) {
    std::string got = fmt::format("quorum returned at {}", offset(took));
    if (took >= 10s) got += ", after replica e had answered: it waited for a call whose answer could no longer help";
    check.expect(took == 300ms, "quorum returns at +300ms, the moment the 3rd replica fails", got,
                 {mistake::wrong_timing, kHintEarly});
  }
  expect_stragglers_cancelled_at(check, *b, virt, 300ms);
}

DOJO_CHECK("a lost quorum reports every failure: goro::is / goro::as find each one, and no cancellation",
           kHintJoin) {
  const bool virt = check.deterministic();
  auto b = std::make_shared<Board>();
  b->plans = {{"a", 100ms, goro::make_error(ReplicaDown{"a"}), false, {}},
              {"b", 200ms, ErrStale, false, {}},
              {"c", 300ms, goro::errorf("replica c: read: {:w}", ErrTimeout), false, {}},
              {"d", 5s, {}, true, {}},
              {"e", 10s, {}, true, {}}};
  auto rs = make_replicas(b, virt);
  check.say(virt ? "quorum(background, 5 replicas, need 3): a fails with ReplicaDown{a} at +100ms, b with ErrStale at "
                   "+200ms, c with ErrTimeout (wrapped) at +300ms; d and e would answer at +5s and +10s"
                 : "quorum(background, 5 replicas, need 3): a fails with ReplicaDown{a}, b with ErrStale, c with "
                   "ErrTimeout (wrapped); d and e answer only when cancelled");
  auto r = quorum(goro::background(), rs, 3);
  check.expect(!r.ok(), "quorum fails: 3 of 5 failed", show_result(r), {mistake::swallowed_error, kHintCount});
  const goro::Error err = r.error();
  check.expect_is(err, ErrNoQuorum, "ErrNoQuorum", "Wrap ErrNoQuorum with {:w}.");
  const bool down = goro::as<ReplicaDown>(err).has_value();
  const bool stale = goro::is(err, ErrStale);
  const bool timeout = goro::is(err, ErrTimeout);
  const int found = (down ? 1 : 0) + (stale ? 1 : 0) + (timeout ? 1 : 0);
  if (found < 3) {
    std::string got = described(err);
    if (found == 1 && virt && timeout)
      got += "\nit holds only the last failure (c's ErrTimeout): each failure replaced the one before";
    else if (found < 3)
      got += fmt::format("\nit holds {} of the 3 failures", found);
    check.fail("an error in which goro::as<ReplicaDown>, goro::is(ErrStale) and goro::is(ErrTimeout) all find "
               "their failure",
               got, {mistake::wrong_error, kHintJoin});
  }
  if (auto rd = goro::as<ReplicaDown>(err))
    check.expect_eq(rd->name, std::string("a"), "the replica named by the ReplicaDown goro::as finds");
  check.expect(err.message().find("0 of 3") != std::string::npos,
               "an error that says how many succeeded: \"... 0 of 3 needed succeeded ...\"", Check::describe_error(err),
               "Say how many succeeded and how many were needed.");
  check.expect(!goro::is(err, goro::Canceled),
               "no goro::Canceled in the error: d and e were cancelled by quorum itself, they did not fail",
               Check::describe_error(err),
               "Decide at the 3rd failure and return the failures seen up to then: the calls you cancel afterwards "
               "fail because of you, and their errors say nothing about the replicas.");
  expect_all_returned(check, *b, "");
}

DOJO_CHECK("cancelled replicas take 50ms to stop: quorum waits for them before it returns",
           kHintWait) {
  const bool virt = check.deterministic();
  auto b = std::make_shared<Board>();
  b->plans = {{"a", 100ms, {}, false, {}},
              {"b", 200ms, {}, false, {}},
              {"c", 300ms, {}, false, {}},
              {"d", 5s, {}, true, 50ms},
              {"e", 10s, {}, true, 50ms}};
  auto rs = make_replicas(b, virt);
  check.say(virt ? "quorum(background, 5 replicas, need 3): a, b, c answer at +100ms, +200ms, +300ms; d and e are "
                   "slow, and once cancelled they need 50ms to close their connections"
                 : "quorum(background, 5 replicas, need 3): a, b, c answer; d and e wait to be cancelled, then "
                   "need 0.5ms to close their connections");
  const goro::Time t0 = goro::now();
  auto r = quorum(goro::background(), rs, 3);
  const goro::Duration took = goro::now() - t0;
  check.expect(r.ok(), "quorum returns 3 answers", show_result(r), kHintEarly);
  expect_all_returned(check, *b,
                      virt ? fmt::format(" at {}: cancelled at +300ms, they return at +350ms", offset(took))
                           : std::string(": they had been cancelled, but had not stopped yet"));
  if (virt)
    check.expect(took == 350ms, "quorum returns at +350ms: the 3rd success at +300ms, then the 50ms d and e need",
                 fmt::format("quorum returned at {}", offset(took)), {mistake::wrong_timing, kHintWait});

  // The same on the way out of a lost quorum.
  auto b2 = std::make_shared<Board>();
  b2->plans = {{"a", 100ms, ErrStale, false, {}},
               {"b", 200ms, ErrStale, false, {}},
               {"c", 300ms, ErrStale, false, {}},
               {"d", 5s, {}, true, 50ms},
               {"e", 10s, {}, true, 50ms}};
  auto rs2 = make_replicas(b2, virt);
  check.say("then the same, except that a, b and c fail");
  const goro::Time t1 = goro::now();
  auto r2 = quorum(goro::background(), rs2, 3);
  const goro::Duration took2 = goro::now() - t1;
  check.expect(!r2.ok() && goro::is(r2.error(), ErrNoQuorum), "an error that wraps ErrNoQuorum", show_result(r2),
               kHintJoin);
  expect_all_returned(check, *b2,
                      virt ? fmt::format(" at {}: cancelled at +300ms, they return at +350ms", offset(took2))
                           : std::string(": they had been cancelled, but had not stopped yet"));
  if (virt)
    check.expect(took2 == 350ms, "quorum returns at +350ms: the 3rd failure at +300ms, then the 50ms d and e need",
                 fmt::format("quorum returned at {}", offset(took2)), {mistake::wrong_timing, kHintWait});
}

DOJO_CHECK("the caller cancels while the quorum is still missing: ctx's error, every call cancelled and waited for",
           "When ctx is cancelled before the quorum is reached, stop: cancel the calls still running, wait for "
           "them, and return ctx.err().") {
  const bool virt = check.deterministic();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto b = std::make_shared<Board>();
  b->plans = {{"a", 100ms, {}, false, {}},
              {"b", 200ms, {}, false, {}},
              {"c", 10s, {}, true, {}},
              {"d", 10s, {}, true, {}},
              {"e", 10s, {}, true, {}}};
  auto rs = make_replicas(b, virt);
  check.say(virt ? "quorum(ctx, 5 replicas, need 3): a and b answer at +100ms and +200ms, c, d and e would answer "
                   "at +10s; the caller cancels ctx at +250ms"
                 : "quorum(ctx, 5 replicas, need 3): a and b answer, c, d and e answer only when cancelled; the "
                   "caller cancels ctx after 2.5ms");
  const goro::Time t0 = goro::now();
  dojo::grader::Canceller canceller(cancel, virt ? goro::Duration(250ms) : goro::Duration(2500us));
  auto r = quorum(ctx, rs, 3);
  const goro::Duration took = goro::now() - t0;
  canceller.join();
  check.expect(!r.ok() && goro::is(r.error(), goro::Canceled),
               "an error that holds goro::Canceled: the caller gave up before the quorum was reached", show_result(r),
               "Watch ctx.done() next to the answers, and return ctx.err() when it is closed.");
  expect_all_returned(check, *b, "");
  expect_stragglers_ctx_cancelled(check, *b, virt);
  expect_stragglers_cancelled_at(check, *b, virt, 250ms);
  if (virt)
    check.expect(took == 250ms, "quorum returns at +250ms, when the caller cancels",
                 fmt::format("quorum returned at {}", offset(took)),
                 "Watch ctx.done() next to the answers, and return ctx.err() when it is closed.");
}

DOJO_CHECK("need is larger than the number of replicas: ErrTooFewReplicas, and no replica is called",
           "Check need against replicas.size() before calling anyone: a quorum of 4 out of 3 can never be "
           "reached, and asking the replicas only loads them for nothing.") {
  const bool virt = check.deterministic();
  auto b = std::make_shared<Board>();
  b->plans = {{"a", 100ms, {}, false, {}}, {"b", 200ms, {}, false, {}}, {"c", 300ms, {}, false, {}}};
  auto rs = make_replicas(b, virt);
  check.say("quorum(background, 3 replicas, need 4)");
  auto r = quorum(goro::background(), rs, 4);
  check.expect(!r.ok() && goro::is(r.error(), ErrTooFewReplicas), "an error that wraps ErrTooFewReplicas",
               show_result(r));
  const std::string called = b->names([](const Plan&, const Seen& s) { return s.called; });
  check.expect(called.empty(), "no replica is called", fmt::format("replica(s) {} were called", called));
  expect_all_returned(check, *b, "");

  check.say("quorum(background, no replicas at all, need 1)");
  auto r2 = quorum(goro::background(), {}, 1);
  check.expect(!r2.ok() && goro::is(r2.error(), ErrTooFewReplicas), "an error that wraps ErrTooFewReplicas",
               show_result(r2));
}

DOJO_CHECK("need <= 0 asks no one and returns no answer; a cancelled ctx asks no one and returns its error",
           "Decide the edge cases before calling anyone: nothing needed means nothing to ask, and a caller that "
           "has already given up wants no call made.") {
  const bool virt = check.deterministic();
  for (int need : {0, -2}) {
    auto b = std::make_shared<Board>();
    b->plans = {{"a", 100ms, {}, false, {}}, {"b", 200ms, {}, false, {}}, {"c", 300ms, {}, false, {}}};
    auto rs = make_replicas(b, virt);
    check.say(fmt::format("quorum(background, 3 replicas, need {})", need));
    auto r = quorum(goro::background(), rs, need);
    check.expect(r.ok() && r.value().empty(), "an empty vector, no error", show_result(r));
    const std::string called = b->names([](const Plan&, const Seen& s) { return s.called; });
    check.expect(called.empty(), "no replica is called", fmt::format("replica(s) {} were called", called));
    expect_all_returned(check, *b, "");
  }
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto b = std::make_shared<Board>();
  b->plans = {{"a", 100ms, {}, false, {}}, {"b", 200ms, {}, false, {}}, {"c", 300ms, {}, false, {}},
              {"d", 400ms, {}, false, {}}, {"e", 500ms, {}, false, {}}};
  auto rs = make_replicas(b, virt);
  check.say("quorum(ctx, 5 replicas, need 3) with a ctx cancelled before the call");
  auto r = quorum(ctx, rs, 3);
  check.expect(!r.ok() && goro::is(r.error(), goro::Canceled), "an error that holds goro::Canceled (ctx.err())",
               show_result(r));
  const std::string called = b->names([](const Plan&, const Seen& s) { return s.called; });
  check.expect(called.empty(), "no replica is called", fmt::format("replica(s) {} were called", called));
  expect_all_returned(check, *b, "");
}
