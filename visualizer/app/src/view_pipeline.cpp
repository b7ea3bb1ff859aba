// Pipeline view: tasks as nodes in their groups, channels as pipes with buffer cells, values
// moving along the pipes, task state by colour, tag and motion; exited tasks fade.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "views.hpp"

namespace dojo::viz::app {

namespace {
bool visible(const ImVec2& a, const ImVec2& b, const ImVec2& o, const ImVec2& size) {
  return b.x >= o.x && b.y >= o.y && a.x <= o.x + size.x && a.y <= o.y + size.y;
}
}  // namespace

void Views::pipeline(App& app) {
  const Loaded& l = *app.loaded();
  const auto& s = *app.snapshot();
  const Palette& pal = app.colors();
  const PipelineLayout& L = l.layout;
  ImVec2 size;
  bool hovered = false;
  const Xform X = canvas_2d("pipeline", app.pipeline_view, L.bounds, size, hovered);
  const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left) && !ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = X.origin;
  const float z = X.zoom;
  const double pos = app.playback().position();
  const double time_s = ImGui::GetTime();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const float tpx = canvas_text_px(l, z);

  // Groups.
  for (const auto& g : L.groups) {
    const ImVec2 a = X(g.box.x, g.box.y), b = X(g.box.right(), g.box.bottom());
    if (!visible(a, b, o, size)) continue;
    dl->AddRect(a, b, with_alpha(pal.dim_text, 0.6f), 8 * z, 0, 1.0f);
    const ImVec2 at(a.x + 6 * z, a.y + 2 * z);
    if (draw_text_fit(dl, at, tpx, pal.dim_text, g.label, b.x - at.x - 4 * z) && hovered &&
        ImRect(at, ImVec2(b.x, at.y + tpx)).Contains(mouse))
      ImGui::SetTooltip("%s", g.label.c_str());
  }
  // Pipes (behind the nodes). Zoomed far out with many pipes, the pipes of one group to one
  // channel are drawn as one bundle from the group's box.
  const bool bundle = z < 0.3f && L.pipes.size() > 150;
  std::vector<std::tuple<std::uint64_t, int, std::uint64_t, int>> bundled;  // parent, column, chan, kind
  for (const auto& p : L.pipes) {
    if (bundle) {
      const TaskNode* t = L.task(p.task);
      if (!t) continue;
      bundled.emplace_back(t->parent, t->column, p.chan, static_cast<int>(p.kind));
      continue;
    }
    const TaskNode* t = L.task(p.task);
    const ChanNode* c = L.chan(p.chan);
    if (!t || !c) continue;
    if (p.kind == Pipe::Kind::close &&
        std::any_of(L.pipes.begin(), L.pipes.end(), [&](const Pipe& q) {
          return q.kind == Pipe::Kind::send && q.task == p.task && q.chan == p.chan;
        }))
      continue;  // the sender closes: its send pipe says it
    ImVec2 a, b;
    if (p.kind == Pipe::Kind::recv) a = X(chan_out(*c)), b = X(task_in(*t));
    else a = X(task_out(*t)), b = X(chan_in(*c));
    if (!visible(ImVec2(std::min(a.x, b.x), std::min(a.y, b.y)), ImVec2(std::max(a.x, b.x), std::max(a.y, b.y)), o, size))
      continue;
    const float dx = std::max(30.0f * z, (b.x - a.x) * 0.5f);
    const ImU32 col = p.kind == Pipe::Kind::close ? with_alpha(pal.closed, 0.7f) : pal.pipe;
    const float th = p.kind == Pipe::Kind::close ? 1.0f : 2.0f;
    if (z < 0.3f) dl->AddLine(a, b, col, th);  // zoomed out: straight pipes are as readable, and cheaper
    else dl->AddBezierCubic(a, ImVec2(a.x + dx, a.y), ImVec2(b.x - dx, b.y), b, col, th, 16);
  }
  if (bundle) {
    std::sort(bundled.begin(), bundled.end());
    bundled.erase(std::unique(bundled.begin(), bundled.end()), bundled.end());
    for (const auto& [parent, column, chan, kind] : bundled) {
      const ChanNode* c = L.chan(chan);
      const GroupBox* g = nullptr;
      for (const auto& gb : L.groups)
        if (gb.parent == parent && gb.column == column) g = &gb;
      if (!c || !g) continue;
      const bool recv = kind == static_cast<int>(Pipe::Kind::recv);
      const ImVec2 a = recv ? X(chan_out(*c)) : X(g->box.right(), g->box.cy());
      const ImVec2 b = recv ? X(g->box.x, g->box.cy()) : X(chan_in(*c));
      dl->AddLine(a, b, kind == static_cast<int>(Pipe::Kind::close) ? pal.closed : pal.pipe, 4);
    }
  }
  // Channels.
  for (const auto& c : L.chans) {
    const ImVec2 a = X(c.box.x, c.box.y), b = X(c.box.right(), c.box.bottom());
    if (!visible(a, b, o, size)) continue;
    const auto* cs = s.channel(c.id);
    const bool made = cs != nullptr;
    const bool closed = cs && cs->closed;
    const float alpha = made ? 1.0f : 0.3f;
    dl->AddRectFilled(a, b, with_alpha(pal.panel, alpha), 4 * z);
    dl->AddRect(a, b, with_alpha(closed ? pal.closed : pal.pipe, alpha), 4 * z, 0, closed ? 2.5f : 1.5f);
    const std::size_t cells = std::max<std::size_t>(1, std::min<std::uint64_t>(c.cap, kMaxCells));
    for (std::size_t k = 0; k < cells; ++k) {
      const Point cc = cell_center(c, k);
      const float half = std::min((c.box.w - 16) / static_cast<float>(cells) / 2 - 1.5f, c.box.h / 2 - 5);
      const ImVec2 ca = X(cc.x - half, cc.y - half), cb = X(cc.x + half, cc.y + half);
      if (c.cap == 0) dl->AddCircle(X(cc), half * z, with_alpha(pal.dim_text, alpha), 16, 1.0f);
      else dl->AddRect(ca, cb, with_alpha(pal.dim_text, alpha), 2 * z);
    }
    if (tpx >= kMinCanvasTextPx) {
      // Above the channel, centred on it, within its column and the gaps either side.
      std::string label = fmt::format("{} {}", l.names.get(c.id), c.cap ? fmt::format("[cap {}]", c.cap) : "[unbuffered]");
      if (c.cap > kMaxCells) label += fmt::format(" +{}", c.cap - kMaxCells);
      if (closed) label += " CLOSED";
      const float room = (L.column_w[static_cast<std::size_t>(c.column)] + kColumnGap * 0.8f) * z;
      const float w = std::min(room, ImGui::GetFont()->CalcTextSizeA(tpx, FLT_MAX, 0, label.c_str()).x);
      const ImVec2 at((a.x + b.x - w) / 2, a.y - tpx - 1);
      draw_text_fit(dl, at, tpx, with_alpha(closed ? pal.closed : pal.text, alpha), label, room);
    }
    if (hovered && ImRect(a, b).Contains(mouse) && cs) ImGui::SetTooltip("%s", channel_hover(*cs, l.names).c_str());
  }
  // Tasks.
  std::uint64_t hover_task = 0;
  for (const auto& n : L.tasks) {
    const ImVec2 a = X(n.box.x, n.box.y), b = X(n.box.right(), n.box.bottom());
    if (!visible(a, b, o, size)) continue;
    const auto* ts = s.task(n.id);
    if (ts == nullptr) {  // not started yet: an outline where it will be
      dl->AddRect(a, b, with_alpha(pal.dim_text, 0.25f), 6 * z);
      continue;
    }
    const VisState vs = vis_state(*ts);
    const float alpha = vs == VisState::stuck ? 1.0f : exit_alpha(l.anim.exit_event(n.id), pos);
    draw_task_box(dl, a, b, vs, pal, alpha, task_label(*ts), app.selected_task() == n.id, z, time_s, tpx);
    if (hovered && ImRect(a, b).Contains(mouse)) {
      hover_task = n.id;
      ImGui::SetTooltip("%s", task_hover(*ts, s, l.names).c_str());
    }
  }
  app.hovered_task = hover_task;
  if (clicked) app.push({Intent::Kind::select_task, hover_task});
  // Values in flight.
  for (const auto& m : message_sprites(l.trace, L, s, app.playback().fraction())) {
    const ImVec2 p = X(m.at);
    const float r = std::max(3.0f, 7 * z);
    const ImU32 fill = m.where == MessageSprite::Where::pending ? pal.of(VisState::blocked_send) : pal.message;
    dl->AddCircleFilled(p, r, fill, 16);
    dl->AddCircle(p, r, IM_COL32(0, 0, 0, 200), 16, 1.5f);
    if (z > 0.5f && !m.value.empty()) {
      const std::string v = m.value.size() > 10 ? m.value.substr(0, 9) + "..." : m.value;
      const ImVec2 ts = ImGui::GetFont()->CalcTextSizeA(tpx, FLT_MAX, 0, v.c_str());
      dl->AddText(ImGui::GetFont(), tpx, ImVec2(p.x - ts.x / 2, p.y + r + 1), pal.text, v.c_str());
    }
  }
  dl->PopClipRect();
}

}  // namespace dojo::viz::app
