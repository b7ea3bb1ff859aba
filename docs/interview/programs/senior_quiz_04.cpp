// senior quiz 4: two tasks panic at about the same time; each has a recovering wrapper. Is
// each panic logged?
#include <string>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"
#include "goro/recover.hpp"

namespace senior_quiz_04 {

void run(dojo::interview::Out& out) {
  goro::WaitGroup wg;
  for (const std::string name : {"A", "B"}) {
    wg.go([&out, name] {
      const goro::Error err = goro::catch_panic([&] { goro::panic("task " + name + ": nil map write"); });
      out.line("task {} recovered: {}", name, err);
    });
  }
  wg.wait();
  out.line("process still running");
}

}  // namespace senior_quiz_04

DOJO_PROGRAM("senior-quiz-04", senior_quiz_04::run);
