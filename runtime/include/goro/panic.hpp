// Panics: Go's runtime faults as C++ exceptions.
//
// A goro runtime fault (send on a closed channel, closing a channel twice, a negative
// WaitGroup counter, changing an ErrGroup's limit while tasks are active, ...) throws
// `goro::Panic` at the faulting operation, with Go's exact message. Like a Go panic it can be
// caught ("recovered") in the same task — `goro::catch_panic` turns it into a `PanicError`.
// An exception of any type that escapes a task ends the process the way Go does: it prints
// `panic: <message>`, the stacks of the tasks, and exits with code 2.
#pragma once

#include <exception>
#include <string>
#include <vector>

namespace goro {

/// The exception goro throws for a runtime fault, and `goro::panic` throws for user panics.
/// `what()` is the panic value as Go would print it ("send on closed channel").
class Panic : public std::exception {
 public:
  explicit Panic(std::string value);
  [[nodiscard]] const char* what() const noexcept override { return value_.c_str(); }
  [[nodiscard]] const std::string& value() const noexcept { return value_; }
  /// The stack where the panic was raised, innermost first, "function at file:line".
  [[nodiscard]] const std::vector<std::string>& stack() const noexcept { return stack_; }

 private:
  std::string value_;
  std::vector<std::string> stack_;
};

/// Go's `panic(v)`: throws goro::Panic with the given message.
[[noreturn]] void panic(std::string value);

/// The stack of the calling thread, innermost first, as "function at file:line" strings;
/// `skip` drops that many innermost frames.
[[nodiscard]] std::vector<std::string> capture_stack(int skip = 0);

/// The stack recorded when the exception currently being handled was thrown, or, when none
/// was recorded, the stack of the handler. Only meaningful inside a catch block.
[[nodiscard]] std::vector<std::string> current_exception_stack();

}  // namespace goro
