// The timeline viewmodel: one lane per task (spawn-tree order), running/blocked slices,
// send -> receive arrows and instant marks, with culling and folding for drawing.
//
// The x axis is the event index: event i occupies [i, i + 1). (A deterministic run's virtual
// clock stands still between timers, so most events share one ts; the index spreads them out.
// Playback::seek_time maps a time to a position.)
//
// Drawing a window [x0, x1) at `px` pixels per event: `visible()` finds the first slice by
// binary search and folds runs of slices narrower than kFoldPx pixels into one item carrying
// their count (drawn as "N events too small"), so the work per lane is O(log n + pixels / 3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dojo/trace/reader.hpp"
#include "dojo/viz/model/palette.hpp"

namespace dojo::viz {

inline constexpr double kFoldPx = 3;

/// A span of one state on a lane: [begin, end) in events. `event`: the event that started it
/// (task_start, block, unblock or the report that named the task stuck).
struct Slice {
  std::size_t begin = 0, end = 0;
  VisState state = VisState::running;
  std::size_t event = 0;
};

/// An instant on a lane (or on the runtime lane).
struct Mark {
  enum class Kind { error, panic, cancel, timer, report, close, group_error };
  std::size_t at = 0;  ///< event index
  Kind kind = Kind::error;
  std::string text;
};

struct Lane {
  std::uint64_t task = 0;
  std::string label;  ///< "g3 producer"
  int depth = 0;      ///< in the spawn tree
  std::vector<Slice> slices;  ///< sorted, non-overlapping
  std::vector<Mark> marks;    ///< sorted by `at`
};

/// A value's journey: its chan_send on one lane to its chan_recv on another.
struct Arrow {
  std::size_t from = 0, to = 0;  ///< event indexes
  int from_lane = 0, to_lane = 0;
  std::string value;
};

/// What to draw for one lane in a window: a slice, or a fold of `count` > 1 tiny ones.
struct DrawItem {
  double x0 = 0, x1 = 0;  ///< event units
  VisState state = VisState::running;
  std::size_t count = 1;
  std::size_t event = 0;  ///< of the (first) slice
};

class Timeline {
 public:
  explicit Timeline(const dojo::trace::Trace& t);

  [[nodiscard]] const std::vector<Lane>& lanes() const noexcept { return lanes_; }
  /// Marks that belong to no task: contexts, errgroups, timers, reports.
  [[nodiscard]] const std::vector<Mark>& runtime_marks() const noexcept { return runtime_; }
  /// Sorted by `from`.
  [[nodiscard]] const std::vector<Arrow>& arrows() const noexcept { return arrows_; }
  /// The x extent: number of events.
  [[nodiscard]] std::size_t length() const noexcept { return length_; }
  /// Lane index of a task, -1 if none.
  [[nodiscard]] int lane_of(std::uint64_t task) const noexcept;

  /// Appends to `out` the items of lane `lane` that overlap [x0, x1) at `px_per_event`.
  void visible(std::size_t lane, double x0, double x1, double px_per_event, std::vector<DrawItem>& out) const;
  /// Appends the arrows overlapping [x0, x1) whose lanes overlap [lane0, lane1], up to `limit`.
  /// Returns false when the limit cut the list short.
  bool visible_arrows(double x0, double x1, int lane0, int lane1, std::size_t limit,
                      std::vector<const Arrow*>& out) const;
  /// Marks of a lane (or the runtime lane when lane < 0) in [x0, x1).
  void visible_marks(int lane, double x0, double x1, std::vector<const Mark*>& out) const;

 private:
  std::vector<Lane> lanes_;
  std::vector<Mark> runtime_;
  std::vector<Arrow> arrows_;
  std::size_t longest_arrow_ = 0;
  std::size_t length_ = 0;
  std::vector<std::pair<std::uint64_t, int>> lane_index_;  // task -> lane, sorted
};

}  // namespace dojo::viz
