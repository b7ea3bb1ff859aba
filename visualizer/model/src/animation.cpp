#include "dojo/viz/model/animation.hpp"

#include <algorithm>
#include <cmath>

namespace dojo::viz {

using dojo::trace::EventType;

float ease(double f) noexcept {
  const double x = std::clamp(f, 0.0, 1.0);
  return static_cast<float>(x * x * (3 - 2 * x));
}

Point lerp(Point a, Point b, float f) noexcept { return {a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f}; }

std::vector<MessageSprite> message_sprites(const dojo::trace::Trace& t, const PipelineLayout& L,
                                           const dojo::trace::Snapshot& s, double frac) {
  std::vector<MessageSprite> out;
  const dojo::trace::Event* next =
      frac > 0 && s.applied < t.events.size() ? &t.events[s.applied] : nullptr;
  const std::uint64_t leaving = next && next->type == EventType::chan_recv ? next->msg : 0;
  for (const auto& c : s.channels) {
    const ChanNode* node = L.chan(c.id);
    if (node == nullptr) continue;
    const std::size_t cells = std::max<std::size_t>(1, std::min<std::uint64_t>(c.cap, kMaxCells));
    const std::size_t drawn = std::min<std::size_t>(c.in_flight.size(), std::min<std::uint64_t>(c.cap, kMaxCells) + kMaxPendingDrawn);
    for (std::size_t k = 0; k < c.in_flight.size(); ++k) {
      const auto& m = c.in_flight[k];
      if (k >= drawn && m.msg != leaving) continue;
      MessageSprite sp{m.msg, c.id, {}, m.value, MessageSprite::Where::buffered};
      if (k < c.cap) sp.at = cell_center(*node, std::min(k, cells - 1));
      else if (c.cap == 0 && k == 0) sp.at = cell_center(*node, 0), sp.where = MessageSprite::Where::pending;
      else sp.at = pending_spot(*node, k - std::min<std::size_t>(k, c.cap)), sp.where = MessageSprite::Where::pending;
      if (m.msg == leaving && leaving != 0) {
        if (const TaskNode* r = L.task(next->task)) {
          sp.at = lerp(sp.at, task_in(*r), ease(frac));
          sp.where = MessageSprite::Where::leaving;
        }
      }
      out.push_back(std::move(sp));
    }
  }
  if (next && next->type == EventType::chan_send) {
    const TaskNode* from = L.task(next->task);
    const ChanNode* to = L.chan(next->chan);
    if (from && to) {
      const auto* c = s.channel(next->chan);
      const std::size_t k = c ? c->in_flight.size() : 0;
      const std::uint64_t cap = to->cap;
      Point dest = k < cap ? cell_center(*to, std::min<std::size_t>(k, kMaxCells - 1))
                           : (cap == 0 && k == 0 ? cell_center(*to, 0) : pending_spot(*to, k - std::min<std::size_t>(k, cap)));
      out.push_back({next->msg, next->chan, lerp(task_out(*from), dest, ease(frac)), next->value,
                     MessageSprite::Where::entering});
    }
  }
  return out;
}

AnimationIndex::AnimationIndex(const dojo::trace::Trace& t) {
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const auto& e = t.events[i];
    if (e.type == EventType::task_exit) exits_.emplace(e.task, i);
    if (e.type == EventType::ctx_cancel && cancels_.emplace(e.ctx, i).second) {
      const auto& cause = e.cause ? e.cause : e.err;
      labels_[e.ctx] = cause ? cause->message : std::string("cancelled");
    }
  }
}

std::optional<std::size_t> AnimationIndex::exit_event(std::uint64_t task) const {
  auto it = exits_.find(task);
  return it != exits_.end() ? std::optional(it->second) : std::nullopt;
}

std::optional<std::size_t> AnimationIndex::cancel_event(std::uint64_t ctx) const {
  auto it = cancels_.find(ctx);
  return it != cancels_.end() ? std::optional(it->second) : std::nullopt;
}

std::string AnimationIndex::cancel_label(std::uint64_t ctx) const {
  auto it = labels_.find(ctx);
  return it != labels_.end() ? it->second : std::string();
}

float exit_alpha(std::optional<std::size_t> exit_event, double pos) noexcept {
  if (!exit_event) return 1;
  const double since = pos - static_cast<double>(*exit_event + 1);  // applied after exit+1 events
  if (since <= -1) return 1;
  const double f = std::clamp((since + 1) / kFadeEvents, 0.0, 1.0);
  return static_cast<float>(1 - (1 - kExitedAlpha) * f);
}

float wave_intensity(std::optional<std::size_t> cancel_event, double pos) noexcept {
  if (!cancel_event) return 0;
  const double since = pos - static_cast<double>(*cancel_event);
  if (since < 0 || since > kWaveEvents) return 0;
  return static_cast<float>(1 - since / kWaveEvents);
}

std::optional<float> wave_on_edge(std::optional<std::size_t> parent_cancel, std::optional<std::size_t> child_cancel,
                                  double pos) noexcept {
  if (!parent_cancel || !child_cancel) return std::nullopt;
  const double a = static_cast<double>(*parent_cancel);
  const double b = std::max(static_cast<double>(*child_cancel), a + 1);
  if (pos < a || pos > b) return std::nullopt;
  return static_cast<float>((pos - a) / (b - a));
}

}  // namespace dojo::viz
