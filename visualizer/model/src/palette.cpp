#include "dojo/viz/model/palette.hpp"

#include <algorithm>

namespace dojo::viz {

using Phase = dojo::trace::TaskState::Phase;

VisState vis_state_of_op(std::string_view op) noexcept {
  if (op == "chan send") return VisState::blocked_send;
  if (op == "chan receive") return VisState::blocked_recv;
  if (op.starts_with("select")) return VisState::blocked_select;
  if (op == "sleep" || op.find("timer") != std::string_view::npos) return VisState::sleeping;
  return VisState::waiting;
}

VisState vis_state(const dojo::trace::TaskState& t) noexcept {
  if (t.stuck) return VisState::stuck;
  if (t.panic) return VisState::panicked;
  switch (t.phase) {
    case Phase::running: return VisState::running;
    case Phase::blocked: return vis_state_of_op(t.op);
    case Phase::exited: return t.error ? VisState::failed : VisState::exited;
  }
  return VisState::running;
}

std::string_view state_tag(VisState s) noexcept {
  static constexpr std::string_view tags[kVisStates] = {"RUN", "SEND", "RECV", "SEL", "ZZZ",
                                                         "WAIT", "DONE", "ERR", "PANIC", "STUCK"};
  return tags[static_cast<int>(s)];
}

std::string_view state_name(VisState s) noexcept {
  static constexpr std::string_view names[kVisStates] = {
      "running", "blocked: send", "blocked: receive", "blocked: select", "sleeping",
      "waiting", "exited", "returned an error", "panicked", "stuck (leak/deadlock)"};
  return names[static_cast<int>(s)];
}

Rgba with_alpha(Rgba c, float a) noexcept {
  const auto old = static_cast<float>(c >> 24);
  const auto na = static_cast<Rgba>(std::clamp(old * a, 0.0f, 255.0f));
  return (c & 0x00FFFFFFu) | na << 24;
}

const Palette& palette(bool high_contrast) noexcept {
  // Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
  static const Palette normal{
      {rgba(0, 158, 115), rgba(230, 159, 0), rgba(86, 180, 233), rgba(204, 121, 167),
       rgba(240, 228, 66), rgba(0, 114, 178), rgba(120, 120, 120), rgba(213, 94, 0),
       rgba(213, 94, 0), rgba(213, 94, 0)},
      rgba(24, 26, 31), rgba(36, 39, 46), rgba(230, 230, 230), rgba(150, 150, 150),
      rgba(110, 115, 130), rgba(255, 255, 255), rgba(213, 94, 0), rgba(240, 228, 66),
      rgba(200, 60, 60)};
  static const Palette contrast{
      {rgba(0, 255, 0), rgba(255, 170, 0), rgba(0, 200, 255), rgba(255, 0, 255),
       rgba(255, 255, 0), rgba(80, 140, 255), rgba(160, 160, 160), rgba(255, 60, 0),
       rgba(255, 0, 0), rgba(255, 0, 0)},
      rgba(0, 0, 0), rgba(0, 0, 0), rgba(255, 255, 255), rgba(220, 220, 220),
      rgba(255, 255, 255), rgba(255, 255, 255), rgba(255, 40, 0), rgba(255, 255, 0),
      rgba(255, 0, 0)};
  return high_contrast ? contrast : normal;
}

}  // namespace dojo::viz
