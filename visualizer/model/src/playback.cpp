#include "dojo/viz/model/playback.hpp"

#include <algorithm>
#include <cmath>

#include "dojo/trace/state.hpp"

namespace dojo::viz {

namespace {
/// Farther than this many events, a seek jumps instead of animating.
constexpr double kAnimateWithin = 6;
/// The display covers a step in about this many seconds.
constexpr double kStepSeconds = 0.2;
}  // namespace

std::size_t Playback::shown() const noexcept {
  return static_cast<std::size_t>(std::clamp(std::floor(pos_), 0.0, static_cast<double>(size_)));
}

double Playback::fraction() const noexcept { return pos_ - static_cast<double>(shown()); }

void Playback::play() noexcept {
  if (goal_ >= static_cast<double>(size_)) goal_ = pos_ = 0;  // replay from the start
  playing_ = true;
}

void Playback::set_speed(double eps) noexcept { speed_ = std::clamp(eps, 0.25, 1e6); }

void Playback::seek(std::size_t n) noexcept {
  const double g = static_cast<double>(std::min(n, size_));
  goal_ = g;
  if (std::abs(goal_ - pos_) > kAnimateWithin) pos_ = goal_;
}

void Playback::seek_fraction(double f) noexcept {
  f = std::clamp(f, 0.0, 1.0);
  seek(static_cast<std::size_t>(std::llround(f * static_cast<double>(size_))));
}

void Playback::seek_time(const dojo::trace::Trace& t, std::int64_t ts) noexcept {
  seek(dojo::trace::events_until(t, ts));
}

void Playback::step_next() noexcept {
  playing_ = false;
  seek(static_cast<std::size_t>(std::floor(goal_)) + 1);
}

void Playback::step_prev() noexcept {
  playing_ = false;
  const double g = std::ceil(goal_);
  seek(g >= 1 ? static_cast<std::size_t>(g) - 1 : 0);
}

bool Playback::step_task(const dojo::trace::Trace& t, std::uint64_t task) noexcept {
  auto it = t.tasks.find(task);
  if (it == t.tasks.end()) return false;
  const auto from = static_cast<std::size_t>(std::floor(goal_));
  const auto& ev = it->second.events;  // indexes, ascending
  auto next = std::lower_bound(ev.begin(), ev.end(), from);
  if (next == ev.end()) return false;
  playing_ = false;
  seek(*next + 1);
  return true;
}

bool Playback::at_stop() const noexcept {
  return goal_ == std::floor(goal_) && stops_.count(static_cast<std::size_t>(goal_)) > 0;
}

void Playback::tick(double dt) noexcept {
  if (dt <= 0) return;
  const double end = static_cast<double>(size_);
  if (playing_) {
    double g = goal_ + speed_ * dt;
    // Stop at the first stop strictly ahead of the goal that this tick would pass.
    auto s = stops_.upper_bound(static_cast<std::size_t>(std::floor(goal_)));
    if (s != stops_.end() && static_cast<double>(*s) <= g) {
      g = static_cast<double>(*s);
      playing_ = false;
    }
    if (g >= end) {
      g = end;
      playing_ = false;
    }
    goal_ = g;
    // While playing the display follows the goal exactly: the goal already moves smoothly.
    pos_ = goal_;
    return;
  }
  if (pos_ == goal_) return;
  const double rate = std::max(std::abs(goal_ - pos_), 1.0) / kStepSeconds;
  const double d = rate * dt;
  if (std::abs(goal_ - pos_) <= d) pos_ = goal_;
  else pos_ += goal_ > pos_ ? d : -d;
}

}  // namespace dojo::viz
