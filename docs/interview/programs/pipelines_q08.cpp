// pipelines Q8: what does set_limit(n) do, and what if it is called while tasks run?
#include <atomic>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q08 {

void run(dojo::interview::Out& out) {
  goro::ErrGroup g;
  g.set_limit(2);
  auto started = goro::make_chan<goro::Unit>(3);
  auto gate = goro::make_chan<goro::Unit>();
  std::atomic<int> active{0};
  std::atomic<int> peak{0};
  std::atomic<int> ran{0};
  auto body = [&active, &peak, &ran, started, gate]() -> goro::Error {
    const int now = ++active;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    started.send(goro::Unit{});
    (void)gate.recv();
    --active;
    ++ran;
    return {};
  };
  g.go(body);
  g.go(body);
  (void)started.recv();
  (void)started.recv();  // both slots are taken and both tasks are running
  out.line("try_go with both slots taken: {}", g.try_go(body));
  const goro::Error p = goro::catch_panic([&] { g.set_limit(3); });
  out.line("set_limit while they run: {}", p);

  // A third go waits for a slot (in another task, since this one must open the gate).
  auto admitted = goro::make_chan<goro::Unit>();
  goro::go([g, body, admitted] {
    g.go(body);
    admitted.send(goro::Unit{});
  });
  gate.close();
  (void)admitted.recv();
  const goro::Error err = g.wait();
  out.line("{} tasks ran, at most {} at once; wait returned {}", ran.load(), peak.load(), err);
}

}  // namespace pipelines_q08

DOJO_PROGRAM("pipelines-q08", pipelines_q08::run);
