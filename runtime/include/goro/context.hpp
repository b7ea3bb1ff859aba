// Contexts: Go's `context` package — cancellation, deadlines and request-scoped values that
// flow down a tree of derived contexts.
//
//   auto [ctx, cancel] = goro::with_timeout(goro::background(), 2s);
//   // ... hand ctx to every task doing work for this request ...
//   switch (goro::select(goro::on_recv(results, &r), goro::on_recv(ctx.done()))) {
//     case 0: use(r); break;
//     case 1: return ctx.err();             // Canceled or DeadlineExceeded
//   }
//   cancel();                               // always call it when done: releases the timer
//
// A Context is a copyable handle to an immutable node. Deriving (with_cancel, with_deadline,
// with_timeout, with_value, without_cancel) never changes the parent. Cancelling a context —
// by its CancelFunc, its deadline, or the cancellation of an ancestor — happens once: the
// first cancellation sets err() and the cause and closes done(); later ones do nothing. When
// a CancelFunc returns, the context and every standard descendant are already cancelled (the
// cancellation is propagated synchronously through registered callbacks, never by a task per
// context). CancelFuncs may be called any number of times, from any task.
//
// Who closes what: done() is closed by the context machinery only; never close it yourself.
// Contexts have no blocking operations: to wait for cancellation, receive from done() (in a
// select, next to the operation you are waiting for).
//
// Differences from Go, on purpose:
//   * A default-constructed Context is Go's nil Context: deriving from it panics "cannot
//     create context from nil parent"; calling its methods panics with Go's nil-dereference
//     message.
//   * Keys of with_value are any copyable, equality-comparable C++ type, matched by type AND
//     value (`struct UserKey{...}` plays Go's unexported key type). A non-comparable key type
//     is rejected at compile time ("key is not comparable"). String literals and string_views
//     are stored as std::string keys/values. `nullptr` or a null `const char*` as key panics
//     "nil key". Values are read back with their exact type: `ctx.value<int>(key)`.
//   * Custom contexts derive from ContextImpl (or WrapperContext, Go's "embed a Context").
#pragma once

#include <any>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "goro/chan.hpp"
#include "goro/error.hpp"
#include "goro/panic.hpp"
#include "goro/time.hpp"

namespace goro {

/// Cancels its context (with cause Canceled). Safe to call many times and concurrently.
using CancelFunc = std::function<void()>;
/// Cancels its context with the given cause (nil cause: Canceled). First call wins.
using CancelCauseFunc = std::function<void(Error)>;

/// The type of DeadlineExceeded: it reports timeout() and temporary() as true, like Go's.
struct DeadlineExceededError {
  [[nodiscard]] std::string message() const { return "context deadline exceeded"; }
  [[nodiscard]] bool timeout() const noexcept { return true; }
  [[nodiscard]] bool temporary() const noexcept { return true; }
};

/// err() of a context cancelled by a CancelFunc or by an ancestor's cancellation.
inline const Error Canceled = new_error("context canceled");
/// err() of a context whose deadline passed. `goro::is(err, DeadlineExceeded)` finds it and
/// `goro::as<DeadlineExceededError>(err)->timeout()` is true.
inline const Error DeadlineExceeded = make_error(DeadlineExceededError{});

/// A key being looked up, as a ContextImpl::value implementation sees it: its dynamic type
/// and value. Valid only during the call.
class ContextKey {
 public:
  template <class K>
  explicit ContextKey(const K& key) noexcept : type_(&typeid(K)), ptr_(&key) {}

  [[nodiscard]] const std::type_info& type() const noexcept { return *type_; }
  /// The key if it has exactly type K, else null.
  template <class K>
  [[nodiscard]] const K* get() const noexcept {
    return typeid(K) == *type_ ? static_cast<const K*>(ptr_) : nullptr;
  }
  /// True when the key has type K and equals `k`.
  template <class K>
  [[nodiscard]] bool equals(const K& k) const {
    const K* p = get<K>();
    return p != nullptr && *p == k;
  }

 private:
  const std::type_info* type_;
  const void* ptr_;
};

/// The interface behind a Context; derive from it (or from WrapperContext) to write a custom
/// context (Go: a type implementing context.Context). The observers (done, err, deadline,
/// value, string) may be called with the runtime's lock held, from any thread: they must not
/// block or call blocking goro operations (protect your state with std::mutex or atomics).
class ContextImpl {
 public:
  ContextImpl() = default;
  ContextImpl(const ContextImpl&) = delete;
  ContextImpl& operator=(const ContextImpl&) = delete;
  virtual ~ContextImpl();

  /// A channel closed when the context is cancelled; the nil channel if it never is. Must
  /// return the same channel every time.
  [[nodiscard]] virtual Chan<Unit> done() const = 0;
  /// Nil until done() is closed, then why (Canceled, DeadlineExceeded, ...), forever.
  [[nodiscard]] virtual Error err() const = 0;
  /// The time the context will be cancelled by itself, if any. Same result every time.
  [[nodiscard]] virtual std::optional<Time> deadline() const = 0;
  /// The value stored for `key` (nearest first), or null. The pointee must live as long as
  /// the context. Forward keys you do not know to your parent, if you have one.
  [[nodiscard]] virtual const std::any* value(const ContextKey& key) const = 0;
  /// Go's String(): used in the names of derived contexts. Default: the C++ type name.
  [[nodiscard]] virtual std::string string() const;
  /// Optional, Go's `AfterFunc(func()) func() bool` method (CX-23): arrange for `f` to be
  /// called (from any thread, without the runtime's lock, at most once) after the context
  /// is cancelled, and return a stop function that prevents it and returns true if it did.
  /// Derived contexts register through it instead of watching done(). The default returns
  /// an empty function: not supported.
  [[nodiscard]] virtual std::function<bool()> after_func(std::function<void()> f);
};

/// A context handle. Copies refer to the same context. Default-constructed: the nil Context.
class Context {
 public:
  Context() noexcept = default;
  explicit Context(std::shared_ptr<ContextImpl> impl) noexcept : impl_(std::move(impl)) {}

  /// Closed when the context is cancelled; the nil channel (never ready in a select) for
  /// contexts that cannot be cancelled (background, todo, without_cancel).
  [[nodiscard]] Chan<Unit> done() const { return checked().done(); }
  /// Nil while not cancelled; then Canceled or DeadlineExceeded, never changing again.
  [[nodiscard]] Error err() const { return checked().err(); }
  /// The deadline, if the context (or an ancestor) has one.
  [[nodiscard]] std::optional<Time> deadline() const { return checked().deadline(); }
  /// Go's String(): "context.Background.WithCancel", "...WithDeadline(2000-01-01 ... [1s])".
  [[nodiscard]] std::string string() const { return checked().string(); }

  /// The value stored under `key` by the nearest with_value with an equal key of the same
  /// type; nullopt if there is none, or if the value stored there is not a V (a nil value
  /// stored with `with_value(c, k, nullptr)` hides outer values of k).
  template <class V, class K>
  [[nodiscard]] std::optional<V> value(const K& key) const;

  [[nodiscard]] bool is_nil() const noexcept { return !impl_; }
  explicit operator bool() const noexcept { return static_cast<bool>(impl_); }
  [[nodiscard]] ContextImpl* impl() const noexcept { return impl_.get(); }
  [[nodiscard]] const std::shared_ptr<ContextImpl>& impl_ptr() const noexcept { return impl_; }
  /// Same context (identity).
  friend bool operator==(const Context& a, const Context& b) noexcept { return a.impl_ == b.impl_; }

 private:
  const ContextImpl& checked() const {
    if (!impl_) goro::panic("runtime error: invalid memory address or nil pointer dereference");
    return *impl_;
  }
  std::shared_ptr<ContextImpl> impl_;
};

/// A custom context that forwards everything to an inner context (Go: a struct embedding
/// context.Context). Override what you want to change; call inner() for the rest.
class WrapperContext : public ContextImpl {
 public:
  explicit WrapperContext(Context inner);
  [[nodiscard]] Chan<Unit> done() const override { return inner_.done(); }
  [[nodiscard]] Error err() const override { return inner_.err(); }
  [[nodiscard]] std::optional<Time> deadline() const override { return inner_.deadline(); }
  [[nodiscard]] const std::any* value(const ContextKey& key) const override { return inner_.impl()->value(key); }
  [[nodiscard]] std::string string() const override { return inner_.string(); }
  [[nodiscard]] const Context& inner() const noexcept { return inner_; }

 private:
  Context inner_;
};

/// context.Background: never cancelled, no values, no deadline; the root of every tree.
[[nodiscard]] Context background();
/// context.TODO: like background(), for code not yet given a real context.
[[nodiscard]] Context todo();

/// A child of `parent` with a new done channel, closed when the returned CancelFunc is called
/// or when parent is done, whichever happens first. Panics "cannot create context from nil
/// parent". Call the CancelFunc as soon as the work is done.
[[nodiscard]] std::pair<Context, CancelFunc> with_cancel(const Context& parent);
/// Like with_cancel, but the CancelCauseFunc records a cause, read with cause(ctx).
[[nodiscard]] std::pair<Context, CancelCauseFunc> with_cancel_cause(const Context& parent);
/// A child cancelled at `d` (err DeadlineExceeded), by its CancelFunc or with parent. If the
/// parent's deadline is earlier, this is with_cancel(parent) and reports the parent's. A
/// deadline not in the future gives a context that is already done.
[[nodiscard]] std::pair<Context, CancelFunc> with_deadline(const Context& parent, Time d);
/// Like with_deadline; when the deadline passes, cause(ctx) is `cause` (err is still
/// DeadlineExceeded). The returned CancelFunc does not set the cause.
[[nodiscard]] std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, Time d, Error cause);
/// with_deadline(parent, now() + timeout).
[[nodiscard]] std::pair<Context, CancelFunc> with_timeout(const Context& parent, Duration timeout);
/// with_deadline_cause(parent, now() + timeout, cause).
[[nodiscard]] std::pair<Context, CancelFunc> with_timeout_cause(const Context& parent, Duration timeout, Error cause);
/// A child that is never cancelled (done() nil, err() and cause() nil, no deadline) but sees
/// the parent's values. Panics on a nil parent.
[[nodiscard]] Context without_cancel(const Context& parent);

/// context.Cause: why ctx was cancelled — the cause given to a CancelCauseFunc or a *_cause
/// deadline, else err(); nil while not cancelled. For a custom context that does not wrap a
/// standard one, ctx.err(). Nil for the nil Context.
[[nodiscard]] Error cause(const Context& ctx);

/// context.AfterFunc: runs `f` in a new task once ctx is done (at once, in a new task, if it
/// already is). Returns stop: stop() returns true if it prevented f from running (f then
/// never runs), false if f was already started or stop was already called. Cancellation
/// never waits for f; stop() does not either. Panics on a nil ctx.
std::function<bool()> after_func(const Context& ctx, std::function<void()> f,
                                 std::source_location loc = std::source_location::current());

// ---- with_value ----

namespace detail {

template <class T>
inline constexpr bool is_cstring_v =
    std::is_same_v<std::decay_t<T>, const char*> || std::is_same_v<std::decay_t<T>, char*>;

/// The type a key or value of type T is stored as: C strings and string_views become
/// std::string (Go's string), everything else is kept as is.
template <class T>
using stored_t = std::conditional_t<is_cstring_v<T> || std::is_same_v<std::decay_t<T>, std::string_view>,
                                    std::string, std::remove_cvref_t<T>>;

/// Go's stringify for context names: a string as is, a `.string()` method's result,
/// "<nil>" for nullptr, otherwise the type's name.
template <class T>
std::string stringify(const T& v) {
  if constexpr (std::is_same_v<T, std::nullptr_t>) {
    return "<nil>";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else if constexpr (requires {
                         { v.string() } -> std::convertible_to<std::string>;
                       }) {
    return v.string();
  } else {
    return type_name<T>();
  }
}

[[noreturn]] void panic_nil_parent();

template <class K>
class ValueCtx final : public ContextImpl {
 public:
  ValueCtx(Context parent, K key, std::any val, std::string val_str)
      : parent_(std::move(parent)), key_(std::move(key)), val_(std::move(val)), val_str_(std::move(val_str)) {}
  [[nodiscard]] Chan<Unit> done() const override { return parent_.done(); }
  [[nodiscard]] Error err() const override { return parent_.err(); }
  [[nodiscard]] std::optional<Time> deadline() const override { return parent_.deadline(); }
  [[nodiscard]] const std::any* value(const ContextKey& key) const override {
    if (key.equals(key_)) return &val_;
    return parent_.impl()->value(key);
  }
  [[nodiscard]] std::string string() const override {
    return parent_.string() + ".WithValue(" + stringify(key_) + ", " + val_str_ + ")";
  }

 private:
  Context parent_;
  K key_;
  std::any val_;
  std::string val_str_;
};

}  // namespace detail

/// context.WithValue: a child carrying `key` → `value` (and everything of parent). Lookups
/// compare keys by type and value; the nearest match wins. Panics "cannot create context from
/// nil parent", or "nil key" for a nullptr / null C-string key.
template <class K, class V>
[[nodiscard]] Context with_value(const Context& parent, const K& key, V&& value) {
  using KS = detail::stored_t<K>;
  using VS = detail::stored_t<V>;
  static_assert(!std::is_array_v<KS> && std::equality_comparable<KS>, "key is not comparable");
  static_assert(std::copy_constructible<KS>, "goro::with_value: the key must be copyable");
  if (!parent) detail::panic_nil_parent();
  if constexpr (std::is_same_v<K, std::nullptr_t>) {
    goro::panic("nil key");
  } else {
    if constexpr (std::is_pointer_v<K>) {
      if (key == nullptr) goro::panic("nil key");
    }
    KS k(key);
    std::any v;
    std::string vs;
    if constexpr (detail::is_cstring_v<V>) {
      const char* cs = value;  // decays an array
      if (cs == nullptr) {
        v = nullptr;
        vs = "<nil>";
      } else {
        v = std::string(cs);
        vs = std::string(cs);
      }
    } else {
      VS stored(std::forward<V>(value));
      vs = detail::stringify(stored);
      v = std::move(stored);
    }
    return Context(std::make_shared<detail::ValueCtx<KS>>(parent, std::move(k), std::move(v), std::move(vs)));
  }
}

template <class V, class K>
std::optional<V> Context::value(const K& key) const {
  const ContextImpl& c = checked();
  if constexpr (std::is_same_v<K, std::nullptr_t>) {
    return std::nullopt;
  } else {
    using KS = detail::stored_t<K>;
    const std::any* a = nullptr;
    if constexpr (std::is_same_v<KS, std::remove_cvref_t<K>>) {
      a = c.value(ContextKey(key));
    } else {
      if constexpr (std::is_pointer_v<K>) {
        if (key == nullptr) return std::nullopt;
      }
      KS k(key);
      a = c.value(ContextKey(k));
    }
    if (a == nullptr) return std::nullopt;
    if (const V* p = std::any_cast<V>(a)) return *p;
    return std::nullopt;
  }
}

// ---- hooks for other runtime modules ----
//
// Waiting for "my operation OR ctx cancelled": the simple way is a select with
// `on_recv(ctx.done())` as one case. A primitive with its own wait queue (semaphore,
// errgroup) can instead register a callback that runs, with big_lock() held, the moment ctx
// is cancelled:
//
//   detail::Lock lk(detail::big_lock());
//   if (Error e = detail::err_locked(ctx)) return e;
//   queue my waiter;
//   auto reg = detail::on_cancel_locked(ctx, [&] { waiter.cancelled = true; unpark(waiter.task); });
//   park ...;                 // (catch TaskKilled: dequeue, rethrow — reg unregisters itself)
//   reg.unregister_locked();  // or let it go out of scope while the lock is still held
namespace detail {

struct ChildNode;

/// A callback registered with on_cancel_locked. Move-only. Create, unregister and destroy it
/// with big_lock() held; destroying it unregisters the callback.
class CancelRegistration {
 public:
  CancelRegistration() noexcept = default;
  explicit CancelRegistration(std::shared_ptr<ChildNode> node) noexcept : node_(std::move(node)) {}
  CancelRegistration(CancelRegistration&& o) noexcept : node_(std::move(o.node_)) {}
  CancelRegistration& operator=(CancelRegistration&& o) noexcept;
  CancelRegistration(const CancelRegistration&) = delete;
  CancelRegistration& operator=(const CancelRegistration&) = delete;
  ~CancelRegistration();

  /// big_lock() held. After this the callback will not run (if it has not yet).
  void unregister_locked();
  /// big_lock() held. True once the callback has run.
  [[nodiscard]] bool fired() const noexcept;

 private:
  std::shared_ptr<ChildNode> node_;
};

/// big_lock() held. Arranges for `fn` to run exactly once, with big_lock() held, on the
/// thread that cancels `ctx`, during the cancellation (before the CancelFunc returns), unless
/// the registration is unregistered or destroyed first. If ctx is already done, fn runs
/// before on_cancel_locked returns. If ctx can never be cancelled, fn never runs. `fn` must
/// not block; it may unpark tasks and close channels. Works for custom contexts too (without
/// any extra task).
[[nodiscard]] CancelRegistration on_cancel_locked(const Context& ctx, std::function<void()> fn);

/// ctx.err() / cause(ctx) for callers holding big_lock().
[[nodiscard]] Error err_locked(const Context& ctx);
[[nodiscard]] Error cause_locked(const Context& ctx);

/// For tests (Go's XTest helpers), called without big_lock(): the number of children
/// registered with the standard cancellable context `ctx` reports through (0 if none, or if ctx is not cancellable).
[[nodiscard]] std::size_t registered_children(const Context& ctx);

}  // namespace detail
}  // namespace goro
