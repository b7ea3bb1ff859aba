// A synthetic trace for measuring the visualizer at scale (the bench row and stress tests):
// `tasks` tasks in pipeline stages connected by channels, passing values, blocking and
// unblocking, until about `events` events are written. Deterministic for a seed; reads back
// with dojo::trace::read_trace_string without warnings beyond none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dojo::viz {

[[nodiscard]] std::string synth_trace(std::size_t tasks, std::size_t events, std::uint64_t seed = 1);

}  // namespace dojo::viz
