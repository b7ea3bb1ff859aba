// "You are the scheduler": picks steer the run, undo goes back, the replay reproduces it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <functional>
#include <set>
#include <string>

#include "dojo/trace/reader.hpp"
#include "dojo/viz/scheduler_game.hpp"
#include "test_support.hpp"

using dojo::viz::SchedulerGame;
using dojo::viz::test::slurp;
using dojo::viz::test::temp_trace;
using Outcome = goro::SimResult::Outcome;

namespace {

const dojo::viz::Scenario& scenario(const char* name) {
  const auto* s = dojo::viz::find_scenario(name);
  REQUIRE(s != nullptr);
  return *s;
}

/// Replays `game`'s current run with run_scenario and compares the trace bytes.
void require_replay_reproduces(const SchedulerGame& game, const dojo::viz::Scenario& s, std::uint64_t seed) {
  const std::string again = temp_trace("game_replay");
  auto run = dojo::viz::run_scenario(s, seed, again, game.replay());
  REQUIRE(run.result.outcome == game.outcome());
  REQUIRE(slurp(again) == slurp(game.trace_path()));
  std::remove(again.c_str());
}

}  // namespace

TEST_CASE("game: the first decision offers the runnable tasks, described", "[game]") {
  const auto& s = scenario("missing_close");
  SchedulerGame game(s, 1, temp_trace("game_first"));
  REQUIRE_FALSE(game.finished());
  REQUIRE(game.decisions() == 0);
  REQUIRE(game.options().size() >= 2);
  std::set<std::uint64_t> ids;
  for (const auto& o : game.options()) {
    INFO(o.name << ": " << o.where);
    CHECK(!o.name.empty());
    CHECK(!o.where.empty());
    ids.insert(o.task);
  }
  REQUIRE(ids.size() == game.options().size());
  // The trace holds the run so far and what the strategy did after it.
  auto t = dojo::trace::read_trace_file(game.trace_path());
  REQUIRE(game.events_at_decision() > 0);
  REQUIRE(game.events_at_decision() < t.events.size());
  REQUIRE(game.outcome() == Outcome::deadlock);
  REQUIRE_FALSE(game.undo());  // nothing to undo at the start
  std::remove(game.trace_path().c_str());
}

TEST_CASE("game: picks move forward, undo goes back to the same decision", "[game]") {
  const auto& s = scenario("leaked_producer");
  SchedulerGame game(s, 1, temp_trace("game_undo"));
  auto first_options = game.options();
  auto first_events = game.events_at_decision();
  REQUIRE(first_options.size() >= 2);

  game.pick(first_options.back().task);
  REQUIRE(game.decisions() == 1);
  REQUIRE(game.events_at_decision() >= first_events);
  REQUIRE_THROWS_AS(game.pick(987654), std::invalid_argument);  // not runnable: refused
  REQUIRE(game.decisions() == 1);

  REQUIRE(game.undo());
  REQUIRE(game.decisions() == 0);
  REQUIRE(game.events_at_decision() == first_events);
  REQUIRE(game.options().size() == first_options.size());
  for (std::size_t i = 0; i < first_options.size(); ++i) {
    REQUIRE(game.options()[i].task == first_options[i].task);
    REQUIRE(game.options()[i].where == first_options[i].where);
  }
  std::remove(game.trace_path().c_str());
}

TEST_CASE("game: playing leaked_producer to the end leaks, and the replay reproduces it", "[game]") {
  const auto& s = scenario("leaked_producer");
  SchedulerGame game(s, 5, temp_trace("game_leak"));
  // Always run the producer when it can: the player's own schedule.
  int guard = 0;
  while (!game.finished() && ++guard < 1000) {
    std::uint64_t pick = game.options().front().task;
    for (const auto& o : game.options())
      if (o.name == "producer") pick = o.task;
    game.pick(pick);
  }
  REQUIRE(game.finished());
  REQUIRE(game.options().empty());
  REQUIRE(game.outcome() == Outcome::leak);
  REQUIRE(game.report().find("producer") != std::string::npos);
  auto t = dojo::trace::read_trace_file(game.trace_path());
  REQUIRE(game.events_at_decision() == t.events.size());  // finished: the whole run
  require_replay_reproduces(game, s, 5);
  std::remove(game.trace_path().c_str());
}

TEST_CASE("game: in check_then_send the player's picks decide between ok and leak", "[game]") {
  const auto& s = scenario("check_then_send");
  SchedulerGame game(s, 4, temp_trace("game_cts"));
  // Explore the decision tree depth-first with pick and undo; every leaf is a finished run.
  std::set<Outcome> leaves;
  std::size_t runs = 0;
  std::function<void()> explore = [&] {
    if (game.finished() || runs > 400) {
      leaves.insert(game.outcome());
      if (game.outcome() == Outcome::leak) require_replay_reproduces(game, s, 4);
      return;
    }
    const auto options = game.options();
    const std::size_t depth = game.decisions();
    for (const auto& o : options) {
      ++runs;
      game.pick(o.task);
      explore();
      REQUIRE(game.undo());
      REQUIRE(game.decisions() == depth);
    }
  };
  explore();
  REQUIRE(runs <= 400);
  REQUIRE(leaves.count(Outcome::ok) == 1);
  REQUIRE(leaves.count(Outcome::leak) == 1);
  REQUIRE(game.decisions() == 0);
  std::remove(game.trace_path().c_str());
}
