// sync.Once, sync.OnceFunc and sync.OnceValue.
//
//   goro::Once once;
//   once.call([] { init_config(); });   // Go's once.Do(f)
//
// `call(f)` runs `f` the first time it is called on this Once and never again. Every call
// returns only after that first `f` has finished: a task arriving while `f` runs parks (shown as
// [sync.Once.Do]) until it ends. If `f` panics (throws), the Once still counts as done: the panic
// propagates out of that one call, the waiting calls return normally, and `f` is not run again.
// Calling `call` on the same Once from inside `f` deadlocks, as in Go.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

#include "goro/detail/sched.hpp"
#include "goro/detail/waitq.hpp"

namespace goro {

class Once final : public detail::Waitable {
 public:
  Once();
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;
  ~Once() override;

  /// Runs `f` if no call of this Once has run it yet; waits for a running `f` otherwise.
  template <class F>
  void call(F&& f, std::source_location loc = std::source_location::current()) {
    if (!begin(loc)) return;
    struct Finish {
      Once* self;
      ~Finish() { self->finish(); }
    } finish{this};
    std::forward<F>(f)();
  }

  /// True once `f` has returned or thrown.
  [[nodiscard]] bool done() const;

  /// "sync.Once #5 (running f, 3 waiting)".
  [[nodiscard]] std::string describe() const override;

 private:
  /// True if the caller must run f; false (after waiting if needed) if f is done.
  bool begin(std::source_location loc);
  void finish() noexcept;

  const std::uint64_t id_;
  bool done_ = false;       // guarded by big_lock()
  bool running_ = false;    // guarded by big_lock()
  std::atomic<bool> done_flag_{false};  // done_, readable without the lock
  detail::WaitQueue waiters_;
};

/// Go 1.21 sync.OnceFunc: a function that calls `f` only the first time it is called; every
/// call returns after that first call finished. If `f` panics, every call (the first and all
/// later ones) rethrows that same exception. The returned function is copyable; copies share
/// the one state.
template <class F>
[[nodiscard]] std::function<void()> once_func(F&& f) {
  struct State {
    Once once;
    std::decay_t<F> fn;
    std::exception_ptr panic;
    explicit State(std::decay_t<F> g) : fn(std::move(g)) {}
  };
  auto st = std::make_shared<State>(std::forward<F>(f));
  return [st] {
    st->once.call([&] {
      try {
        st->fn();
      } catch (...) {
        st->panic = std::current_exception();
        throw;
      }
    });
    // After call returns every write made inside it is visible (big_lock orders them).
    if (st->panic) std::rethrow_exception(st->panic);
  };
}

/// Go 1.21 sync.OnceValue: a function that calls `f` only the first time and returns its
/// result (a copy) on every call. If `f` panics, every call rethrows that same exception.
/// For Go's OnceValues, return a std::pair or std::tuple (e.g. a value and a goro::Error).
template <class F, class T = std::decay_t<std::invoke_result_t<std::decay_t<F>&>>>
[[nodiscard]] std::function<T()> once_value(F&& f) {
  struct State {
    Once once;
    std::decay_t<F> fn;
    std::optional<T> value;
    std::exception_ptr panic;
    explicit State(std::decay_t<F> g) : fn(std::move(g)) {}
  };
  auto st = std::make_shared<State>(std::forward<F>(f));
  return [st]() -> T {
    st->once.call([&] {
      try {
        st->value.emplace(st->fn());
      } catch (...) {
        st->panic = std::current_exception();
        throw;
      }
    });
    if (st->panic) std::rethrow_exception(st->panic);
    return *st->value;
  };
}

}  // namespace goro
