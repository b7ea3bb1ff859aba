// Exporting a goro trace as Chrome Trace Event JSON that ui.perfetto.dev (and
// chrome://tracing) open. See docs/trace-format.md, "Opening a trace in Perfetto".
//
// Layout: one process (pid 1) for the run; one thread track per task (tid = task id, named
// "g3 producer" by thread_name metadata, ordered by id) plus one "runtime" track for events
// that belong to no task (contexts, errgroups, timers, reports). On a task track:
//   * complete slices ("X") for its states, the state in the name ("running",
//     "blocked: chan send"; "DEADLOCK blocked: ..." / "LEAKED blocked: ..." for tasks a report
//     names), because Perfetto colours slices by name and ignores `cname`;
//   * short child slices for channel operations and selects ("send chan#3 = 42");
//   * flow arrows from each send to its receive ("s" / "f" with bp "e", same id/cat/name),
//     each end strictly inside a slice of its track;
//   * instants ("i", scope "t") for errors, panics and report entries.
// Counters ("C") track live and blocked tasks.
//
// Time: slices need distinct, increasing positions, but a deterministic run's virtual clock
// stands still between timers, so every event gets the position
//     pos = max(ts rounded up to µs, previous pos + step_us)
// i.e. the recorded time where events are at least `step_us` apart, and a steady spread
// where they are not. Positions are whole microseconds (exact in JSON and in Perfetto's
// µs→ns conversion); each event's original `ts` (ns) is kept in its args.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "dojo/trace/reader.hpp"

namespace dojo::trace {

struct ExportOptions {
  /// Minimum distance between two consecutive events, in µs (at least 4).
  std::int64_t step_us = 10;
  /// The process name; empty: "goro <mode> run (seed N)".
  std::string title;
};

/// Statistics of one export (for messages and tests).
struct ExportStats {
  std::size_t tasks = 0;
  std::size_t slices = 0;
  std::size_t flows = 0;          // send→receive arrows written
  std::size_t flows_dropped = 0;  // pairs that could not be drawn inside slices
  std::size_t instants = 0;
};

/// The Chrome Trace Event document ({"traceEvents":[...], "otherData":{...}}).
[[nodiscard]] nlohmann::json to_perfetto(const Trace& trace, const ExportOptions& options = {},
                                         ExportStats* stats = nullptr);

}  // namespace dojo::trace
