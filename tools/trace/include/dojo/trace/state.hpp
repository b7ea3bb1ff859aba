// The state of a recorded run at any point: what a visualizer needs to draw frame N.
//
//   dojo::trace::Trace t = dojo::trace::read_trace_file("run.jsonl");
//   dojo::trace::Snapshot s = dojo::trace::state_after(t, 120);   // after the first 120 events
//   for (const auto& task : s.tasks) ...                            // phase, blocking op, site
//
//   dojo::trace::Cursor c(t);                                       // scrubbing: cheap both ways
//   const dojo::trace::Snapshot& frame = c.seek(n);
//
// A snapshot is built by replaying events in file order; it holds only what the trace records
// (see docs/trace-format.md). In particular goro does not record scheduling switches, so a task
// that is not blocked is "running" whether it runs or waits for a CPU.
//
// Malformed or inconsistent traces never make this code crash or throw (beyond std::bad_alloc):
// like the reader, it creates tasks and channels on the fly for ids it has not seen (a task
// created this way is `adopted`, named "thread"), and ignores what it cannot apply (an unblock
// of a task that is not blocked, a block of an exited task, a receive of a message never sent).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dojo/trace/reader.hpp"

namespace dojo::trace {

/// One task at a point of the run.
struct TaskState {
  enum class Phase {
    running,  ///< started and not blocked: running or waiting to run (not recorded apart)
    blocked,  ///< parked after a `block` event, until its `unblock`
    exited,   ///< after its `task_exit`
  };

  std::uint64_t id = 0;
  std::uint64_t parent = 0;  ///< 0: none
  std::string name;          ///< go_named label, "main", "" (unnamed) or "thread" (adopted)
  Site site;                 ///< where `go` was called (empty for adopted tasks)
  bool adopted = false;      ///< no task_start seen: a thread goro did not start, or an unknown id
  Phase phase = Phase::running;
  std::int64_t start_ts = 0;            ///< task_start, or the task's first event
  std::optional<std::int64_t> exit_ts;  ///< task_exit

  // The blocking operation, from the `block` event. Set while phase == blocked; cleared by
  // `unblock`. A task that exits while blocked (stuck tasks released after a report) keeps them.
  std::string op;          ///< Go's wait reason as recorded: "chan receive", "select", "sleep", ...
  std::string blocked_on;  ///< the object as recorded: "chan int #3 (cap 0, len 0)", or ""
  Site blocked_at;         ///< the blocking operation in user code
  std::int64_t blocked_since = 0;  ///< ts of the block event
  /// While blocked in a channel send whose chan_send was recorded just before the block: the
  /// message it offers and its channel (0 otherwise; blocked select sends are not recorded).
  std::uint64_t sending_msg = 0;
  std::uint64_t sending_chan = 0;

  /// The kind of the latest report ("deadlock", "leak", ...) that named this task blocked.
  std::optional<std::string> stuck;
  std::optional<std::string> panic;  ///< the panic value, once a panic event was applied
  std::optional<ErrorTree> error;    ///< from task_error: its function returned this error
  std::size_t events = 0;            ///< events applied on this task
  std::optional<std::size_t> last_event;  ///< index (into Trace::events) of its latest one

  friend bool operator==(const TaskState&, const TaskState&) = default;
};

/// A value whose chan_send was recorded and whose chan_recv was not (yet).
struct Message {
  std::uint64_t msg = 0;
  std::uint64_t sender = 0;  ///< the task that sent it
  std::string value;         ///< the recorded preview ("" when not printable)
  std::size_t sent_at = 0;   ///< index of the chan_send event
  friend bool operator==(const Message&, const Message&) = default;
};

/// One channel at a point of the run.
struct ChannelState {
  std::uint64_t id = 0;
  std::string elem;         ///< element type (from chan_make)
  std::uint64_t cap = 0;    ///< 0: unbuffered
  Site site;                ///< where it was made
  bool made = false;        ///< its chan_make was applied (false: first seen in another event)
  /// A chan_close was applied, or a receive reported ok == false (closed and drained; context
  /// done channels are closed by the runtime without a chan_close).
  bool closed = false;
  /// Every value in flight (sent, receive not recorded yet), oldest send first.
  std::vector<Message> in_flight;
  /// Previews of the oldest min(cap, in_flight.size()) values in flight: the buffer contents.
  /// (A value handed straight to a receiver that was already waiting never enters the buffer,
  /// but the trace does not say so: it counts here until its receive is recorded.)
  std::vector<std::string> buffered;
  /// Previews of the other values in flight, held by senders the buffer has no room for
  /// (for an unbuffered channel: every value in flight).
  std::vector<std::string> pending;
  /// Messages whose chan_recv was applied before their chan_send (a select's send case is
  /// recorded when the select returns, possibly after the receiver recorded the receive).
  std::vector<std::uint64_t> received_early;
  std::size_t sends = 0, recvs = 0;  ///< chan_send / chan_recv events applied

  friend bool operator==(const ChannelState&, const ChannelState&) = default;
};

/// One context at a point of the run. Contexts are named by id (the id of their done channel).
struct ContextState {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;  ///< the nearest cancellable ancestor (0: a root such as background)
  std::string kind;          ///< how it was derived ("cancel", "deadline", ...)
  bool made = false;         ///< its ctx_new was applied
  /// A ctx_cancel was applied. The runtime records one for every context cancelled, so a
  /// parent's cancellation shows on each child with the parent's err and cause.
  bool cancelled = false;
  std::optional<std::int64_t> cancel_ts;
  std::optional<ErrorTree> err, cause;  ///< from the first ctx_cancel

  friend bool operator==(const ContextState&, const ContextState&) = default;
};

/// A timer armed and not yet fired or stopped (timer events with action "arm"/"start" arm;
/// "fire" and "stop" disarm; other actions are ignored). A context's deadline timer has the
/// context's id, and the runtime removes it without a timer event when the context is
/// cancelled: a ctx_cancel disarms the timer with the same id.
struct TimerState {
  std::uint64_t id = 0;
  std::int64_t when = 0;  ///< deadline, ns since the recording started
  friend bool operator==(const TimerState&, const TimerState&) = default;
};

/// An errgroup that recorded its first error.
struct GroupState {
  std::uint64_t id = 0;
  std::optional<ErrorTree> err;
  friend bool operator==(const GroupState&, const GroupState&) = default;
};

/// The state of the run after a prefix of its events. Every list is sorted by id.
struct Snapshot {
  std::size_t applied = 0;  ///< number of events applied: Trace::events[0, applied)
  std::int64_t ts = 0;      ///< ts of the last applied event (0 when none)
  /// Every task seen so far, exited ones included (phase exited).
  std::vector<TaskState> tasks;
  std::vector<ChannelState> channels;
  std::vector<ContextState> contexts;
  std::vector<TimerState> timers;
  std::vector<GroupState> groups;
  std::optional<std::size_t> last_report;  ///< index of the latest report event applied
  std::optional<std::string> outcome;      ///< once the end event was applied

  /// Lookups by id (nullptr when absent). O(log n).
  [[nodiscard]] const TaskState* task(std::uint64_t id) const noexcept;
  [[nodiscard]] const ChannelState* channel(std::uint64_t id) const noexcept;
  [[nodiscard]] const ContextState* context(std::uint64_t id) const noexcept;
  /// Tasks in each phase.
  [[nodiscard]] std::size_t count(TaskState::Phase phase) const noexcept;

  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

[[nodiscard]] std::string_view phase_name(TaskState::Phase p) noexcept;  ///< "running", ...

/// The state after applying the first `n_events` events (clamped to t.events.size()).
/// O(n_events); for repeated queries on one trace use Cursor.
[[nodiscard]] Snapshot state_after(const Trace& t, std::size_t n_events);

/// The number of events up to time `ts`: the length of the longest prefix of t.events whose
/// events all have ts <= `ts` (for a trace whose ts goes back, the first later event ends it).
[[nodiscard]] std::size_t events_until(const Trace& t, std::int64_t ts) noexcept;

/// The state after every event with ts <= `ts`: state_after(t, events_until(t, ts)).
[[nodiscard]] Snapshot state_at_time(const Trace& t, std::int64_t ts);

/// Moves through one trace forwards and backwards. It keeps a copy of the state every
/// `checkpoint_every` events (made as it first passes them), so seek(n) replays at most
/// `checkpoint_every - 1` events past the nearest checkpoint at or before n, or the events
/// between the current position and n when that is shorter. The result of seek(n) is
/// identical to state_after(trace, n).
///
/// The cursor keeps a reference to `trace`, which must outlive it and not change.
class Cursor {
 public:
  explicit Cursor(const Trace& trace, std::size_t checkpoint_every = 1024);

  /// The state after the first `n_events` events (clamped to the trace's size). The reference
  /// stays valid until the next seek.
  const Snapshot& seek(std::size_t n_events);
  /// seek(events_until(trace, ts)).
  const Snapshot& seek_time(std::int64_t ts);
  [[nodiscard]] const Snapshot& current() const noexcept { return cur_; }
  /// The number of events in the trace (the largest useful position).
  [[nodiscard]] std::size_t size() const noexcept;
  /// Events applied by this cursor so far, over all seeks: a measure of the work done.
  [[nodiscard]] std::size_t replayed() const noexcept { return replayed_; }

 private:
  void advance_to(std::size_t n);

  const Trace* trace_;
  std::size_t every_;
  Snapshot cur_;
  std::vector<Snapshot> checkpoints_;  // [k]: the state after k * every_ events
  std::size_t replayed_ = 0;
};

}  // namespace dojo::trace
