#include "dojo/viz/model/layout.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "dojo/viz/model/describe.hpp"
#include "dojo/viz/model/palette.hpp"

namespace dojo::viz {

using dojo::trace::EventType;

float text_width(const TextWidth& w, std::string_view s) {
  return w ? w(s) : static_cast<float>(s.size()) * kCharW;
}

float task_box_width(const TextWidth& w, std::string_view label, bool one_line) {
  float tag = 0;
  for (int i = 0; i < kVisStates; ++i) tag = std::max(tag, text_width(w, state_tag(static_cast<VisState>(i))));
  const float text = text_width(w, label);
  // As draw_task_box places them: one line "TAG  label" (4 + tag + 6 + label), or two lines.
  return one_line ? 4 + tag + 6 + text + kTextPad : std::max(tag, text) + 2 * kTextPad;
}

std::string context_label(std::uint64_t id, std::string_view kind, bool cancelled) {
  return fmt::format("ctx#{} {}{}", id, kind, cancelled ? "  CANCELLED" : "");
}

const TaskNode* PipelineLayout::task(std::uint64_t id) const noexcept {
  auto it = std::lower_bound(tasks.begin(), tasks.end(), id, [](const TaskNode& n, std::uint64_t v) { return n.id < v; });
  return it != tasks.end() && it->id == id ? &*it : nullptr;
}

const ChanNode* PipelineLayout::chan(std::uint64_t id) const noexcept {
  auto it = std::lower_bound(chans.begin(), chans.end(), id, [](const ChanNode& n, std::uint64_t v) { return n.id < v; });
  return it != chans.end() && it->id == id ? &*it : nullptr;
}

const CtxNode* ContextLayout::node(std::uint64_t id) const noexcept {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

Point cell_center(const ChanNode& c, std::size_t k) noexcept {
  const auto cells = static_cast<float>(std::max<std::uint64_t>(1, std::min(c.cap, kMaxCells)));
  const float cw = (c.box.w - 16) / cells;
  return {c.box.x + 8 + cw * (static_cast<float>(k) + 0.5f), c.box.cy()};
}

Point pending_spot(const ChanNode& c, std::size_t k) noexcept {
  return {c.box.x - 12 - 14 * static_cast<float>(std::min<std::size_t>(k, 4)), c.box.cy() - 12};
}

Point task_out(const TaskNode& n) noexcept { return {n.box.right(), n.box.cy()}; }
Point task_in(const TaskNode& n) noexcept { return {n.box.x, n.box.cy()}; }
Point chan_in(const ChanNode& c) noexcept { return {c.box.x, c.box.cy()}; }
Point chan_out(const ChanNode& c) noexcept { return {c.box.right(), c.box.cy()}; }

PipelineLayout layout_pipeline(const dojo::trace::Trace& t, const TextWidth& width) {
  PipelineLayout L;
  // Nodes: tasks 0..T-1, channels T..T+C-1.
  std::vector<std::uint64_t> task_ids, chan_ids;
  for (const auto& [id, task] : t.tasks) task_ids.push_back(id);
  // Channels the runtime makes for itself (timers, after(), ...) are left out unless user code
  // sent on them: their receives are the user's waits, drawn as blocking, not as data flow.
  std::set<std::uint64_t> user_sent;
  for (const auto& e : t.events)
    if ((e.type == EventType::chan_send || e.type == EventType::chan_close) && !is_runtime_site(e.site))
      user_sent.insert(e.chan);
  for (const auto& [id, c] : t.channels)
    if (t.contexts.count(id) == 0 && (!is_runtime_site(c.site) || user_sent.count(id) != 0)) chan_ids.push_back(id);
  const std::size_t T = task_ids.size(), N = T + chan_ids.size();
  auto task_index = [&](std::uint64_t id) -> std::size_t {
    auto it = std::lower_bound(task_ids.begin(), task_ids.end(), id);
    return it != task_ids.end() && *it == id ? static_cast<std::size_t>(it - task_ids.begin()) : N;
  };
  auto chan_index = [&](std::uint64_t id) -> std::size_t {
    auto it = std::lower_bound(chan_ids.begin(), chan_ids.end(), id);
    return it != chan_ids.end() && *it == id ? T + static_cast<std::size_t>(it - chan_ids.begin()) : N;
  };

  std::set<std::tuple<std::uint64_t, std::uint64_t, int>> seen;  // chan, task, kind
  std::vector<std::vector<std::size_t>> out(N), in(N);
  std::set<std::uint64_t> errgroup_waiters;
  for (const auto& e : t.events) {
    if (e.type == EventType::block && e.reason == "errgroup wait") errgroup_waiters.insert(e.task);
    Pipe::Kind k;
    if (e.type == EventType::chan_send) k = Pipe::Kind::send;
    else if (e.type == EventType::chan_close) k = Pipe::Kind::close;
    else if (e.type == EventType::chan_recv) k = Pipe::Kind::recv;
    else continue;
    const std::size_t ti = task_index(e.task), ci = chan_index(e.chan);
    if (ti == N || ci == N) continue;
    if (!seen.emplace(e.chan, e.task, static_cast<int>(k)).second) continue;
    L.pipes.push_back({e.chan, e.task, k});
    if (k == Pipe::Kind::recv) {
      out[ci].push_back(ti);
      in[ti].push_back(ci);
    } else {
      out[ti].push_back(ci);
      in[ci].push_back(ti);
    }
  }

  // Longest path from the sources; a cycle is broken by taking the lowest remaining node
  // with the fewest unprocessed inputs.
  std::vector<int> rank(N, 0);
  std::vector<std::size_t> indeg(N);
  for (std::size_t v = 0; v < N; ++v) {
    std::sort(out[v].begin(), out[v].end());
    out[v].erase(std::unique(out[v].begin(), out[v].end()), out[v].end());
  }
  for (std::size_t v = 0; v < N; ++v)
    for (std::size_t w : out[v]) ++indeg[w];
  std::vector<bool> done(N, false);
  std::set<std::size_t> ready;
  for (std::size_t v = 0; v < N; ++v)
    if (indeg[v] == 0) ready.insert(v);
  for (std::size_t processed = 0; processed < N; ++processed) {
    std::size_t v;
    if (!ready.empty()) {
      v = *ready.begin();
      ready.erase(ready.begin());
    } else {
      v = N;
      for (std::size_t u = 0; u < N; ++u)
        if (!done[u] && (v == N || indeg[u] < indeg[v])) v = u;
    }
    done[v] = true;
    for (std::size_t w : out[v]) {
      if (done[w]) continue;
      rank[w] = std::max(rank[w], rank[v] + 1);
      if (--indeg[w] == 0) ready.insert(w);
    }
  }
  int columns = 0;
  for (std::size_t v = 0; v < N; ++v) columns = std::max(columns, rank[v] + 1);
  L.columns = columns;

  // Order each column by the barycentre of its inputs' positions (placed column by column).
  std::vector<float> ypos(N, 0);
  std::vector<std::vector<std::size_t>> cols(static_cast<std::size_t>(columns));
  for (std::size_t v = 0; v < N; ++v) cols[static_cast<std::size_t>(rank[v])].push_back(v);
  auto parent_of = [&](std::size_t v) -> std::uint64_t {
    return v < T ? t.tasks.at(task_ids[v]).parent : 0;
  };
  auto group_label = [&](std::uint64_t p) -> std::string {
    if (p == 0) return "root";
    auto it = t.tasks.find(p);
    const std::string who = it != t.tasks.end() ? task_label(it->second) : fmt::format("g{}", p);
    return errgroup_waiters.count(p) ? "errgroup of " + who : "started by " + who;
  };
  // Column widths: the widest task label or group label of the column.
  L.column_w.assign(static_cast<std::size_t>(columns), kChanW);
  L.column_x.assign(static_cast<std::size_t>(columns), 0);
  for (std::size_t v = 0; v < T; ++v) L.column_w[static_cast<std::size_t>(rank[v])] = kTaskW;
  {
    std::set<std::pair<int, std::uint64_t>> group_seen;
    for (std::size_t v = 0; v < T; ++v) {
      float& w = L.column_w[static_cast<std::size_t>(rank[v])];
      w = std::max(w, task_box_width(width, task_label(t.tasks.at(task_ids[v])), false));
      if (group_seen.emplace(rank[v], parent_of(v)).second)
        w = std::max(w, text_width(width, group_label(parent_of(v))) + kTextPad + 4 - 2 * kGroupPad);
    }
    for (std::size_t c = 1; c < L.column_w.size(); ++c)
      L.column_x[c] = L.column_x[c - 1] + L.column_w[c - 1] + kColumnGap;
  }
  for (int c = 0; c < columns; ++c) {
    auto& col = cols[static_cast<std::size_t>(c)];
    std::vector<float> bary(N, 0);
    for (std::size_t v : col) {
      float sum = 0;
      int n = 0;
      for (std::size_t u : in[v])
        if (rank[u] < c) {
          sum += ypos[u];
          ++n;
        }
      bary[v] = n ? sum / static_cast<float>(n) : -1;
    }
    // Group key: tasks by parent (channels form their own group, key 0 after tasks).
    std::map<std::pair<int, std::uint64_t>, std::pair<float, int>> group_bary;
    auto gkey = [&](std::size_t v) { return std::pair<int, std::uint64_t>(v < T ? 0 : 1, parent_of(v)); };
    for (std::size_t v : col) {
      auto& g = group_bary[gkey(v)];
      g.first += bary[v];
      ++g.second;
    }
    std::stable_sort(col.begin(), col.end(), [&](std::size_t a, std::size_t b) {
      const auto ka = gkey(a), kb = gkey(b);
      const float ga = group_bary[ka].first / static_cast<float>(group_bary[ka].second);
      const float gb = group_bary[kb].first / static_cast<float>(group_bary[kb].second);
      if (ka != kb) return std::tie(ka.first, ga, ka.second) < std::tie(kb.first, gb, kb.second);
      return std::tie(bary[a], a) < std::tie(bary[b], b);
    });
    // Place, with group boxes around runs of tasks with the same parent.
    float y = 0;
    const float x = L.column_x[static_cast<std::size_t>(c)];
    const float cw = L.column_w[static_cast<std::size_t>(c)];
    std::size_t i = 0;
    while (i < col.size()) {
      std::size_t j = i;
      while (j < col.size() && gkey(col[j]) == gkey(col[i])) ++j;
      const bool is_tasks = col[i] < T;
      if (is_tasks) y += kGroupLabel;
      const float top = y;
      for (std::size_t k = i; k < j; ++k) {
        const std::size_t v = col[k];
        if (v < T) {
          L.tasks.push_back({task_ids[v], {x, y, cw, kTaskH}, c, parent_of(v)});
          ypos[v] = y + kTaskH / 2;
          y += kTaskH + kRowGap;
        } else {
          const auto id = chan_ids[v - T];
          const float cx = x + (cw - kChanW) / 2;
          L.chans.push_back({id, {cx, y, kChanW, kChanH}, c, t.channels.at(id).cap});
          ypos[v] = y + kChanH / 2;
          y += kChanH + kRowGap * 2;
        }
      }
      if (is_tasks) {
        const std::uint64_t p = parent_of(col[i]);
        L.groups.push_back({p, c,
                            {x - kGroupPad, top - kGroupLabel - kGroupPad / 2, cw + 2 * kGroupPad,
                             y - kRowGap - top + kGroupLabel + kGroupPad},
                            group_label(p)});
      }
      y += kGroupGap;
      i = j;
    }
  }
  std::sort(L.tasks.begin(), L.tasks.end(), [](const TaskNode& a, const TaskNode& b) { return a.id < b.id; });
  std::sort(L.chans.begin(), L.chans.end(), [](const ChanNode& a, const ChanNode& b) { return a.id < b.id; });
  float maxx = 0, maxy = 0, miny = 0;
  for (const auto& g : L.groups) {
    maxx = std::max(maxx, g.box.right());
    maxy = std::max(maxy, g.box.bottom());
    miny = std::min(miny, g.box.y);
  }
  for (const auto& c : L.chans) {
    maxx = std::max(maxx, c.box.right());
    maxy = std::max(maxy, c.box.bottom());
  }
  // Margins: room for values waiting left of a channel and for labels above the top row.
  L.bounds = {-kGroupPad - 12, miny - 8, maxx + 2 * kGroupPad + 24, maxy - miny + 16};
  return L;
}

ContextLayout layout_contexts(const dojo::trace::Trace& t, const TextWidth& width) {
  ContextLayout L;
  std::map<std::uint64_t, std::vector<std::uint64_t>> children;
  std::vector<std::uint64_t> roots;
  for (const auto& [id, c] : t.contexts) {
    if (c.parent != 0 && t.contexts.count(c.parent)) children[c.parent].push_back(id);
    else roots.push_back(id);
  }
  // Tasks that blocked on a context's done channel (directly or in a select).
  std::map<std::uint64_t, std::set<std::uint64_t>> watchers;
  for (const auto& e : t.events) {
    if (e.type != EventType::block) continue;
    for (std::uint64_t id : object_ids(e.object))
      if (t.contexts.count(id)) watchers[id].insert(e.task);
  }
  // One width for every context box: the widest label (as if cancelled); watchers likewise.
  float node_w = kCtxW;
  for (const auto& [id, c] : t.contexts)
    node_w = std::max(node_w, text_width(width, context_label(id, c.kind, true)) + 2 * kTextPad);
  float watcher_w = kWatcherW;
  for (const auto& [ctx, ws] : watchers)
    for (std::uint64_t w : ws)
      if (auto it = t.tasks.find(w); it != t.tasks.end())
        watcher_w = std::max(watcher_w, task_box_width(width, task_label(it->second), true) + 8);
  L.watcher_w = watcher_w;
  float y = 0;
  int max_depth = 0;
  std::size_t max_watchers = 0;
  auto visit = [&](auto&& self, std::uint64_t id, int depth) -> void {
    CtxNode n;
    n.id = id;
    const auto& c = t.contexts.at(id);
    n.parent = c.parent != 0 && t.contexts.count(c.parent) ? c.parent : 0;
    n.depth = depth;
    n.kind = c.kind;
    n.box = {static_cast<float>(depth) * kCtxIndent, y, node_w, kCtxH};
    if (auto it = watchers.find(id); it != watchers.end()) n.watchers.assign(it->second.begin(), it->second.end());
    max_depth = std::max(max_depth, depth);
    max_watchers = std::max(max_watchers, std::min(n.watchers.size(), kMaxWatchers));
    y += kCtxRow;
    L.nodes.push_back(std::move(n));
    for (std::uint64_t ch : children[id]) self(self, ch, depth + 1);
  };
  for (std::uint64_t r : roots) visit(visit, r, 0);
  L.watchers_x = static_cast<float>(max_depth) * kCtxIndent + node_w + 24;
  const float maxx = L.watchers_x + watcher_w * static_cast<float>(max_watchers);
  L.bounds = {-20, -20, maxx + 40, y + 20};
  return L;
}

}  // namespace dojo::viz
