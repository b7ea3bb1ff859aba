// errgroup Q4: what does wait() return? And when three tasks fail?
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q04 {

void run(dojo::interview::Out& out) {
  goro::ErrGroup fine;
  for (int i = 0; i < 5; ++i) fine.go([] { return goro::Error{}; });
  out.line("five successes: wait returned {}", fine.wait());

  const goro::Error first = goro::new_error("first failure");
  const goro::Error second = goro::new_error("second failure");
  const goro::Error third = goro::new_error("third failure");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([first] { return first; });
  (void)ctx.done().recv();  // the first failure is recorded before the others start
  g.go([second] { return second; });
  g.go([third] { return third; });
  const goro::Error err = g.wait();
  out.line("three failures: wait returned {}", err);
  out.line("the other two are in it: {}", goro::is(err, second) || goro::is(err, third));
}

}  // namespace errgroup_q04

DOJO_PROGRAM("errgroup-q04", errgroup_q04::run);
