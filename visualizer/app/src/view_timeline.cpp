// Timeline: a lane per task (spawn-tree order) with running/blocked slices, send -> receive
// arrows, instant marks (errors, panics, cancellations, timer fires, reports, closes); wheel
// zooms around the mouse, drag pans, shift+wheel scrolls the lanes, a click moves there.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "views.hpp"

namespace dojo::viz::app {

namespace {
char mark_letter(Mark::Kind k) {
  switch (k) {
    case Mark::Kind::error: return 'E';
    case Mark::Kind::panic: return 'P';
    case Mark::Kind::cancel: return 'C';
    case Mark::Kind::timer: return 'T';
    case Mark::Kind::report: return '!';
    case Mark::Kind::close: return 'X';
    case Mark::Kind::group_error: return 'G';
  }
  return '?';
}

/// `a` moved toward `b` by `t` (opaque result).
ImU32 mix(ImU32 a, ImU32 b, float t) {
  auto ch = [&](int shift) {
    const float x = static_cast<float>((a >> shift) & 0xFF), y = static_cast<float>((b >> shift) & 0xFF);
    return static_cast<ImU32>(x + (y - x) * t) << shift;
  };
  return ch(0) | ch(8) | ch(16) | 0xFF000000u;
}
}  // namespace

void Views::timeline(App& app) {
  const Loaded& l = *app.loaded();
  const Timeline& tl = l.timeline;
  const Palette& pal = app.colors();
  TimelineView& v = app.timeline_view;
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImVec2 size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 100.0f);
  size.y = std::max(size.y, 60.0f);
  ImGui::InvisibleButton("timeline", size);
  const bool hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();
  ImGuiIO& io = ImGui::GetIO();
  const float fs = ImGui::GetFontSize();
  const float label_w = std::min(170.0f * fs / 13, size.x * 0.3f);
  const float lane_h = fs + 6;
  const float top = o.y + fs + 6 + lane_h;  // ruler, then the runtime lane
  const float plot_w = size.x - label_w;
  const double len = std::max<double>(1, static_cast<double>(tl.length()));
  if (v.px <= 0) {
    v.px = plot_w / len;
    v.x0 = 0;
    v.lane_scroll = 0;
  }
  const double min_px = plot_w / len * 0.5, max_px = 200;
  if (hovered && io.MouseWheel != 0) {
    if (io.KeyShift) {
      v.lane_scroll = std::max(0.0f, v.lane_scroll - io.MouseWheel * 3);
    } else {
      const double mx = v.x0 + (io.MousePos.x - o.x - label_w) / v.px;
      v.px = std::clamp(v.px * std::pow(1.2, io.MouseWheel), min_px, max_px);
      v.x0 = mx - (io.MousePos.x - o.x - label_w) / v.px;
    }
  }
  bool dragged = false;
  if (active && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 3)) {
    v.x0 -= io.MouseDelta.x / v.px;
    v.lane_scroll = std::max(0.0f, v.lane_scroll - io.MouseDelta.y / lane_h);
    dragged = true;
  }
  const int lanes = static_cast<int>(tl.lanes().size());
  const int fit_lanes = std::max(1, static_cast<int>((o.y + size.y - top) / lane_h));
  v.lane_scroll = std::clamp(v.lane_scroll, 0.0f, static_cast<float>(std::max(0, lanes - fit_lanes)));
  v.x0 = std::clamp(v.x0, -len * 0.05, len);
  const double x1 = v.x0 + plot_w / v.px;
  const int first = static_cast<int>(v.lane_scroll);
  const int last = std::min(lanes - 1, first + fit_lanes);
  auto X = [&](double ev) { return static_cast<float>(o.x + label_w + (ev - v.x0) * v.px); };
  auto Y = [&](int lane) { return top + static_cast<float>(lane - first) * lane_h; };

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(o, ImVec2(o.x + size.x, o.y + size.y), true);
  // Ruler: event indexes.
  // Ruler ticks 1, 2 or 5 x 10^k events apart, at least 80 pixels.
  const double base = std::pow(10.0, std::floor(std::log10(std::max(1.0, 80 / v.px))));
  double step = base * 10;
  for (double m : {1.0, 2.0, 5.0})
    if (base * m * v.px >= 80) {
      step = base * m;
      break;
    }
  for (double e = std::floor(std::max(0.0, v.x0) / step) * step; e < x1 && e <= len; e += step) {
    dl->AddLine(ImVec2(X(e), o.y + fs + 2), ImVec2(X(e), o.y + size.y), with_alpha(pal.dim_text, 0.15f));
    dl->AddText(ImVec2(X(e) + 2, o.y), pal.dim_text, fmt::format("{}", static_cast<long long>(e)).c_str());
  }
  // The future (right of the playback position) is drawn in colours dimmed toward the
  // background, rather than under a translucent overlay: a software renderer pays for every
  // blended layer of pixels.
  const float cx = X(app.playback().position());
  auto future = [&](ImU32 c, float x) { return x >= cx ? mix(c, pal.background, 0.5f) : c; };
  // Lanes.
  std::vector<DrawItem> items;
  std::vector<const Mark*> marks;
  const ImVec2 mouse = io.MousePos;
  std::string tip;
  int hover_lane = -2;
  auto draw_marks = [&](int lane, float y) {
    marks.clear();
    tl.visible_marks(lane, v.x0, x1, marks);
    for (const Mark* m : marks) {
      const float x = X(static_cast<double>(m->at) + 0.5);
      const ImU32 col = future(m->kind == Mark::Kind::timer   ? pal.of(VisState::sleeping)
                               : m->kind == Mark::Kind::close ? pal.dim_text
                                                              : pal.cancel_wave,
                               x);
      const float r = lane_h * 0.42f;
      dl->AddTriangleFilled(ImVec2(x, y + 1), ImVec2(x - r, y + lane_h - 1), ImVec2(x + r, y + lane_h - 1), col);
      const char c[2] = {mark_letter(m->kind), 0};
      dl->AddText(ImVec2(x - fs * 0.3f, y + 2), text_on(col), c);
      if (hovered && std::abs(mouse.x - x) <= r && mouse.y >= y && mouse.y < y + lane_h) tip = m->text;
    }
  };
  // Runtime lane.
  const float ry = top - lane_h;
  dl->AddRectFilled(ImVec2(o.x, ry), ImVec2(o.x + size.x, ry + lane_h), with_alpha(pal.panel, 0.6f));
  dl->AddText(ImVec2(o.x + 4, ry + 2), pal.dim_text, "runtime");
  draw_marks(-1, ry);
  for (int li = first; li <= last; ++li) {
    const Lane& lane = tl.lanes()[static_cast<std::size_t>(li)];
    const float y = Y(li);
    items.clear();
    tl.visible(static_cast<std::size_t>(li), v.x0, x1, v.px, items);
    // Stripes help follow a sparse lane; under a dense one only the label column gets one.
    if (li % 2 == 0)
      dl->AddRectFilled(ImVec2(o.x, y), ImVec2(items.size() < 16 ? o.x + size.x : o.x + label_w, y + lane_h),
                        with_alpha(pal.panel, 0.35f));
    const bool sel = lane.task == app.selected_task();
    // No clip rectangle per lane (each one is a draw call, costly on a software renderer):
    // labels are cut to their column, slices clamped to the plot.
    const float lx = o.x + 4 + static_cast<float>(std::min(lane.depth, 6)) * 8;
    draw_text_fit(dl, ImVec2(lx, y + 2), fs, sel ? pal.highlight : pal.text, lane.label, o.x + label_w - 6 - lx);
    const float plot_a = o.x + label_w, plot_b = o.x + size.x;
    for (const auto& it : items) {
      const float a = std::max(plot_a, X(it.x0)), b = std::min(plot_b, std::max(X(it.x1), X(it.x0) + 1));
      if (b <= a) continue;
      if (it.count > 1) {
        // A fold: a zig-zag of "N events too small".
        const ImU32 col = with_alpha(future(pal.of(it.state), a), 0.7f);
        // A fold: a faint band with dashed edges, and its count when there is room
        // (a per-pixel zig-zag costs too many vertices on a software renderer).
        dl->AddRectFilled(ImVec2(a, y + 4), ImVec2(b, y + lane_h - 4), with_alpha(future(pal.of(it.state), a), 0.3f));
        dl->AddLine(ImVec2(a, y + 3), ImVec2(b, y + 3), col, 1);
        dl->AddLine(ImVec2(a, y + lane_h - 3), ImVec2(b, y + lane_h - 3), col, 1);
        if (b - a > fs * 4) draw_text_fit(dl, ImVec2(a + 3, y + 2), fs, pal.dim_text, fmt::format("{}x", it.count), b - a - 4);
        if (hovered && mouse.x >= a && mouse.x < b && mouse.y >= y && mouse.y < y + lane_h)
          tip = fmt::format("{} slices too small to draw (zoom in)", it.count);
        continue;
      }
      const ImU32 col = pal.of(it.state);
      // Square corners: a rounded rectangle costs ~10x the vertices, and there can be thousands.
      if (a < cx) dl->AddRectFilled(ImVec2(a, y + 2), ImVec2(std::min(b, cx), y + lane_h - 2), col);
      if (b > cx) dl->AddRectFilled(ImVec2(std::max(a, cx), y + 2), ImVec2(b, y + lane_h - 2), future(col, cx));
      const std::string_view tag = state_tag(it.state);
      if (b - a > fs * 3) draw_text_fit(dl, ImVec2(a + 3, y + 2), fs, future(text_on(col), a), tag, b - a - 4);
      if (hovered && mouse.x >= a && mouse.x < b && mouse.y >= y && mouse.y < y + lane_h) {
        const auto& e = l.trace.events[std::min(it.event, l.trace.events.size() - 1)];
        tip = fmt::format("{}: {}", lane.label, state_name(it.state));
        if (e.type == dojo::trace::EventType::block) {
          tip += fmt::format("\n{}{}", e.reason, e.object.empty() ? "" : " on " + e.object);
          if (!e.site.empty()) tip += " at " + short_site(e.site);
        }
        tip += fmt::format("\nevents {} to {}", it.x0, it.x1);
      }
    }
    draw_marks(li, y);
    if (mouse.y >= y && mouse.y < y + lane_h) hover_lane = li;
  }
  // Arrows: send -> receive, labelled with the value when there is room.
  std::vector<const Arrow*> arrows;
  // Dense arrows are unreadable (and costly to rasterise): past a few hundred, zoom in.
  const bool all = tl.visible_arrows(v.x0, x1, first, last, 400, arrows);
  if (!all) arrows.clear();
  dl->PushClipRect(ImVec2(o.x + label_w, top), ImVec2(o.x + size.x, o.y + size.y), true);
  for (const Arrow* a : arrows) {
    const ImVec2 p(X(static_cast<double>(a->from) + 0.5), Y(a->from_lane) + lane_h / 2);
    const ImVec2 q(X(static_cast<double>(a->to) + 0.5), Y(a->to_lane) + lane_h / 2);
    const ImU32 col = with_alpha(future(pal.message, p.x), 0.75f);
    dl->AddLine(p, q, col, 1.2f);
    const float dx = q.x - p.x, dy = q.y - p.y, d = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
    const float ux = dx / d, uy = dy / d, h = 6;
    dl->AddTriangleFilled(q, ImVec2(q.x - ux * h - uy * h * 0.5f, q.y - uy * h + ux * h * 0.5f),
                          ImVec2(q.x - ux * h + uy * h * 0.5f, q.y - uy * h - ux * h * 0.5f), col);
    if (d > fs * 4 && !a->value.empty())
      dl->AddText(ImVec2((p.x + q.x) / 2 + 3, (p.y + q.y) / 2 - fs), pal.text, a->value.c_str());
  }
  dl->PopClipRect();
  // The playback position.
  dl->AddLine(ImVec2(cx, o.y), ImVec2(cx, o.y + size.y), pal.highlight, 2);
  if (!all) {
    const char* note = "(send -> receive arrows hidden: too many here, zoom in)";
    const ImVec2 at(o.x + label_w + 4, o.y + size.y - fs - 2);
    dl->AddRectFilled(ImVec2(at.x - 2, at.y - 1), ImVec2(at.x + ImGui::CalcTextSize(note).x + 2, at.y + fs + 1), pal.background);
    dl->AddText(at, pal.dim_text, note);
  }
  dl->PopClipRect();
  if (!tip.empty()) ImGui::SetTooltip("%s", tip.c_str());
  if (hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Left) && !dragged &&
      io.MouseDragMaxDistanceSqr[0] < 9 && mouse.x > o.x + label_w) {
    const double ev = v.x0 + (mouse.x - o.x - label_w) / v.px;
    app.push({Intent::Kind::seek, 0, std::clamp(std::round(ev), 0.0, len)});
    if (hover_lane >= 0) app.push({Intent::Kind::select_task, tl.lanes()[static_cast<std::size_t>(hover_lane)].task});
  }
}

}  // namespace dojo::viz::app
