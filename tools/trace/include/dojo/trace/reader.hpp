// Reading goro traces (docs/trace-format.md) into a plain model: tasks, channels, contexts
// and the event list. No UI: the visualizer and the Perfetto exporter build on this.
//
//   dojo::trace::Trace t = dojo::trace::read_trace_file("run.jsonl");   // throws ReadError
//   for (const auto& [id, task] : t.tasks) ...
//
// The reader checks the schema name and version (a newer major version is refused with a
// message saying so), and reports malformed input as a ReadError carrying the line number
// and what was wrong; it never crashes on bad input. Event types it does not know are kept
// in `events` with type EventType::unknown (their raw type name in `type_name`) and
// otherwise ignored, as the version policy asks of readers.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dojo::trace {

/// The schema and the newest major version this reader understands.
inline constexpr std::string_view kSchema = "goro-trace";
inline constexpr int kSupportedVersion = 1;

/// Malformed or unsupported input. `line` is 1-based (0 when not about one line).
class ReadError : public std::runtime_error {
 public:
  ReadError(std::string source, std::size_t line, const std::string& what);
  [[nodiscard]] std::size_t line() const noexcept { return line_; }
  [[nodiscard]] const std::string& source() const noexcept { return source_; }

 private:
  std::string source_;
  std::size_t line_;
};

/// A place in user code.
struct Site {
  std::string file;
  std::int64_t line = 0;
  std::string function;
  [[nodiscard]] bool empty() const noexcept { return file.empty() && line == 0; }
  friend bool operator==(const Site&, const Site&) = default;
};

/// An error and what it wraps (goro::unwrap_all), as recorded.
struct ErrorTree {
  std::string message;
  std::string type;  // "text", "wrap", "join" or the C++ type of a typed error
  std::vector<ErrorTree> children;
  friend bool operator==(const ErrorTree&, const ErrorTree&) = default;
};

/// A task in a deadlock/leak report.
struct ReportedTask {
  std::uint64_t task = 0;
  std::uint64_t parent = 0;
  std::string name;
  std::string state;   // "blocked", "runnable", "running"
  bool adopted = false;
  std::string reason;  // wait reason when blocked
  std::string object;
  Site site;           // the blocking operation
  Site started;        // where the task was started
};

enum class EventType {
  task_start,
  task_exit,
  block,
  unblock,
  chan_make,
  chan_send,
  chan_recv,
  chan_close,
  select,
  ctx_new,
  ctx_cancel,
  group_error,
  task_error,
  panic,
  timer,
  report,
  end,
  unknown,
};

/// The name used in the file ("task_start", ...; "unknown" for EventType::unknown).
[[nodiscard]] std::string_view event_type_name(EventType t) noexcept;
/// The EventType of a name; EventType::unknown for names this reader does not know.
[[nodiscard]] EventType event_type_from_name(std::string_view name) noexcept;

/// One event. Only the fields of its type are set (see docs/trace-format.md); the others
/// keep their defaults.
struct Event {
  std::size_t line = 0;   // 1-based line in the file
  std::uint64_t seq = 0;
  std::int64_t ts = 0;    // ns since the recording started (virtual clock in deterministic mode)
  EventType type = EventType::unknown;
  std::string type_name;  // as written in the file

  std::uint64_t task = 0;    // the task the event happened on (0: none)
  std::uint64_t parent = 0;  // task_start: parent task; ctx_new: parent context
  std::string name;          // task_start
  Site site;                 // where in user code
  std::string reason;        // block: Go's wait reason
  std::string object;        // block: what the task waits on
  std::uint64_t chan = 0;    // chan_*
  std::string elem;          // chan_make
  std::uint64_t cap = 0;     // chan_make
  std::uint64_t msg = 0;     // chan_send/chan_recv: pairs a send with its receive (0: none)
  std::string value;         // chan_send/chan_recv: preview; panic: the panic value
  bool ok = false;           // chan_recv
  std::uint64_t chosen = 0;  // select
  std::uint64_t cases = 0;   // select
  bool is_default = false;   // select
  std::uint64_t ctx = 0;     // ctx_*
  std::string kind;          // ctx_new: how it was derived; report: deadlock/leak/...
  std::optional<ErrorTree> err;    // ctx_cancel, group_error, task_error
  std::optional<ErrorTree> cause;  // ctx_cancel
  std::uint64_t group = 0;         // group_error
  std::vector<std::string> stack;  // panic
  std::string action;              // timer
  std::uint64_t timer = 0;         // timer
  std::int64_t when = 0;           // timer: ns since the recording started
  std::string text;                // report
  std::vector<ReportedTask> tasks; // report
  std::string outcome;             // end
  std::uint64_t steps = 0;         // end (deterministic)
  std::string report;              // end: the outcome's report, if any
};

struct Meta {
  std::string schema;
  int version = 0;
  std::string mode;   // "deterministic" or "free"
  std::string clock;  // "virtual" or "real"
  std::optional<std::uint64_t> seed;
  std::string strategy;
  std::int64_t start_ns = 0;  // the clock at the start, ns since the Unix epoch
  std::string start;          // the same, ISO 8601
  std::string producer;
  [[nodiscard]] bool deterministic() const noexcept { return mode == "deterministic"; }
};

struct TaskModel {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;
  std::string name;
  Site site;
  bool adopted = false;                 // no task_start: a thread goro did not start
  std::int64_t start_ts = 0;            // task_start, or the task's first event
  std::optional<std::int64_t> exit_ts;  // task_exit
  std::optional<std::string> panic;     // the panic value, if one ended the task
  std::vector<std::size_t> events;      // indexes into Trace::events, in order
};

struct ChannelModel {
  std::uint64_t id = 0;
  std::string elem;
  std::uint64_t cap = 0;
  Site site;
  bool made = false;                     // a chan_make was recorded
  std::int64_t make_ts = 0;
  std::optional<std::int64_t> close_ts;
  std::size_t sends = 0, recvs = 0;
};

struct ContextModel {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;
  std::string kind;
  std::int64_t new_ts = 0;
  std::optional<std::int64_t> cancel_ts;
  std::optional<ErrorTree> err, cause;
};

struct Trace {
  Meta meta;
  std::vector<Event> events;  // in file order (seq order)
  std::map<std::uint64_t, TaskModel> tasks;
  std::map<std::uint64_t, ChannelModel> channels;
  std::map<std::uint64_t, ContextModel> contexts;
  /// msg id -> index of its chan_send and chan_recv events (either may be missing).
  std::map<std::uint64_t, std::pair<std::optional<std::size_t>, std::optional<std::size_t>>> messages;
  std::optional<std::size_t> end;  // index of the end event; none when the trace was cut short
  std::size_t unknown_events = 0;
  /// Non-fatal findings: a trace cut short, an exit of a task never seen, ...
  std::vector<std::string> warnings;

  [[nodiscard]] std::int64_t last_ts() const noexcept { return events.empty() ? 0 : events.back().ts; }
};

/// Parses a whole trace. `source` names the input in error messages. Throws ReadError.
[[nodiscard]] Trace read_trace(std::istream& in, std::string_view source = "<input>");
[[nodiscard]] Trace read_trace_string(std::string_view text, std::string_view source = "<input>");
/// Opens and parses a file; ReadError (line 0) when it cannot be opened.
[[nodiscard]] Trace read_trace_file(const std::string& path);

}  // namespace dojo::trace
