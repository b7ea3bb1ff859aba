// Drawing helpers shared by the views, and the toolbar.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include <fmt/format.h>

#include "views.hpp"

namespace dojo::viz::app {

using dojo::trace::EventType;

ImU32 text_on(ImU32 bg) {
  const float r = static_cast<float>(bg & 0xFF), g = static_cast<float>((bg >> 8) & 0xFF),
              b = static_cast<float>((bg >> 16) & 0xFF);
  return 0.299f * r + 0.587f * g + 0.114f * b > 140 ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255);
}

Xform canvas_2d(const char* id, View2D& v, const Box& bounds, ImVec2& size, bool& hovered) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  size = ImGui::GetContentRegionAvail();
  size.x = std::max(size.x, 50.0f);
  size.y = std::max(size.y, 50.0f);
  ImGui::InvisibleButton(id, size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  hovered = ImGui::IsItemHovered();
  if (!v.fitted && bounds.w > 0 && bounds.h > 0) {
    v.zoom = std::min({size.x / bounds.w, size.y / bounds.h, 1.6f});
    v.zoom = std::max(v.zoom, 0.02f);
    // Centre the bounds in the canvas.
    v.pan_x = bounds.x - (size.x / v.zoom - bounds.w) / 2;
    v.pan_y = bounds.y - (size.y / v.zoom - bounds.h) / 2;
    v.fitted = true;
  }
  ImGuiIO& io = ImGui::GetIO();
  if (hovered && io.MouseWheel != 0) {
    const float mx = (io.MousePos.x - origin.x) / v.zoom + v.pan_x;
    const float my = (io.MousePos.y - origin.y) / v.zoom + v.pan_y;
    v.zoom = std::clamp(v.zoom * std::pow(1.15f, io.MouseWheel), 0.02f, 6.0f);
    v.pan_x = mx - (io.MousePos.x - origin.x) / v.zoom;
    v.pan_y = my - (io.MousePos.y - origin.y) / v.zoom;
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2)) {
    v.pan_x -= io.MouseDelta.x / v.zoom;
    v.pan_y -= io.MouseDelta.y / v.zoom;
  }
  ImGui::GetWindowDrawList()->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
  return {origin, v.zoom, v.pan_x, v.pan_y};
}

float canvas_text_px(const Loaded& l, float zoom) {
  const float base = l.layout_px > 0 ? l.layout_px : ImGui::GetFontSize();
  return std::min(ImGui::GetFontSize(), base * zoom);
}

bool draw_text_fit(ImDrawList* dl, ImVec2 pos, float px, ImU32 col, std::string_view text, float max_w) {
  if (px < kMinCanvasTextPx || text.empty() || max_w <= 0) return !text.empty();
  ImFont* f = ImGui::GetFont();
  const char* b = text.data();
  const char* e = b + text.size();
  if (f->CalcTextSizeA(px, FLT_MAX, 0, b, e).x <= max_w) {
    dl->AddText(f, px, pos, col, b, e);
    return false;
  }
  // Longest prefix that fits with "...": binary search over the byte length (labels are short).
  const float dots = f->CalcTextSizeA(px, FLT_MAX, 0, "...").x;
  std::size_t lo = 0, hi = text.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi + 1) / 2;
    if (f->CalcTextSizeA(px, FLT_MAX, 0, b, b + mid).x + dots <= max_w) lo = mid;
    else hi = mid - 1;
  }
  while (lo > 0 && (static_cast<unsigned char>(b[lo]) & 0xC0) == 0x80) --lo;  // not inside a UTF-8 sequence
  if (dots <= max_w) {
    const std::string cut = std::string(text.substr(0, lo)) + "...";
    dl->AddText(f, px, pos, col, cut.c_str(), cut.c_str() + cut.size());
  }
  return true;
}

void draw_task_box(ImDrawList* dl, ImVec2 a, ImVec2 b, VisState s, const Palette& pal, float alpha,
                   const std::string& label, bool selected, float zoom, double time_s, float text_px) {
  const ImU32 fill = with_alpha(pal.of(s), alpha);
  const bool tiny = b.y - a.y < 8;  // zoomed far out: plain rectangles (few vertices), no motion
  const float r = tiny ? 0 : 6 * zoom;
  dl->AddRectFilled(a, b, fill, r);
  // Motion: a running task has a stripe sweeping across it.
  if (s == VisState::running && !tiny) {
    const float w = b.x - a.x;
    const float phase = static_cast<float>(std::fmod(time_s * 0.8, 1.0));
    const float x = a.x + w * phase;
    dl->AddRectFilled(ImVec2(std::max(a.x, x - 6 * zoom), a.y + 2), ImVec2(std::min(b.x, x + 6 * zoom), b.y - 2),
                      with_alpha(IM_COL32(255, 255, 255, 90), alpha));
  }
  if (s == VisState::stuck) {
    dl->AddRect(ImVec2(a.x - 3, a.y - 3), ImVec2(b.x + 3, b.y + 3), with_alpha(pal.closed, alpha), r, 0, 3.5f);
  }
  if (selected) dl->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(b.x + 2, b.y + 2), pal.highlight, r, 0, 2.5f);
  if (text_px < kMinCanvasTextPx) return;
  const ImU32 tc = with_alpha(text_on(pal.of(s)), std::max(alpha, 0.7f));
  const std::string_view tag = state_tag(s);
  const float pad = kTextPad * zoom;
  const float w = b.x - a.x - 2 * pad;
  if (b.y - a.y >= 2 * text_px + 4) {  // tag above the label, centred vertically
    const float y = (a.y + b.y) / 2 - text_px;
    draw_text_fit(dl, ImVec2(a.x + pad, y), text_px, tc, tag, w);
    draw_text_fit(dl, ImVec2(a.x + pad, y + text_px), text_px, tc, label, w);
  } else {  // one line: "RUN  g1 main"
    const float y = (a.y + b.y - text_px) / 2;
    const float x = a.x + 4 * zoom;
    draw_text_fit(dl, ImVec2(x, y), text_px, tc, tag, b.x - x);
    const float tw = ImGui::GetFont()->CalcTextSizeA(text_px, FLT_MAX, 0, tag.data(), tag.data() + tag.size()).x;
    draw_text_fit(dl, ImVec2(x + tw + 6 * zoom, y), text_px, tc, label, b.x - pad / 2 - (x + tw + 6 * zoom));
  }
}

void state_chip(VisState s, const Palette& pal) {
  const std::string_view tag = state_tag(s);
  const ImVec2 sz = ImGui::CalcTextSize(tag.data(), tag.data() + tag.size());
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 b(p.x + std::max(sz.x + 8, 44.0f), p.y + sz.y + 2);
  dl->AddRectFilled(p, b, pal.of(s), 3);
  dl->AddText(ImVec2(p.x + 4, p.y + 1), text_on(pal.of(s)), tag.data(), tag.data() + tag.size());
  ImGui::Dummy(ImVec2(b.x - p.x, b.y - p.y));
}

void error_tree(const dojo::trace::ErrorTree& e, const Palette& pal) {
  const ImVec4 dim = ImGui::ColorConvertU32ToFloat4(pal.dim_text);
  for (const auto& l : error_lines(e)) {
    ImGui::TextColored(dim, "%s", l.prefix.c_str());
    ImGui::SameLine(0, 0);
    const std::string type = "[" + l.type + "]";
    const float x = ImGui::GetCursorPosX();
    const float room = ImGui::GetContentRegionAvail().x;
    const float need = ImGui::CalcTextSize(l.message.c_str()).x + ImGui::GetStyle().ItemSpacing.x +
                       ImGui::CalcTextSize(type.c_str()).x;
    if (need <= room) {
      ImGui::TextUnformatted(l.message.c_str());
      ImGui::SameLine();
      ImGui::TextColored(dim, "%s", type.c_str());
      continue;
    }
    // Too long for the panel: the message wraps under itself; the type follows its last line
    // when there is room, else goes below.
    ImFont* f = ImGui::GetFont();
    const float scale = ImGui::GetFontSize() / f->FontSize;
    const float sp = ImGui::GetStyle().ItemSpacing.x;
    float last_w = 0;
    bool first = true;
    std::string_view rest = l.message;
    while (!rest.empty()) {  // each line of the message, wrapped to the panel
      const std::size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      const char* p = line.data();
      const char* end = p + line.size();
      do {
        const char* eol = p < end ? f->CalcWordWrapPositionA(scale, p, end, room) : end;
        if (eol == p && p < end) ++eol;  // one character wider than the panel: show it anyway
        const char* shown_end = eol;
        while (shown_end > p && shown_end[-1] == ' ') --shown_end;
        if (!first) ImGui::SetCursorPosX(x);
        ImGui::TextUnformatted(p, shown_end);
        last_w = ImGui::CalcTextSize(p, shown_end).x;
        first = false;
        p = eol;
        while (p < end && *p == ' ') ++p;
      } while (p < end);
    }
    if (last_w + sp + ImGui::CalcTextSize(type.c_str()).x <= room) {
      ImGui::SameLine(x + last_w + sp);
    } else {
      ImGui::SetCursorPosX(x);
    }
    ImGui::TextColored(dim, "%s", type.c_str());
  }
}

std::string describe_event(const Loaded& l, std::size_t index) {
  if (index >= l.trace.events.size()) return "(end of the trace)";
  const auto& e = l.trace.events[index];
  auto who = [&](std::uint64_t id) {
    auto it = l.trace.tasks.find(id);
    return it != l.trace.tasks.end() ? task_label(it->second) : fmt::format("g{}", id);
  };
  auto ch = [&](std::uint64_t id) { return fmt::format("`{}`", l.names.get(id)); };
  switch (e.type) {
    case EventType::task_start:
      if (e.parent == 0 && is_runtime_site(e.site)) return fmt::format("{} {}", who(e.task), start_text(e.site, 0));
      return fmt::format("{} starts {} at {}", who(e.parent), who(e.task), short_site(e.site));
    case EventType::task_exit: return fmt::format("{} exits", who(e.task));
    case EventType::block:
      return fmt::format("{} blocks: {} at {}", who(e.task), e.reason, short_site(e.site));
    case EventType::unblock: return fmt::format("{} wakes up", who(e.task));
    case EventType::chan_make: return fmt::format("make {} (chan {}, cap {})", ch(e.chan), e.elem, e.cap);
    case EventType::chan_send: return fmt::format("{}: send {} on {}", who(e.task), e.value, ch(e.chan));
    case EventType::chan_recv:
      return e.ok ? fmt::format("{}: receive {} from {}", who(e.task), e.value, ch(e.chan))
                  : fmt::format("{}: receive from {}: closed", who(e.task), ch(e.chan));
    case EventType::chan_close: return fmt::format("{}: close {}", who(e.task), ch(e.chan));
    case EventType::select:
      return e.is_default ? fmt::format("{}: select takes default", who(e.task))
                          : fmt::format("{}: select takes case {} of {}", who(e.task), e.chosen, e.cases);
    case EventType::ctx_new: return fmt::format("new context ctx#{} ({})", e.ctx, e.kind);
    case EventType::ctx_cancel:
      return fmt::format("ctx#{} cancelled: {}", e.ctx, e.cause ? e.cause->message : e.err ? e.err->message : "");
    case EventType::group_error: return fmt::format("errgroup #{} records its first error: {}", e.group, e.err ? e.err->message : "");
    case EventType::task_error: return fmt::format("{} returns error: {}", who(e.task), e.err ? e.err->message : "");
    case EventType::panic: return fmt::format("{} panics: {}", who(e.task), e.value);
    case EventType::timer: return fmt::format("timer #{}: {}", e.timer, e.action);
    case EventType::report: return fmt::format("{} report: {} task(s) stuck", e.kind, e.tasks.size());
    case EventType::end: return fmt::format("end: {}", e.outcome);
    case EventType::unknown: return fmt::format("({})", e.type_name);
  }
  return {};
}

void Views::toolbar(App& app) {
  const Loaded* l = app.loaded();
  Playback& pb = app.playback();
  ImGui::TextUnformatted(l ? l->source.c_str() : "dojo viz");
  ImGui::SameLine();
  if (l) {
    const auto* s = app.snapshot();
    ImGui::TextDisabled("| event %zu / %zu  t = %.3f ms%s%s", pb.shown(), pb.size(),
                        s ? static_cast<double>(s->ts) / 1e6 : 0.0, s && s->outcome ? "  outcome: " : "",
                        s && s->outcome ? s->outcome->c_str() : "");
  }
  if (ImGui::Button(pb.playing() ? "Pause" : "Play")) app.push({Intent::Kind::play_toggle});
  ImGui::SameLine();
  if (ImGui::Button("<")) app.push({Intent::Kind::step_prev});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("one event back");
  ImGui::SameLine();
  if (ImGui::Button("Step >")) app.push({Intent::Kind::step_next});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("to the next event");
  ImGui::SameLine();
  ImGui::BeginDisabled(app.selected_task() == 0);
  if (ImGui::Button("Step task")) app.push({Intent::Kind::step_task, app.selected_task()});
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("to the next event of the selected task (click a task to select it)");
  ImGui::SameLine();
  int pos = static_cast<int>(pb.shown());
  ImGui::SetNextItemWidth(std::max(120.0f, ImGui::GetContentRegionAvail().x - 520));
  if (ImGui::SliderInt("##pos", &pos, 0, static_cast<int>(pb.size()), "%d"))
    app.push({Intent::Kind::seek, 0, static_cast<double>(pos)});
  ImGui::SameLine();
  float speed = static_cast<float>(pb.speed());
  ImGui::SetNextItemWidth(110);
  if (ImGui::SliderFloat("ev/s", &speed, 0.5f, 200.0f, "%.1f", ImGuiSliderFlags_Logarithmic))
    app.push({Intent::Kind::set_speed, 0, speed});
  ImGui::SameLine();
  bool presenter = app.presenter();
  if (ImGui::Checkbox("Presenter", &presenter)) app.push({Intent::Kind::toggle_presenter});
  ImGui::SameLine();
  bool hc = high_contrast(app);
  if (ImGui::Checkbox("High contrast", &hc)) app.push({Intent::Kind::toggle_contrast});
  ImGui::SameLine();
  if (ImGui::Button("Fit")) app.push({Intent::Kind::fit_view});
  if (l && app.active_quiz() >= 0) {
    // A question is waiting: naming the next event would give its answer away.
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(app.colors().highlight),
                       "next: ? (answer the question in the Next? panel)");
  } else if (l) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(app.colors().highlight), "next: %s",
                       describe_event(*l, pb.shown()).c_str());
  }
}

}  // namespace dojo::viz::app
