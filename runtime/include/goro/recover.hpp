// Recovering panics into errors: the one explicit place where goro turns a panic into a value.
//
// In Go, a panic that escapes a goroutine ends the process, and goro does the same for an
// exception that escapes a task. Code that deliberately wants to keep running after a panic in
// some piece of work (a request handler, a plugin, a conc-style RecoveringGroup) wraps that work
// in `catch_panic`, which is Go's `defer func() { if r := recover(); r != nil { ... } }()`:
//
//   goro::Error err = goro::catch_panic([&] { return risky(); });
//   if (auto p = goro::as<goro::PanicError>(err)) log(p->value, p->stack);
//
// Only the work inside the call is covered; nothing is recovered silently anywhere else.
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "goro/detail/sched.hpp"
#include "goro/error.hpp"
#include "goro/panic.hpp"

namespace goro {

/// A recovered panic as a typed error. `value` is the panic value as Go would print it after
/// "panic: " ("boom", or "disk full (std::runtime_error)" for a C++ exception); `stack` is where
/// it was raised, innermost frame first.
struct PanicError {
  std::string value;
  std::vector<std::string> stack;

  /// "panic: <value>" — the stack is not part of the text; read `stack` for it.
  [[nodiscard]] std::string message() const { return "panic: " + value; }
  /// The stack as one string, one indented frame a line (empty when no stack was recorded).
  [[nodiscard]] std::string stack_string() const {
    std::string out;
    for (const auto& f : stack) out += "    " + f + "\n";
    return out;
  }
};

namespace detail {
/// The PanicError for the exception being handled (call only inside a catch block). A
/// detail::TaskKilled is rethrown: a task released by a leak check must keep unwinding.
[[nodiscard]] PanicError panic_error_from_current_exception();
}  // namespace detail

/// Runs `f()` and recovers any panic it raises. Returns:
///   * the Error `f` returned, if `f` returns a goro::Error and does not panic;
///   * nil, if `f` returns anything else (the value is discarded) and does not panic;
///   * an error holding a PanicError, if `f` threw — a goro::Panic (its value and stack) or any
///     other C++ exception ("what() (type)" and the stack at the throw).
/// The one exception never caught is the internal signal that unwinds a task released by a
/// leak check.
template <class F>
[[nodiscard]] Error catch_panic(F&& f) {
  try {
    if constexpr (std::is_convertible_v<std::invoke_result_t<F&>, Error>) {
      return Error(std::forward<F>(f)());
    } else {
      (void)std::forward<F>(f)();
      return Error{};
    }
  } catch (...) {
    return make_error(detail::panic_error_from_current_exception());
  }
}

}  // namespace goro
