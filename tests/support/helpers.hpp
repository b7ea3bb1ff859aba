// Small helpers the runtime's test files share.
#pragma once

#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "goro/goro.hpp"

namespace goro_test {

/// True if `ch` can be received from right now (a value, or closed); never blocks.
template <class T>
bool ready_now(const goro::Chan<T>& ch) {
  return goro::select(goro::on_recv(ch), goro::on_default()) == 0;
}

/// True if `ctx` is cancelled right now; never blocks.
inline bool is_done(const goro::Context& ctx) { return ready_now(ctx.done()); }

/// Go's `defer close(out)`: closes the channel when the scope ends, however it ends.
template <class T>
struct CloseOnExit {
  goro::Chan<T> ch;
  ~CloseOnExit() { ch.close(); }
};

/// A failure attributed to a pipeline stage: "<stage>: <err>", unwrapping to err.
struct StageError {
  std::string stage;
  goro::Error err;
  [[nodiscard]] std::string message() const { return stage + ": " + err.message(); }
  [[nodiscard]] goro::Error unwrap() const { return err; }
};

/// The value of the goro::Panic thrown by `f`; nullopt if it did not panic.
template <class F>
std::optional<std::string> caught_panic(F&& f) {
  try {
    f();
  } catch (const goro::Panic& p) {
    return p.value();
  }
  return std::nullopt;
}

/// The value of the goro::Panic thrown by `f`, or "" if it did not panic.
template <class F>
std::string panic_value(F&& f) {
  return caught_panic(std::forward<F>(f)).value_or("");
}

/// The same, or "<no panic>" (for checks that compare it with the message expected).
template <class F>
std::string panic_message(F&& f) {
  return caught_panic(std::forward<F>(f)).value_or("<no panic>");
}

/// The whole content of the file at `path` ("" if it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace goro_test
