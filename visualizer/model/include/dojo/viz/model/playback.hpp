// Playback of a trace: the position shown, play/pause, speed, stepping and pauses.
//
//   dojo::viz::Playback pb(trace.events.size());
//   pb.play();                       // advances `speed()` events per second in tick()
//   pb.tick(1.0 / 60);               // each frame: moves the shown position
//   cursor.seek(pb.shown());         // the snapshot to draw; pb.fraction() tweens events[shown()]
//
// The position is a count of applied events in [0, size]. The *goal* is where the user asked
// to be; the *display* position follows it smoothly (a step animates over ~0.2 s, long jumps
// snap), so a fractional display position means "events[floor(pos)] is happening, this far".
// Stops (e.g. "what happens next?" questions) pause playback when the goal reaches them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>

#include "dojo/trace/reader.hpp"

namespace dojo::viz {

class Playback {
 public:
  explicit Playback(std::size_t events = 0) noexcept : size_(events) {}

  /// Number of events in the trace: the largest position.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// The display position (fractional while animating).
  [[nodiscard]] double position() const noexcept { return pos_; }
  /// The goal position (where stepping and seeking go).
  [[nodiscard]] double goal() const noexcept { return goal_; }
  /// floor(position()): the number of events whose state is shown.
  [[nodiscard]] std::size_t shown() const noexcept;
  /// position() - shown(): how far events[shown()] has progressed (0 when settled).
  [[nodiscard]] double fraction() const noexcept;
  /// The display position has reached the goal.
  [[nodiscard]] bool settled() const noexcept { return pos_ == goal_; }

  [[nodiscard]] bool playing() const noexcept { return playing_; }
  void play() noexcept;
  void pause() noexcept { playing_ = false; }
  void toggle() noexcept { playing_ ? pause() : play(); }
  /// Events per second while playing (clamped to [0.25, 1e6]).
  void set_speed(double events_per_second) noexcept;
  [[nodiscard]] double speed() const noexcept { return speed_; }

  /// Goes to `n` events (clamped). Animated when close to the display position, else a jump.
  void seek(std::size_t n) noexcept;
  /// Goes to a fraction in [0, 1] of the trace (0.4: 40% of the events).
  void seek_fraction(double f) noexcept;
  /// Goes to the position after every event with ts <= `ts`.
  void seek_time(const dojo::trace::Trace& t, std::int64_t ts) noexcept;
  /// One event forwards / backwards (from the goal, rounded). Pauses playback.
  void step_next() noexcept;
  void step_prev() noexcept;
  /// Forwards to just after the next event of task `task` (after the goal). False (and no
  /// move) when the task has no later event.
  bool step_task(const dojo::trace::Trace& t, std::uint64_t task) noexcept;
  /// Snaps the display to the goal (screenshots: "let the animations settle").
  void settle() noexcept { pos_ = goal_; }

  /// A stop: playback pauses when the goal reaches `n` events (one event before it happens).
  void add_stop(std::size_t n) { stops_.insert(n); }
  void clear_stops() noexcept { stops_.clear(); }
  /// The stop playback paused at, if the goal is on one.
  [[nodiscard]] bool at_stop() const noexcept;

  /// Advances time by `dt` seconds: moves the goal when playing, the display toward the goal.
  void tick(double dt) noexcept;

 private:
  std::size_t size_;
  double pos_ = 0, goal_ = 0;
  bool playing_ = false;
  double speed_ = 8;
  std::set<std::size_t> stops_;
};

}  // namespace dojo::viz
