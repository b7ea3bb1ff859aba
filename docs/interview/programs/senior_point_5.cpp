// senior point 5: can a Once be reset so its function runs again?
#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/once.hpp"

namespace senior_point_5 {

void run(dojo::interview::Out& out) {
  goro::Once once;
  int runs = 0;
  goro::ErrGroup g;
  for (int i = 0; i < 4; ++i) {
    g.go([&once, &runs] {
      once.call([&runs] { ++runs; });
      return goro::Error{};
    });
  }
  (void)g.wait();
  out.line("4 tasks called it: f ran {} time(s)", runs);
  once.call([&runs] { runs += 100; });  // another function, same Once
  out.line("a later call with another function: runs = {}", runs);
  goro::Once fresh;  // the only way to run again
  fresh.call([&runs] { ++runs; });
  out.line("a new Once: runs = {}", runs);
}

}  // namespace senior_point_5

DOJO_PROGRAM("senior-point-5", senior_point_5::run);
