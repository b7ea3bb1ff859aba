// A validator for Chrome Trace Event JSON meant for Perfetto. Perfetto's importer does not
// reject a bad trace: it drops what it cannot place (arrows without an enclosing slice,
// overlapping slices moved to overflow tracks, string pids, unknown metadata) and only says
// so on its "Info and stats" page. This checker enforces those rules, so a test can fail
// instead. Each rule has an id (below); `check_perfetto` returns every violation found.
//
//   container      root is {"traceEvents":[...]} or a bare array of events
//   event          every event is an object
//   ph             "ph" is a one-character string of a known phase
//   pid / tid      integers (strings are a fragile hack in Perfetto's importer); tid is
//                  required for X, B, E, s, t, f, thread instants and thread metadata
//   ts             a non-negative number (µs) on every event but metadata
//   dur            "X" has a non-negative numeric dur
//   name           X, B, i, I, C, s, t, f and M events have a non-empty string name
//   args           args, when present, is an object
//   nesting        X slices on one (pid,tid) are strictly nested: no partial overlaps
//   be             B/E pairs balance per (pid,tid), an E never closes nothing
//   flow-pair      each flow (id + cat + name) has exactly one "s" and one "f"
//   flow-id        flow events carry an "id"
//   flow-bp        "f" has "bp":"e" (binds to its enclosing slice, not the next one)
//   flow-enclosed  each s/t/f lies strictly inside an X slice of its own (pid,tid)
//   flow-order     the "f" is not earlier than its "s"
//   instant-scope  i/I scope "s" is "t", "p" or "g"
//   counter        "C" args is a non-empty object of numbers
//   metadata       "M" is process_name / thread_name (args.name string) or
//                  process_sort_index / thread_sort_index (args.sort_index integer)
//   lane-named     every (pid,tid) with slices has a thread_name
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dojo::trace {

struct Violation {
  std::string rule;         // one of the ids above, or "json" for unparsable text
  std::size_t event = 0;    // index in traceEvents (0 when about the whole document)
  std::string message;
};

/// Every rule violation in `doc`, in event order per rule; empty when the trace is fine.
[[nodiscard]] std::vector<Violation> check_perfetto(const nlohmann::json& doc);
/// Parses `text` first ("json" violation when it is not JSON).
[[nodiscard]] std::vector<Violation> check_perfetto_text(std::string_view text);

/// "rule: event N: message" lines.
[[nodiscard]] std::string format_violations(const std::vector<Violation>& vs);

}  // namespace dojo::trace
