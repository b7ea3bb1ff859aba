// A goro program the trace tests start as a child process, with GORO_TRACE set, to observe
// what the environment variable records and what an unrecovered free-mode panic leaves.
//
//   dojo_trace_probe sim SEED...   one deterministic pipeline per seed
//   dojo_trace_probe free          a free-mode pipeline, then a normal exit
//   dojo_trace_probe free-panic    a free-mode task panics (exit code 2)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "goro/goro.hpp"
#include "goro/sim.hpp"

namespace {

void pipeline() {
  auto in = goro::make_chan<int>(1);
  auto out = goro::make_chan<int>();
  goro::WaitGroup wg;
  for (int w = 0; w < 2; ++w)
    wg.go([=] {
      for (int v : in) out.send(v + 1);
    });
  goro::go_named("producer", [=] {
    for (int i = 0; i < 4; ++i) in.send(i);
    in.close();
  });
  goro::go_named("closer", [&wg, out] {
    wg.wait();
    out.close();
  });
  int sum = 0;
  for (int v : out) sum += v;
  if (sum != 10) goro::panic("wrong sum");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: dojo_trace_probe sim SEED... | free | free-panic\n");
    return 64;
  }
  std::string mode = argv[1];
  if (mode == "sim") {
    for (int i = 2; i < argc; ++i) {
      auto r = goro::simulate(std::strtoull(argv[i], nullptr, 10), pipeline);
      if (!r.ok()) return 1;
    }
    return 0;
  }
  if (mode == "free") {
    pipeline();
    return 0;
  }
  if (mode == "free-panic") {
    auto c = goro::make_chan<int>();
    auto never = goro::make_chan<int>();
    goro::go_named("doomed", [=] {
      c.send(1);
      goro::panic("boom: \"quoted\"");
    });
    (void)c.recv();
    (void)never.recv();  // the panic ends the process first
    return 0;
  }
  return 64;
}
