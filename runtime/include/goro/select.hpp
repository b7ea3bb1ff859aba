// select: wait on several channel operations, complete exactly one.
//
//   switch (goro::select(goro::on_send(out, v), goro::on_recv(ctx.done()))) {
//     case 0: break;                 // v was sent
//     case 1: return ctx.err();      // cancelled first
//   }
//
// `select` returns the index of the case that completed. If several cases are ready it
// picks one uniformly at random; if none is ready it blocks until one is — unless an
// `on_default()` case is present, which is then chosen at once. Cases on nil channels are
// never ready (setting a channel to nil disables its case); a select with no cases, or
// only nil cases and no default, blocks forever. Receive cases can store the value (and
// ok) through pointers, or run a handler; a handler of the chosen case runs after the
// communication, outside any lock. A send case panics "send on closed channel" when its
// channel is closed, as in Go.
//
// As in Go, every channel and every value to send is evaluated once, when the cases are
// built (the arguments of select), whether or not that case is chosen.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <source_location>
#include <tuple>
#include <utility>
#include <vector>

#include "goro/chan.hpp"

namespace goro {

template <class T>
class RecvCase {
 public:
  RecvCase(Chan<T> ch, T* out, bool* ok, std::function<void(T, bool)> fn, std::source_location loc)
      : ch_(std::move(ch)), out_(out), ok_out_(ok), fn_(std::move(fn)), loc_(loc) {}

  // ---- the select protocol (big_lock held unless noted) ----
  [[nodiscard]] bool nil() const noexcept { return ch_.is_nil(); }
  bool try_now() { return ch_.state()->try_recv(&slot_, ok_, msg_); }
  void enqueue(detail::Sudog& s) {
    s.elem = &slot_;
    ch_.state()->recvq().push(&s);
  }
  void dequeue(detail::Sudog& s) { ch_.state()->recvq().remove(&s); }
  void woken(const detail::Sudog& s) {
    ok_ = s.ok;
    msg_ = s.msg;
  }
  void trace(const detail::Task& t) const {
    detail::trace_chan_recv(t, ch_.state()->id(), msg_, ok_, ok_ && slot_ ? detail::preview(*slot_) : "", loc_);
  }
  /// Lock released: deliver the result.
  void finish() {
    T v = ok_ && slot_ ? std::move(*slot_) : T{};
    if (ok_out_ != nullptr) *ok_out_ = ok_;
    if (fn_) {
      if (out_ != nullptr) *out_ = v;
      fn_(std::move(v), ok_);
    } else if (out_ != nullptr) {
      *out_ = std::move(v);
    }
  }
  [[nodiscard]] const std::source_location& where() const noexcept { return loc_; }
  [[nodiscard]] const detail::Waitable* object() const noexcept { return ch_.state(); }

 private:
  Chan<T> ch_;
  T* out_;
  bool* ok_out_;
  std::function<void(T, bool)> fn_;
  std::source_location loc_;
  std::optional<T> slot_;
  bool ok_ = false;
  std::uint64_t msg_ = 0;
};

template <class T>
class SendCase {
 public:
  SendCase(Chan<T> ch, T v, std::function<void()> fn, std::source_location loc)
      : ch_(std::move(ch)), v_(std::move(v)), fn_(std::move(fn)), loc_(loc) {}

  [[nodiscard]] bool nil() const noexcept { return ch_.is_nil(); }
  bool try_now() {
    msg_ = detail::next_msg_id();
    preview_ = msg_ != 0 ? detail::preview(v_) : std::string();
    return ch_.state()->try_send(v_, msg_);
  }
  void enqueue(detail::Sudog& s) {
    s.elem = &v_;
    s.msg = msg_;
    ch_.state()->sendq().push(&s);
  }
  void trace(const detail::Task& t) const {
    if (!closed_) detail::trace_chan_send(t, ch_.state()->id(), msg_, preview_, loc_);
  }
  void dequeue(detail::Sudog& s) { ch_.state()->sendq().remove(&s); }
  void woken(const detail::Sudog& s) { closed_ = s.closed; }
  void finish() {
    if (closed_) goro::panic("send on closed channel");
    if (fn_) fn_();
  }
  [[nodiscard]] const std::source_location& where() const noexcept { return loc_; }
  [[nodiscard]] const detail::Waitable* object() const noexcept { return ch_.state(); }

 private:
  Chan<T> ch_;
  T v_;
  std::function<void()> fn_;
  std::source_location loc_;
  bool closed_ = false;
  std::uint64_t msg_ = 0;
  std::string preview_;
};

class DefaultCase {
 public:
  explicit DefaultCase(std::function<void()> fn) : fn_(std::move(fn)) {}
  void finish() {
    if (fn_) fn_();
  }

 private:
  std::function<void()> fn_;
};

/// A receive case; the received value is discarded (use for `<-ctx.done()`).
template <class T>
[[nodiscard]] RecvCase<T> on_recv(Chan<T> ch, std::source_location loc = std::source_location::current()) {
  return {std::move(ch), nullptr, nullptr, nullptr, loc};
}
/// A receive case storing the value in `*out` (T{} when the channel is closed).
template <class T>
[[nodiscard]] RecvCase<T> on_recv(Chan<T> ch, T* out, std::source_location loc = std::source_location::current()) {
  return {std::move(ch), out, nullptr, nullptr, loc};
}
/// A receive case storing the value and Go's `ok` (false: closed and drained).
template <class T>
[[nodiscard]] RecvCase<T> on_recv(Chan<T> ch, T* out, bool* ok,
                                  std::source_location loc = std::source_location::current()) {
  return {std::move(ch), out, ok, nullptr, loc};
}
/// A receive case running `fn(value, ok)` if chosen.
template <class T, class F>
  requires std::invocable<F, T, bool>
[[nodiscard]] RecvCase<T> on_recv(Chan<T> ch, F fn, std::source_location loc = std::source_location::current()) {
  return {std::move(ch), nullptr, nullptr, std::function<void(T, bool)>(std::move(fn)), loc};
}
/// A send case of `v` (evaluated now, as Go evaluates send operands on entry).
template <class T, class V>
[[nodiscard]] SendCase<T> on_send(Chan<T> ch, V&& v, std::source_location loc = std::source_location::current()) {
  return {std::move(ch), T(std::forward<V>(v)), nullptr, loc};
}
/// A send case running `fn()` after the value was sent.
template <class T, class V, class F>
[[nodiscard]] SendCase<T> on_send(Chan<T> ch, V&& v, F fn, std::source_location loc = std::source_location::current()) {
  return {std::move(ch), T(std::forward<V>(v)), std::function<void()>(std::move(fn)), loc};
}
/// The default case: chosen at once when no other case is ready.
[[nodiscard]] inline DefaultCase on_default(std::function<void()> fn = nullptr) { return DefaultCase(std::move(fn)); }

namespace detail {

template <class C>
inline constexpr bool is_default_case = std::is_same_v<std::remove_cvref_t<C>, DefaultCase>;

/// Applies f(i, case) to case number i of a tuple (runtime index).
template <class Tuple, class F, std::size_t... I>
void visit_at(Tuple& t, std::size_t i, F&& f, std::index_sequence<I...>) {
  ((I == i ? (void)f(std::integral_constant<std::size_t, I>{}, std::get<I>(t)) : void()), ...);
}

[[noreturn]] void block_forever(WaitReason why, std::source_location where);

/// What a blocked select waits on: every live case's channel, described on demand.
struct SelectBlocked final : Waitable {
  std::vector<const Waitable*> objs;
  [[nodiscard]] std::string describe() const override;
};

}  // namespace detail

/// Go's select statement; returns the index (0-based, in argument order) of the case that
/// completed — the default case's index when it was taken.
template <class... Cases>
std::size_t select(Cases&&... cases_in) {
  constexpr std::size_t n = sizeof...(Cases);
  constexpr std::size_t n_default = (std::size_t{detail::is_default_case<Cases>} + ... + 0);
  static_assert(n_default <= 1, "goro::select: at most one on_default() case");
  std::tuple<std::remove_cvref_t<Cases>...> cs(std::forward<Cases>(cases_in)...);
  constexpr std::size_t default_index = [] {
    std::size_t i = 0, d = n;
    ((detail::is_default_case<Cases> ? (void)(d = i) : (void)0, ++i), ...);
    return d;
  }();
  auto idx = std::make_index_sequence<n>{};
  auto for_case = [&](std::size_t i, auto&& f) { detail::visit_at(cs, i, f, idx); };

  std::size_t chosen = n;
  {
    detail::Lock lk(detail::big_lock());
    detail::preempt_point(lk);
    // Poll the cases in a random order (Go's pollorder): uniform choice among ready cases.
    std::array<std::size_t, n> order{};
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    if constexpr (n > 1) {
      auto& sched = detail::current_scheduler();
      for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[sched.random() % (i + 1)]);
    }
    bool any_live = false;
    for (std::size_t k = 0; k < n && chosen == n; ++k) {
      for_case(order[k], [&](auto I, auto& c) {
        if constexpr (!detail::is_default_case<decltype(c)>) {
          if (c.nil()) return;
          any_live = true;
          if (c.try_now()) chosen = I;
        }
      });
    }
    if (chosen == n && default_index != n) {
      chosen = default_index;
      detail::polled_nothing(lk);
    }
    if (chosen == n) {
      std::source_location where{};
      std::vector<const detail::Waitable*> objs;
      for (std::size_t i = 0; i < n; ++i)
        for_case(i, [&](auto, auto& c) {
          if constexpr (!detail::is_default_case<decltype(c)>) {
            if (where.line() == 0) where = c.where();
            if (!c.nil()) objs.push_back(c.object());
          }
        });
      if (!any_live) {
        lk.unlock();
        detail::block_forever(n == 0 ? detail::WaitReason::select_no_cases : detail::WaitReason::select, where);
      }
      // Queue on every live case, park, then leave every queue (Go's selectgo).
      detail::SelectWait sw;
      std::array<detail::Sudog, n> sudogs{};
      detail::Task* self = detail::current_task();
      // Queue in the random poll order too, so that among cases on the same channel the
      // one a future partner finds first is random as well (Go: TestPseudoRandomSend).
      for (std::size_t k = 0; k < n; ++k)
        for_case(order[k], [&](auto I, auto& c) {
          if constexpr (!detail::is_default_case<decltype(c)>) {
            if (c.nil()) return;
            sudogs[I].task = self;
            sudogs[I].sel = &sw;
            sudogs[I].case_index = static_cast<int>(I);
            c.enqueue(sudogs[I]);
          }
        });
      auto leave_all = [&] {
        for (std::size_t i = 0; i < n; ++i)
          for_case(i, [&](auto I, auto& c) {
            if constexpr (!detail::is_default_case<decltype(c)>) {
              if (!c.nil()) c.dequeue(sudogs[I]);
            }
          });
      };
      detail::SelectBlocked what;
      what.objs = std::move(objs);
      try {
        detail::park_current(lk, {detail::WaitReason::select, &what, where});
      } catch (...) {
        leave_all();
        throw;
      }
      leave_all();
      chosen = static_cast<std::size_t>(sw.fired);
      for_case(chosen, [&](auto I, auto& c) {
        if constexpr (!detail::is_default_case<decltype(c)>) c.woken(sudogs[I]);
      });
    }
    if (detail::tracing()) {
      const detail::Task& self = *detail::current_task();
      std::source_location where{};
      for_case(chosen, [&](auto, auto& c) {
        if constexpr (!detail::is_default_case<decltype(c)>) {
          c.trace(self);
          where = c.where();
        }
      });
      detail::trace_select(self, chosen, n, chosen == default_index, where);
    }
  }
  for_case(chosen, [&](auto, auto& c) { c.finish(); });
  return chosen;
}

}  // namespace goro
