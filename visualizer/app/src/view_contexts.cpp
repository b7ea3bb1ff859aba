// Context tree: contexts as a tree; a cancellation travels down it as a wave labelled with its
// cause; the tasks waiting on each context's done channel are shown beside it and react.
#include <algorithm>
#include <cfloat>

#include <fmt/format.h>

#include "views.hpp"

namespace dojo::viz::app {

void Views::contexts(App& app) {
  const Loaded& l = *app.loaded();
  const auto& s = *app.snapshot();
  const Palette& pal = app.colors();
  const ContextLayout& C = l.contexts;
  if (C.nodes.empty()) {
    ImGui::TextWrapped("This run derived no contexts.");
    return;
  }
  ImVec2 size;
  bool hovered = false;
  const Xform X = canvas_2d("contexts", app.context_view, C.bounds, size, hovered);
  const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float z = X.zoom;
  const double pos = app.playback().position();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const float tpx = canvas_text_px(l, z);

  // Edges, with the wave travelling from a cancelled parent to its child.
  for (const auto& n : C.nodes) {
    if (n.parent == 0) continue;
    const CtxNode* p = C.node(n.parent);
    if (!p) continue;
    const ImVec2 a = X(p->box.x + 16, p->box.bottom()), m = X(p->box.x + 16, n.box.cy()), b = X(n.box.x, n.box.cy());
    const auto* cs = s.context(n.id);
    const ImU32 col = cs && cs->cancelled ? pal.cancel_wave : pal.pipe;
    dl->AddLine(a, m, col, 2);
    dl->AddLine(m, b, col, 2);
    if (auto f = wave_on_edge(l.anim.cancel_event(n.parent), l.anim.cancel_event(n.id), pos)) {
      // Along the elbow: first down, then right.
      const float len1 = m.y - a.y, len2 = b.x - m.x;
      const float d = *f * (len1 + len2);
      const ImVec2 q = d < len1 ? ImVec2(a.x, a.y + d) : ImVec2(m.x + (d - len1), m.y);
      dl->AddCircleFilled(q, 8 * z + 3, pal.cancel_wave, 20);
    }
  }
  // Nodes.
  for (const auto& n : C.nodes) {
    const ImVec2 a = X(n.box.x, n.box.y), b = X(n.box.right(), n.box.bottom());
    const auto* cs = s.context(n.id);
    const bool exists = cs != nullptr;
    const bool cancelled = cs && cs->cancelled;
    const float wave = wave_intensity(l.anim.cancel_event(n.id), pos);
    if (wave > 0) {
      const float g = 14 * wave * z + 2;
      dl->AddRectFilled(ImVec2(a.x - g, a.y - g), ImVec2(b.x + g, b.y + g), with_alpha(pal.cancel_wave, 0.55f * wave), 10 * z);
    }
    const ImU32 fill = cancelled ? pal.cancel_wave : pal.panel;
    dl->AddRectFilled(a, b, with_alpha(fill, exists ? 1.0f : 0.25f), 6 * z);
    dl->AddRect(a, b, with_alpha(pal.pipe, exists ? 1.0f : 0.3f), 6 * z, 0, 1.5f);
    if (tpx >= kMinCanvasTextPx) {
      const ImU32 tc = cancelled ? text_on(pal.cancel_wave) : pal.text;
      const float pad = kTextPad * z;
      draw_text_fit(dl, ImVec2(a.x + pad, (a.y + b.y - tpx) / 2), tpx, with_alpha(tc, exists ? 1.0f : 0.4f),
                    context_label(n.id, n.kind, cancelled), b.x - a.x - 2 * pad);
      if (cancelled) {  // the wave's label: its cause, under the node, over the tree's lines
        const std::string cause = "cause: " + l.anim.cancel_label(n.id);
        const ImVec2 at(a.x + pad, b.y + 3 * z);
        const float w = ImGui::GetFont()->CalcTextSizeA(tpx, FLT_MAX, 0, cause.c_str()).x;
        dl->AddRectFilled(ImVec2(at.x - 3, at.y), ImVec2(at.x + w + 3, at.y + tpx), with_alpha(pal.background, 0.85f), 3);
        dl->AddText(ImGui::GetFont(), tpx, at, pal.cancel_wave, cause.c_str());
      }
    }
    if (hovered && ImRect(a, b).Contains(mouse) && cs) {
      std::string tip = fmt::format("ctx#{} ({})", n.id, n.kind);
      if (cs->cancelled) {
        tip += "\ncancelled";
        if (cs->err) tip += "\nerr: " + cs->err->message;
        if (cs->cause) tip += "\ncause: " + cs->cause->message;
      }
      ImGui::SetTooltip("%s", tip.c_str());
    }
    // Watchers: the tasks waiting on this context, in their current state.
    float x = C.watchers_x;
    std::size_t shown = 0;
    for (std::uint64_t w : n.watchers) {
      if (++shown > kMaxWatchers) break;
      const auto* ts = s.task(w);
      const ImVec2 wa = X(x, n.box.y + 4), wb = X(x + C.watcher_w - 8, n.box.bottom() - 4);
      if (ts) {
        const VisState vs = vis_state(*ts);
        draw_task_box(dl, wa, wb, vs, pal, exit_alpha(l.anim.exit_event(w), pos), task_label(*ts),
                      app.selected_task() == w, z, ImGui::GetTime(), tpx);
        if (wave > 0) dl->AddRect(wa, wb, with_alpha(pal.cancel_wave, wave), 6 * z, 0, 3);
        if (hovered && ImRect(wa, wb).Contains(mouse)) {
          ImGui::SetTooltip("%s", task_hover(*ts, s, l.names).c_str());
          if (clicked) app.push({Intent::Kind::select_task, w});
        }
        if (shown == 1) dl->AddLine(X(n.box.right(), n.box.cy()), X(x, n.box.cy()), with_alpha(pal.dim_text, 0.6f), 1);
      }
      x += C.watcher_w;
    }
  }
  dl->PopClipRect();
}

}  // namespace dojo::viz::app
