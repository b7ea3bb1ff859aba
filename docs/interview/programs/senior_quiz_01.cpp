// senior quiz 1: stage A fails with a wrapped ErrInvalid while stage B sits in a select between
// sending downstream and the group's context. What happens?
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace senior_quiz_01 {

void run(dojo::interview::Out& out) {
  const goro::Error err_invalid = goro::new_error("invalid");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto downstream = goro::make_chan<int>();        // the next stage never reads
  auto b_said = goro::make_chan<goro::Error>(1);   // what stage B returned
  g.go([downstream, c = ctx, b_said] {             // stage B
    goro::Error err;
    if (goro::select(goro::on_send(downstream, 1), goro::on_recv(c.done())) == 1) err = c.err();
    b_said.send(err);
    return err;
  });
  g.go([err_invalid] { return goro::errorf("stage A: order 7: {:w}", err_invalid); });
  const goro::Error err = g.wait();
  out.line("wait returned: {}", err);
  out.line("is(err, ErrInvalid): {}", goro::is(err, err_invalid));
  out.line("stage B returned: {}", b_said.recv().value);
}

}  // namespace senior_quiz_01

DOJO_PROGRAM("senior-quiz-01", senior_quiz_01::run);
