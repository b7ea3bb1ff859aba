// errgroup Q7: what happens when nobody calls wait()?
#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q07 {

void run(dojo::interview::Out& out) {
  const goro::Error lost = goro::new_error("disk full");
  auto release = goro::make_chan<goro::Unit>();
  auto witness = goro::make_chan<goro::Error>(1);  // only this program can see the failure
  auto start_and_forget = [&] {
    goro::ErrGroup g;
    g.go([release, witness, lost] {
      (void)release.recv();
      witness.send(lost);
      return lost;
    });
    // the bug: no g.wait()
  };
  start_and_forget();
  out.line("start_and_forget returned while its task was still running");
  release.close();
  out.line("later the task failed with \"{}\", and no caller was told", witness.recv().value);
}

}  // namespace errgroup_q07

DOJO_PROGRAM("errgroup-q07", errgroup_q07::run);
