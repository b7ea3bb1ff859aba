// Progress: the runtime's count of blocking steps (a task blocked, woke or exited), for checks
// that judge how much work the learner's code did — "almost no channel traffic after an early
// return", "cancel once the pipeline is busy" — by events instead of by time, so that the
// verdict is the same on a busy machine and on an idle one.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "goro/goro.hpp"

namespace dojo::grader {

/// The runtime's progress counter now (it only ever grows).
[[nodiscard]] std::uint64_t progress_now() noexcept;

/// Blocking steps taken while `f()` ran (by every task, the learner's and the grader's).
template <class F>
[[nodiscard]] std::uint64_t steps_of(F&& f) {
  const std::uint64_t before = progress_now();
  std::forward<F>(f)();
  return progress_now() - before;
}

/// What `f()` returned, and the blocking steps taken while it ran (by every task, the
/// learner's and the grader's):
///   auto [r, steps] = dojo::grader::with_steps([&] { return sum(ctx, nums); });
template <class F>
[[nodiscard]] auto with_steps(F&& f) {
  const std::uint64_t before = progress_now();
  auto result = std::forward<F>(f)();
  const std::uint64_t steps = progress_now() - before;
  return std::pair<decltype(result), std::uint64_t>{std::move(result), steps};
}

/// A context that a helper task ("grader: canceller") cancels once the runtime has made
/// `events` blocking steps since this call: a cancellation that arrives while the learner's
/// pipeline is busy, whatever the machine's speed. The helper yields while it waits; in a
/// deterministic scope use Options{.fair = true} so that it gets to run.
[[nodiscard]] std::pair<goro::Context, goro::CancelFunc> cancel_after_events(std::uint64_t events);

}  // namespace dojo::grader
