// senior quiz 5: set_limit is called after go. What happens?
#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/recover.hpp"

namespace senior_quiz_05 {

void run(dojo::interview::Out& out) {
  goro::ErrGroup g;
  auto gate = goro::make_chan<goro::Unit>();
  g.go([gate] {  // started while the group has no limit
    (void)gate.recv();
    return goro::Error{};
  });
  const goro::Error first = goro::catch_panic([&] { g.set_limit(2); });
  out.line("set_limit(2), one unlimited task running: {}", first ? first.message() : "ok");
  g.go([gate] {  // takes one of the two slots
    (void)gate.recv();
    return goro::Error{};
  });
  const goro::Error second = goro::catch_panic([&] { g.set_limit(1); });
  out.line("set_limit(1), one task holding a slot: {}", second ? second.message() : "ok");
  gate.close();
  out.line("wait returned: {}", g.wait());
}

}  // namespace senior_quiz_05

DOJO_PROGRAM("senior-quiz-05", senior_quiz_05::run);
