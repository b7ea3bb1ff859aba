// senior quiz 15: two pipelines share one group; pipeline A calls wait. What happens?
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace senior_quiz_15 {

void run(dojo::interview::Out& out) {
  const goro::Error disk_full = goro::new_error("disk full");
  auto [shared, ctx] = goro::ErrGroup::with_context(goro::background());
  auto a_stopped = goro::make_chan<goro::Error>(1);
  shared.go([c = ctx, a_stopped] {  // pipeline A's task: works until its context ends
    (void)c.done().recv();
    a_stopped.send(c.err());
    return goro::Error{};
  });
  shared.go([disk_full] { return goro::errorf("pipeline B: store: {:w}", disk_full); });  // B's task
  const goro::Error a_result = shared.wait();  // pipeline A waits for "its" work
  out.line("pipeline A's task was stopped by: {}", a_stopped.recv().value);
  out.line("pipeline A's wait returned: {}", a_result);
}

}  // namespace senior_quiz_15

DOJO_PROGRAM("senior-quiz-15", senior_quiz_15::run);
