// Result<T>: Go's `(T, error)` return pair as one value.
//
// A Result holds either a T (success) or a non-nil goro::Error (failure), never both and never
// neither. Functions that can only fail return a plain goro::Error instead of a Result<void>.
//
//   goro::Result<int> parse(std::string_view s) {
//     if (s.empty()) return goro::errorf("parse: empty input");
//     return 42;
//   }
//   auto [n, err] = parse(text);            // Go style: n is int{} when err is not nil
//   if (err) return goro::errorf("config: {:w}", err);
//
// Misuse (building a Result from a nil Error, reading the value of a failed Result) throws
// std::logic_error: a programming error, not an error value.
#pragma once

#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "goro/error.hpp"

namespace goro {

template <class T>
class [[nodiscard]] Result {
  static_assert(std::is_object_v<T> && !std::is_array_v<T>, "Result<T>: T must be an object type");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> makes no sense: return Error");

 public:
  using value_type = T;

  /// Success holding a T built from `value` (implicit when U converts to T: `return 42;`).
  template <class U = T>
    requires(std::constructible_from<T, U &&> && !std::same_as<std::remove_cvref_t<U>, Result> &&
             !std::same_as<std::remove_cvref_t<U>, Error>)
  explicit(!std::is_convertible_v<U&&, T>) Result(U&& value)
      : state_(std::in_place_index<0>, std::forward<U>(value)) {}

  /// Failure. `err` must not be nil: a nil error here throws std::logic_error.
  Result(Error err) : state_(std::in_place_index<1>, std::move(err)) {  // NOLINT(google-explicit-constructor)
    if (!std::get<1>(state_)) {
      throw std::logic_error("goro::Result: constructed from a nil Error (a Result holds a value or a non-nil error)");
    }
  }

  /// True when the Result holds a value.
  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// The value; throws std::logic_error naming the error when the Result holds an error.
  [[nodiscard]] T& value() & {
    check();
    return std::get<0>(state_);
  }
  [[nodiscard]] const T& value() const& {
    check();
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && {
    check();
    return std::get<0>(std::move(state_));
  }

  /// Same as value() (checked).
  [[nodiscard]] T& operator*() & { return value(); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] T&& operator*() && { return std::move(*this).value(); }
  [[nodiscard]] T* operator->() { return &value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }

  /// The error; nil when the Result holds a value.
  [[nodiscard]] Error error() const { return ok() ? Error{} : std::get<1>(state_); }

  /// The value, or `fallback` converted to T when the Result holds an error.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) && {
    return ok() ? std::get<0>(std::move(state_)) : static_cast<T>(std::forward<U>(fallback));
  }

  /// Tuple protocol for `auto [value, err] = result;`: element 0 is the value (T{} when the Result
  /// holds an error), element 1 the error (nil on success). Needs a default-constructible T.
  template <std::size_t I>
    requires(I < 2 && std::default_initializable<T>)
  [[nodiscard]] auto get() const& -> std::conditional_t<I == 0, T, Error> {
    if constexpr (I == 0) {
      return ok() ? std::get<0>(state_) : T{};
    } else {
      return error();
    }
  }
  template <std::size_t I>
    requires(I < 2 && std::default_initializable<T>)
  [[nodiscard]] auto get() && -> std::conditional_t<I == 0, T, Error> {
    if constexpr (I == 0) {
      return ok() ? std::get<0>(std::move(state_)) : T{};
    } else {
      return error();
    }
  }

 private:
  void check() const {
    if (!ok()) {
      throw std::logic_error(
          fmt::format("goro::Result::value: the result holds an error: {}", std::get<1>(state_)));
    }
  }

  std::variant<T, Error> state_;
};

}  // namespace goro

template <class T>
  requires std::default_initializable<T>
struct std::tuple_size<goro::Result<T>> : std::integral_constant<std::size_t, 2> {};

template <class T>
struct std::tuple_element<0, goro::Result<T>> {
  using type = T;
};
template <class T>
struct std::tuple_element<1, goro::Result<T>> {
  using type = goro::Error;
};
