// Errors: Go's `error` values, `errors` package and `fmt.Errorf`, as C++ values.
//
// A goro::Error is either nil (no error: the default-constructed value) or a shared pointer to an
// immutable error node. Copying an Error copies the pointer, so errors are cheap to pass around and
// safe to share between threads. Two Errors are equal when they point at the same node, exactly like
// comparing two Go error values that hold the same pointer: the message text never matters.
//
// An error may wrap other errors, which makes every error the root of a tree:
//
//   * a node made by `errorf` with one `{:w}` wraps one error (`unwrap` returns it);
//   * a node made by `errorf` with several `{:w}`, or by `join`, wraps a list of errors;
//   * a typed error (`make_error`) wraps whatever its `unwrap()` member returns, if it has one.
//
// `is` and `as` search that tree depth-first in pre-order: first the error itself, then each child's
// whole subtree, left to right. Nil children are skipped.
//
//   inline const goro::Error ErrNotFound = goro::new_error("not found");   // a sentinel
//
//   goro::Error load(const std::string& key) {
//     if (auto err = fetch(key)) return goro::errorf("load {}: {:w}", key, err);
//     return {};                                                            // nil: success
//   }
//   if (goro::is(load("k"), ErrNotFound)) { ... }
#pragma once

#include "goro/detail/fmt.hpp"

#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace goro {

namespace detail {
class ErrorNode;
}  // namespace detail

/// An error value. The default-constructed Error is nil and means success.
class Error {
 public:
  /// The nil error.
  constexpr Error() noexcept = default;
  /// An error backed by `node`; a null `node` gives nil. Normally use new_error, errorf, join or
  /// make_error instead.
  explicit Error(std::shared_ptr<const detail::ErrorNode> node) noexcept : node_(std::move(node)) {}

  /// True when an error is present (the error is not nil).
  explicit operator bool() const noexcept { return node_ != nullptr; }

  /// The error text (Go's `Error()`); "<nil>" for the nil error.
  [[nodiscard]] std::string message() const;

  /// The node behind the error; null for nil.
  [[nodiscard]] const detail::ErrorNode* node() const noexcept { return node_.get(); }

  /// The value of this very error if it was made by `make_error<T>`, else null. Does not look at
  /// wrapped errors (use `as<T>` for that); meant for shallow checks such as a custom `is` member.
  template <class T>
  [[nodiscard]] const T* get_if() const noexcept;

  /// Identity: true when both are nil or both refer to the same node. Never compares messages or
  /// typed values.
  friend bool operator==(const Error& a, const Error& b) noexcept { return a.node_ == b.node_; }

 private:
  std::shared_ptr<const detail::ErrorNode> node_;
};

/// Writes `err.message()`.
std::ostream& operator<<(std::ostream& os, const Error& err);

/// A type usable with make_error and as<T>: a copyable class with `std::string message() const`.
/// It may also have one of
///   `Error unwrap() const`              — wraps one error (may return nil: wraps nothing);
///   `std::vector<Error> unwrap() const` — wraps several (nil entries are skipped);
/// and optionally
///   `bool is(const Error& target) const` — extra matches for `is` (compare shallowly: do not
///                                          unwrap `target`);
///   `bool as(goro::AsTarget& target) const` — extra matches for `as` (see AsTarget).
template <class T>
concept TypedError = std::is_class_v<T> && std::same_as<T, std::remove_cvref_t<T>> &&
                     !std::same_as<T, Error> && std::copy_constructible<T> &&
                     requires(const T& v) {
                       { v.message() } -> std::convertible_to<std::string>;
                     };

/// The destination of an `as` search, handed to a typed error's `as` member. The member offers a
/// value with `set`; the search stops at the first node whose `as` member returns true after a
/// successful `set`.
class AsTarget {
 public:
  /// Used by goro::as; binds the target to `slot`.
  template <class T>
  explicit AsTarget(std::optional<T>& slot) noexcept
      : type_(&typeid(T)), slot_(&slot), copy_(+[](void* s, const void* v) {
          static_cast<std::optional<T>*>(s)->emplace(*static_cast<const T*>(v));
        }) {}

  /// True when the search is looking for a `U`.
  template <class U>
  [[nodiscard]] bool wants() const noexcept {
    return typeid(U) == *type_;
  }

  /// Stores `value` and returns true when the search is looking for its type; else returns false and
  /// stores nothing.
  template <class U>
  bool set(U&& value) {
    using V = std::remove_cvref_t<U>;
    if (!wants<V>()) return false;
    static_cast<std::optional<V>*>(slot_)->emplace(std::forward<U>(value));
    filled_ = true;
    return true;
  }

  /// The type being searched for.
  [[nodiscard]] const std::type_info& type() const noexcept { return *type_; }
  /// True once a value has been stored.
  [[nodiscard]] bool filled() const noexcept { return filled_; }
  /// Copies `*value`, an object of type type(), into the target (used by the search).
  void set_copy(const void* value) {
    copy_(slot_, value);
    filled_ = true;
  }

 private:
  const std::type_info* type_;
  void* slot_;
  void (*copy_)(void*, const void*);
  bool filled_ = false;
};

namespace detail {

/// Base of all error nodes. Nodes are immutable once built.
class ErrorNode {
 public:
  ErrorNode() = default;
  ErrorNode(const ErrorNode&) = delete;
  ErrorNode& operator=(const ErrorNode&) = delete;
  virtual ~ErrorNode();

  [[nodiscard]] virtual std::string message() const = 0;
  /// The single wrapped error, or nil (also nil for nodes that wrap a list).
  [[nodiscard]] virtual Error unwrap() const;
  /// The wrapped list, for nodes that wrap several errors; empty otherwise.
  [[nodiscard]] virtual std::vector<Error> unwrap_multi() const;
  /// Custom match hook for goro::is.
  [[nodiscard]] virtual bool is(const Error& target) const;
  /// Custom match hook for goro::as.
  [[nodiscard]] virtual bool as(AsTarget& target) const;
  /// The typed value if it has exactly type `type`, else null.
  [[nodiscard]] virtual const void* payload(const std::type_info& type) const noexcept;
};

template <class T>
concept UnwrapsOne = requires(const T& v) {
  { v.unwrap() } -> std::convertible_to<Error>;
};
template <class T>
concept UnwrapsMany = requires(const T& v) {
  { v.unwrap() } -> std::convertible_to<std::vector<Error>>;
};
template <class T>
concept HasIs = requires(const T& v, const Error& target) {
  { v.is(target) } -> std::convertible_to<bool>;
};
template <class T>
concept HasAs = requires(const T& v, AsTarget& target) {
  { v.as(target) } -> std::convertible_to<bool>;
};

template <class T>
class TypedNode final : public ErrorNode {
 public:
  explicit TypedNode(T value) : value_(std::move(value)) {}

  [[nodiscard]] std::string message() const override { return std::string(value_.message()); }
  [[nodiscard]] Error unwrap() const override {
    if constexpr (UnwrapsOne<T>) {
      return value_.unwrap();
    } else {
      return Error{};
    }
  }
  [[nodiscard]] std::vector<Error> unwrap_multi() const override {
    if constexpr (UnwrapsMany<T>) {
      return value_.unwrap();
    } else {
      return {};
    }
  }
  [[nodiscard]] bool is(const Error& target) const override {
    if constexpr (HasIs<T>) {
      return static_cast<bool>(value_.is(target));
    } else {
      return false;
    }
  }
  [[nodiscard]] bool as(AsTarget& target) const override {
    if constexpr (HasAs<T>) {
      return static_cast<bool>(value_.as(target));
    } else {
      return false;
    }
  }
  [[nodiscard]] const void* payload(const std::type_info& type) const noexcept override {
    return type == typeid(T) ? &value_ : nullptr;
  }

 private:
  T value_;
};

/// Pre-order search used by goro::as; fills `target` and returns true on the first match.
bool find_as(const Error& err, AsTarget& target);

// errorf plumbing: every Error argument is handed to fmt as a WrapSlot that knows its argument
// index and records each `{:w}` use into the marks of the errorf call in progress.
struct WrapMark {
  std::size_t index;
  const Error* err;
};
struct WrapSlot {
  const Error* err;
  std::size_t index;
  std::vector<WrapMark>* marks;
};

template <class A>
decltype(auto) errorf_arg(const A& arg, std::size_t index, std::vector<WrapMark>* marks) {
  if constexpr (std::is_same_v<A, Error>) {
    return WrapSlot{&arg, index, marks};
  } else {
    return (arg);
  }
}

/// Builds the error for an errorf call from its text and the `{:w}` uses, in format-string order.
[[nodiscard]] Error make_errorf(std::string text, std::vector<WrapMark> marks);

/// Parses the format spec shared by Error and WrapSlot: empty or "w".
struct ErrorSpec {
  bool wrap = false;
  template <class ParseContext>
  constexpr auto parse(ParseContext& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it == 'w') {
      wrap = true;
      ++it;
    }
    if (it != ctx.end() && *it != '}') throw fmt::format_error("goro::Error: format spec must be {} or {:w}");
    return it;
  }
};

inline constexpr const char* kNilWrap = "%!w(<nil>)";

}  // namespace detail

template <class T>
const T* Error::get_if() const noexcept {
  return node_ ? static_cast<const T*>(node_->payload(typeid(T))) : nullptr;
}

/// errors.New: a new error with the given text. Every call makes a distinct error, even for equal
/// texts, so a sentinel is a named constant compared by identity:
///   `inline const goro::Error ErrClosed = goro::new_error("closed");`
[[nodiscard]] Error new_error(std::string message);

/// fmt.Errorf: formats with fmt and returns a new error with that text.
///
/// `{:w}` on an Error argument formats it like `{}` and marks it wrapped:
///   * no `{:w}`: the result wraps nothing (like new_error);
///   * exactly one `{:w}`: the result wraps that error; `unwrap` returns it;
///   * two or more `{:w}`: the result wraps a list (`unwrap` returns nil, `unwrap_all` the list)
///     holding the marked arguments in argument-index order, each argument once, whatever their
///     order in the text (use positional fields such as `{1:w} {0:w}` to reorder the text).
/// A nil Error under `{:w}` prints "%!w(<nil>)" and is not wrapped (it still counts as a `{:w}`).
/// `{:w}` on anything other than an Error is rejected at compile time (a format_error at run time for
/// fmt::runtime format strings).
template <class... Args>
[[nodiscard]] Error errorf(fmt::format_string<Args...> format, Args&&... args) {
  std::vector<detail::WrapMark> marks;
  std::string text = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return fmt::vformat(fmt::string_view(format), fmt::make_format_args(detail::errorf_arg(args, I, &marks)...));
  }(std::index_sequence_for<Args...>{});
  return detail::make_errorf(std::move(text), std::move(marks));
}

/// errors.Is: whether `err` or any error in its tree matches `target`. A node matches when it is
/// `target` (identity) or its custom `is` member returns true. The tree is walked depth-first in
/// pre-order; `target` itself is never unwrapped. If either side is nil the result is `err == target`
/// (so is(nil, nil) is true and is(nil, x) / is(x, nil) are false).
[[nodiscard]] bool is(const Error& err, const Error& target);

/// errors.As / errors.AsType: the first error in the tree of `err` (depth-first pre-order) that is a
/// `T` made by make_error<T>, or whose custom `as` member supplies a `T`; nullopt if none or if `err`
/// is nil. `as<Error>` returns `err` itself when it is not nil. The value is returned by copy.
template <class T>
  requires(TypedError<T> || std::same_as<T, Error>)
[[nodiscard]] std::optional<T> as(const Error& err) {
  std::optional<T> out;
  if constexpr (std::same_as<T, Error>) {
    if (err) out = err;
  } else {
    AsTarget target(out);
    if (!detail::find_as(err, target)) out.reset();
  }
  return out;
}

/// errors.Unwrap: the single error `err` wraps, one level down. Nil when `err` is nil, wraps
/// nothing, or wraps a list (join, errorf with several `{:w}`).
[[nodiscard]] Error unwrap(const Error& err);

/// The errors `err` wraps one level down, single or list, nil entries left out; empty when nil.
[[nodiscard]] std::vector<Error> unwrap_all(const Error& err);

/// errors.Join: an error wrapping the non-nil `errs`, in order; nil when all are nil (or none given).
/// Its message is the messages joined by "\n". Joined errors are never flattened: a join inside a
/// join stays one child.
[[nodiscard]] Error join(std::initializer_list<Error> errs);
[[nodiscard]] Error join(const std::vector<Error>& errs);
template <class... E>
  requires(std::same_as<E, Error> && ...)
[[nodiscard]] Error join(const E&... errs) {
  return join(std::initializer_list<Error>{errs...});
}

/// A typed error holding `value` (Go: returning a value of a custom error type). Each call makes a
/// distinct error (identity, like a pointer error in Go); `as<T>` finds it by type and returns a copy;
/// `err.get_if<T>()` reads it without unwrapping.
template <TypedError T>
[[nodiscard]] Error make_error(T value) {
  return Error(std::make_shared<const detail::TypedNode<T>>(std::move(value)));
}

}  // namespace goro

/// `{}` prints the message ("<nil>" for nil); `{:w}` prints the same, "%!w(<nil>)" for nil, and
/// inside errorf marks the argument as wrapped. No other spec is accepted.
template <>
struct fmt::formatter<goro::Error> : goro::detail::ErrorSpec {
  template <class FormatContext>
  auto format(const goro::Error& err, FormatContext& ctx) const -> decltype(ctx.out()) {
    if (wrap && !err) return fmt::format_to(ctx.out(), "{}", goro::detail::kNilWrap);
    return fmt::format_to(ctx.out(), "{}", err.message());
  }
};

template <>
struct fmt::formatter<goro::detail::WrapSlot> : goro::detail::ErrorSpec {
  template <class FormatContext>
  auto format(const goro::detail::WrapSlot& slot, FormatContext& ctx) const -> decltype(ctx.out()) {
    if (wrap) slot.marks->push_back({slot.index, slot.err});
    if (wrap && !*slot.err) return fmt::format_to(ctx.out(), "{}", goro::detail::kNilWrap);
    return fmt::format_to(ctx.out(), "{}", slot.err->message());
  }
};
