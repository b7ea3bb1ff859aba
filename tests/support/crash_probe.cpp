// A child program for the runtime tests: `goro_crash_probe CASE` does something that must
// end the process the way Go ends it, so the test can check the exit code and output.
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "goro/goro.hpp"

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "";
  if (std::strcmp(what, "panic-in-task") == 0) {
    auto block = goro::make_chan<int>();
    goro::go([] {
      // The report lists main blocked on its receive: panic once it is parked there (on a
      // busy machine main may not have got that far when this task first runs).
      auto main_parked = [] {
        for (const auto& t : goro::tasks())
          if (t.name == "main") return t.state == goro::detail::TaskState::blocked;
        return false;
      };
      while (!main_parked()) goro::yield();
      goro::panic("boom 42");
    });
    (void)block.recv();  // main waits forever; the panic must end the process first
  } else if (std::strcmp(what, "exception-in-task") == 0) {
    auto block = goro::make_chan<int>();
    goro::go([] { throw std::runtime_error("disk on fire"); });
    (void)block.recv();
  } else if (std::strcmp(what, "leak-then-exit") == 0) {
    goro::go([] { (void)goro::make_chan<int>().recv(); });  // blocked forever
    std::puts("main returns");
    return 0;
  } else if (std::strcmp(what, "free-deadlock-watchdog") == 0) {
    using namespace std::chrono_literals;
    goro::Watchdog dog({.quiet = 200ms, .on_stall = nullptr});
    auto c = goro::make_chan<int>();
    goro::go_named("lonely-sender", [c] { c.send(1); });  // nobody ever receives
    goro::WaitGroup wg;
    wg.add(1);
    wg.wait();  // never done: the watchdog must end the process with a report
  }
  std::fprintf(stderr, "unknown case '%s'\n", what);
  return 64;
}
