// senior quiz 10: is(joined, ErrSpecific) on a join of 1000 errors. How many comparisons?
#include <memory>
#include <string>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/error.hpp"

namespace senior_quiz_10 {

// An error that counts how often `is` asks it whether it matches the target.
struct CountingError {
  std::shared_ptr<int> asked;
  goro::Error specific;
  bool matches = false;
  [[nodiscard]] std::string message() const { return "item failed"; }
  [[nodiscard]] bool is(const goro::Error& target) const {
    ++*asked;
    return matches && target == specific;
  }
};

void run(dojo::interview::Out& out) {
  const goro::Error specific = goro::new_error("the one we look for");
  auto asked = std::make_shared<int>(0);
  for (const int match_at : {-1, 499, 0}) {
    std::vector<goro::Error> errs;
    for (int i = 0; i < 1000; ++i) errs.push_back(goro::make_error(CountingError{asked, specific, i == match_at}));
    const goro::Error joined = goro::join(errs);
    *asked = 0;
    const bool found = goro::is(joined, specific);
    out.line("match at {}: is = {}, children asked = {}", match_at < 0 ? std::string("none") : std::to_string(match_at),
             found, *asked);
  }
}

}  // namespace senior_quiz_10

DOJO_PROGRAM("senior-quiz-10", senior_quiz_10::run);
