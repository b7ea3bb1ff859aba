// dojo-interview: the terminal mock interview behind `./dojo interview`.
//
//   dojo-interview [--level L[,L]] [--topic T] [--count N] [--seed S] [--id ID]...
//                  one question at a time: think, reveal, mark yourself; the score is saved
//   dojo-interview --list | --score | --reset-score
//   dojo-interview --json [filters]    the selected questions and the score, as JSON
//   dojo-interview --run ID            run a question's program, compare with the bank
//   dojo-interview --check             parse the bank, run every program, compare (exit 1 if not)
// Options: --root DIR (repository), --progress FILE (default ROOT/.dojo/progress.json).
// Exit codes: 0 done, 1 a check failed, 2 bad usage or a malformed bank.
#include <fmt/color.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dojo/interview/bank.hpp"
#include "dojo/interview/check.hpp"
#include "dojo/interview/program.hpp"
#include "dojo/interview/score.hpp"

namespace di = dojo::interview;

namespace {

bool g_color = false;

std::string bold(const std::string& s) { return g_color ? "\033[1m" + s + "\033[0m" : s; }
std::string dim(const std::string& s) { return g_color ? "\033[2m" + s + "\033[0m" : s; }
std::string green(const std::string& s) { return g_color ? "\033[32m" + s + "\033[0m" : s; }
std::string red(const std::string& s) { return g_color ? "\033[31m" + s + "\033[0m" : s; }

void usage(std::FILE* to) {
  fmt::print(to,
             "usage: ./dojo interview [--level junior|middle|senior|staff] [--topic T] [--count N]\n"
             "                        [--seed S] [--id ID]...   a mock interview (5 questions)\n"
             "       ./dojo interview --list | --score | --reset-score\n"
             "       ./dojo interview --json [filters]   the questions and your score, as JSON\n"
             "       ./dojo interview --run ID           run a question's program under 200 schedules\n"
             "       ./dojo interview --check            check every question and program\n");
}

struct Options {
  std::vector<std::string> levels, topics, ids;
  int count = 5;
  std::uint64_t seed = 0;
  bool seeded = false;
  std::string mode = "interview";  // interview list score reset json run check
  std::string run_id;
  std::string root = DOJO_ROOT;
  std::string progress;
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    auto at = s.find(',', from);
    out.push_back(s.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + 1;
  }
  return out;
}

bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* what) -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "dojo interview: {} needs {}\n", a, what);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--level") {
      for (auto& l : split_commas(value("a level"))) o.levels.push_back(l);
    } else if (a == "--topic") {
      for (auto& t : split_commas(value("a topic"))) o.topics.push_back(t);
    } else if (a == "--id") {
      o.ids.push_back(value("a question id"));
    } else if (a == "--count") {
      std::string v = value("a number");
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 1) {
        fmt::print(stderr, "dojo interview: --count wants a positive number, not '{}'\n", v);
        return false;
      }
      o.count = static_cast<int>(n);
    } else if (a == "--seed") {
      o.seed = std::strtoull(value("a number").c_str(), nullptr, 10);
      o.seeded = true;
    } else if (a == "--all") {
      o.count = 1 << 30;
    } else if (a == "--list") {
      o.mode = "list";
    } else if (a == "--score") {
      o.mode = "score";
    } else if (a == "--reset-score") {
      o.mode = "reset";
    } else if (a == "--json") {
      o.mode = "json";
    } else if (a == "--check") {
      o.mode = "check";
    } else if (a == "--run") {
      o.mode = "run";
      o.run_id = value("a question id");
    } else if (a == "--root") {
      o.root = value("a directory");
    } else if (a == "--progress") {
      o.progress = value("a file");
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      std::exit(0);
    } else {
      fmt::print(stderr, "dojo interview: unknown option '{}'\n", a);
      usage(stderr);
      return false;
    }
  }
  if (o.progress.empty()) o.progress = o.root + "/.dojo/progress.json";
  return true;
}

// Whether `q` passes the filters; unknown filter values are reported by validate_filters.
bool selected(const di::Question& q, const Options& o) {
  auto in = [](const std::vector<std::string>& v, const std::string& s) {
    return v.empty() || std::find(v.begin(), v.end(), s) != v.end();
  };
  return in(o.levels, q.level) && in(o.topics, q.topic) && in(o.ids, q.id);
}

bool validate_filters(const di::Bank& bank, const Options& o) {
  std::set<std::string> topics, ids;
  for (const auto& q : bank.questions) {
    topics.insert(q.topic);
    ids.insert(q.id);
  }
  for (const auto& l : o.levels)
    if (std::find(di::kLevels.begin(), di::kLevels.end(), l) == di::kLevels.end()) {
      fmt::print(stderr, "dojo interview: there is no level '{}'; the levels are junior, middle, senior, staff\n", l);
      return false;
    }
  for (const auto& t : o.topics)
    if (!topics.count(t)) {
      std::string all;
      for (const auto& x : topics) all += (all.empty() ? "" : ", ") + x;
      fmt::print(stderr, "dojo interview: there is no topic '{}'; the topics are {}\n", t, all);
      return false;
    }
  for (const auto& id : o.ids)
    if (!ids.count(id)) {
      fmt::print(stderr, "dojo interview: there is no question '{}' (./dojo interview --list shows them)\n", id);
      return false;
    }
  return true;
}

std::vector<const di::Question*> pick(const di::Bank& bank, const Options& o, const di::Score& score) {
  std::vector<const di::Question*> pool;
  for (const auto& q : bank.questions)
    if (selected(q, o)) pool.push_back(&q);
  std::mt19937_64 rng(o.seeded ? o.seed : std::random_device{}());
  std::shuffle(pool.begin(), pool.end(), rng);
  // Questions not yet answered right come first; among them, never-answered ones first.
  auto rank = [&](const di::Question* q) {
    auto m = score.mark(q->id);
    return m.empty() ? 0 : m == "right" ? 2 : 1;
  };
  std::stable_sort(pool.begin(), pool.end(), [&](auto* a, auto* b) { return rank(a) < rank(b); });
  if (static_cast<int>(pool.size()) > o.count) pool.resize(static_cast<std::size_t>(o.count));
  return pool;
}

std::string indent(const std::string& text, const std::string& by = "  ") {
  std::string out = by;
  for (char c : text) {
    out += c;
    if (c == '\n') out += by;
  }
  return out;
}

// Reads one answer line; EOF counts as "q".
std::string ask(const std::string& prompt) {
  fmt::print("{}", prompt);
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) return "q";
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line;
}

std::string exercise_number(const std::string& ex) { return ex.substr(0, ex.find('_')); }

void print_score(const di::Bank& bank, const di::Score& score) {
  auto marks = score.marks();
  fmt::print("{}\n", bold("Interview score (your latest mark per question)"));
  double total = 0;
  int answered = 0;
  for (const auto& level : di::kLevels) {
    int n = 0, done = 0;
    double pts = 0;
    for (const auto& q : bank.questions) {
      if (q.level != level) continue;
      ++n;
      auto it = marks.find(q.id);
      if (it == marks.end()) continue;
      ++done;
      pts += di::points(it->second);
    }
    total += pts;
    answered += done;
    fmt::print("  {:<7} {:>5.1f} points from {:>3} answered of {:>3} questions\n", level, pts, done, n);
  }
  fmt::print("  {:<7} {:>5.1f} points from {:>3} answered of {:>3} questions\n", "all", total, answered,
             bank.questions.size());
}

void print_outcomes(const di::Question* q, const di::Observation& obs) {
  fmt::print("{} under {} schedules:\n", bold("Outcomes seen"), obs.schedules);
  for (const auto& out : obs.outcomes) {
    bool listed = q && std::find(q->observed.begin(), q->observed.end(), out.text) != q->observed.end();
    fmt::print("  - {}   {}\n", out.text,
               dim(fmt::format("({} schedules, first seed {}{})", out.seeds, out.first_seed,
                               q && !listed ? ", NOT in the bank" : "")));
  }
  if (obs.real_ran) fmt::print("{} {}\n", bold("On real threads:"), obs.real);
}

int run_check(const di::Bank& bank) {
  int bad = 0;
  for (const auto& q : bank.questions) {
    if (!q.program) continue;
    const di::Program* p = di::find_program(q.id);
    if (!p) {
      fmt::print("{} {}: program: yes, but no program has this id\n", red("✗"), q.id);
      ++bad;
      continue;
    }
    auto problems = di::compare(q, di::observe(*p));
    if (problems.empty()) {
      fmt::print("{} {}\n", green("✓"), q.id);
    } else {
      ++bad;
      fmt::print("{} {} ({}:{})\n", red("✗"), q.id, q.file, q.line);
      for (const auto& pr : problems) fmt::print("    {}\n", pr);
    }
  }
  for (const auto& p : di::programs()) {
    bool used = std::any_of(bank.questions.begin(), bank.questions.end(),
                            [&](const di::Question& q) { return q.id == p.id && q.program; });
    if (!used) {
      fmt::print("{} program {} answers no question (no `program: yes` with that id)\n", red("✗"), p.id);
      ++bad;
    }
  }
  fmt::print("{} questions, {} programs, {} problems\n", bank.questions.size(), di::programs().size(), bad);
  return bad == 0 ? 0 : 1;
}

nlohmann::json to_json(const di::Question& q, const di::Score& score) {
  nlohmann::json j{{"id", q.id},         {"title", q.title},   {"level", q.level},   {"topic", q.topic},
                   {"source", q.source}, {"details", q.details}, {"answer", q.answer}, {"wrong", q.wrong},
                   {"file", q.file},     {"line", q.line},     {"mark", score.mark(q.id)}};
  if (!q.tradeoffs.empty()) j["tradeoffs"] = q.tradeoffs;
  if (q.program) j["observed"] = q.observed;
  if (!q.exercise.empty()) j["exercise"] = q.exercise;
  return j;
}

int interview(const di::Bank& bank, const Options& o, di::Score& score) {
  auto questions = pick(bank, o, score);
  if (questions.empty()) {
    fmt::print("No question matches those filters.\n");
    return 0;
  }
  if (!score.error().empty()) fmt::print("{}\n\n", red("note: " + score.error()));
  double got = 0;
  int marked = 0;
  for (std::size_t i = 0; i < questions.size(); ++i) {
    const di::Question& q = *questions[i];
    fmt::print("\n{}\n", bold(fmt::format("── Question {} of {} · {} · {} · {} ──", i + 1, questions.size(), q.level,
                                          q.topic, q.id)));
    fmt::print("{}\n", bold(q.title));
    if (!q.details.empty()) fmt::print("\n{}\n", indent(q.details));
    std::string auto_mark;
    if (!q.exercise.empty()) {
      fmt::print("\nA coding question, graded as exercise {}: edit exercises/{}/ and grade it.\n",
                 exercise_number(q.exercise), q.exercise);
      std::string a = ask(fmt::format("[g] grade it now (./dojo grade {}), Enter: the model answer, q: quit > ",
                                      exercise_number(q.exercise)));
      if (a == "q") break;
      if (a == "g") {
        std::string cmd = fmt::format("'{}/dojo' grade {}", o.root, exercise_number(q.exercise));
        int rc = std::system(cmd.c_str());
        auto_mark = rc == 0 ? "right" : "";
        fmt::print("\n{}\n", rc == 0 ? green("The grader passes: marked right.") : "The grader does not pass yet.");
      }
    } else {
      fmt::print("\n{}\n", dim("Answer out loud or on paper first."));
      std::string a = ask("Enter: the model answer, s: skip, q: quit > ");
      if (a == "q") break;
      if (a == "s") continue;
    }
    fmt::print("\n{}\n{}\n", bold("Model answer"), indent(q.answer));
    fmt::print("\n{}\n{}\n", bold("Common wrong answer"), indent(q.wrong));
    if (!q.tradeoffs.empty()) fmt::print("\n{}\n{}\n", bold("Trade-offs"), indent(q.tradeoffs));
    if (q.program) {
      fmt::print("\n{}\n", bold(fmt::format("Observed under {} schedules", di::kDefaultSeeds)));
      for (const auto& out : q.observed) fmt::print("  - {}\n", out);
      fmt::print("{}\n", dim(fmt::format("  (./dojo interview --run {} runs it; the program is "
                                         "docs/interview/programs/{}.cpp)",
                                         q.id, [&] {
                                           std::string f = q.id;
                                           std::replace(f.begin(), f.end(), '-', '_');
                                           return f;
                                         }())));
    }
    std::string mark = auto_mark;
    while (mark.empty()) {
      std::string a = ask("\nHow did you do?  y: right  p: partly  n: wrong  s: skip  q: quit > ");
      if (a == "y") mark = "right";
      else if (a == "p") mark = "partly";
      else if (a == "n") mark = "wrong";
      else if (a == "s") break;
      else if (a == "q") {
        mark = "quit";
        break;
      }
    }
    if (mark == "quit") break;
    if (mark.empty()) continue;
    score.set(q.id, mark);
    got += di::points(mark);
    ++marked;
    if (!score.error().empty()) continue;
    if (!score.save()) fmt::print("{}\n", red("the score could not be saved: " + score.error()));
  }
  fmt::print("\n{}\n", bold(fmt::format("This round: {:.1f} of {} points", got, marked)));
  print_score(bank, score);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  g_color = ::isatty(1) && std::getenv("NO_COLOR") == nullptr;
  Options o;
  if (!parse_args(argc, argv, o)) return 2;
  const di::Bank bank = di::load_bank(o.root);
  if (!bank.errors.empty()) {
    fmt::print(stderr, "dojo interview: the question bank has problems:\n");
    for (const auto& e : bank.errors) fmt::print(stderr, "  {}\n", e);
    if (o.mode != "check") return 2;
  }
  if (!validate_filters(bank, o)) return 2;
  di::Score score(o.progress);

  if (o.mode == "check") return run_check(bank) == 0 && bank.errors.empty() ? 0 : 1;
  if (o.mode == "run") {
    const di::Question* q = nullptr;
    for (const auto& x : bank.questions)
      if (x.id == o.run_id) q = &x;
    const di::Program* p = di::find_program(o.run_id);
    if (!p) {
      fmt::print(stderr, "dojo interview: question '{}' has no program (the ones with a program: --list shows ▶)\n",
                 o.run_id);
      return 2;
    }
    if (q) fmt::print("{}\n", bold(q->title));
    auto obs = di::observe(*p);
    print_outcomes(q, obs);
    if (!q) return 0;
    auto problems = di::compare(*q, obs);
    for (const auto& pr : problems) fmt::print("{}\n", red(pr));
    return problems.empty() ? 0 : 1;
  }
  if (o.mode == "list") {
    for (const auto& level : di::kLevels) {
      fmt::print("{}\n", bold(level));
      for (const auto& q : bank.questions) {
        if (q.level != level || !selected(q, o)) continue;
        auto m = score.mark(q.id);
        std::string tag = m == "right" ? green("✓") : m.empty() ? " " : m == "partly" ? "~" : red("✗");
        fmt::print("  {} {:<18} {:<10} {}{}{}\n", tag, q.id, q.topic, q.program ? "▶ " : "", q.title,
                   q.exercise.empty() ? "" : dim(" (exercise " + exercise_number(q.exercise) + ")"));
      }
    }
    fmt::print("{}\n", dim("▶: a runnable answer (--run ID)"));
    return 0;
  }
  if (o.mode == "score") {
    if (!score.error().empty()) fmt::print("{}\n", red("note: " + score.error()));
    print_score(bank, score);
    return 0;
  }
  if (o.mode == "reset") {
    score.clear();
    if (!score.save()) {
      fmt::print(stderr, "dojo interview: {}\n", score.error());
      return 1;
    }
    fmt::print("The interview score is cleared (the exercises' progress is kept).\n");
    return 0;
  }
  if (o.mode == "json") {
    nlohmann::json j;
    j["questions"] = nlohmann::json::array();
    for (const auto& q : bank.questions)
      if (selected(q, o)) j["questions"].push_back(to_json(q, score));
    j["score"] = score.marks();
    if (!score.error().empty()) j["score_error"] = score.error();
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  return interview(bank, o, score);
}
