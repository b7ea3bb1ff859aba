// GORO_TEST: one test body, run in both scheduling modes.
//
//   GORO_TEST("CH_08_send_on_closed_panics", "[chan]") { ...Catch assertions... }
//
// registers two Catch test cases:
//   "CH_08_send_on_closed_panics"        the body on the calling thread, free mode;
//   "CH_08_send_on_closed_panics (sim)"  the body as the main task of goro::simulate, once per
//                                        seed in dojo::test::kSimSeeds (tag [sim-mode]).
// In the deterministic run a deadlock, a panic that escapes the body or a step-limit stop
// fails the test with the scheduler's report and the seed; tasks the body leaves blocked on
// purpose (nil channels, select{}) are released when the scope ends, as in free mode's
// release_leftovers. Assertions work in both: the simulation runs on the test's own thread.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>

#include "goro/sim.hpp"

namespace dojo::test {

inline constexpr std::uint64_t kSimSeeds[] = {1, 2, 3};

inline void run_in_simulation(void (*body)()) {
  for (std::uint64_t seed : kSimSeeds) {
    goro::SimResult r = goro::simulate(seed, [body] { body(); });
    if (r.outcome == goro::SimResult::Outcome::ok || r.outcome == goro::SimResult::Outcome::leak) continue;
    // A failed REQUIRE inside the body is already reported by Catch; say which seed it was.
    FAIL("deterministic mode, seed " << seed << " (replay: " << r.replay << "):\n" << r.report);
  }
}

}  // namespace dojo::test

#define GORO_TEST_CAT2(a, b) a##b
#define GORO_TEST_CAT(a, b) GORO_TEST_CAT2(a, b)
#define GORO_TEST_IMPL(fn, name, tags)                                                        \
  static void fn();                                                                           \
  TEST_CASE(name, tags) { fn(); }                                                             \
  TEST_CASE(name " (sim)", tags "[sim-mode]") { ::dojo::test::run_in_simulation(&fn); }      \
  static void fn()
#define GORO_TEST(name, tags) GORO_TEST_IMPL(GORO_TEST_CAT(goro_test_body_, __COUNTER__), name, tags)
