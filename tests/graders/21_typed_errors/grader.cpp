// Hidden checks for exercise 21 (typed_errors).
//
// Everything here runs in the calling task, so the verdicts do not depend on the schedule. The
// grader's backend words its errors so that reading the text gives the wrong answer both ways: a
// missing key whose error never says "not found", an outage whose error does; a refused key that
// never says "invalid", a cache fault that does. The key names change with the seed. The only
// texts compared are the ones the statement fixes (the layers' prefixes). Durations exist only
// for the deadline checks; on real threads they are a tenth as long and the verdict is judged by
// which keys were asked for, never by the time taken.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "typed_errors.hpp"

using dojo::ex21::Backend;
using dojo::ex21::classify;
using dojo::ex21::ErrNotFound;
using dojo::ex21::Found;
using dojo::ex21::InvalidKeyError;
using dojo::ex21::lookup_all;
using dojo::ex21::Outcome;
using dojo::ex21::repo_find;
using dojo::ex21::Report;
using dojo::ex21::service_lookup;
using dojo::grader::Check;
using dojo::grader::Why;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_result, mistake::unexpected_error, mistake::missing_wrap);

namespace {

// ---- the backend's vocabulary -------------------------------------------------------------

// A missing row, in the storage layer's words: it unwraps to ErrNotFound, its text never says so.
struct MissingRow {
  std::string table, id;
  [[nodiscard]] std::string message() const { return fmt::format("no row in {} for id '{}'", table, id); }
  [[nodiscard]] goro::Error unwrap() const { return ErrNotFound; }
};

// A deleted record: it matches ErrNotFound through a custom `is` member (Go: an Is method).
struct Tombstone {
  std::string id;
  int version = 0;
  [[nodiscard]] std::string message() const { return fmt::format("'{}' was deleted at version {}", id, version); }
  [[nodiscard]] bool is(const goro::Error& target) const { return target == ErrNotFound; }
};

// An outage whose text says "not found": a typed error that has nothing to do with ErrNotFound.
struct NodeMissing {
  std::string node;
  [[nodiscard]] std::string message() const { return fmt::format("node '{}' not found in the hash ring", node); }
};

const goro::Error ErrShardMap = goro::new_error("shard map not found: cluster is rebalancing");
const goro::Error ErrNoLeader = goro::new_error("leader not found for partition 7");
const goro::Error ErrCacheFault = goro::new_error("cache entry invalidated during read");
const goro::Error ErrReset = goro::new_error("connection reset by peer");

// The key of the request id the caller's context carries; every layer must pass it down.
struct RequestIdKey {
  bool operator==(const RequestIdKey&) const = default;
};
goro::Context caller_ctx() { return goro::with_value(goro::background(), RequestIdKey{}, std::string("req-21")); }

// Key names, rotated by the seed: an answer can never be tied to a fixed key.
std::vector<std::string> names(const Check& check, std::size_t n) {
  static const char* const pool[] = {"ada",    "grace",  "linus", "barbara", "ken",      "edsger",
                                     "donald", "frances", "john", "radia",   "margaret", "niklaus"};
  constexpr std::size_t size = std::size(pool);
  const std::size_t shift = static_cast<std::size_t>(check.seed() * 5 % size);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.emplace_back(pool[(shift + i) % size]);
  return out;
}

std::string value_of(const std::string& key) { return "record of " + key; }

// ---- the backend --------------------------------------------------------------------------

// What the backend saw, in order. lookup_all runs in one task; a buggy one might use more.
struct Probe {
  goro::Mutex mu;
  std::vector<std::string> asked;
  int without_request_id = 0;  // calls whose context had lost the caller's request id

  std::vector<std::string> asked_keys() {
    std::lock_guard lk(mu);
    return asked;
  }
};

// How the backend answers for one key.
using Answer = std::function<goro::Result<std::string>(const goro::Context& ctx, const std::string& key)>;

Answer fails(goro::Error err) {
  return [err](const goro::Context&, const std::string&) -> goro::Result<std::string> { return err; };
}
// The caller gives up while this key is looked up; the backend (which ignores ctx) still answers.
Answer cancels(goro::CancelFunc cancel) {
  return [cancel](const goro::Context&, const std::string& key) -> goro::Result<std::string> {
    cancel();
    return value_of(key);
  };
}
// The caller gives up while this key is looked up, and the backend reports the context's error.
Answer cancels_and_reports(goro::CancelFunc cancel) {
  return [cancel](const goro::Context& ctx, const std::string& key) -> goro::Result<std::string> {
    cancel();
    return goro::errorf("db: query for '{}' aborted: {:w}", key, ctx.err());
  };
}
// A slow query: it waits for the caller's context to end, then reports its error.
Answer waits_for_ctx() {
  return [](const goro::Context& ctx, const std::string& key) -> goro::Result<std::string> {
    (void)ctx.done().recv();
    return goro::errorf("db: query for '{}' aborted: {:w}", key, ctx.err());
  };
}

// Answers by key; a key not listed is found, with value_of(key).
Backend make_backend(const std::shared_ptr<Probe>& p, std::map<std::string, Answer> answers = {}) {
  return [p, answers = std::move(answers)](const goro::Context& ctx, const std::string& key) -> goro::Result<std::string> {
    {
      std::lock_guard lk(p->mu);
      p->asked.push_back(key);
      if (ctx.is_nil() || ctx.value<std::string>(RequestIdKey{}) != std::optional<std::string>("req-21"))
        ++p->without_request_id;
    }
    auto it = answers.find(key);
    if (it == answers.end()) return value_of(key);
    return it->second(ctx, key);
  };
}

// ---- texts and diagnoses ------------------------------------------------------------------

std::string quoted(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (const std::string& s : v) q.push_back("\"" + s + "\"");
  return fmt::format("{{{}}}", fmt::join(q, ", "));
}
std::string show_found(const std::vector<Found>& v) {
  std::vector<std::string> items;
  for (const Found& f : v) items.push_back(f.key + ": " + f.value);
  return fmt::format("{{{}}}", fmt::join(items, ", "));
}
std::string show_invalid(const std::vector<InvalidKeyError>& v) {
  std::vector<std::string> items;
  for (const InvalidKeyError& e : v) items.push_back(fmt::format("'{}' ({})", e.key, e.reason));
  return fmt::format("{{{}}}", fmt::join(items, ", "));
}
bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }
// Check::describe_error without its final newline, for texts that go on after it.
std::string describe(const goro::Error& err) {
  std::string s = Check::describe_error(err);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}
bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

const char* const kHintWrap =
    "Each layer wraps the error below with goro::errorf(\"<its context>: {:w}\", key, err). {:w} keeps that "
    "error in the chain; {} or new_error(... err.message()) keeps only its words, and goro::is / goro::as, "
    "which compare identity and type, find nothing behind them.";
const char* const kHintClassify =
    "classify by identity and type only: goro::is(err, goro::Canceled) || goro::is(err, goro::DeadlineExceeded), "
    "then goro::is(err, ErrNotFound), then goro::as<InvalidKeyError>(err). Both look through every wrap; the "
    "message is for people and may say anything.";
const char* const kHintSkip =
    "In lookup_all a missing key (not_found) and a bad key (invalid) are answers: record them and go on. "
    "Only cancelled and failed stop the loop.";
const char* const kHintStop =
    "On cancelled or failed, stop at once and return goro::errorf(\"lookup_all: {:w}\", err): the keys after it "
    "are not asked for, and the caller can still find the backend's error with goro::is / goro::as.";
const char* const kHintCtx =
    "The backend may ignore its context. Check ctx.err() before each key: once the caller has given up, no "
    "further key is asked for, and lookup_all returns goro::errorf(\"lookup_all: {:w}\", ctx.err()).";

// When `inner`'s words are in `err` but goro::is cannot reach `inner`: the layer where the chain
// ends although the text goes on.
std::string broken_link(const goro::Error& err, const goro::Error& inner) {
  if (!err || !inner || goro::is(err, inner)) return "";
  const std::string words = inner.message();
  goro::Error e = err;
  while (e) {
    std::vector<goro::Error> below = goro::unwrap_all(e);
    if (below.empty()) {
      if (e.message() != words && contains(e.message(), words))
        return fmt::format(
            "\nthe chain ends at \"{}\": that layer copied the error below into its text ({{}} or "
            ".message()) instead of wrapping it with {{:w}}",
            e.message());
      return "";
    }
    if (below.size() != 1) return "";
    e = below[0];
  }
  return "";
}

// Fails unless goro::is(err, target), explaining where the chain broke.
void expect_is_through(Check& check, const goro::Error& err, const goro::Error& target, std::string_view what,
                       const goro::Error& inner) {
  if (goro::is(err, target)) return;
  const std::string link = broken_link(err, inner);
  // The words are there but the chain ends: a layer copied the text instead of wrapping.
  check.fail(fmt::format("an error that goro::is finds {} in", what), describe(err) + link,
             {!err ? mistake::swallowed_error : !link.empty() ? mistake::missing_wrap : mistake::wrong_error, kHintWrap});
}

// Why classify should have said `want` (only what is true of `err`).
std::string why(const goro::Error& err, Outcome want, Outcome got) {
  if (!err) return "";
  const std::string text = err.message();
  const bool canceled = goro::is(err, goro::Canceled), deadline = goro::is(err, goro::DeadlineExceeded);
  const bool not_found = goro::is(err, ErrNotFound);
  const bool invalid = goro::as<InvalidKeyError>(err).has_value();
  switch (want) {
    case Outcome::cancelled:
      if (deadline && !canceled) {
        // Does classify know a wrapped Canceled? Then it is DeadlineExceeded it has forgotten.
        const bool knows_canceled = classify(goro::errorf("probe: {:w}", goro::Canceled)) == Outcome::cancelled;
        return knows_canceled ? "\ngoro::is(err, goro::DeadlineExceeded) holds. DeadlineExceeded is a cancellation too: "
                                "the caller's deadline passed, so the caller has given up"
                              : "\ngoro::is(err, goro::DeadlineExceeded) holds: the caller's deadline passed";
      }
      if (canceled) return "\ngoro::is(err, goro::Canceled) holds: the caller has given up";
      return "";
    case Outcome::not_found:
      if (!not_found) return "";
      return contains(text, "not found")
                 ? "\ngoro::is(err, ErrNotFound) holds"
                 : "\ngoro::is(err, ErrNotFound) holds, though its text never says \"not found\"";
    case Outcome::invalid:
      if (!invalid) return "";
      return contains(text, "invalid")
                 ? "\ngoro::as<InvalidKeyError>(err) finds one"
                 : "\ngoro::as<InvalidKeyError>(err) finds one, though its text never says \"invalid\"";
    case Outcome::failed:
      if (got == Outcome::not_found && !not_found && contains(text, "not found"))
        return "\nthe text says \"not found\", but the error is not ErrNotFound (goro::is(err, ErrNotFound) is "
               "false): it is an outage";
      if (got == Outcome::invalid && !invalid && contains(text, "invalid"))
        return "\nthe text says \"invalid\", but there is no InvalidKeyError in it (goro::as finds none): it is "
               "an outage";
      if (got == Outcome::cancelled && !canceled && !deadline)
        return "\nneither goro::Canceled nor goro::DeadlineExceeded is in it";
      return "";
    case Outcome::found:
      return "";
  }
  return "";
}

void expect_outcome(Check& check, const goro::Error& err, Outcome want, std::string_view what) {
  const Outcome got = classify(err);
  if (got == want) return;
  check.fail(fmt::format("classify({}) = {}", what, to_string(want)),
             fmt::format("classify({}) = {}{}\nthe error: {}", what, to_string(got), why(err, want, got), describe(err)),
             kHintClassify);
}

// Why lookup_all stopped with `err` at a key it should have got past, if that is the reason.
std::string stopped_at(const goro::Error& err) {
  if (!err) return "";
  if (goro::is(err, ErrNotFound))
    return "\nlookup_all stopped at a missing key (goro::is(its error, ErrNotFound) holds): a key with no record is "
           "left out (report.missing), not a failure";
  if (goro::as<InvalidKeyError>(err))
    return "\nlookup_all stopped at a bad key (goro::as finds an InvalidKeyError in its error): report it "
           "(report.invalid) and go on";
  return "";
}

// What the backend was asked for, compared with `want`; `returned` is what lookup_all returned.
// `cancelled`: the caller had given up, so a key asked for too many ignored the cancellation.
void expect_asked(Check& check, Probe& p, const std::vector<std::string>& want, std::string_view hint,
                  const goro::Error& returned = {}, bool cancelled = false) {
  const std::vector<std::string> got = p.asked_keys();
  if (got == want) return;
  std::string note;
  if (got.size() > want.size() && std::equal(want.begin(), want.end(), got.begin()))
    note = fmt::format("\nkeys asked for after lookup_all should have stopped: {}",
                       quoted(std::vector<std::string>(got.begin() + static_cast<std::ptrdiff_t>(want.size()), got.end())));
  else if (got.size() < want.size() && std::equal(got.begin(), got.end(), want.begin()))
    note = fmt::format("\nlookup_all stopped before asking for {}{}",
                       quoted(std::vector<std::string>(want.begin() + static_cast<std::ptrdiff_t>(got.size()), want.end())),
                       stopped_at(returned));
  const bool more = got.size() > want.size() && std::equal(want.begin(), want.end(), got.begin());
  const bool fewer = got.size() < want.size() && std::equal(got.begin(), got.end(), want.begin());
  check.fail(fmt::format("the backend asked for {}", quoted(want)), fmt::format("the backend asked for {}{}", quoted(got), note),
             {cancelled && more          ? mistake::ignored_cancellation
              : fewer && !stopped_at(returned).empty() ? mistake::unexpected_error
                                                       : mistake::wrong_result,
              hint});
}

// lookup_all returned an error where it should have returned a report: say which kind.
void expect_report(Check& check, const goro::Error& err) {
  if (!err) return;
  check.fail("no error, and a report", describe(err) + stopped_at(err), {mistake::unexpected_error, kHintSkip});
}

// The durations of the deadline checks: virtual 50 ms; on real threads 5 ms.
goro::Duration deadline_of(const Check& check) { return check.deterministic() ? goro::Duration(50ms) : goro::Duration(5ms); }

// One hand-built error for classify.
struct Case {
  std::string label;
  goro::Error err;
  Outcome want;
  enum Kind { plain, bare_sentinel, wrapped_sentinel, bare_invalid, wrapped_invalid, bare_ctx, wrapped_ctx } kind = plain;
};

}  // namespace

DOJO_CHECK("ErrNotFound survives both layers, however the backend words it, and classify says not_found",
           kHintWrap) {
  const auto k = names(check, 5);
  auto p = std::make_shared<Probe>();
  const std::vector<std::pair<std::string, goro::Error>> answers = {
      {"ErrNotFound itself", ErrNotFound},
      {"errorf(\"users: {:w}\", ErrNotFound)", goro::errorf("users: {:w}", ErrNotFound)},
      {"MissingRow{\"users\", \"" + k[2] + "\"}, which unwraps to ErrNotFound",
       goro::make_error(MissingRow{"users", k[2]})},
      {"Tombstone{\"" + k[3] + "\", 17}, whose is member matches ErrNotFound", goro::make_error(Tombstone{k[3], 17})},
      {"errorf(\"replica r2: {:w}\", MissingRow{\"accounts\", \"" + k[4] + "\"})",
       goro::errorf("replica r2: {:w}", goro::make_error(MissingRow{"accounts", k[4]}))},
  };
  std::map<std::string, Answer> script;
  for (std::size_t i = 0; i < answers.size(); ++i) script[k[i]] = fails(answers[i].second);
  const Backend b = make_backend(p, script);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    check.say(fmt::format("calling service_lookup(ctx, backend, \"{}\"); the backend fails with {}", k[i],
                          answers[i].first));
    goro::Result<std::string> r = service_lookup(caller_ctx(), b, k[i]);
    check.expect(!r.ok(), "an error", "a value");
    expect_is_through(check, r.error(), ErrNotFound, "ErrNotFound", answers[i].second);
    expect_outcome(check, r.error(), Outcome::not_found, "service_lookup's error");
  }
}

DOJO_CHECK("each layer adds its context: \"repo: find 'k': ...\", \"service: lookup 'k': repo: find 'k': ...\", "
           "the backend's error still inside",
           kHintWrap) {
  const auto k = names(check, 2);
  auto p = std::make_shared<Probe>();
  const Backend b = make_backend(p, {{k[0], fails(ErrReset)}});

  check.say(fmt::format("calling repo_find(ctx, backend, \"{}\"); the backend fails with \"{}\"", k[0],
                        ErrReset.message()));
  goro::Result<std::string> r1 = repo_find(caller_ctx(), b, k[0]);
  const std::string want1 = fmt::format("repo: find '{}': {}", k[0], ErrReset.message());
  check.expect(r1.error() && r1.error().message() == want1, fmt::format("an error \"{}\"", want1),
               Check::describe_error(r1.error()), "repo_find wraps as goro::errorf(\"repo: find '{}': {:w}\", key, err).");
  expect_is_through(check, r1.error(), ErrReset, "the backend's own error", ErrReset);

  check.say(fmt::format("calling service_lookup(ctx, backend, \"{}\")", k[0]));
  goro::Result<std::string> r2 = service_lookup(caller_ctx(), b, k[0]);
  const std::string want2 = fmt::format("service: lookup '{}': {}", k[0], want1);
  check.expect(r2.error() && r2.error().message() == want2, fmt::format("an error \"{}\"", want2),
               Check::describe_error(r2.error()),
               "service_lookup wraps repo_find's error as goro::errorf(\"service: lookup '{}': {:w}\", key, err): "
               "one prefix per layer, each naming the key.");
  expect_is_through(check, r2.error(), ErrReset, "the backend's own error", ErrReset);
  expect_outcome(check, r2.error(), Outcome::failed, "service_lookup's error");

  check.say(fmt::format("calling repo_find and service_lookup(ctx, backend, \"{}\"), a key that is found", k[1]));
  goro::Result<std::string> r3 = repo_find(caller_ctx(), b, k[1]);
  goro::Result<std::string> r4 = service_lookup(caller_ctx(), b, k[1]);
  check.expect_ok(r3.error(), "repo_find's error");
  check.expect_eq(*r3, value_of(k[1]), "repo_find's value");
  check.expect_ok(r4.error(), "service_lookup's error");
  check.expect_eq(*r4, value_of(k[1]), "service_lookup's value");
  expect_outcome(check, r4.error(), Outcome::found, "nil");

  check.expect_eq(p->asked_keys(), std::vector<std::string>{k[0], k[0], k[1], k[1]}, "the keys the backend was asked for",
                  "Each call of repo_find asks the backend exactly once.");
  std::lock_guard lk(p->mu);
  check.expect(p->without_request_id == 0, "every backend call handed the caller's context (with its request id)",
               fmt::format("{} call(s) got a context without it", p->without_request_id),
               "Pass ctx down unchanged through both layers: the backend needs the caller's deadline, cancellation "
               "and values.");
}

DOJO_CHECK("an InvalidKeyError from the backend: goro::as finds it through both layers, key and reason intact; "
           "classify says invalid",
           kHintWrap) {
  const auto k = names(check, 1);
  auto p = std::make_shared<Probe>();
  const std::string spaced = k[0] + " smith", banged = k[0] + "!", empty;
  const std::vector<std::tuple<std::string, InvalidKeyError, goro::Error>> cases = [&] {
    std::vector<std::tuple<std::string, InvalidKeyError, goro::Error>> v;
    InvalidKeyError a{spaced, "contains a space"};
    InvalidKeyError c{banged, "only letters and digits are allowed"};
    InvalidKeyError d{empty, "must not be empty"};
    v.emplace_back("InvalidKeyError{\"" + spaced + "\", \"contains a space\"}", a, goro::make_error(a));
    v.emplace_back("errorf(\"validate: {:w}\", InvalidKeyError{\"" + banged + "\", ...})", c,
                   goro::errorf("validate: {:w}", goro::make_error(c)));
    v.emplace_back("InvalidKeyError{\"\", \"must not be empty\"}", d, goro::make_error(d));
    return v;
  }();
  std::map<std::string, Answer> script;
  for (const auto& [label, value, err] : cases) script[value.key] = fails(err);
  const Backend b = make_backend(p, script);
  for (const auto& [label, value, err] : cases) {
    check.say(fmt::format("calling service_lookup(ctx, backend, \"{}\"); the backend fails with {}", value.key, label));
    goro::Result<std::string> r = service_lookup(caller_ctx(), b, value.key);
    if (!goro::as<InvalidKeyError>(r.error())) {
      const std::string link = broken_link(r.error(), err);
      check.fail("an error that goro::as<InvalidKeyError> finds", describe(r.error()) + link,
                 {!r.error() ? mistake::swallowed_error : !link.empty() ? mistake::missing_wrap : mistake::wrong_error,
                  kHintWrap});
    }
    const InvalidKeyError found = *goro::as<InvalidKeyError>(r.error());
    check.expect(found.key == value.key && found.reason == value.reason,
                 fmt::format("InvalidKeyError{{\"{}\", \"{}\"}}", value.key, value.reason),
                 fmt::format("InvalidKeyError{{\"{}\", \"{}\"}}", found.key, found.reason));
    expect_outcome(check, r.error(), Outcome::invalid, "service_lookup's error");
  }
}

DOJO_CHECK("an outage whose text says \"not found\" or \"invalid\" is failed, and stays findable",
           kHintClassify) {
  const auto k = names(check, 4);
  auto p = std::make_shared<Probe>();
  const goro::Error node = goro::make_error(NodeMissing{"db-9"});
  const std::vector<std::pair<std::string, goro::Error>> answers = {
      {"\"" + ErrShardMap.message() + "\"", ErrShardMap},
      {"errorf(\"replica db-3: {:w}\", \"" + ErrNoLeader.message() + "\")", goro::errorf("replica db-3: {:w}", ErrNoLeader)},
      {"NodeMissing{\"db-9\"} (\"" + node.message() + "\")", node},
      {"\"" + ErrCacheFault.message() + "\"", ErrCacheFault},
  };
  const std::vector<goro::Error> roots = {ErrShardMap, ErrNoLeader, node, ErrCacheFault};
  std::map<std::string, Answer> script;
  for (std::size_t i = 0; i < answers.size(); ++i) script[k[i]] = fails(answers[i].second);
  const Backend b = make_backend(p, script);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    check.say(fmt::format("calling service_lookup(ctx, backend, \"{}\"); the backend fails with {}", k[i],
                          answers[i].first));
    goro::Result<std::string> r = service_lookup(caller_ctx(), b, k[i]);
    expect_is_through(check, r.error(), roots[i], "the backend's outage", roots[i]);
    expect_outcome(check, r.error(), Outcome::failed, "service_lookup's error");
  }
}

DOJO_CHECK("classify of hand-built errors: bare, wrapped once, twice, joined, typed — by identity and type only",
           kHintClassify) {
  const auto k = names(check, 2);
  const goro::Error nf1 = goro::errorf("repo: find '{}': {:w}", k[0], ErrNotFound);
  const goro::Error bad = goro::make_error(InvalidKeyError{k[1] + "?", "only letters and digits are allowed"});
  const std::vector<Case> cases = {
      {"nil", goro::Error{}, Outcome::found},
      {"ErrNotFound", ErrNotFound, Outcome::not_found, Case::bare_sentinel},
      {"errorf(\"repo: find '" + k[0] + "': {:w}\", ErrNotFound)", nf1, Outcome::not_found, Case::wrapped_sentinel},
      {"errorf(\"service: ...: {:w}\", errorf(\"repo: ...: {:w}\", ErrNotFound))",
       goro::errorf("service: lookup '{}': {:w}", k[0], nf1), Outcome::not_found, Case::wrapped_sentinel},
      {"join(\"audit log unavailable\", ErrNotFound)", goro::join(goro::new_error("audit log unavailable"), ErrNotFound),
       Outcome::not_found, Case::wrapped_sentinel},
      {"MissingRow{\"users\", \"" + k[0] + "\"} (it unwraps to ErrNotFound)", goro::make_error(MissingRow{"users", k[0]}),
       Outcome::not_found},
      {"InvalidKeyError{\"" + k[1] + "?\", ...}", bad, Outcome::invalid, Case::bare_invalid},
      {"errorf(\"repo: {:w}\", InvalidKeyError{...})", goro::errorf("repo: {:w}", bad), Outcome::invalid,
       Case::wrapped_invalid},
      {"goro::Canceled", goro::Canceled, Outcome::cancelled, Case::bare_ctx},
      {"goro::DeadlineExceeded", goro::DeadlineExceeded, Outcome::cancelled, Case::bare_ctx},
      {"errorf(\"db: {:w}\", goro::Canceled)", goro::errorf("db: {:w}", goro::Canceled), Outcome::cancelled,
       Case::wrapped_ctx},
      {"errorf(\"db: {:w}\", goro::DeadlineExceeded)", goro::errorf("db: {:w}", goro::DeadlineExceeded),
       Outcome::cancelled, Case::wrapped_ctx},
      {"\"" + ErrShardMap.message() + "\"", ErrShardMap, Outcome::failed},
      {"errorf(\"replica: {:w}\", \"" + ErrCacheFault.message() + "\")", goro::errorf("replica: {:w}", ErrCacheFault),
       Outcome::failed},
      {"\"disk quota exceeded\"", goro::new_error("disk quota exceeded"), Outcome::failed},
  };
  check.say(fmt::format("calling classify on {} errors built by hand", cases.size()));
  std::vector<std::string> wrong;
  bool ok[Case::wrapped_ctx + 1];
  std::fill(std::begin(ok), std::end(ok), true);
  for (const Case& c : cases) {
    const Outcome got = classify(c.err);
    if (got == c.want) continue;
    ok[c.kind] = false;
    wrong.push_back(fmt::format("classify({}) = {}, expected {}{}", c.label, to_string(got), to_string(c.want),
                                why(c.err, c.want, got)));
  }
  if (wrong.empty()) return;
  std::vector<std::string> notes;
  if (ok[Case::bare_sentinel] && !ok[Case::wrapped_sentinel])
    notes.push_back("only the bare ErrNotFound is recognised: once wrapped it is missed. `err == ErrNotFound` compares "
                    "the outer error only; goro::is(err, ErrNotFound) walks the whole chain.");
  if (ok[Case::bare_invalid] && !ok[Case::wrapped_invalid])
    notes.push_back("only a bare InvalidKeyError is recognised: once wrapped it is missed. err.get_if<InvalidKeyError>() "
                    "looks at the outer error only; goro::as<InvalidKeyError>(err) walks the whole chain.");
  if (ok[Case::bare_ctx] && !ok[Case::wrapped_ctx])
    notes.push_back("only the bare context errors are recognised: once wrapped they are missed. Use goro::is, never ==.");
  check.fail(fmt::format("each of the {} errors classified by identity and type, in the statement's order", cases.size()),
             fmt::format("{}{}", fmt::join(wrong, "\n"), notes.empty() ? "" : "\n" + fmt::format("{}", fmt::join(notes, "\n"))),
             kHintClassify);
}

DOJO_CHECK("a cancellation is cancelled, even wrapped by the backend and both layers: Canceled and DeadlineExceeded",
           kHintClassify) {
  const auto k = names(check, 2);
  {
    auto p = std::make_shared<Probe>();
    auto [ctx, cancel] = goro::with_cancel(caller_ctx());
    const Backend b = make_backend(p, {{k[0], cancels_and_reports(cancel)}});
    check.say(fmt::format("calling service_lookup(ctx, backend, \"{}\"); the caller cancels ctx during the query, and "
                          "the backend fails with errorf(\"db: query for '{}' aborted: {{:w}}\", ctx.err())",
                          k[0], k[0]));
    goro::Result<std::string> r = service_lookup(ctx, b, k[0]);
    expect_is_through(check, r.error(), goro::Canceled, "goro::Canceled", goro::Canceled);
    expect_outcome(check, r.error(), Outcome::cancelled, "service_lookup's error");
    cancel();
  }
  {
    auto p = std::make_shared<Probe>();
    const goro::Duration d = deadline_of(check);
    auto [ctx, cancel] = goro::with_timeout(caller_ctx(), d);
    const Backend b = make_backend(p, {{k[1], waits_for_ctx()}});
    check.say(fmt::format("calling service_lookup(ctx, backend, \"{}\") with a {} deadline; the query waits for ctx "
                          "to end and fails with errorf(\"db: query for '{}' aborted: {{:w}}\", ctx.err())",
                          k[1], goro::format_duration(d), k[1]));
    goro::Result<std::string> r = service_lookup(ctx, b, k[1]);
    expect_is_through(check, r.error(), goro::DeadlineExceeded, "goro::DeadlineExceeded", goro::DeadlineExceeded);
    expect_outcome(check, r.error(), Outcome::cancelled, "service_lookup's error");
    cancel();
  }
}

DOJO_CHECK("lookup_all: found keys kept in order, missing keys left out, bad keys reported, every key asked once",
           kHintSkip) {
  const auto k = names(check, 8);
  auto p = std::make_shared<Probe>();
  const InvalidKeyError bad1{k[3], "reserved word"}, bad2{k[7], "longer than 6 characters"};
  const Backend b = make_backend(p, {
                                        {k[1], fails(goro::make_error(MissingRow{"users", k[1]}))},
                                        {k[3], fails(goro::errorf("validate: {:w}", goro::make_error(bad1)))},
                                        {k[4], fails(goro::make_error(Tombstone{k[4], 3}))},
                                        {k[6], fails(ErrNotFound)},
                                        {k[7], fails(goro::make_error(bad2))},
                                    });
  check.say(fmt::format("calling lookup_all(ctx, {}, backend); {} and {} have no record (MissingRow, Tombstone, "
                        "ErrNotFound), {} and {} are refused (InvalidKeyError), the rest are found",
                        quoted(k), fmt::format("{}, {}", k[1], k[4]), k[6], k[3], k[7]));
  auto [report, err] = lookup_all(caller_ctx(), k, b);
  expect_report(check, err);
  const std::vector<Found> want_found = {{k[0], value_of(k[0])}, {k[2], value_of(k[2])}, {k[5], value_of(k[5])}};
  check.expect(report.found == want_found, "found: " + show_found(want_found), "found: " + show_found(report.found));
  check.expect_eq(quoted(report.missing), quoted({k[1], k[4], k[6]}), "missing", kHintSkip);
  const std::vector<InvalidKeyError> want_bad = {bad1, bad2};
  const bool same = report.invalid.size() == 2 && report.invalid[0].key == bad1.key &&
                    report.invalid[0].reason == bad1.reason && report.invalid[1].key == bad2.key &&
                    report.invalid[1].reason == bad2.reason;
  check.expect(same, "invalid: " + show_invalid(want_bad), "invalid: " + show_invalid(report.invalid),
               "Store the InvalidKeyError that goro::as<InvalidKeyError>(err) returns: the backend's key and reason, "
               "as data.");
  expect_asked(check, *p, k, kHintSkip);

  auto p2 = std::make_shared<Probe>();
  check.say("calling lookup_all(ctx, {}, backend)");
  auto [empty, err2] = lookup_all(caller_ctx(), {}, make_backend(p2));
  check.expect_ok(err2, "lookup_all(ctx, {}, backend)");
  check.expect(empty.found.empty() && empty.missing.empty() && empty.invalid.empty(), "an empty report",
               fmt::format("{} found, {} missing, {} invalid", empty.found.size(), empty.missing.size(),
                           empty.invalid.size()));
  expect_asked(check, *p2, {}, kHintSkip);

  auto p3 = std::make_shared<Probe>();
  const std::vector<std::string> gone = {k[0], k[1]};
  check.say(fmt::format("calling lookup_all(ctx, {}, backend), where neither key has a record", quoted(gone)));
  auto [none, err3] = lookup_all(caller_ctx(), gone, make_backend(p3, {{k[0], fails(ErrNotFound)},
                                                                      {k[1], fails(goro::make_error(MissingRow{"users", k[1]}))}}));
  expect_report(check, err3);
  check.expect(none.found.empty() && none.missing == gone, fmt::format("no key found, missing: {}", quoted(gone)),
               fmt::format("{} found, missing: {}", none.found.size(), quoted(none.missing)), kHintSkip);
}

DOJO_CHECK("lookup_all stops at an outage that says \"not found\": no later key is asked, the error names the key "
           "and holds the outage",
           kHintStop) {
  const auto k = names(check, 5);
  auto p = std::make_shared<Probe>();
  const Backend b = make_backend(p, {{k[1], fails(goro::make_error(MissingRow{"users", k[1]}))}, {k[2], fails(ErrNoLeader)}});
  check.say(fmt::format("calling lookup_all(ctx, {}, backend); {} has no record, and the query for {} fails with \"{}\"",
                        quoted(k), k[1], k[2], ErrNoLeader.message()));
  goro::Result<Report> r = lookup_all(caller_ctx(), k, b);
  expect_asked(check, *p, {k[0], k[1], k[2]}, kHintStop, r.error());
  check.expect(!r.ok(), "an error (the outage)", "a report, no error", {mistake::swallowed_error, kHintStop});
  expect_is_through(check, r.error(), ErrNoLeader, "the outage", ErrNoLeader);
  const std::string want = fmt::format("lookup_all: service: lookup '{}': repo: find '{}': {}", k[2], k[2],
                                       ErrNoLeader.message());
  check.expect(r.error().message() == want, fmt::format("an error \"{}\"", want), Check::describe_error(r.error()),
               kHintStop);
  expect_outcome(check, r.error(), Outcome::failed, "lookup_all's error");
}

DOJO_CHECK("lookup_all: the caller cancels during a query the backend will not interrupt: no later key is asked; "
           "goro::Canceled",
           kHintCtx) {
  const auto k = names(check, 4);
  auto p = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_cancel(caller_ctx());
  const Backend b = make_backend(p, {{k[1], cancels(cancel)}});
  check.say(fmt::format("calling lookup_all(ctx, {}, backend); the caller cancels ctx while {} is looked up, and the "
                        "backend (which ignores ctx) still answers",
                        quoted(k), k[1]));
  goro::Result<Report> r = lookup_all(ctx, k, b);
  expect_asked(check, *p, {k[0], k[1]}, kHintCtx, r.error(), true);
  check.expect(!r.ok(), "an error (the cancellation)", "a report, no error", {mistake::ignored_cancellation, kHintCtx});
  expect_is_through(check, r.error(), goro::Canceled, "goro::Canceled", goro::Canceled);
  check.expect(r.error().message() == "lookup_all: context canceled", "an error \"lookup_all: context canceled\"",
               Check::describe_error(r.error()), kHintCtx);
  expect_outcome(check, r.error(), Outcome::cancelled, "lookup_all's error");
  cancel();
}

DOJO_CHECK("lookup_all under a deadline that passes during a query: it stops there; goro::DeadlineExceeded, classified "
           "cancelled",
           kHintStop) {
  const auto k = names(check, 4);
  auto p = std::make_shared<Probe>();
  const goro::Duration d = deadline_of(check);
  auto [ctx, cancel] = goro::with_timeout(caller_ctx(), d);
  const Backend b = make_backend(p, {{k[1], waits_for_ctx()}});
  check.say(fmt::format("calling lookup_all(ctx, {}, backend) with a {} deadline; {} is found at once, the query for {} "
                        "waits until ctx ends",
                        quoted(k), goro::format_duration(d), k[0], k[1]));
  goro::Result<Report> r = lookup_all(ctx, k, b);
  const std::vector<std::string> asked = p->asked_keys();
  if (check.deterministic()) {
    expect_asked(check, *p, {k[0], k[1]}, kHintStop, r.error(), true);
  } else {
    // On a loaded machine the deadline may pass before lookup_all gets to the first keys: any prefix
    // of {k0, k1} is right, a later key never is.
    const std::vector<std::string> full = {k[0], k[1]};
    const bool prefix = asked.size() <= full.size() && std::equal(asked.begin(), asked.end(), full.begin());
    check.expect(prefix, fmt::format("the backend asked for {} at most", quoted(full)),
                 fmt::format("the backend asked for {}", quoted(asked)), {mistake::ignored_cancellation, kHintStop});
  }
  check.expect(!r.ok(), "an error (the deadline)", "a report, no error", {mistake::ignored_cancellation, kHintStop});
  expect_is_through(check, r.error(), goro::DeadlineExceeded, "goro::DeadlineExceeded", goro::DeadlineExceeded);
  check.expect(starts_with(r.error().message(), "lookup_all: "), "a message that starts with \"lookup_all: \"",
               Check::describe_error(r.error()), kHintStop);
  expect_outcome(check, r.error(), Outcome::cancelled, "lookup_all's error");
  cancel();
}

DOJO_CHECK("lookup_all with a context already cancelled asks for nothing and returns goro::Canceled", kHintCtx) {
  const auto k = names(check, 3);
  auto p = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_cancel(caller_ctx());
  cancel();
  check.say(fmt::format("calling lookup_all(ctx, {}, backend) with ctx already cancelled; the backend ignores ctx",
                        quoted(k)));
  goro::Result<Report> r = lookup_all(ctx, k, make_backend(p));
  expect_asked(check, *p, {}, kHintCtx, r.error(), true);
  check.expect(!r.ok(), "an error (the cancellation)", "a report, no error", {mistake::ignored_cancellation, kHintCtx});
  expect_is_through(check, r.error(), goro::Canceled, "goro::Canceled", goro::Canceled);
  expect_outcome(check, r.error(), Outcome::cancelled, "lookup_all's error");
}
