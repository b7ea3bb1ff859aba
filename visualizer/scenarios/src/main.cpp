// dojo-viz-scenarios: lists the visualizer's built-in scenarios and writes their traces.
//
//   dojo-viz-scenarios --list                      name, category, default seed, title
//   dojo-viz-scenarios --run NAME [--seed S] [--replay R] --out FILE [--quizzes]
//                                                  runs it in deterministic mode, writes the
//                                                  trace, prints the outcome and replay string
//                                                  (and, with --quizzes, its "What happens
//                                                  next?" questions)
//   dojo-viz-scenarios --run NAME [--seed S] --picks ID,ID,... --out FILE
//                                                  "You are the scheduler" from the command
//                                                  line: plays the picks, prints the runnable
//                                                  tasks at the next decision, the outcome if
//                                                  the scheduler takes over, and the replay
//
// Exit status: 0 when the run was written (whatever its outcome: buggy scenarios are meant
// to deadlock or leak), 2 on a usage error or an unknown scenario.
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "dojo/trace/reader.hpp"
#include "dojo/viz/quiz.hpp"
#include "dojo/viz/scenarios.hpp"
#include "dojo/viz/scheduler_game.hpp"

namespace {

int usage(std::FILE* out, int code) {
  fmt::print(out,
             "usage: dojo-viz-scenarios --list\n"
             "       dojo-viz-scenarios --run NAME [--seed S] [--replay R] --out FILE [--quizzes]\n"
             "       dojo-viz-scenarios --run NAME [--seed S] --picks ID,ID,... --out FILE\n");
  return code;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

/// --picks: plays the comma-separated task ids as the player's choices.
int play(const dojo::viz::Scenario& s, std::uint64_t seed, const std::string& picks, const std::string& out) {
  dojo::viz::SchedulerGame game(s, seed, out);
  std::size_t pos = 0;
  while (pos < picks.size()) {
    std::size_t end = picks.find(',', pos);
    if (end == std::string::npos) end = picks.size();
    auto id = parse_u64(std::string_view(picks).substr(pos, end - pos));
    if (!id) {
      fmt::print(stderr, "dojo-viz-scenarios: --picks wants task ids separated by commas\n");
      return 2;
    }
    game.pick(*id);  // throws std::invalid_argument for a task that is not runnable
    pos = end + 1;
  }
  fmt::print("{}: {} pick(s); ", s.name, game.decisions());
  if (game.finished()) {
    fmt::print("finished: {}\n", goro::outcome_name(game.outcome()));
  } else {
    fmt::print("decision after {} events; runnable:\n", game.events_at_decision());
    for (const auto& o : game.options()) fmt::print("  {:>3}  {:<16} {}\n", o.task, o.name, o.where);
    fmt::print("if the scheduler takes over: {}\n", goro::outcome_name(game.outcome()));
  }
  fmt::print("trace {}\nreplay: {}\n", game.trace_path(), game.replay());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string run, out, replay;
  std::optional<std::string> picks;
  std::optional<std::uint64_t> seed;
  bool list = false, quizzes = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (a == "--list") {
      list = true;
    } else if (a == "--quizzes") {
      quizzes = true;
    } else if (a == "--help" || a == "-h") {
      return usage(stdout, 0);
    } else if (a == "--run" || a == "--out" || a == "--seed" || a == "--replay" || a == "--picks") {
      auto v = value();
      if (!v) {
        fmt::print(stderr, "dojo-viz-scenarios: {} needs a value\n", a);
        return usage(stderr, 2);
      }
      if (a == "--run") run = *v;
      if (a == "--out") out = *v;
      if (a == "--replay") replay = *v;
      if (a == "--picks") picks = *v;
      if (a == "--seed") {
        seed = parse_u64(*v);
        if (!seed) {
          fmt::print(stderr, "dojo-viz-scenarios: --seed wants a non-negative integer, not '{}'\n", *v);
          return 2;
        }
      }
    } else {
      fmt::print(stderr, "dojo-viz-scenarios: unknown argument '{}'\n", a);
      return usage(stderr, 2);
    }
  }
  if (list) {
    for (const auto& s : dojo::viz::scenarios())
      fmt::print("{:<22} {:<9} seed {:<3} {}\n", s.name, s.category, s.seed, s.title);
    return 0;
  }
  if (run.empty() || out.empty()) return usage(stderr, 2);
  const auto* s = dojo::viz::find_scenario(run);
  if (s == nullptr) {
    fmt::print(stderr, "dojo-viz-scenarios: no scenario '{}' (see --list)\n", run);
    return 2;
  }
  try {
    if (picks) return play(*s, seed.value_or(s->seed), *picks, out);
    auto r = dojo::viz::run_scenario(*s, seed.value_or(s->seed), out, replay);
    fmt::print("{}: {} in {} steps, trace {}\nreplay: {}\n", s->name, goro::outcome_name(r.result.outcome),
               r.result.steps, r.trace_path, r.result.replay);
    if (quizzes) {
      for (const auto& q : dojo::viz::make_quizzes(dojo::trace::read_trace_file(out))) {
        fmt::print("\nbefore event {}: {}\n", q.pause_at, q.question);
        for (std::size_t i = 0; i < q.choices.size(); ++i)
          fmt::print("  {} {}\n", i == q.answer ? '*' : ' ', q.choices[i]);
        fmt::print("  because: {}\n", q.explanation);
      }
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "dojo-viz-scenarios: {}\n", e.what());
    return 2;
  }
  return 0;
}
