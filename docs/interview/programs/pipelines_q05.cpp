// pipelines Q5: when does wait() return?
#include <chrono>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q05 {

void run(dojo::interview::Out& out) {
  using namespace std::chrono_literals;
  goro::ErrGroup g;
  auto stuck = goro::make_chan<goro::Unit>();
  g.go([] { return goro::Error{}; });
  g.go([stuck] {
    (void)stuck.recv();  // a task that has not returned yet
    return goro::Error{};
  });
  auto result = goro::make_chan<goro::Error>(1);
  goro::go([g, result] { result.send(g.wait()); });

  goro::Error err;
  if (goro::select(goro::on_recv(result, &err), goro::on_recv(goro::after(10ms))) == 0)
    out.line("wait returned while a task was still running");
  else
    out.line("after 10ms: wait is still blocked");
  stuck.close();
  out.line("once the last task returned: wait returned {}", result.recv().value);
}

}  // namespace pipelines_q05

DOJO_PROGRAM("pipelines-q05", pipelines_q05::run);
