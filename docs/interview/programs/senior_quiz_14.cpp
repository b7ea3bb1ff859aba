// senior quiz 14: the circuit breaker is open and a task calls through it. What does the task
// experience?
#include <functional>
#include <mutex>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/mutex.hpp"

namespace senior_quiz_14 {

// A breaker that opens after `threshold` failures in a row (no cool-down in this sketch).
class Breaker {
 public:
  Breaker(int threshold, goro::Error open_error) : threshold_(threshold), open_error_(open_error) {}

  goro::Error call(const std::function<goro::Error()>& fn) {
    {
      std::lock_guard lk(mu_);
      if (open_) return open_error_;  // fail fast: fn is not called
    }
    const goro::Error err = fn();
    std::lock_guard lk(mu_);
    if (!err) {
      failures_ = 0;
    } else if (++failures_ >= threshold_) {
      open_ = true;
    }
    return err;
  }

 private:
  goro::Mutex mu_;
  const int threshold_;
  const goro::Error open_error_;
  int failures_ = 0;
  bool open_ = false;
};

void run(dojo::interview::Out& out) {
  const goro::Error unavailable = goro::new_error("503 service unavailable");
  const goro::Error circuit_open = goro::new_error("circuit open");
  Breaker breaker(3, circuit_open);
  int calls = 0;  // only touched inside fn, which runs only while the breaker is closed
  auto dependency = [&calls, unavailable] {
    ++calls;
    return unavailable;
  };
  for (int i = 1; i <= 3; ++i) out.line("call {}: {}", i, breaker.call(dependency));
  goro::ErrGroup g;
  std::vector<goro::Error> seen(4);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    g.go([i, &seen, &breaker, &dependency] {
      seen[i] = breaker.call(dependency);
      return goro::Error{};
    });
  }
  (void)g.wait();
  int fast = 0;
  for (const auto& e : seen) fast += e == circuit_open ? 1 : 0;
  out.line("4 concurrent calls while open: {} got circuit open", fast);
  out.line("the dependency was called {} times", calls);
}

}  // namespace senior_quiz_14

DOJO_PROGRAM("senior-quiz-14", senior_quiz_14::run);
