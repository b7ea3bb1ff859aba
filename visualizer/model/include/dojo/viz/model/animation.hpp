// Animation state as pure functions of the display position (Playback::position()): values
// moving along pipes, exited tasks fading, the cancellation wave travelling down the context
// tree. The same position always gives the same picture, so screenshots are reproducible and
// everything is testable without a window.
//
// Convention: at display position p = n + f (0 <= f < 1) the state after n events is shown and
// events[n] is "happening", f of the way: a chan_send moves its value from the sender into the
// channel, a chan_recv from the channel to the receiver.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dojo/trace/reader.hpp"
#include "dojo/trace/state.hpp"
#include "dojo/viz/model/layout.hpp"

namespace dojo::viz {

/// A value drawn in the pipeline view.
struct MessageSprite {
  std::uint64_t msg = 0;
  std::uint64_t chan = 0;
  Point at;
  std::string value;
  enum class Where { entering, buffered, pending, leaving } where = Where::buffered;
};

/// At most this many values are drawn per channel beyond its buffer cells (the rest are
/// counted in the channel's label): pending values pile up at one spot anyway.
inline constexpr std::size_t kMaxPendingDrawn = 5;

/// Values at display position `shown + frac`, where `s` is the state after `shown` events:
/// per channel its buffered values and up to kMaxPendingDrawn values held by blocked senders,
/// plus the value of events[shown] when it is a send or receive.
[[nodiscard]] std::vector<MessageSprite> message_sprites(const dojo::trace::Trace& t, const PipelineLayout& L,
                                                         const dojo::trace::Snapshot& s, double frac);

/// Smoothstep easing of f in [0, 1].
[[nodiscard]] float ease(double f) noexcept;
/// a + (b - a) * f.
[[nodiscard]] Point lerp(Point a, Point b, float f) noexcept;

/// Per-trace indexes the animations need (built once).
class AnimationIndex {
 public:
  explicit AnimationIndex(const dojo::trace::Trace& t);
  /// Index of the task's task_exit event.
  [[nodiscard]] std::optional<std::size_t> exit_event(std::uint64_t task) const;
  /// Index of the context's ctx_cancel event.
  [[nodiscard]] std::optional<std::size_t> cancel_event(std::uint64_t ctx) const;
  /// The cause of a context's cancellation ("errgroup: fetch a: 503"), or "".
  [[nodiscard]] std::string cancel_label(std::uint64_t ctx) const;

 private:
  std::map<std::uint64_t, std::size_t> exits_, cancels_;
  std::map<std::uint64_t, std::string> labels_;
};

/// Fading of an exited task: 1 until its exit, then down to kExitedAlpha over kFadeEvents.
inline constexpr double kFadeEvents = 6;
inline constexpr float kExitedAlpha = 0.35f;
[[nodiscard]] float exit_alpha(std::optional<std::size_t> exit_event, double pos) noexcept;

/// The cancellation wave: a pulse of 1 at the context's cancel event fading to 0 over
/// kWaveEvents; 0 before the cancel and after the pulse.
inline constexpr double kWaveEvents = 8;
[[nodiscard]] float wave_intensity(std::optional<std::size_t> cancel_event, double pos) noexcept;

/// Where the wave is on the edge from a cancelled parent to its child: a fraction in [0, 1]
/// while it travels (between the two cancel events, at least one event long), none otherwise.
[[nodiscard]] std::optional<float> wave_on_edge(std::optional<std::size_t> parent_cancel,
                                                std::optional<std::size_t> child_cancel, double pos) noexcept;

}  // namespace dojo::viz
