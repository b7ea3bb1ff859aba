// pipelines Q10: fan-in: who closes the merged channel?
#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q10 {

void run(dojo::interview::Out& out) {
  auto merged = goro::make_chan<int>();
  auto coordinator_done = goro::make_chan<goro::Unit>();
  goro::WaitGroup producers;
  for (int p = 0; p < 3; ++p) {
    producers.go([merged, p] {
      for (int k = 0; k < 5; ++k) merged.send(p * 100 + k);  // producers never close
    });
  }
  goro::go([&producers, merged, coordinator_done] {  // the one closer
    producers.wait();
    merged.close();
    coordinator_done.close();
  });
  int count = 0;
  int sum = 0;
  for (int v : merged) {
    ++count;
    sum += v;
  }
  (void)coordinator_done.recv();
  out.line("consumer got {} values (sum {}), then the loop ended", count, sum);
  out.line("a second close: {}", goro::catch_panic([&] { merged.close(); }));
}

}  // namespace pipelines_q10

DOJO_PROGRAM("pipelines-q10", pipelines_q10::run);
