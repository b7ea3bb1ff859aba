// pipelines Q12: the loop variable and the task closure (Go before 1.22), in C++ terms.
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q12 {

void run(dojo::interview::Out& out) {
  const std::vector<int> items{10, 20, 30, 40, 50};
  goro::Mutex mu;
  std::vector<int> seen;
  goro::ErrGroup g;
  for (int item : items) {
    g.go([item, &mu, &seen] {  // `item` by value: each task gets its own copy
      const std::lock_guard lk(mu);
      seen.push_back(item);
      return goro::Error{};
    });
  }
  const goro::Error err = g.wait();
  std::sort(seen.begin(), seen.end());
  std::string text;
  for (int v : seen) text += (text.empty() ? "" : " ") + std::to_string(v);
  out.line("wait returned {}; items processed: {}", err, text);
}

}  // namespace pipelines_q12

DOJO_PROGRAM("pipelines-q12", pipelines_q12::run);
