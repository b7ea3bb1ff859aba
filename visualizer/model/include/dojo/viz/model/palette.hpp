// What state a task is shown in, and how: a colour-blind-safe palette (Okabe–Ito) plus a
// short tag per state, so the state never depends on colour alone; and a high-contrast variant
// for presenting.
#pragma once

#include <cstdint>
#include <string_view>

#include "dojo/trace/state.hpp"

namespace dojo::viz {

/// How a task is drawn. Derived from dojo::trace::TaskState (phase, op, stuck, panic).
enum class VisState {
  running,         ///< not blocked (running or waiting for a CPU: traces do not tell apart)
  blocked_send,    ///< chan send
  blocked_recv,    ///< chan receive
  blocked_select,  ///< select
  sleeping,        ///< sleep / timer
  waiting,         ///< any other wait: mutex, WaitGroup, errgroup wait, semaphore, ...
  exited,          ///< returned
  failed,          ///< returned an error
  panicked,        ///< ended by a panic
  stuck,           ///< named by a deadlock/leak report
};
inline constexpr int kVisStates = 10;

[[nodiscard]] VisState vis_state(const dojo::trace::TaskState& t) noexcept;

/// The VisState for Go's wait reason of a blocked task ("chan send" -> blocked_send, ...).
[[nodiscard]] VisState vis_state_of_op(std::string_view op) noexcept;

/// A short tag drawn on the task ("RUN", "SEND", "RECV", "SEL", "ZZZ", "WAIT", "DONE", "ERR",
/// "PANIC", "STUCK") and a one-word name for legends.
[[nodiscard]] std::string_view state_tag(VisState s) noexcept;
[[nodiscard]] std::string_view state_name(VisState s) noexcept;

/// Colours as 0xAABBGGRR (ImGui's ImU32 layout), so the app can use them unchanged.
using Rgba = std::uint32_t;
[[nodiscard]] constexpr Rgba rgba(int r, int g, int b, int a = 255) noexcept {
  return static_cast<Rgba>(r) | static_cast<Rgba>(g) << 8 | static_cast<Rgba>(b) << 16 |
         static_cast<Rgba>(a) << 24;
}
/// The same colour with alpha scaled by `a` in [0, 1].
[[nodiscard]] Rgba with_alpha(Rgba c, float a) noexcept;

struct Palette {
  Rgba state[kVisStates];
  Rgba background, panel, text, dim_text, pipe, message, cancel_wave, highlight, closed;
  [[nodiscard]] Rgba of(VisState s) const noexcept { return state[static_cast<int>(s)]; }
};

/// Okabe–Ito on a dark background; the high-contrast one uses pure, saturated colours on black
/// with white text (for projectors).
[[nodiscard]] const Palette& palette(bool high_contrast) noexcept;

}  // namespace dojo::viz
