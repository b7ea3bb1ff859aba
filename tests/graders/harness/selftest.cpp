// The grader harness's own test: one check for each way a learner's code can go wrong. Each
// ctest runs one of them and expects the harness to report it by name, without hanging and
// without taking the grader down (tests/graders/CMakeLists.txt, "harness").
#include <csignal>
#include <cstdlib>
#include <stdexcept>

#include "grader.hpp"

using dojo::grader::Check;
using dojo::grader::Options;

namespace {

// What a stuck loop in learner code reads: never set, and not optimised away.
volatile bool g_never = false;

}  // namespace

DOJO_CHECK("passes", "nothing to fix") {
  auto c = goro::make_chan<int>(1);
  c.send(1);
  check.expect_eq(c.recv().value, 1, "the value");
}

DOJO_CHECK("an expectation fails", "a wrong answer") { check.expect_eq(1 + 1, 3, "the sum"); }

DOJO_CHECK("a deadlock", "a send nobody receives") {
  auto c = goro::make_chan<int>();
  c.send(1);
}

DOJO_CHECK("a leaked task", "a sender left behind") {
  auto c = goro::make_chan<int>();
  goro::go([c] { c.send(1); });
}

DOJO_CHECK("a panic in a task", "an exception that escapes a task") {
  auto done = goro::make_chan<goro::Unit>();
  goro::go([done] {
    throw std::runtime_error("boom");
    done.close();
  });
  (void)done.recv();
}

DOJO_CHECK("an exception on the real-threads run", "an exception that reaches the grader", Options{.seeds = 0}) {
  throw std::runtime_error("thrown at the grader");
}

DOJO_CHECK("a segmentation fault", "a crash") { std::raise(SIGSEGV); }

DOJO_CHECK("an abort", "std::terminate") { std::abort(); }

DOJO_CHECK("an exit in the middle", "exit() in learner code") { std::exit(7); }

DOJO_CHECK("stuck outside goro in a deterministic run", "a loop that never calls goro") {
  while (!g_never) {
  }
}

DOJO_CHECK("a deadlock only on real threads", "a send nobody receives", Options{.seeds = 0}) {
  auto c = goro::make_chan<int>();
  c.send(1);
}

DOJO_CHECK("a livelock on real threads", "two tasks that bounce a value forever", Options{.seeds = 0, .leaks = false}) {
  auto ping = goro::make_chan<int>();
  auto pong = goro::make_chan<int>();
  goro::go([ping, pong] {
    for (;;) pong.send(ping.recv().value + 1);
  });
  for (int v = 0;;) {
    ping.send(v);
    v = pong.recv().value;
  }
}
