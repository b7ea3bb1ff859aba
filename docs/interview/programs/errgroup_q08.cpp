// errgroup Q8: set_limit(n): the (n+1)-th go waits for a slot; changing the limit while tasks run panics.
#include <atomic>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/recover.hpp"

namespace errgroup_q08 {

void run(dojo::interview::Out& out) {
  goro::ErrGroup g;
  g.set_limit(2);
  auto gate = goro::make_chan<goro::Unit>();
  for (int i = 0; i < 2; ++i) {
    g.go([gate] {
      (void)gate.recv();
      return goro::Error{};
    });
  }
  std::atomic<bool> third_ran{false};
  auto producer_done = goro::make_chan<goro::Unit>(1);
  goro::go([g, &third_ran, producer_done] {
    g.go([&third_ran] {  // waits here until one of the two slots frees
      third_ran = true;
      return goro::Error{};
    });
    producer_done.send(goro::Unit{});
  });
  out.line("both slots held: third task ran = {}", third_ran.load());
  const goro::Error changed = goro::catch_panic([&] { g.set_limit(3); });
  out.line("set_limit(3) now: {}", changed);
  gate.close();
  (void)producer_done.recv();
  const goro::Error err = g.wait();
  out.line("slots freed: wait returned {}, third task ran = {}", err, third_ran.load());

  goro::ErrGroup none;
  none.set_limit(0);
  out.line("limit 0: try_go returned {}", none.try_go([] { return goro::Error{}; }));
}

}  // namespace errgroup_q08

DOJO_PROGRAM("errgroup-q08", errgroup_q08::run);
