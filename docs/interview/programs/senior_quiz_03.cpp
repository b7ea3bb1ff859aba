// senior quiz 3: a typed stage error, wrapped three more times. Does as<StageError> find it?
#include <string>

#include "dojo/interview/program.hpp"
#include "goro/error.hpp"

namespace senior_quiz_03 {

struct StageError {
  std::string stage;
  goro::Error err;
  [[nodiscard]] std::string message() const { return stage + ": " + err.message(); }
  [[nodiscard]] goro::Error unwrap() const { return err; }
};

void run(dojo::interview::Out& out) {
  const goro::Error conflict = goro::new_error("version conflict");
  goro::Error err = goro::make_error(StageError{"transform", conflict});
  for (const char* layer : {"batch 4", "import", "nightly job"}) err = goro::errorf("{}: {:w}", layer, err);
  out.line("message: {}", err);
  const auto se = goro::as<StageError>(err);
  out.line("as<StageError> after three {{:w}} layers: {}", se ? "stage " + se->stage : "not found");
  const goro::Error flattened = goro::errorf("retry: {}", err);  // {} instead of {:w}
  out.line("as<StageError> after one {{}} layer: {}", goro::as<StageError>(flattened) ? "found" : "not found");
}

}  // namespace senior_quiz_03

DOJO_PROGRAM("senior-quiz-03", senior_quiz_03::run);
