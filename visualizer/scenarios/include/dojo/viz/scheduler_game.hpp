// "You are the scheduler" (after The Deadlock Empire): in a live deterministic scenario the
// player picks which runnable task runs at each scheduling decision, with undo, trying to
// drive a buggy pipeline into its leak or deadlock; replay() then gives the string that
// reproduces the run (`dojo viz --scenario NAME --replay R`).
//
// How it works: every state is a complete deterministic run. The player's picks are replayed
// as a prefix; at the first decision after the prefix where more than one task is runnable
// the game records the options and the number of trace events written so far, and lets the
// default strategy finish the run (so the trace also shows "what happens if the scheduler
// takes over"). undo() drops the last pick and re-runs. Decisions with a single runnable
// task are not offered (the scheduler has no choice there).
//
//   dojo::viz::SchedulerGame game(*dojo::viz::find_scenario("check_then_send"), 4, "/tmp/g.jsonl");
//   while (!game.finished()) game.pick(game.options().back().task);   // the player's choices
//   game.outcome();   // leak; game.replay() reproduces it with run_scenario(s, 4, path, replay)
//
// Contract details: pick() throws std::invalid_argument for a task that is not among
// options() and std::logic_error once finished(). Once finished, events_at_decision() is the
// number of events of the whole run. Each pick/undo re-runs the scenario (milliseconds: the
// scenarios are small and run on the virtual clock) and rewrites the trace file.
// Implemented with goro::SimOptions::chooser and goro::trace::events_written().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dojo/viz/scenarios.hpp"
#include "goro/sim.hpp"

namespace dojo::viz {

/// "You are the scheduler": the player picks which runnable task runs at each decision.
class SchedulerGame {
 public:
  struct Option { std::uint64_t task; std::string name; std::string where; };  // a runnable task: its name and what it is about to do / where
  SchedulerGame(const Scenario& s, std::uint64_t seed, std::string trace_path);
  const std::vector<Option>& options() const;   // runnable tasks at the current decision; empty when finished
  void pick(std::uint64_t task);               // extends the choices and runs to the next decision
  bool undo();                                 // back one decision; false at the start
  bool finished() const;
  goro::SimResult::Outcome outcome() const;    // when finished
  std::size_t decisions() const;               // picks made
  const std::string& trace_path() const;       // trace of the current run (up to the decision point and beyond)
  std::size_t events_at_decision() const;      // number of trace events recorded before the current decision
  std::string replay() const;                  // reproduces this run: dojo viz --scenario NAME --replay R
  const std::string& report() const;           // deadlock/leak report when finished that way

 private:
  void rerun();

  const Scenario* scenario_;
  std::uint64_t seed_;
  std::string trace_path_;
  std::vector<std::uint64_t> picks_;   // the player's choices, one per offered decision
  std::vector<Option> options_;
  std::size_t events_at_decision_ = 0;
  goro::SimResult result_;
};

}  // namespace dojo::viz
