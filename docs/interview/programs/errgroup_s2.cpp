// errgroup S2: an endpoint hangs with many tasks parked on the group's limit. One task never
// returns, so its slot is never freed.
#include <chrono>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/time.hpp"

namespace errgroup_s2 {

void run(dojo::interview::Out& out) {
  using namespace std::chrono_literals;
  goro::ErrGroup g;
  g.set_limit(1);
  auto stuck = goro::make_chan<goro::Unit>();  // I/O with no deadline and no ctx
  g.go([stuck] {
    (void)stuck.recv();
    return goro::Error{};
  });
  goro::WaitGroup producers;
  for (int i = 0; i < 3; ++i) producers.go([g] { g.go([] { return goro::Error{}; }); });
  auto all_submitted = goro::make_chan<goro::Unit>();
  goro::go([&producers, all_submitted] {
    producers.wait();
    all_submitted.close();
  });
  if (goro::select(goro::on_recv(all_submitted), goro::on_recv(goro::after(1s))) == 1) {
    int parked = 0;
    for (const auto& t : goro::tasks())
      if (t.reason == goro::detail::WaitReason::group_go) ++parked;
    out.line("after 1s: {} producers parked in [errgroup go (limit reached)]", parked);
  }
  stuck.close();  // the fix: make the stuck call return (honour ctx, set a deadline)
  (void)all_submitted.recv();
  out.line("the stuck task returned: every producer got through, wait returned {}", g.wait());
}

}  // namespace errgroup_s2

DOJO_PROGRAM("errgroup-s2", errgroup_s2::run, dojo::interview::Modes::simulation);
