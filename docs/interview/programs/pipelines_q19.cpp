// pipelines Q19: why may the caller read what the tasks wrote once wait() has returned?
#include <cstddef>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q19 {

void run(dojo::interview::Out& out) {
  constexpr int n = 8;
  std::vector<long> results(n, -1);
  goro::ErrGroup g;
  for (int i = 0; i < n; ++i) {
    g.go([i, &results] {
      results[static_cast<std::size_t>(i)] = static_cast<long>(i) * i;  // each task its own slot
      return goro::Error{};
    });
  }
  const goro::Error err = g.wait();  // every write above happens before this returns
  long sum = 0;
  int unwritten = 0;
  for (long v : results) {
    if (v < 0) ++unwritten;
    sum += v;
  }
  out.line("wait returned {}; unwritten slots: {}, sum of squares: {}", err, unwritten, sum);
}

}  // namespace pipelines_q19

DOJO_PROGRAM("pipelines-q19", pipelines_q19::run);
