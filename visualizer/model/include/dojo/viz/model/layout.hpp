// Where things are drawn, in world units (the views map them to pixels with pan and zoom).
//
// Pipeline view: computed once for the whole trace, so positions never move while playing.
// Tasks and channels form a data-flow graph (sender/closer -> channel -> receiver); each node's
// column is its longest path from a source (cycles are broken at the lowest id), so data flows
// left to right. In a column, tasks started by the same parent are stacked together in a group
// box ("errgroup of g1 main" when that parent waited on an errgroup, else "started by g1 main"),
// ordered by where their inputs are (barycentre of the previous columns), then by id.
//
// Context tree: contexts by depth (x) in depth-first order (y), each with the tasks that ever
// waited on its done channel.
//
// Boxes are sized to their labels: a TextWidth measures a label in world units (the app passes
// its font's width at zoom 1, so text drawn at `font px * zoom` always fits its box); without
// one, labels are estimated at kCharW units per character.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dojo/trace/reader.hpp"

namespace dojo::viz {

struct Box {
  float x = 0, y = 0, w = 0, h = 0;
  [[nodiscard]] float cx() const noexcept { return x + w / 2; }
  [[nodiscard]] float cy() const noexcept { return y + h / 2; }
  [[nodiscard]] float right() const noexcept { return x + w; }
  [[nodiscard]] float bottom() const noexcept { return y + h; }
  [[nodiscard]] bool contains(float px, float py) const noexcept {
    return px >= x && px <= x + w && py >= y && py <= y + h;
  }
};

struct Point {
  float x = 0, y = 0;
};

struct TaskNode {
  std::uint64_t id = 0;
  Box box;
  int column = 0;
  std::uint64_t parent = 0;  ///< the group it is drawn in
};

struct ChanNode {
  std::uint64_t id = 0;
  Box box;
  int column = 0;
  std::uint64_t cap = 0;
};

/// A pipe between a task and a channel: the task sent on / closed the channel (into the
/// channel), or received from it (out of the channel).
struct Pipe {
  std::uint64_t chan = 0;
  std::uint64_t task = 0;
  enum class Kind { send, close, recv } kind = Kind::send;
};

struct GroupBox {
  std::uint64_t parent = 0;
  int column = 0;
  Box box;
  std::string label;
};

struct PipelineLayout {
  std::vector<TaskNode> tasks;  ///< sorted by id
  std::vector<ChanNode> chans;  ///< sorted by id
  std::vector<Pipe> pipes;
  std::vector<GroupBox> groups;
  Box bounds;
  int columns = 0;
  std::vector<float> column_x;  ///< left edge of each column's task boxes
  std::vector<float> column_w;  ///< width of each column's task boxes (>= kTaskW; kChanW without tasks)

  [[nodiscard]] const TaskNode* task(std::uint64_t id) const noexcept;
  [[nodiscard]] const ChanNode* chan(std::uint64_t id) const noexcept;
};

/// Sizes in world units. kTaskW is the narrowest task box; a column of tasks is as wide as its
/// widest label needs (task label, group label), a column of channels only kChanW, and
/// kColumnGap apart from the next.
inline constexpr float kTaskW = 140, kTaskH = 40, kChanW = 124, kChanH = 30, kColumnGap = 56,
                       kRowGap = 10, kGroupPad = 8, kGroupLabel = 16, kGroupGap = 26;
/// Padding between a box's edge and its text, and the estimate per character without a TextWidth.
inline constexpr float kTextPad = 6, kCharW = 8;

/// The width of a label in world units.
using TextWidth = std::function<float(std::string_view)>;
/// `w(s)` when given, else the estimate s.size() * kCharW.
[[nodiscard]] float text_width(const TextWidth& w, std::string_view s);
/// The width a task box needs for `label` and any state tag: on two lines (tag above the
/// label) or on one ("STUCK  g12 worker"), whichever the box height allows at that zoom.
[[nodiscard]] float task_box_width(const TextWidth& w, std::string_view label, bool one_line);
/// Buffer cells drawn in a channel (more are summarised as "+N").
inline constexpr std::uint64_t kMaxCells = 8;

/// The layout of a whole trace. Context done channels are left out (the context tree shows
/// them), and so are channels made inside goro's own sources (timer and after() channels) that
/// no user code sent on or closed. O((tasks + channels) log + pipes).
[[nodiscard]] PipelineLayout layout_pipeline(const dojo::trace::Trace& t, const TextWidth& width = {});

/// Centre of buffer cell `k` of a channel node (k < min(cap, kMaxCells)); for an unbuffered
/// channel, k = 0 is the hand-off point in the middle.
[[nodiscard]] Point cell_center(const ChanNode& c, std::size_t k) noexcept;
/// Where the k-th value held by a blocked sender waits: just left of the channel.
[[nodiscard]] Point pending_spot(const ChanNode& c, std::size_t k) noexcept;
/// Where pipes attach: a task's output (right) and input (left) side, a channel's in/out.
[[nodiscard]] Point task_out(const TaskNode& n) noexcept;
[[nodiscard]] Point task_in(const TaskNode& n) noexcept;
[[nodiscard]] Point chan_in(const ChanNode& c) noexcept;
[[nodiscard]] Point chan_out(const ChanNode& c) noexcept;

struct CtxNode {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;  ///< 0: a root
  int depth = 0;
  Box box;
  std::string kind;
  std::vector<std::uint64_t> watchers;  ///< tasks that blocked on its done channel, by id
};

struct ContextLayout {
  std::vector<CtxNode> nodes;  ///< depth-first order
  Box bounds;
  float watcher_w = 0;   ///< the pitch of the watcher boxes beside a node (box width + 8)
  float watchers_x = 0;  ///< where the first watcher of every node starts (one column for all)
  [[nodiscard]] const CtxNode* node(std::uint64_t id) const noexcept;
};

/// Context boxes are at least kCtxW wide (all as wide as the widest "ctx#N kind  CANCELLED"),
/// a child is a row below its parent, kCtxIndent to the right; watchers at least kWatcherW apart.
inline constexpr float kCtxW = 170, kCtxH = 36, kCtxIndent = 44, kCtxRow = 66, kWatcherW = 120;
/// Watchers drawn beside a context (more are left out).
inline constexpr std::size_t kMaxWatchers = 6;

/// The label of a context box.
[[nodiscard]] std::string context_label(std::uint64_t id, std::string_view kind, bool cancelled);

[[nodiscard]] ContextLayout layout_contexts(const dojo::trace::Trace& t, const TextWidth& width = {});

}  // namespace dojo::viz
