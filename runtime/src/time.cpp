// Go's time package on the scheduler's clock: sleep, timers, tickers.
#include "goro/time.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <utility>

#include "goro/detail/trace_hooks.hpp"
#include "goro/panic.hpp"

namespace goro {

namespace detail {

// ---- "this thread holds big_lock()" ----
namespace {
thread_local int t_held_depth = 0;
thread_local std::vector<std::shared_ptr<void>> t_release_later;
}  // namespace

LockHeldScope::LockHeldScope() noexcept { ++t_held_depth; }

LockHeldScope::~LockHeldScope() {
  if (t_held_depth == 1) {
    // Destroy what was released during the operation; destructors may release more.
    while (!t_release_later.empty()) {
      std::vector<std::shared_ptr<void>> batch;
      batch.swap(t_release_later);
      batch.clear();
    }
  }
  --t_held_depth;
}

bool lock_held_here() noexcept { return t_held_depth > 0; }

void release_later(std::shared_ptr<void> p) {
  if (!p) return;
  if (t_held_depth > 0)
    t_release_later.push_back(std::move(p));
  else
    p.reset();
}

MaybeLock::MaybeLock() {
  if (!lock_held_here()) lk_ = Lock(big_lock());
  mark_.emplace();
}

MaybeLock::~MaybeLock() {
  mark_.reset();  // runs deferred releases while the lock is still held
}

// ---- timers ----
namespace {
std::size_t g_armed = 0;  // big_lock
}  // namespace

struct TimerState : std::enable_shared_from_this<TimerState> {
  enum class Kind : std::uint8_t {
    timer,   // new_timer: owned by its handles
    after,   // after(): owns itself until it fires
    func,    // after_func: owns itself while armed
    ticker,  // new_ticker: owned by its handles
    tick,    // tick(): owns itself forever
  };

  TimerState(Kind k, Scheduler& s) : kind(k), sched(&s), trace_id_(k == Kind::func ? next_object_id() : 0) {
    entry.fire = [this] { on_fire(); };
  }
  TimerState(const TimerState&) = delete;
  TimerState& operator=(const TimerState&) = delete;

  ~TimerState() {
    // A self-owned timer is only destroyed when it is not queued (it holds itself while it is).
    if (!self_owned()) {
      MaybeLock lk;
      disarm();
    }
  }

  /// The id traces use for this timer: its channel's, or for after_func its entry's sequence.
  [[nodiscard]] std::uint64_t trace_id() const noexcept {
    return ch.is_nil() ? trace_id_ : ch.state()->id();
  }

  [[nodiscard]] bool self_owned() const noexcept {
    return kind == Kind::after || kind == Kind::func || kind == Kind::tick;
  }

  // ---- big_lock held ----

  void arm(Time when) {
    entry.when = when;
    if (tracing()) trace_timer("arm", trace_id(), when);
    if (!entry.queued()) ++g_armed;
    sched->add_timer(&entry);
    if (self_owned() && !keep) keep = shared_from_this();
  }

  /// Removes the timer from the scheduler; true if it was queued.
  bool disarm() {
    if (!entry.queued()) return false;
    if (tracing()) trace_timer("stop", trace_id(), entry.when);
    sched->remove_timer(&entry);
    --g_armed;
    release_later(std::move(keep));
    return true;
  }

  /// Discards an undelivered value; true if there was one.
  bool drain() {
    if (ch.is_nil() || ch.state()->len() == 0) return false;
    std::optional<Time> slot;
    bool ok = false;
    ch.state()->try_recv(&slot, ok);
    return true;
  }

  /// Sends `t` (the time the timer was due, as Go does) unless the buffer is full.
  void deliver(Time t) {
    auto* st = ch.state();
    if (st == nullptr || st->closed()) return;  // a closed timer channel is a user error: ignore
    (void)st->try_send(t);  // a full buffer (ticker, slow receiver) drops the tick
  }

  void run_func() {
    auto body = [f = f, self = std::move(keep)] { (*f)(); };
    spawn_task_locked(std::move(body), "time.AfterFunc", loc, parent_id, *sched);
  }

  /// Starts (or restarts) a one-shot timer `d` from now; d <= 0 fires now.
  void start(Duration d) {
    if (d > Duration::zero()) {
      arm(sched->now() + d);
    } else if (kind == Kind::func) {
      run_func();
    } else {
      deliver(sched->now());
    }
  }

  bool stop() {
    bool was = disarm();
    if (drain()) was = true;
    return was;
  }

  void on_fire() {
    LockHeldScope held;  // the scheduler calls us with big_lock held
    --g_armed;           // the scheduler removed the entry before calling
    if (tracing()) trace_timer("fire", trace_id(), entry.when);
    switch (kind) {
      case Kind::timer:
      case Kind::after:
        deliver(entry.when);
        // For `after`, this may destroy *this (and the running std::function) when the
        // LockHeldScope ends; nothing touches *this afterwards.
        release_later(std::move(keep));
        break;
      case Kind::func:
        run_func();
        break;
      case Kind::ticker:
      case Kind::tick: {
        deliver(entry.when);
        Time n = sched->now();
        Time next = entry.when + period;
        if (next <= n) next += period * ((n - next) / period + 1);
        entry.when = next;
        ++g_armed;
        sched->add_timer(&entry);
        break;
      }
    }
  }

  const Kind kind;
  Scheduler* const sched;
  TimerEntry entry;
  const std::uint64_t trace_id_;                   // after_func: its id in traces
  Chan<Time> ch;                                   // nil for after_func
  std::shared_ptr<const std::function<void()>> f;  // after_func
  Duration period{};                               // tickers
  std::uint64_t parent_id = 0;
  std::source_location loc{};
  std::shared_ptr<TimerState> keep;  // self-owned kinds: keeps the timer alive while queued
};

std::size_t armed_timers() {
  MaybeLock lk;
  return g_armed;
}

}  // namespace detail

namespace {
using detail::TimerState;
using Kind = detail::TimerState::Kind;

std::shared_ptr<TimerState> make_state(Kind k) {
  return std::make_shared<TimerState>(k, detail::current_scheduler());
}
}  // namespace

Time now() { return detail::current_scheduler().now(); }
Duration since(Time t) { return now() - t; }
Duration until(Time t) { return t - now(); }

void sleep(Duration d, std::source_location loc) {
  if (d <= Duration::zero()) return;
  detail::Task* self = detail::current_task();
  detail::Scheduler& s = *self->sched;
  detail::Lock lk(detail::big_lock());
  bool fired = false;
  detail::TimerEntry e;
  e.when = s.now() + d;
  e.fire = [&] {
    fired = true;
    s.unpark(self);
  };
  s.add_timer(&e);
  try {
    while (!fired) detail::park_current(lk, {detail::WaitReason::sleep, nullptr, loc});
  } catch (...) {
    s.remove_timer(&e);
    throw;
  }
}

// ---- Timer ----

Chan<Time> Timer::c() const {
  return s_ ? s_->ch : Chan<Time>{};  // ch never changes after construction
}

bool Timer::stop() {
  if (!s_) goro::panic("time: Stop called on uninitialized Timer");
  detail::MaybeLock lk;
  return s_->stop();
}

bool Timer::reset(Duration d) {
  if (!s_) goro::panic("time: Reset called on uninitialized Timer");
  detail::MaybeLock lk;
  bool was = s_->stop();
  s_->start(d);
  return was;
}

Timer new_timer(Duration d) {
  auto s = make_state(Kind::timer);
  s->ch = make_chan<Time>(1);
  detail::MaybeLock lk;
  s->start(d);
  return Timer(std::move(s));
}

Chan<Time> after(Duration d) {
  auto s = make_state(Kind::after);
  s->ch = make_chan<Time>(1);
  detail::MaybeLock lk;
  s->start(d);
  return s->ch;
}

Timer after_func(Duration d, std::function<void()> f, std::source_location loc) {
  auto s = make_state(Kind::func);
  s->f = std::make_shared<const std::function<void()>>(std::move(f));
  s->parent_id = detail::current_task()->id;
  s->loc = loc;
  detail::MaybeLock lk;
  s->start(d);
  return Timer(std::move(s));
}

// ---- Ticker ----

Chan<Time> Ticker::c() const { return s_ ? s_->ch : Chan<Time>{}; }

void Ticker::stop() {
  if (!s_) return;  // Go: Stop on an uninitialized Ticker does nothing
  detail::MaybeLock lk;
  s_->stop();
}

void Ticker::reset(Duration d) {
  if (d <= Duration::zero()) goro::panic("non-positive interval for Ticker.Reset");
  if (!s_) goro::panic("time: Reset called on uninitialized Ticker");
  detail::MaybeLock lk;
  s_->stop();
  s_->period = d;
  s_->arm(s_->sched->now() + d);
}

Ticker new_ticker(Duration d) {
  if (d <= Duration::zero()) goro::panic("non-positive interval for NewTicker");
  auto s = make_state(Kind::ticker);
  s->ch = make_chan<Time>(1);
  s->period = d;
  detail::MaybeLock lk;
  s->arm(s->sched->now() + d);
  return Ticker(std::move(s));
}

Chan<Time> tick(Duration d) {
  if (d <= Duration::zero()) return {};
  auto s = make_state(Kind::tick);
  s->ch = make_chan<Time>(1);
  s->period = d;
  detail::MaybeLock lk;
  s->arm(s->sched->now() + d);
  return s->ch;
}

// ---- formatting ----

namespace {
/// `v` scaled down by 10^digits, with the fraction's trailing zeros removed: (1500, 3) → "1.5".
std::string scaled(std::uint64_t v, int digits) {
  std::uint64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  std::string out = fmt::format("{}", v / p);
  std::uint64_t frac = v % p;
  if (frac != 0) {
    std::string fs = fmt::format("{:0{}}", frac, digits);
    while (!fs.empty() && fs.back() == '0') fs.pop_back();
    out += "." + fs;
  }
  return out;
}
}  // namespace

std::string format_duration(Duration d) {
  if (d == Duration::zero()) return "0s";
  bool neg = d < Duration::zero();
  // Magnitude as unsigned, safe for the most negative value.
  std::uint64_t u = neg ? std::uint64_t(0) - static_cast<std::uint64_t>(d.count()) : static_cast<std::uint64_t>(d.count());
  std::string out;
  constexpr std::uint64_t us = 1'000, ms = 1'000'000, s = 1'000'000'000;
  if (u < s) {
    if (u < us)
      out = fmt::format("{}ns", u);
    else if (u < ms)
      out = scaled(u, 3) + "\u00b5s";
    else
      out = scaled(u, 6) + "ms";
  } else {
    std::uint64_t h = u / (3600 * s), m = (u / (60 * s)) % 60, rest = u % (60 * s);
    if (h > 0) out += fmt::format("{}h", h);
    if (h > 0 || m > 0) out += fmt::format("{}m", m);
    out += scaled(rest, 9) + "s";
  }
  return neg ? "-" + out : out;
}

std::string format_time(Time t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<Duration> hms{t - day};
  std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                hms.hours().count(), hms.minutes().count(), hms.seconds().count());
  auto ns = static_cast<std::uint64_t>(hms.subseconds().count());
  if (ns != 0) {
    std::string fs = fmt::format("{:09}", ns);
    while (fs.back() == '0') fs.pop_back();
    out += "." + fs;
  }
  return out + " +0000 UTC";
}

}  // namespace goro
