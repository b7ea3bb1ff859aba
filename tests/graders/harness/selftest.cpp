// The grader harness's own test: one check for each way a learner's code can go wrong. Each
// ctest runs one of them and expects the harness to report it by name, without hanging and
// without taking the grader down (tests/graders/CMakeLists.txt, "harness").
#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <thread>
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

DOJO_CHECK("stuck outside goro in a deterministic run", "a wait the runtime cannot name") {
  // A wait in a system call goro does not classify (only its 5 s warning would speak): the
  // parent's heartbeat timeout is what ends it.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  (void)sigwaitinfo(&set, nullptr);
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

// ---- what a deterministic run's monitor names (each reported within a second or two) ----

DOJO_CHECK("a busy loop outside goro", "a loop that never calls goro") {
  while (!g_never) {
  }
}

DOJO_CHECK("a sleep on the wall clock", "std::this_thread::sleep_for in a deterministic run") {
  for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

DOJO_CHECK("a raw mutex held by another task", "std::mutex between two tasks") {
  auto m = std::make_shared<std::mutex>();
  m->lock();
  auto done = goro::make_chan<goro::Unit>();
  goro::go([m, done] {
    m->lock();  // main holds it and cannot run again: the only thread waits in the futex
    done.close();
  });
  (void)done.recv();
  m->unlock();
}

DOJO_CHECK("a blocking read outside goro::blocking", "a read from a pipe nobody writes to") {
  int fds[2];
  if (pipe(fds) != 0) return;
  char c = 0;
  (void)!read(fds[0], &c, 1);
}

DOJO_CHECK("a wait nobody ends", "a WaitGroup nobody marks done") {
  goro::WaitGroup wg;
  wg.add(1);
  wg.wait();
}
