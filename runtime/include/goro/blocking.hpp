// Calls that block outside goro: an HTTP request, a child process, a file read.
//
//   auto body = goro::blocking([&] { return http_get(url); });
//
// In free mode `blocking(f)` simply calls `f()` on the task's own thread. In a
// deterministic scope, where all tasks share one OS thread, it runs `f()` on a helper thread
// while the task is parked in the state "IO wait"; the other tasks keep running, and the
// scope treats the task as *not durably blocked* (as Go's synctest does): the virtual clock
// does not jump and no deadlock is reported while such a call is in flight — the scheduler
// waits for it in real time. An exception thrown by `f` is rethrown in the task.
//
// Use it only for work that completes by itself. Waiting for another task through anything
// but goro (a raw std::mutex, std::condition_variable, std::this_thread::sleep_for) freezes a
// deterministic scope; goro reports a task that runs for seconds without reaching a goro
// operation. See docs/go-to-cpp.md, "Blocking outside goro".
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "goro/detail/sched.hpp"

namespace goro {

namespace detail {
/// Runs `work` outside the scheduler (see blocking()); rethrows its exception.
void run_external(const std::function<void()>& work, std::source_location loc);
}  // namespace detail

/// Runs `f()`, which may block on something outside goro that completes by itself, and
/// returns its result.
template <class F>
auto blocking(F&& f, std::source_location loc = std::source_location::current()) -> std::invoke_result_t<F> {
  using R = std::invoke_result_t<F>;
  if constexpr (std::is_void_v<R>) {
    detail::run_external([&] { std::forward<F>(f)(); }, loc);
  } else {
    std::optional<R> result;
    detail::run_external([&] { result.emplace(std::forward<F>(f)()); }, loc);
    return std::move(*result);
  }
}

}  // namespace goro
