// Hidden checks for exercise 12: the learner's saga runs in a child process of its own, which
// the grader kills with SIGKILL at chosen points and starts again on the same state file.
//
// The child ("saga" below) runs four steps — reserve, charge, book, confirm — against a
// ledger: the grader's own SQLite file, which stands for the services the steps talk to. The
// ledger applies a key at most once, and it records every call. Kill points are the moments a
// real crash would hurt: right after a key was issued (before the saga could save it), when an
// action or compensator is entered (before it took effect) and just after it took effect
// (before the saga could record that). The child counts them; with --kill-at N it SIGKILLs
// itself at the Nth. After the last restart the grader reads the ledger: each forward step took
// effect exactly once, and the saga ended fully completed or fully rolled back.
//
// The saga is sequential, so one deterministic schedule of the kill checks is as good as four:
// they run under seed 1 and on real threads (each is dozens of process starts).
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "db.hpp"
#include "grader.hpp"
#include "kit.hpp"
#include "saga_persist.hpp"

using dojo::ex12::Db;
using dojo::ex12::Row;
using dojo::grader::Check;
using dojo::grader::ProcessResult;
using dojo::grader::TempDir;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::duplicate, mistake::wrong_count, mistake::swallowed_error, mistake::wrong_result);

namespace {

const std::vector<std::string> kSteps{"reserve", "charge", "book", "confirm"};

// ---- the child ---------------------------------------------------------------------------

const goro::Error ErrDeclined = goro::new_error("declined by the service");

struct Child {
  std::string dir;
  std::string state;
  std::string fail;       // the step whose action fails ("" none)
  std::string cancel_in;  // the step whose action cancels the saga's context
  long kill_at = 0;       // SIGKILL at this kill point (0: never)
  std::uint64_t seed = 0;
  long points = 0;
  std::unique_ptr<Db> ledger;

  // A kill point: the Nth one ends the process, as a power cut or the OOM killer would.
  void point(const std::string& what) {
    ++points;
    if (points != kill_at) return;
    std::ofstream(dir + "/kills.log", std::ios::app) << what << "\n";
    ::kill(::getpid(), SIGKILL);
  }
  void call(const std::string& kind, const std::string& step, const std::string& key) {
    (void)ledger->exec("INSERT INTO calls (kind, step, key) VALUES (?, ?, ?)", {kind, step, key});
  }
  bool issued(const std::string& key) {
    auto r = ledger->query("SELECT 1 FROM issued WHERE key = ?", {key});
    return r && !r.value().empty();
  }
};

Child* g_child = nullptr;

std::string arg(const std::vector<std::string>& args, const std::string& name, const std::string& dflt = {}) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) return args[i + 1];
  return dflt;
}

DOJO_SUBPROCESS(saga) {
  Child c;
  c.dir = arg(args, "--dir");
  c.state = arg(args, "--state", c.dir + "/state.db");
  c.fail = arg(args, "--fail");
  c.cancel_in = arg(args, "--cancel-in");
  c.kill_at = std::stol(arg(args, "--kill-at", "0"));
  c.seed = std::stoull(arg(args, "--seed", "0"));
  auto opened = Db::open(c.dir + "/ledger.db");
  if (!opened) {
    std::printf("ledger: %s\n", opened.error().message().c_str());
    return 4;
  }
  c.ledger = std::make_unique<Db>(std::move(opened.value()));
  if (auto err = c.ledger->exec("PRAGMA synchronous = OFF;"
                                "CREATE TABLE IF NOT EXISTS issued (key TEXT PRIMARY KEY);"
                                "CREATE TABLE IF NOT EXISTS calls (n INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, "
                                "step TEXT, key TEXT);"
                                "CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, step TEXT, "
                                "reverted INTEGER NOT NULL DEFAULT 0);")) {
    std::printf("ledger: %s\n", err.message().c_str());
    return 4;
  }
  g_child = &c;

  // Keys name the start of the process that issued them and their number in it: "r2-k1" is the
  // first key of the second start. A key the service has seen before is never issued again.
  int issued = 0;
  const std::string run = arg(args, "--run", "1");
  dojo::ex12::NewKey new_key = [&c, &issued, run] {
    std::string key = fmt::format("r{}-k{}", run, ++issued);
    (void)c.ledger->exec("INSERT INTO issued (key) VALUES (?)", {key});
    c.point("just after a key was issued, before the saga could save it");
    return key;
  };

  std::string out;
  auto body = [&] {
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    std::vector<dojo::ex12::Step> steps;
    for (const std::string& name : kSteps) {
      dojo::ex12::Step s;
      s.name = name;
      s.action = [&c, name, cancel = cancel](const goro::Context&, const std::string& key) -> goro::Error {
        c.point(fmt::format("inside step {}, before it took effect", name));
        c.call("do", name, key);
        if (!c.issued(key)) return goro::errorf("{}: idempotency key '{}' was not issued by new_key()", name, key);
        if (name == c.fail) return ErrDeclined;
        (void)c.ledger->exec("INSERT OR IGNORE INTO effects (key, step) VALUES (?, ?)", {key, name});
        c.point(fmt::format("inside step {}, after it took effect, before the saga saved that", name));
        if (name == c.cancel_in) cancel();
        return {};
      };
      if (name != "confirm") {
        s.compensate = [&c, name](const goro::Context&, const std::string& key) -> goro::Error {
          c.point(fmt::format("inside the compensator of {}, before it took effect", name));
          c.call("undo", name, key);
          (void)c.ledger->exec("UPDATE effects SET reverted = 1 WHERE key = ? AND step = ?", {key, name});
          c.point(fmt::format("inside the compensator of {}, after it took effect, before the saga saved that", name));
          return {};
        };
      }
      steps.push_back(std::move(s));
    }
    goro::Error err = goro::catch_panic([&] { return dojo::ex12::run_saga(ctx, c.state, steps, new_key); });
    cancel();
    if (auto p = goro::as<goro::PanicError>(err)) {
      out = fmt::format("result: panic\nmessage: {}\n", err.message());
      return;
    }
    out = err ? fmt::format("result: error\nmessage: {}\n", err.message()) : std::string("result: ok\n");
    out += fmt::format("rolled_back: {}\nbad_state: {}\ndeclined: {}\ncanceled: {}\n", goro::is(err, dojo::ex12::ErrRolledBack) ? 1 : 0,
                       goro::is(err, dojo::ex12::ErrBadState) ? 1 : 0, goro::is(err, ErrDeclined) ? 1 : 0,
                       goro::is(err, goro::Canceled) ? 1 : 0);
  };
  if (c.seed > 0) {
    goro::SimResult r = goro::simulate(c.seed, body);
    if (r.outcome != goro::SimResult::Outcome::ok) {
      std::printf("result: broken\nmessage: %s\n", r.report.c_str());
      return 0;
    }
  } else {
    body();
  }
  std::printf("%spoints: %ld\n", out.c_str(), c.points);
  return 0;
}

// ---- the parent: launching, killing, reading the ledger --------------------------------------

struct Launch {
  bool killed = false;  // by its kill point
  std::map<std::string, std::string> field;
  std::string output;
};

// One saga: a folder with its state and ledger, started as often as the check likes.
struct Saga {
  Check& check;
  std::string fail;
  TempDir dir;
  int launches = 0;
  int kills = 0;

  Saga(Check& c, std::string failing = {}) : check(c), fail(std::move(failing)) {}

  Launch launch(long kill_at = 0, std::vector<std::string> extra = {}) {
    ++launches;
    std::vector<std::string> args{"--dir", dir.path(), "--kill-at", std::to_string(kill_at), "--seed",
                                  std::to_string(check.seed()), "--run", std::to_string(launches)};
    if (!fail.empty()) args.insert(args.end(), {"--fail", fail});
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult p = dojo::grader::run_subprocess("saga", args);
    Launch l;
    l.output = p.output;
    if (p.timed_out)
      check.fail("your saga finishes (each run of the process takes milliseconds)",
                 fmt::format("run {} of the process was still going after 60 s and was stopped:\n{}", launches, p.output),
                 "Something waits forever: a query in a loop that never ends, or a wait for a task nobody starts.");
    if (p.killed_by == SIGKILL && kill_at > 0) {
      l.killed = true;
      ++kills;
      std::ifstream log(dir.file("kills.log"));
      std::string line, last;
      while (std::getline(log, line)) last = line;
      check.say(fmt::format("run {}: killed the process (SIGKILL) {}", launches, last));
      return l;
    }
    if (p.killed_by != 0)
      check.fail("your saga runs without crashing", fmt::format("run {} of the process crashed with signal {} ({}):\n{}",
                                                                launches, p.killed_by, strsignal(p.killed_by), p.output),
                 "Look at what you do with a query's rows: rows.value()[i][j] on a row that is not there is a crash.");
    std::istringstream in(p.output);
    std::string line;
    while (std::getline(in, line))
      if (auto colon = line.find(": "); colon != std::string::npos) l.field[line.substr(0, colon)] = line.substr(colon + 2);
    if (p.exit_code != 0 || l.field["result"] == "panic" || l.field["result"] == "broken" || l.field["result"].empty())
      check.fail("run_saga returns normally", fmt::format("run {} of the process ended with:\n{}", launches, p.output),
                 "An exception escaped run_saga, or goro found a problem in the run (shown above).");
    check.say(fmt::format("run {}: run_saga returned {}", launches,
                          l.field["result"] == "ok" ? std::string("nil") : fmt::format("error \"{}\"", l.field["message"])));
    return l;
  }

  // Checks the outcome of the last launch and the ledger: completed, or fully rolled back.
  void expect_ended(const Launch& l, std::string_view hint = {}) {
    const auto field = [&](const char* k) {
      auto it = l.field.find(k);
      return it == l.field.end() ? std::string() : it->second;
    };
    const std::string result =
        field("result") == "ok" ? std::string("nil") : fmt::format("error \"{}\"", field("message"));
    if (fail.empty()) {
      check.expect(field("result") == "ok", "run_saga returns nil (the saga completed)",
                   "run_saga returned " + result, hint);
      expect_completed(hint);
    } else {
      check.expect(field("rolled_back") == "1", "an error wrapping ErrRolledBack (the saga was rolled back)",
                   "run_saga returned " + result, hint);
      expect_rolled_back(hint);
    }
  }

  // The kill points an uninterrupted run of this saga passes (measured on a scratch copy, which
  // must end correctly first).
  long points() {
    Saga scratch(check, fail);
    check.say("an uninterrupted run first, to count its kill points");
    Launch l = scratch.launch();
    scratch.expect_ended(l);
    return std::stol(l.field["points"]);
  }

  [[nodiscard]] std::vector<Row> rows(const std::string& sql) {
    auto db = Db::open(dir.file("ledger.db"));
    if (!db) check.fail("the ledger can be read", db.error().message());
    auto r = db.value().query(sql);
    if (!r) check.fail("the ledger can be read", r.error().message());
    return r.value();
  }
  // "do reserve, do charge, undo reserve": the calls the services saw, in order.
  std::string calls() {
    std::vector<std::string> out;
    for (const Row& r : rows("SELECT kind, step FROM calls ORDER BY n")) out.push_back(r[0] + " " + r[1]);
    return out.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(out, ", "));
  }
  // What took effect, per step: "reserve once (undone), charge 2 times (keys ...), book never".
  std::string effects() {
    std::vector<std::string> parts;
    for (const std::string& s : kSteps) parts.push_back(effect_of(s));
    return fmt::format("{}", fmt::join(parts, ", "));
  }
  std::string effect_of(const std::string& step) {
    auto rs = rows(fmt::format("SELECT key, reverted FROM effects WHERE step = '{}' ORDER BY rowid", step));
    if (rs.empty()) return step + " never";
    if (rs.size() == 1) return fmt::format("{} once{}", step, rs[0][1] == "1" ? " (undone)" : "");
    std::vector<std::string> keys;
    for (const Row& r : rs) keys.push_back(r[0] + (r[1] == "1" ? " undone" : ""));
    return fmt::format("{} {} times (keys {})", step, rs.size(), fmt::join(keys, ", "));
  }

  // The ledger of a saga that completed: each step took effect once, nothing undone.
  void expect_completed(std::string_view hint = {}) {
    std::vector<std::string> want;
    for (const std::string& s : kSteps) want.push_back(s + " once");
    const std::string expected = fmt::format("{}", fmt::join(want, ", "));
    const std::string got = effects();
    if (got != expected) check.fail("took effect: " + expected, "took effect: " + got + diagnose(), {*shown(), hint});
  }
  // The ledger of a saga rolled back at `fail`: the steps before it took effect once and were
  // undone, the failed step and those after it never took effect.
  void expect_rolled_back(std::string_view hint = {}) {
    std::vector<std::string> want;
    bool before = true;
    for (const std::string& s : kSteps) {
      if (s == fail) before = false;
      want.push_back(before ? s + " once (undone)" : s + " never");
    }
    const std::string expected = fmt::format("{}", fmt::join(want, ", "));
    const std::string got = effects();
    if (got != expected) check.fail("took effect: " + expected, "took effect: " + got + diagnose(), {*shown(), hint});
  }
  // The failure class a wrong ledger shows: a step that took effect twice (duplicate); a step
  // that never took effect although the saga completed (lost-item); a rolled-back saga whose
  // completed steps were never compensated at all (wrong-count); else wrong-result (a
  // compensator handed another key than its action's, say).
  const dojo::grader::Mistake* shown() {
    for (const std::string& s : kSteps)
      if (rows(fmt::format("SELECT key FROM effects WHERE step = '{}'", s)).size() > 1) return &mistake::duplicate;
    for (const std::string& s : kSteps)
      if (fail.empty() && rows(fmt::format("SELECT 1 FROM effects WHERE step = '{}'", s)).empty())
        return &mistake::lost_item;
    if (!fail.empty()) {
      auto undone = rows("SELECT count(*) FROM calls WHERE kind = 'undo'");
      auto left = rows("SELECT count(*) FROM effects WHERE reverted = 0");
      if (left[0][0] != "0" && undone[0][0] == "0") return &mistake::wrong_count;
    }
    return &mistake::wrong_result;
  }
  // Names the symptom behind a wrong ledger.
  std::string diagnose() {
    std::string why;
    for (const std::string& s : kSteps) {
      auto rs = rows(fmt::format("SELECT key, reverted FROM effects WHERE step = '{}'", s));
      if (rs.size() > 1)
        why += fmt::format("\n{} took effect {} times: after a restart it was called again with a NEW key, so the "
                           "service could not tell it was the same request",
                           s, rs.size());
      if (rs.empty() && fail.empty())
        why += fmt::format("\n{} never took effect, yet the saga says it completed: it was recorded as done before "
                           "its action had run",
                           s);
      for (const Row& r : rs)
        if (r[1] == "0" && !fail.empty() && s != fail) {
          auto undo = rows(fmt::format("SELECT count(*) FROM calls WHERE kind = 'undo' AND key = '{}'", r[0]));
          if (undo[0][0] == "0")
            why += fmt::format("\n{} was never undone with its key {}: a compensator gets the key of the action it undoes",
                               s, r[0]);
        }
    }
    return why;
  }
};

const char* const kKillHint =
    "Save the key before the action and the outcome after it: a restart sees only what was saved. "
    "The saved key is what makes calling a step again safe.";

// Kills the saga once at every kill point of an uninterrupted run, restarts it each time and
// checks the ledger after each.
void kill_at_every_point(Check& check, const std::string& fail) {
  const long points = Saga(check, fail).points();
  check.say(fmt::format("an uninterrupted run passes {} kill points; killing at each in turn", points));
  int kills = 0;
  for (long k = 1; k <= points; ++k) {
    Saga s(check, fail);
    check.say(fmt::format("a new saga, to be killed at kill point {} of {}, then started again", k, points));
    (void)s.launch(k);
    s.expect_ended(s.launch(), kKillHint);
    kills += s.kills;
  }
  check.report(fmt::format("survived {} kills (SIGKILL), one at each of {} points, each followed by a restart", kills, points));
}

}  // namespace

DOJO_CHECK("a fresh saga calls each step once, in order, each with its own issued key",
           "Take one key per step from new_key(), save it, then call the action with it.", {.seeds = 2}) {
  Saga s(check);
  check.say("starting the saga (reserve, charge, book, confirm) on a new state file");
  Launch l = s.launch();
  check.expect_eq(l.field["result"], std::string("ok"), "the result");
  check.expect_eq(s.calls(), std::string("do reserve, do charge, do book, do confirm"), "the calls");
  auto keys = s.rows("SELECT count(DISTINCT key) FROM calls");
  check.expect(keys[0][0] == "4", "4 different keys, one per step", fmt::format("{} different keys", keys[0][0]));
  s.expect_completed();
}

DOJO_CHECK("a failing step: the done steps are undone newest first with their keys; ErrRolledBack and the step's error",
           "Before the first compensator runs, save that the saga is rolling back and why; undo newest first, each step with "
           "the key its action had.",
           {.seeds = 2}) {
  Saga s(check, "book");
  check.say("starting the saga; book's action fails with ErrDeclined");
  Launch l = s.launch();
  check.expect(l.field["rolled_back"] == "1" && l.field["declined"] == "1",
               "an error that wraps ErrRolledBack and the step's ErrDeclined (goro::is finds both)",
               fmt::format("{}: is(ErrRolledBack) {}, is(ErrDeclined) {}", l.field["message"], l.field["rolled_back"] == "1",
                           l.field["declined"] == "1"));
  check.expect(l.field["message"].find("book") != std::string::npos, "the message names the failed step book",
               "\"" + l.field["message"] + "\"");
  const std::string calls = s.calls();
  std::size_t undos = 0;  // another number of compensators: the failed step undone too, or a done one left
  for (std::size_t at = calls.find("undo "); at != std::string::npos; at = calls.find("undo ", at + 1)) ++undos;
  check.expect_eq(calls, std::string("do reserve, do charge, do book, undo charge, undo reserve"), "the calls",
                  undos != 2 ? dojo::grader::Why(mistake::wrong_count) : dojo::grader::Why());
  s.expect_rolled_back();
}

DOJO_CHECK("a saga that ended is not run again: the same result, nothing called",
           "A saga that ended is recorded as ended: a later start reads that first, returns the same result (nil, or the "
           "saved reason of the rollback) and calls no step.",
           {.seeds = 2}) {
  {
    Saga s(check);
    (void)s.launch();
    const std::string before = s.calls();
    check.say("starting the process again on the completed saga's state file");
    Launch again = s.launch();
    check.expect_eq(again.field["result"], std::string("ok"), "the second result");
    check.expect_eq(s.calls(), before, "the calls after both runs",
                    {mistake::duplicate, "The second start found a saga that had completed: it must call nothing."});
  }
  {
    Saga s(check, "charge");
    (void)s.launch();
    const std::string before = s.calls();
    check.say("starting the process again on a rolled-back saga's state file");
    Launch again = s.launch();
    check.expect(again.field["rolled_back"] == "1" && again.field["message"].find("charge") != std::string::npos,
                 "the second run returns ErrRolledBack again, naming step charge",
                 fmt::format("run_saga returned {}", again.field["result"] == "ok" ? std::string("nil")
                                                                                   : "error \"" + again.field["message"] + "\""),
                 "Save the failed step and its reason: a later start must be able to report them.");
    check.expect_eq(s.calls(), before, "the calls after both runs", mistake::duplicate);
  }
}

DOJO_CHECK("killed at every point of a successful saga and restarted: each step took effect exactly once",
           kKillHint, {.seeds = 1}) {
  kill_at_every_point(check, "");
}

DOJO_CHECK("killed at every point of a rollback and restarted: fully rolled back, each step undone once",
           "Save that the saga is rolling back, and each step once undone: a restart mid-rollback goes on where it stopped.",
           {.seeds = 1}) {
  kill_at_every_point(check, "confirm");
}

DOJO_CHECK("killed again and again in one saga: it still ends completed or fully rolled back",
           kKillHint, {.seeds = 1}) {
  int kills = 0;
  for (const std::string& fail : {std::string(), std::string("book")}) {
    Saga s(check, fail);
    check.say(fail.empty() ? "a saga that succeeds, killed after every few points" : "a saga where book fails, killed after every few points");
    const long pattern[] = {2, 3, 1, 2, 4};
    Launch l;
    for (int i = 0; i < 40; ++i) {
      l = s.launch(pattern[i % 5]);
      if (!l.killed) break;
    }
    check.expect(!l.killed, "the saga finishes after a few restarts", "it was still being killed after 40 starts");
    s.expect_ended(l, kKillHint);
    kills += s.kills;
  }
  check.report(fmt::format("survived {} more kills, several in a row within one saga", kills));
}

DOJO_CHECK("a corrupt state file: ErrBadState naming the file, nothing called, the file left as it was",
           "Check every Db result. When the state cannot be read, return ErrBadState and touch nothing: deleting the file "
           "would forget which steps already took effect.",
           {.seeds = 2}) {
  Saga s(check);
  std::string garbage;
  for (int i = 0; i < 200; ++i) garbage += "this is not an SQLite database, it is a damaged file\n";
  std::ofstream(s.dir.file("state.db"), std::ios::binary) << garbage;
  check.say("writing 10 KiB of text into state.db, then starting the saga on it");
  Launch l = s.launch();
  std::ifstream in(s.dir.file("state.db"), std::ios::binary);
  std::string now((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check.expect(now == garbage, "state.db unchanged (the same 10 KiB)",
               now.empty() ? std::string("state.db was deleted or emptied") : fmt::format("state.db was rewritten ({} bytes)", now.size()),
               // Replaced, and no ErrBadState: the error opening it was dropped, and the saga went on.
               l.field["bad_state"] == "1" ? dojo::grader::Why() : dojo::grader::Why(mistake::swallowed_error));
  check.expect(l.field["bad_state"] == "1", "an error that wraps ErrBadState",
               fmt::format("run_saga returned {}", l.field["result"] == "ok" ? std::string("nil") : "error \"" + l.field["message"] + "\""));
  check.expect(l.field["message"].find("state.db") != std::string::npos, "the message names the file (…/state.db)",
               "\"" + l.field["message"] + "\"", "Put the path in the message: the operator has to find the file.");
  check.expect_eq(s.calls(), std::string("nothing"), "the calls");
}

DOJO_CHECK("a state file that cannot be created (its folder is missing): ErrBadState, nothing called",
           "Db::open fails for a path in a folder that does not exist: return ErrBadState with the path.", {.seeds = 2}) {
  Saga s(check);
  const std::string path = s.dir.file("no-such-folder/state.db");
  check.say("starting the saga with state file " + std::string("no-such-folder/state.db"));
  Launch l = s.launch(0, {"--state", path});
  check.expect(l.field["bad_state"] == "1" && l.field["message"].find("no-such-folder") != std::string::npos,
               "an error that wraps ErrBadState and names the path",
               fmt::format("run_saga returned {}", l.field["result"] == "ok" ? std::string("nil") : "error \"" + l.field["message"] + "\""));
  check.expect_eq(s.calls(), std::string("nothing"), "the calls");
}

DOJO_CHECK("the context ends mid-saga: run_saga returns ctx.err() without rolling back; the next start finishes",
           "Check ctx.err() before each action and return it: a cancelled process pauses the saga, it does not undo it.",
           {.seeds = 2}) {
  Saga s(check);
  check.say("starting the saga; the context is cancelled while charge runs");
  Launch l = s.launch(0, {"--cancel-in", "charge"});
  check.expect(l.field["canceled"] == "1" && l.field["rolled_back"] == "0", "an error that wraps goro::Canceled, not ErrRolledBack",
               fmt::format("run_saga returned {}", l.field["result"] == "ok" ? std::string("nil") : "error \"" + l.field["message"] + "\""));
  check.expect_eq(s.calls(), std::string("do reserve, do charge"), "the calls");
  check.say("starting the process again, not cancelled");
  Launch again = s.launch();
  check.expect_eq(again.field["result"], std::string("ok"), "the second result");
  check.expect_eq(s.calls(), std::string("do reserve, do charge, do book, do confirm"), "the calls after both runs",
                  "The restart resumes with book: reserve and charge are done.");
  s.expect_completed();
}
