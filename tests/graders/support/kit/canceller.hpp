// Canceller: calls `cancel` once `after` has passed on the runtime's clock (virtual in the
// deterministic runs, so exact there), from a helper task, and records when it did.
//
//   auto [ctx, cancel] = goro::with_cancel(goro::background());
//   dojo::grader::Canceller canceller(cancel, 250ms);
//   auto err = learner_function(ctx, ...);
//   canceller.join();                        // stops it if it has not fired; waits for it
//   if (canceller.fired()) ... canceller.began() ...
//
// join() (or the destructor, which does not wait) stops the helper early, so it is never
// mistaken for a task the learner's code left behind. Call join() before reading the record.
// On real threads the helper may run late on a busy machine: a check that needs the
// cancellation to come while the learner's code is busy should cancel on an event instead
// (cancel_after_events, or from inside the grader's work function).
#pragma once

#include <memory>

#include "goro/goro.hpp"

namespace dojo::grader {

class Canceller {
 public:
  Canceller(goro::CancelFunc cancel, goro::Duration after);
  Canceller(const Canceller&) = delete;
  Canceller& operator=(const Canceller&) = delete;
  ~Canceller();

  /// Stops the helper if it has not cancelled yet, and waits for it to exit.
  void join();

  /// After join(): whether it cancelled, and when the call to cancel began and ended.
  [[nodiscard]] bool fired() const;
  [[nodiscard]] goro::Time began() const;
  [[nodiscard]] goro::Time ended() const;

 private:
  struct State;
  std::shared_ptr<State> s_;
  bool joined_ = false;
};

}  // namespace dojo::grader
