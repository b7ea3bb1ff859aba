// senior quiz 12: the pipeline's context has a 10 s deadline; a stage's query takes 15 s.
// What does the pipeline return?
#include <chrono>

#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/time.hpp"

namespace senior_quiz_12 {

using namespace std::chrono_literals;

void run(dojo::interview::Out& out) {
  const goro::Time start = goro::now();
  auto [ctx, cancel] = goro::with_timeout(goro::background(), 10s);
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.go([c = gctx]() -> goro::Error {
    auto query = goro::after(15s);  // stands for a query that honours its context
    if (goro::select(goro::on_recv(query), goro::on_recv(c.done())) == 1)
      return goro::errorf("load users: query: {:w}", c.err());
    return {};
  });
  const goro::Error err = g.wait();
  out.line("after {}: {}", goro::format_duration(goro::since(start)), err);
  out.line("is(err, DeadlineExceeded): {}; err == DeadlineExceeded: {}", goro::is(err, goro::DeadlineExceeded),
           err == goro::DeadlineExceeded);
  cancel();
}

}  // namespace senior_quiz_12

DOJO_PROGRAM("senior-quiz-12", senior_quiz_12::run, dojo::interview::Modes::simulation);
