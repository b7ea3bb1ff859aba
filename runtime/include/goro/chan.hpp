// Channels: Go's `chan T`.
//
// `Chan<T>` is a handle; copies refer to the same channel. A default-constructed Chan is
// the nil channel: sending or receiving on it blocks forever, closing it panics.
//
//   auto ch = goro::make_chan<int>();     // unbuffered: a send waits for a receiver
//   auto jobs = goro::make_chan<Job>(8);  // buffered: up to 8 sends complete without one
//
// Who closes: the sender, once, when it will send no more. Closing wakes every blocked
// receiver with (zero value, ok=false); receivers then drain what is buffered and get
// (T{}, false) forever. Sending on a closed channel, closing a closed channel and closing
// the nil channel panic with Go's messages. Receivers never close.
//
// Every blocking operation takes an optional source location, recorded for diagnostics
// ("goroutine 7 [chan send]: ... at producer.cpp:14").
#pragma once

#include <cstddef>
#include <deque>
#include "goro/detail/fmt.hpp"
#include <memory>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "goro/detail/sched.hpp"
#include "goro/detail/trace_hooks.hpp"
#include "goro/detail/waitq.hpp"
#include "goro/panic.hpp"

namespace goro {

/// The result of a receive: the value, and whether it came from a send (true) or from the
/// channel being closed and drained (false, value is T{}).
template <class T>
struct Received {
  T value{};
  bool ok = false;
};

template <class T>
class Chan;

namespace detail {

template <class T>
class ChanState final : public Waitable {
 public:
  explicit ChanState(std::size_t cap) : cap_(cap), id_(next_object_id()) {}

  [[nodiscard]] std::string describe() const override {
    return fmt::format("chan {} #{} (cap {}, len {}{})", type_name<T>(), id_, cap_, buf_.size(),
                       closed_ ? ", closed" : "");
  }

  // ---- all members below: big_lock() held ----

  /// Completes a send without blocking if possible. Panics if the channel is closed.
  /// `msg` is the trace id of the value.
  bool try_send(T& v, std::uint64_t msg) {
    if (closed_) goro::panic("send on closed channel");
    if (Sudog* r = recvq_.pop()) {
      if (r->elem != nullptr) static_cast<std::optional<T>*>(r->elem)->emplace(std::move(v));
      r->ok = true;
      r->msg = msg;
      ready(r);
      return true;
    }
    if (buf_.size() < cap_) {
      buf_.push_back({std::move(v), msg});
      return true;
    }
    return false;
  }

  /// Completes a receive without blocking if possible (a value, or closed and drained).
  bool try_recv(std::optional<T>* dst, bool& ok, std::uint64_t& msg) {
    if (!buf_.empty()) {
      if (dst != nullptr) dst->emplace(std::move(buf_.front().value));
      msg = buf_.front().msg;
      buf_.pop_front();
      if (Sudog* s = sendq_.pop()) {  // a blocked sender's value takes the freed slot
        buf_.push_back({std::move(*static_cast<T*>(s->elem)), s->msg});
        ready(s);
      }
      ok = true;
      return true;
    }
    if (Sudog* s = sendq_.pop()) {  // unbuffered: take directly from the sender
      if (dst != nullptr) dst->emplace(std::move(*static_cast<T*>(s->elem)));
      msg = s->msg;
      ready(s);
      ok = true;
      return true;
    }
    if (closed_) {
      ok = false;
      return true;
    }
    return false;
  }

  // Untraced forms for runtime-internal senders and receivers (timers, contexts).
  bool try_send(T& v) { return try_send(v, 0); }
  bool try_recv(std::optional<T>* dst, bool& ok) {
    std::uint64_t msg = 0;
    return try_recv(dst, ok, msg);
  }

  void close() {
    if (closed_) goro::panic("close of closed channel");
    closed_ = true;
    recvq_.drain([](Sudog* r) {
      r->ok = false;
      ready(r);
    });
    sendq_.drain([](Sudog* s) {
      s->closed = true;
      ready(s);
    });
  }

  WaitQueue& recvq() noexcept { return recvq_; }
  WaitQueue& sendq() noexcept { return sendq_; }
  [[nodiscard]] std::size_t len() const noexcept { return buf_.size(); }
  [[nodiscard]] std::size_t cap() const noexcept { return cap_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

 private:
  const std::size_t cap_;
  const std::uint64_t id_;
  struct Slot {
    T value;
    std::uint64_t msg;
  };
  std::deque<Slot> buf_;
  bool closed_ = false;
  WaitQueue recvq_, sendq_;
};

/// Blocks the current task forever (nil channel operations, empty select).
[[noreturn]] void block_forever(WaitReason why, std::source_location where);

/// Parks `self` after queueing `s` in `q`; removes it again if the task is released.
inline void park_in(Lock& lk, WaitQueue& q, Sudog& s, BlockInfo info) {
  q.push(&s);
  try {
    park_current(lk, info);
  } catch (...) {
    q.remove(&s);
    throw;
  }
}

}  // namespace detail

template <class T>
class Chan {
 public:
  using value_type = T;

  /// The nil channel.
  Chan() noexcept = default;

  /// Sends `v`, blocking until a receiver takes it (unbuffered) or a buffer slot is free.
  /// Panics "send on closed channel" if the channel is closed, also when it is closed
  /// while this send is blocked. On the nil channel, blocks forever.
  void send(T v, std::source_location loc = std::source_location::current()) const {
    if (!s_) detail::block_forever(detail::WaitReason::chan_send_nil, loc);
    detail::Lock lk(detail::big_lock());
    detail::preempt_point(lk);
    const std::uint64_t msg = detail::next_msg_id();
    if (msg != 0) detail::trace_chan_send(*detail::current_task(), s_->id(), msg, detail::preview(v), loc);
    if (s_->try_send(v, msg)) return;
    detail::Sudog sd;
    sd.task = detail::current_task();
    sd.elem = &v;
    sd.msg = msg;
    detail::park_in(lk, s_->sendq(), sd, {detail::WaitReason::chan_send, s_.get(), loc});
    if (sd.closed) goro::panic("send on closed channel");
  }

  /// Receives a value, blocking until one is sent or the channel is closed. Returns
  /// {value, true} for a sent value and {T{}, false} once the channel is closed and drained.
  /// On the nil channel, blocks forever.
  [[nodiscard]] Received<T> recv(std::source_location loc = std::source_location::current()) const {
    if (!s_) detail::block_forever(detail::WaitReason::chan_receive_nil, loc);
    std::optional<T> slot;
    bool ok = false;
    {
      detail::Lock lk(detail::big_lock());
      detail::preempt_point(lk);
      std::uint64_t msg = 0;
      if (!s_->try_recv(&slot, ok, msg)) {
        detail::Sudog sd;
        sd.task = detail::current_task();
        sd.elem = &slot;
        detail::park_in(lk, s_->recvq(), sd, {detail::WaitReason::chan_receive, s_.get(), loc});
        ok = sd.ok;
        msg = sd.msg;
      }
      if (detail::tracing())
        detail::trace_chan_recv(*detail::current_task(), s_->id(), msg, ok, ok ? detail::preview(*slot) : "", loc);
    }
    if (ok) return {std::move(*slot), true};
    return {T{}, false};
  }

  /// Closes the channel. Panics "close of nil channel" / "close of closed channel".
  void close(std::source_location loc = std::source_location::current()) const {
    if (!s_) goro::panic("close of nil channel");
    detail::Lock lk(detail::big_lock());
    detail::preempt_point(lk);
    s_->close();
    if (detail::tracing()) detail::trace_chan_close(*detail::current_task(), s_->id(), loc);
  }

  /// Number of buffered values (0 for the nil channel).
  [[nodiscard]] std::size_t len() const {
    if (!s_) return 0;
    detail::Lock lk(detail::big_lock());
    return s_->len();
  }
  /// Buffer capacity (0 for unbuffered and nil channels).
  [[nodiscard]] std::size_t cap() const noexcept { return s_ ? s_->cap() : 0; }

  [[nodiscard]] bool is_nil() const noexcept { return !s_; }
  explicit operator bool() const noexcept { return static_cast<bool>(s_); }
  /// Same channel (Go's ==).
  friend bool operator==(const Chan& a, const Chan& b) noexcept { return a.s_ == b.s_; }

  /// Range-for: receives until the channel is closed and drained (Go's `for v := range ch`).
  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const Chan* c, std::source_location loc) : c_(c), loc_(loc) { advance(); }
    T& operator*() { return *cur_; }
    iterator& operator++() {
      advance();
      return *this;
    }
    void operator++(int) { advance(); }
    friend bool operator==(const iterator& a, std::default_sentinel_t) { return !a.cur_; }

   private:
    void advance() {
      auto [v, ok] = c_->recv(loc_);
      if (ok)
        cur_.emplace(std::move(v));
      else
        cur_.reset();
    }
    const Chan* c_ = nullptr;
    std::source_location loc_;  // the range-for statement: where a blocked receive is reported
    std::optional<T> cur_;
  };
  /// The default argument records the range-for statement that calls begin().
  iterator begin(std::source_location loc = std::source_location::current()) const { return iterator(this, loc); }
  std::default_sentinel_t end() const noexcept { return {}; }

  /// Internal: the shared state (null for the nil channel).
  [[nodiscard]] detail::ChanState<T>* state() const noexcept { return s_.get(); }

 private:
  template <class U>
  friend Chan<U> make_chan(std::size_t, std::source_location);
  explicit Chan(std::shared_ptr<detail::ChanState<T>> s) : s_(std::move(s)) {}
  std::shared_ptr<detail::ChanState<T>> s_;
};

/// Go's `make(chan T, capacity)`.
template <class T>
[[nodiscard]] Chan<T> make_chan(std::size_t capacity = 0,
                                std::source_location loc = std::source_location::current()) {
  auto s = std::make_shared<detail::ChanState<T>>(capacity);
  if (detail::tracing()) {
    detail::Lock lk(detail::big_lock());
    detail::trace_chan_make(s->id(), detail::type_name<T>(), capacity, loc);
  }
  return Chan<T>(std::move(s));
}

/// The element of channels that only signal (context done, closing-only channels).
struct Unit {
  friend bool operator==(Unit, Unit) noexcept { return true; }
};

}  // namespace goro
