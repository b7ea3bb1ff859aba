// senior quiz 8: each task writes its own result[i]; the caller reads the slice after wait.
// Is that safe?
#include <string>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"

namespace senior_quiz_08 {

void run(dojo::interview::Out& out) {
  std::vector<int> result(6, -1);
  goro::ErrGroup g;
  for (std::size_t i = 0; i < result.size(); ++i) {
    g.go([i, &result] {
      result[i] = static_cast<int>(i * i);  // a slot no other task touches
      return goro::Error{};
    });
  }
  const goro::Error err = g.wait();  // orders every write before this point
  std::string text;
  for (int v : result) text += (text.empty() ? "" : " ") + std::to_string(v);
  out.line("wait returned {}; result = [{}]", err, text);
}

}  // namespace senior_quiz_08

DOJO_PROGRAM("senior-quiz-08", senior_quiz_08::run);
