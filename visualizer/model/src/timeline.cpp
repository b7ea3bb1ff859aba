#include "dojo/viz/model/timeline.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "dojo/viz/model/describe.hpp"

namespace dojo::viz {

using dojo::trace::EventType;

Timeline::Timeline(const dojo::trace::Trace& t) : length_(t.events.size()) {
  // Lanes in spawn-tree depth-first order.
  std::map<std::uint64_t, std::vector<std::uint64_t>> children;
  std::vector<std::uint64_t> roots;
  for (const auto& [id, task] : t.tasks) {
    if (task.parent != 0 && t.tasks.count(task.parent) && task.parent != id) children[task.parent].push_back(id);
    else roots.push_back(id);
  }
  std::vector<std::pair<std::uint64_t, int>> order;
  std::vector<std::pair<std::uint64_t, int>> stack;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, 0);
  while (!stack.empty()) {
    auto [id, depth] = stack.back();
    stack.pop_back();
    order.emplace_back(id, depth);
    auto& ch = children[id];
    for (auto it = ch.rbegin(); it != ch.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  lanes_.reserve(order.size());
  for (auto [id, depth] : order) {
    Lane l;
    l.task = id;
    l.label = task_label(t.tasks.at(id));
    l.depth = depth;
    lane_index_.emplace_back(id, static_cast<int>(lanes_.size()));
    lanes_.push_back(std::move(l));
  }
  std::sort(lane_index_.begin(), lane_index_.end());

  // Slices: one open state per lane.
  struct Open {
    std::size_t begin = 0;
    VisState state = VisState::running;
    std::size_t event = 0;
    bool open = false;
  };
  std::vector<Open> open(lanes_.size());
  auto close = [&](int lane, std::size_t at) {
    auto& o = open[static_cast<std::size_t>(lane)];
    if (o.open && at > o.begin) lanes_[static_cast<std::size_t>(lane)].slices.push_back({o.begin, at, o.state, o.event});
    o.open = false;
  };
  auto start = [&](int lane, std::size_t at, VisState s, std::size_t ev) {
    close(lane, at);
    open[static_cast<std::size_t>(lane)] = {at, s, ev, true};
  };
  auto mark = [&](int lane, Mark m) {
    if (lane >= 0) lanes_[static_cast<std::size_t>(lane)].marks.push_back(std::move(m));
    else runtime_.push_back(std::move(m));
  };
  std::map<std::uint64_t, std::size_t> sends;  // msg -> send event
  std::map<std::uint64_t, std::size_t> early_recvs;  // msg -> recv event seen before its send
  auto arrow = [&](std::size_t s, std::size_t r) {
    const auto& se = t.events[s];
    const int a = lane_of(se.task), b = lane_of(t.events[r].task);
    if (a < 0 || b < 0) return;
    arrows_.push_back({s, r, a, b, se.value});
  };
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const auto& e = t.events[i];
    const int lane = lane_of(e.task);
    if (lane >= 0 && !open[static_cast<std::size_t>(lane)].open && e.type != EventType::task_exit &&
        lanes_[static_cast<std::size_t>(lane)].slices.empty())
      start(lane, i, VisState::running, i);  // adopted tasks: from their first event
    switch (e.type) {
      case EventType::task_start:
        if (lane >= 0) start(lane, i, VisState::running, i);
        break;
      case EventType::block:
        if (lane >= 0) start(lane, i, vis_state_of_op(e.reason), i);
        break;
      case EventType::unblock:
        if (lane >= 0) start(lane, i, VisState::running, i);
        break;
      case EventType::task_exit:
        if (lane >= 0) close(lane, i + 1);
        break;
      case EventType::chan_send:
        if (auto it = early_recvs.find(e.msg); it != early_recvs.end()) arrow(i, it->second);
        else if (e.msg != 0) sends[e.msg] = i;
        break;
      case EventType::chan_recv:
        if (e.msg == 0) break;
        if (auto it = sends.find(e.msg); it != sends.end()) {
          arrow(it->second, i);
          sends.erase(it);
        } else {
          early_recvs[e.msg] = i;
        }
        break;
      case EventType::chan_close:
        mark(lane, {i, Mark::Kind::close, fmt::format("close chan#{}", e.chan)});
        break;
      case EventType::task_error:
        mark(lane, {i, Mark::Kind::error, e.err ? "error: " + e.err->message : std::string("error")});
        break;
      case EventType::panic:
        mark(lane, {i, Mark::Kind::panic, "panic: " + e.value});
        break;
      case EventType::ctx_cancel: {
        const auto& c = e.cause ? e.cause : e.err;
        mark(-1, {i, Mark::Kind::cancel, fmt::format("ctx#{} cancelled: {}", e.ctx, c ? c->message : "")});
        break;
      }
      case EventType::group_error:
        mark(-1, {i, Mark::Kind::group_error,
                  fmt::format("errgroup #{} first error: {}", e.group, e.err ? e.err->message : "")});
        break;
      case EventType::timer:
        if (e.action == "fire") mark(-1, {i, Mark::Kind::timer, fmt::format("timer #{} fired", e.timer)});
        break;
      case EventType::report:
        mark(-1, {i, Mark::Kind::report, fmt::format("{}: {} task(s) stuck", e.kind, e.tasks.size())});
        for (const auto& rt : e.tasks) {
          const int l = lane_of(rt.task);
          if (l < 0) continue;
          auto& o = open[static_cast<std::size_t>(l)];
          if (o.open) start(l, i, VisState::stuck, o.event);
          mark(l, {i, Mark::Kind::report, fmt::format("{}: {}", e.kind, rt.reason.empty() ? rt.state : rt.reason)});
        }
        break;
      default: break;
    }
  }
  for (std::size_t l = 0; l < lanes_.size(); ++l) close(static_cast<int>(l), length_);
  std::sort(arrows_.begin(), arrows_.end(), [](const Arrow& a, const Arrow& b) { return a.from < b.from; });
  for (const auto& a : arrows_) longest_arrow_ = std::max(longest_arrow_, a.to > a.from ? a.to - a.from : a.from - a.to);
}

int Timeline::lane_of(std::uint64_t task) const noexcept {
  if (task == 0) return -1;
  auto it = std::lower_bound(lane_index_.begin(), lane_index_.end(), std::pair<std::uint64_t, int>(task, -1));
  return it != lane_index_.end() && it->first == task ? it->second : -1;
}

void Timeline::visible(std::size_t lane, double x0, double x1, double px, std::vector<DrawItem>& out) const {
  if (lane >= lanes_.size() || px <= 0) return;
  const auto& s = lanes_[lane].slices;
  auto it = std::upper_bound(s.begin(), s.end(), x0,
                             [](double x, const Slice& sl) { return x < static_cast<double>(sl.end); });
  std::optional<DrawItem> fold;
  auto flush = [&] {
    if (fold) out.push_back(*fold);
    fold.reset();
  };
  for (; it != s.end() && static_cast<double>(it->begin) < x1; ++it) {
    const double b = static_cast<double>(it->begin), e = static_cast<double>(it->end);
    if ((e - b) * px >= kFoldPx) {
      flush();
      out.push_back({b, e, it->state, 1, it->event});
      continue;
    }
    if (fold && b - fold->x1 < 1e-9) {
      fold->x1 = e;
      ++fold->count;
      if (it->state != VisState::running) fold->state = it->state;  // show that something blocked
    } else {
      flush();
      fold = DrawItem{b, e, it->state, 1, it->event};
    }
  }
  flush();
}

bool Timeline::visible_arrows(double x0, double x1, int lane0, int lane1, std::size_t limit,
                              std::vector<const Arrow*>& out) const {
  const double from_min = x0 - static_cast<double>(longest_arrow_) - 1;
  auto it = std::lower_bound(arrows_.begin(), arrows_.end(), from_min,
                             [](const Arrow& a, double x) { return static_cast<double>(a.from) < x; });
  for (; it != arrows_.end() && static_cast<double>(it->from) < x1; ++it) {
    const double lo = static_cast<double>(std::min(it->from, it->to)), hi = static_cast<double>(std::max(it->from, it->to)) + 1;
    if (hi < x0 || lo >= x1) continue;
    if (std::max(it->from_lane, it->to_lane) < lane0 || std::min(it->from_lane, it->to_lane) > lane1) continue;
    if (out.size() >= limit) return false;
    out.push_back(&*it);
  }
  return true;
}

void Timeline::visible_marks(int lane, double x0, double x1, std::vector<const Mark*>& out) const {
  const auto& m = lane < 0 ? runtime_ : lanes_[static_cast<std::size_t>(lane)].marks;
  auto it = std::lower_bound(m.begin(), m.end(), x0, [](const Mark& k, double x) { return static_cast<double>(k.at) + 1 <= x; });
  for (; it != m.end() && static_cast<double>(it->at) < x1; ++it) out.push_back(&*it);
}

}  // namespace dojo::viz
