// The visualizer's built-in scenarios: small goro programs (reference solutions and classic
// bugs) that run live in deterministic mode and record a trace the visualizer replays.
//
//   const auto* s = dojo::viz::find_scenario("missing_close");
//   auto run = dojo::viz::run_scenario(*s, s->seed, "/tmp/missing_close.jsonl");
//   // run.result.outcome == goro::SimResult::Outcome::deadlock; the trace is in the file
//
// Every scenario is deterministic: the same seed (or replay string) gives a byte-identical
// trace. Each runs in a few dozen to a few hundred trace events on goro's virtual clock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "goro/sim.hpp"

namespace dojo::viz {

struct Scenario {
  std::string name;      // CLI id, e.g. "missing_close"
  std::string title;     // "Missing close: the consumer waits forever"
  std::string summary;   // what to watch for (2-3 sentences)
  std::string category;  // "bug", "solution" or "pattern"
  std::uint64_t seed = 1;        // default seed
  std::function<void()> body;    // the program; runs as the first task of goro::simulate
};

/// The gallery, in display order (the first is the default).
const std::vector<Scenario>& scenarios();

/// nullptr when unknown.
const Scenario* find_scenario(std::string_view name);

struct Run { std::string trace_path; goro::SimResult result; };

/// Runs the scenario under goro::simulate with `seed` (or, when `replay` is not empty, following that replay string), recording the trace to `trace_path`.
Run run_scenario(const Scenario& s, std::uint64_t seed, const std::string& trace_path, const std::string& replay = "");

}  // namespace dojo::viz
