// Exercise 24 — mini_group. Edit this file, then run: ./dojo grade 24
//
// Your task (the full statement is in README.md): build MiniGroup from goro::WaitGroup,
// goro::Once (or goro::Mutex) and goro::with_cancel_cause — not from goro::ErrGroup.
//   1. Define State: what every copy of one group shares (a counter of running tasks, the first
//      error, and, for a group made by with_context, the function that cancels its context).
//   2. with_context(parent): derive a context that can be cancelled WITH A CAUSE; keep its
//      cancel function in the State; return the group and the context.
//   3. go(f): count the task (before starting it!), then start a task that runs f. If f returns
//      an error and it is the first one, keep it and cancel the context with it as the cause.
//      Then the task counts as finished.
//   4. wait(): block until every task has finished, cancel the context (if there is one), and
//      return the first error (nil if none).
//   5. Read the last section of README.md and answer its questions for yourself.
#include "mini_group.hpp"

namespace dojo::ex24 {

struct MiniGroup::State {
  // your fields here
};

MiniGroup::MiniGroup() : s_(std::make_shared<State>()) {}

std::pair<MiniGroup, goro::Context> MiniGroup::with_context(const goro::Context& parent) {
  return {MiniGroup(), parent};  // replace: a derived context that the group can cancel
}

void MiniGroup::go(std::function<goro::Error()> f) const {
  (void)f;  // replace: count the task, run f in a new task, keep the first error
}

goro::Error MiniGroup::wait() const {
  return goro::new_error("MiniGroup::wait: not implemented yet");  // replace this line with your wait
}

}  // namespace dojo::ex24
