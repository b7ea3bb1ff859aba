// Playback: stepping, seeking, playing with stops, the display following the goal.
#include <catch2/catch.hpp>

#include "dojo/viz/model/playback.hpp"

using dojo::viz::Playback;

TEST_CASE("playback steps one event at a time and animates the display", "[viz][playback]") {
  Playback pb(10);
  CHECK(pb.shown() == 0);
  pb.step_next();
  CHECK(pb.goal() == 1);
  CHECK_FALSE(pb.settled());
  pb.tick(0.1);  // half of a step's 0.2 s
  CHECK(pb.position() == Approx(0.5));
  CHECK(pb.shown() == 0);
  CHECK(pb.fraction() == Approx(0.5));
  pb.tick(0.2);
  CHECK(pb.settled());
  CHECK(pb.shown() == 1);
  pb.step_prev();
  pb.settle();
  CHECK(pb.shown() == 0);
  pb.step_prev();  // stays at 0
  CHECK(pb.goal() == 0);
}

TEST_CASE("playback seeks by fraction, jumps far seeks, clamps", "[viz][playback]") {
  Playback pb(200);
  pb.seek_fraction(0.4);
  CHECK(pb.goal() == 80);
  CHECK(pb.settled());  // far: a jump, not an animation
  pb.seek(1000);
  CHECK(pb.goal() == 200);
  pb.seek_fraction(-1);
  CHECK(pb.goal() == 0);
}

TEST_CASE("playing advances at the speed and pauses at stops and the end", "[viz][playback]") {
  Playback pb(100);
  pb.set_speed(10);
  pb.add_stop(25);
  pb.play();
  pb.tick(1.0);
  CHECK(pb.position() == Approx(10));
  CHECK(pb.playing());
  pb.tick(2.0);  // would pass 25
  CHECK(pb.goal() == 25);
  CHECK_FALSE(pb.playing());
  CHECK(pb.at_stop());
  pb.play();
  pb.tick(100);
  CHECK(pb.goal() == 100);
  CHECK_FALSE(pb.playing());
  pb.play();  // at the end: starts again
  CHECK(pb.goal() == 0);
}

TEST_CASE("step one task goes to just after that task's next event", "[viz][playback]") {
  dojo::trace::Trace t;
  t.events.resize(10);
  t.tasks[3].id = 3;
  t.tasks[3].events = {1, 4, 8};
  Playback pb(10);
  CHECK(pb.step_task(t, 3));
  CHECK(pb.goal() == 2);
  CHECK(pb.step_task(t, 3));
  CHECK(pb.goal() == 5);
  CHECK(pb.step_task(t, 3));
  CHECK(pb.goal() == 9);
  CHECK_FALSE(pb.step_task(t, 3));
  CHECK_FALSE(pb.step_task(t, 99));
}
