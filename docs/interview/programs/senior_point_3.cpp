// senior point 3: can a recover (catch_panic) in the parent catch a panic raised in a task it
// started?
#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"
#include "goro/recover.hpp"

namespace senior_point_3 {

void run(dojo::interview::Out& out) {
  {  // the recover runs in the task that panics
    auto result = goro::make_chan<goro::Error>(1);
    goro::go([result] { result.send(goro::catch_panic([] { goro::panic("index out of range"); })); });
    out.line("recover inside the task: {}", result.recv().value);
  }
  {  // the recover wraps the parent's code only
    const goro::Error err = goro::catch_panic([&] {
      auto done = goro::make_chan<goro::Unit>();
      goro::go([done] {
        goro::panic("index out of range");
        done.close();
      });
      (void)done.recv();
    });
    out.line("recover in the parent: {}", err);  // never reached
  }
}

}  // namespace senior_point_3

DOJO_PROGRAM("senior-point-3", senior_point_3::run, dojo::interview::Modes::simulation);
