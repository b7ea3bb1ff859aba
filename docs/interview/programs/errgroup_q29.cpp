// errgroup Q29: "must not be copied after first use": in goro the sync objects cannot be copied,
// and an ErrGroup copy is the same group.
#include <type_traits>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/mutex.hpp"
#include "goro/once.hpp"

namespace errgroup_q29 {

void run(dojo::interview::Out& out) {
  out.line("copyable: WaitGroup {}, Once {}, Mutex {}, ErrGroup {}", std::is_copy_constructible_v<goro::WaitGroup>,
           std::is_copy_constructible_v<goro::Once>, std::is_copy_constructible_v<goro::Mutex>,
           std::is_copy_constructible_v<goro::ErrGroup>);
  const goro::Error doom = goro::new_error("doom");
  goro::ErrGroup g;
  goro::ErrGroup copy = g;
  auto gate = goro::make_chan<goro::Unit>();
  copy.go([gate, doom] {
    (void)gate.recv();
    return doom;
  });
  auto result = goro::make_chan<goro::Error>(1);
  goro::go([g, result] { result.send(g.wait()); });  // waits on the original
  goro::Error early;
  const bool returned_early = goro::select(goro::on_recv(result, &early), goro::on_default()) == 0;
  out.line("original's wait returned before the copy's task ended: {}", returned_early);
  gate.close();
  out.line("original's wait returned {}", result.recv().value);
}

}  // namespace errgroup_q29

DOJO_PROGRAM("errgroup-q29", errgroup_q29::run);
