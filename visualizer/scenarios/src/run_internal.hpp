// Running a scenario with extra simulation options (the scheduler game adds a chooser).
#pragma once

#include <cstdint>
#include <string>

#include "dojo/viz/scenarios.hpp"
#include "goro/sim.hpp"

namespace dojo::viz {

/// A bound on scheduling decisions: every scenario needs a few hundred; a livelock stops here.
inline constexpr std::uint64_t kScenarioMaxSteps = 100'000;

/// The options run_scenario uses: `seed`, or the seed and strategy of a non-empty `replay`.
[[nodiscard]] goro::SimOptions scenario_options(std::uint64_t seed, const std::string& replay);

/// Runs `s.body` under goro::simulate(o) while recording the trace to `trace_path`.
/// Throws std::runtime_error when the file cannot be written.
Run run_with(const Scenario& s, const goro::SimOptions& o, const std::string& trace_path);

}  // namespace dojo::viz
