// Texts the views show: names of tasks and channels, hover texts ("blocked: send on `out`
// (chan int, cap 0) at sum.cpp:14"), error wrap chains as trees, the errors so far, and the
// list of stuck tasks after a deadlock or leak report.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dojo/trace/reader.hpp"
#include "dojo/trace/state.hpp"

namespace dojo::viz {

/// Names channels after the variable they were made into, read from the source line of their
/// `chan_make` site (`auto out = goro::make_chan<int>();` -> "out"); "chan#7" when the source
/// is not readable or the line does not say. Source files are read once and cached.
class ChannelNames {
 public:
  /// `roots`: directories to try a relative or moved source path against, besides the current
  /// directory and the source tree this was built from.
  explicit ChannelNames(std::vector<std::string> roots = {});
  /// The variable name for channel `id` made at `site`.
  [[nodiscard]] std::string name(std::uint64_t id, const dojo::trace::Site& site);
  /// Names for every channel of a trace (id -> name), computed once.
  void load(const dojo::trace::Trace& t);
  [[nodiscard]] std::string get(std::uint64_t id) const;

 private:
  const std::vector<std::string>* lines_of(const std::string& file);
  std::vector<std::string> roots_;
  std::map<std::string, std::optional<std::vector<std::string>>> files_;
  std::map<std::uint64_t, std::string> names_;
};

/// The variable name assigned by `make_chan` on one source line, or "".
[[nodiscard]] std::string chan_var_on_line(std::string_view line);

/// "sum.cpp:14" (the file's base name), or "" for an empty site.
[[nodiscard]] std::string short_site(const dojo::trace::Site& s);

/// Every "#N" object id in a runtime object description ("select over chan int #3 (...) |
/// chan Unit #5 (...)" -> {3, 5}).
[[nodiscard]] std::vector<std::uint64_t> object_ids(std::string_view object);

/// A site inside goro's own sources (runtime/src, runtime/include/goro): not user code.
[[nodiscard]] bool is_runtime_site(const dojo::trace::Site& s);
/// "started at leak.cpp:11"; for a root task (no parent) started inside the runtime, "started by
/// goro::simulate" (or "started by the goro runtime"); "" for an empty site.
[[nodiscard]] std::string start_text(const dojo::trace::Site& site, std::uint64_t parent);

/// "g3 producer", "g1 main", "g4" (unnamed).
[[nodiscard]] std::string task_label(const dojo::trace::TaskState& t);
[[nodiscard]] std::string task_label(const dojo::trace::TaskModel& t);

/// "`out` (chan int, cap 0)".
[[nodiscard]] std::string channel_text(const dojo::trace::ChannelState& c, const std::string& name);

/// What a task is doing, one line: "running", "blocked: send on `out` (chan int, cap 0) at
/// sum.cpp:14", "blocked: select on `results`, ctx#5 at x.cpp:9", "exited: returned error
/// \"fetch a: 503\"", ...
[[nodiscard]] std::string task_status(const dojo::trace::TaskState& t, const dojo::trace::Snapshot& s,
                                      const ChannelNames& names);

/// The hover text of a task: its label, status, where it was started and by whom.
[[nodiscard]] std::string task_hover(const dojo::trace::TaskState& t, const dojo::trace::Snapshot& s,
                                     const ChannelNames& names);

/// The hover text of a channel: type, capacity, buffered and pending values, closed.
[[nodiscard]] std::string channel_hover(const dojo::trace::ChannelState& c, const ChannelNames& names);

/// One line of an error tree, drawn top-down: `prefix` holds the tree connectors ("|  `- ").
struct ErrorLine {
  int depth = 0;
  std::string prefix;
  std::string message;
  std::string type;  // "text", "wrap", "join", a C++ type, "truncated"
};
/// Flattens an error and what it wraps: the wrap chain top-down; a join's errors as siblings.
[[nodiscard]] std::vector<ErrorLine> error_lines(const dojo::trace::ErrorTree& e);

/// An error the run produced up to a point.
struct ErrorEntry {
  enum class Kind { task_error, group_first, ctx_cancel, panic };
  Kind kind = Kind::task_error;
  std::size_t event = 0;     ///< index in Trace::events
  std::uint64_t task = 0;    ///< task_error, panic
  std::uint64_t object = 0;  ///< group id / context id
  std::string title;         ///< "g3 fetch(a) returned", "errgroup #4: first error (wait() returns it)"
  dojo::trace::ErrorTree err;
  /// task_error: this is the error its group's wait() returns (same message as the group's
  /// first error, and recorded before it).
  bool is_group_first = false;
};
/// Errors recorded in events [0, n).
[[nodiscard]] std::vector<ErrorEntry> errors_until(const dojo::trace::Trace& t, std::size_t n);

/// A task a deadlock/leak report named, as the Leaks panel lists it.
struct StuckEntry {
  std::uint64_t task = 0;
  std::string label;     ///< "g4 forgotten"
  std::string state;     ///< "blocked", "runnable", ...
  std::string what;      ///< "blocked: send on `never` (chan int, cap 0)"
  std::string blocked_at;  ///< "leak.cpp:12" (the blocking operation)
  std::string started_at;  ///< "leak.cpp:11" (where `go` was called; "" for the root task)
  std::string started;     ///< "started at leak.cpp:11", "started by goro::simulate"
  std::string why;         ///< why nobody can wake it (see wait_graph.hpp), "" when unknown
};
struct StuckReport {
  std::string kind;  ///< "deadlock", "leak", ...
  std::size_t event = 0;
  std::string text;  ///< the runtime's report
  std::vector<StuckEntry> tasks;
};
/// The latest report in events [0, n), if any.
[[nodiscard]] std::optional<StuckReport> stuck_report(const dojo::trace::Trace& t, std::size_t n,
                                                      const ChannelNames& names);

}  // namespace dojo::viz
