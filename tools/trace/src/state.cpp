// Replays a trace's events into a Snapshot (state.hpp).
#include "dojo/trace/state.hpp"

#include <algorithm>

namespace dojo::trace {

namespace {

/// The element with `id` in a vector sorted by id, or nullptr.
template <class T>
T* find_by_id(std::vector<T>& v, std::uint64_t id) noexcept {
  auto it = std::lower_bound(v.begin(), v.end(), id, [](const T& x, std::uint64_t k) { return x.id < k; });
  return it != v.end() && it->id == id ? &*it : nullptr;
}
template <class T>
const T* find_by_id(const std::vector<T>& v, std::uint64_t id) noexcept {
  auto it = std::lower_bound(v.begin(), v.end(), id, [](const T& x, std::uint64_t k) { return x.id < k; });
  return it != v.end() && it->id == id ? &*it : nullptr;
}

/// The element with `id`, inserted (keeping the order) when absent; `fresh` tells which.
template <class T>
T& get_by_id(std::vector<T>& v, std::uint64_t id, bool& fresh) {
  // Ids mostly grow, so the common case is an append.
  if (v.empty() || v.back().id < id) {
    fresh = true;
    v.emplace_back().id = id;
    return v.back();
  }
  auto it = std::lower_bound(v.begin(), v.end(), id, [](const T& x, std::uint64_t k) { return x.id < k; });
  fresh = it == v.end() || it->id != id;
  if (fresh) {
    it = v.emplace(it);
    it->id = id;
  }
  return *it;
}
template <class T>
T& get_by_id(std::vector<T>& v, std::uint64_t id) {
  bool fresh = false;
  return get_by_id(v, id, fresh);
}

void clear_block(TaskState& t) {
  t.op.clear();
  t.blocked_on.clear();
  t.blocked_at = {};
  t.blocked_since = 0;
  t.sending_msg = 0;
  t.sending_chan = 0;
}

/// Applies events to a snapshot, in order.
class Applier {
 public:
  Applier(const Trace& t, Snapshot& s) : t_(t), s_(s) {}

  void apply(std::size_t index) {
    const Event& e = t_.events[index];
    s_.applied = index + 1;
    s_.ts = e.ts;

    if (e.type == EventType::task_start) {
      TaskState& k = task(e.task, e.ts);
      k.parent = e.parent;
      k.name = e.name;
      k.site = e.site;
      k.adopted = false;
      k.start_ts = e.ts;
    }
    TaskState* tk = e.task != 0 ? &task(e.task, e.ts) : nullptr;
    const std::optional<std::size_t> prev = tk != nullptr ? tk->last_event : std::nullopt;

    switch (e.type) {
      case EventType::task_exit:
        if (tk == nullptr) break;  // "task": 0 in a malformed trace
        if (tk->phase == TaskState::Phase::blocked) {
          drop_undelivered(*tk);  // released while stuck: its send never completes
        } else if (tk->phase != TaskState::Phase::exited) {
          clear_block(*tk);
        }
        tk->phase = TaskState::Phase::exited;
        tk->exit_ts = e.ts;
        break;
      case EventType::block:
        if (tk == nullptr) break;
        if (tk->phase == TaskState::Phase::exited) break;
        tk->phase = TaskState::Phase::blocked;
        tk->op = e.reason;
        tk->blocked_on = e.object;
        tk->blocked_at = e.site;
        tk->blocked_since = e.ts;
        tk->sending_msg = 0;
        tk->sending_chan = 0;
        // Chan::send writes chan_send, then parks when it cannot complete.
        if (e.reason == "chan send" && prev && *prev < t_.events.size()) {
          const Event& p = t_.events[*prev];
          if (p.type == EventType::chan_send && p.task == e.task && p.msg != 0) {
            tk->sending_msg = p.msg;
            tk->sending_chan = p.chan;
          }
        }
        break;
      case EventType::unblock:
        if (tk == nullptr) break;
        if (tk->phase != TaskState::Phase::blocked) break;
        tk->phase = TaskState::Phase::running;
        clear_block(*tk);
        break;
      case EventType::chan_make: {
        ChannelState& c = get_by_id(s_.channels, e.chan);
        c.elem = e.elem;
        c.cap = e.cap;
        c.site = e.site;
        c.made = true;
        rebalance(c);  // only a malformed trace makes a channel after using it
        break;
      }
      case EventType::chan_send: {
        ChannelState& c = get_by_id(s_.channels, e.chan);
        ++c.sends;
        if (e.msg == 0) break;
        if (auto it = std::find(c.received_early.begin(), c.received_early.end(), e.msg); it != c.received_early.end()) {
          c.received_early.erase(it);  // already received: never in flight
          break;
        }
        if (c.closed) break;  // a send on a closed channel panics; the value goes nowhere
        c.in_flight.push_back({e.msg, e.task, e.value, index});
        (c.buffered.size() < c.cap ? c.buffered : c.pending).push_back(e.value);
        break;
      }
      case EventType::chan_recv: {
        ChannelState& c = get_by_id(s_.channels, e.chan);
        ++c.recvs;
        if (!e.ok) c.closed = true;
        if (e.msg == 0) break;
        auto it = std::find_if(c.in_flight.begin(), c.in_flight.end(), [&](const Message& m) { return m.msg == e.msg; });
        if (it == c.in_flight.end()) {
          if (std::find(c.received_early.begin(), c.received_early.end(), e.msg) == c.received_early.end())
            c.received_early.push_back(e.msg);
          break;
        }
        remove_in_flight(c, static_cast<std::size_t>(it - c.in_flight.begin()));
        break;
      }
      case EventType::chan_close: {
        ChannelState& c = get_by_id(s_.channels, e.chan);
        c.closed = true;
        // close wakes the blocked senders, which panic: the values they offered (beyond the
        // buffer) are never delivered.
        for (std::size_t i = c.in_flight.size(); i-- > c.buffered.size();) {
          const Message& m = c.in_flight[i];
          const TaskState* sender = find_by_id(s_.tasks, m.sender);
          if (sender != nullptr && sender->phase == TaskState::Phase::blocked && sender->sending_msg == m.msg)
            remove_in_flight(c, i);
        }
        break;
      }
      case EventType::ctx_new: {
        ContextState& c = get_by_id(s_.contexts, e.ctx);
        c.parent = e.parent;
        c.kind = e.kind;
        c.made = true;
        break;
      }
      case EventType::ctx_cancel: {
        ContextState& c = get_by_id(s_.contexts, e.ctx);
        if (!c.cancelled) {
          c.cancelled = true;
          c.cancel_ts = e.ts;
          c.err = e.err;
          c.cause = e.cause;
        }
        // A deadline context's timer has the context's id; cancelling the context removes the
        // timer without a timer event.
        disarm(e.ctx);
        break;
      }
      case EventType::group_error: {
        GroupState& g = get_by_id(s_.groups, e.group);
        if (!g.err) g.err = e.err;
        break;
      }
      case EventType::task_error:
        if (tk == nullptr) break;
        tk->error = e.err;
        break;
      case EventType::panic:
        if (tk == nullptr) break;
        tk->panic = e.value;
        break;
      case EventType::timer:
        if (e.action == "arm" || e.action == "start") {
          get_by_id(s_.timers, e.timer).when = e.when;
        } else if (e.action == "fire" || e.action == "stop") {
          disarm(e.timer);
        }
        break;
      case EventType::report:
        s_.last_report = index;
        for (const ReportedTask& r : e.tasks)
          if (r.state == "blocked")
            if (TaskState* k = find_by_id(s_.tasks, r.task)) k->stuck = e.kind;
        break;
      case EventType::end:
        s_.outcome = e.outcome;
        break;
      case EventType::task_start:
      case EventType::select:
      case EventType::unknown:
        break;
    }

    if (tk != nullptr) {
      ++tk->events;
      tk->last_event = index;
    }
  }

 private:
  /// The task with `id`; created as an adopted "thread" when unknown (as the reader does).
  TaskState& task(std::uint64_t id, std::int64_t ts) {
    bool fresh = false;
    TaskState& k = get_by_id(s_.tasks, id, fresh);
    if (fresh) {
      k.adopted = true;
      k.name = "thread";
      k.start_ts = ts;
    }
    return k;
  }

  /// Removes in_flight[i], keeping buffered = the first min(cap, n) values and pending the rest.
  static void remove_in_flight(ChannelState& c, std::size_t i) {
    if (i >= c.in_flight.size()) return;
    c.in_flight.erase(c.in_flight.begin() + static_cast<std::ptrdiff_t>(i));
    if (i < c.buffered.size()) {
      c.buffered.erase(c.buffered.begin() + static_cast<std::ptrdiff_t>(i));
      if (!c.pending.empty()) {  // the oldest waiting sender's value takes the freed slot
        c.buffered.push_back(std::move(c.pending.front()));
        c.pending.erase(c.pending.begin());
      }
    } else if (i - c.buffered.size() < c.pending.size()) {
      c.pending.erase(c.pending.begin() + static_cast<std::ptrdiff_t>(i - c.buffered.size()));
    }
  }

  void disarm(std::uint64_t timer) {
    auto it = std::lower_bound(s_.timers.begin(), s_.timers.end(), timer,
                               [](const TimerState& x, std::uint64_t k) { return x.id < k; });
    if (it != s_.timers.end() && it->id == timer) s_.timers.erase(it);
  }

  /// Recomputes buffered and pending from in_flight and cap.
  static void rebalance(ChannelState& c) {
    c.buffered.clear();
    c.pending.clear();
    for (const Message& m : c.in_flight) (c.buffered.size() < c.cap ? c.buffered : c.pending).push_back(m.value);
  }

  /// A blocked sender goes away without completing its send: drop the value it offered unless
  /// it already moved into the buffer.
  void drop_undelivered(const TaskState& sender) {
    if (sender.sending_msg == 0) return;
    ChannelState* c = find_by_id(s_.channels, sender.sending_chan);
    if (c == nullptr) return;
    for (std::size_t i = c->buffered.size(); i < c->in_flight.size(); ++i)
      if (c->in_flight[i].msg == sender.sending_msg) {
        remove_in_flight(*c, i);
        return;
      }
  }

  const Trace& t_;
  Snapshot& s_;
};

void replay(const Trace& t, Snapshot& s, std::size_t n) {
  n = std::min(n, t.events.size());
  Applier a(t, s);
  for (std::size_t i = s.applied; i < n; ++i) a.apply(i);
}

}  // namespace

const TaskState* Snapshot::task(std::uint64_t id) const noexcept { return find_by_id(tasks, id); }
const ChannelState* Snapshot::channel(std::uint64_t id) const noexcept { return find_by_id(channels, id); }
const ContextState* Snapshot::context(std::uint64_t id) const noexcept { return find_by_id(contexts, id); }

std::size_t Snapshot::count(TaskState::Phase phase) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(tasks.begin(), tasks.end(), [phase](const TaskState& t) { return t.phase == phase; }));
}

std::string_view phase_name(TaskState::Phase p) noexcept {
  switch (p) {
    case TaskState::Phase::running: return "running";
    case TaskState::Phase::blocked: return "blocked";
    case TaskState::Phase::exited: return "exited";
  }
  return "unknown";
}

Snapshot state_after(const Trace& t, std::size_t n_events) {
  Snapshot s;
  replay(t, s, n_events);
  return s;
}

std::size_t events_until(const Trace& t, std::int64_t ts) noexcept {
  std::size_t n = 0;
  while (n < t.events.size() && t.events[n].ts <= ts) ++n;
  return n;
}

Snapshot state_at_time(const Trace& t, std::int64_t ts) { return state_after(t, events_until(t, ts)); }

Cursor::Cursor(const Trace& trace, std::size_t checkpoint_every)
    : trace_(&trace), every_(std::max<std::size_t>(checkpoint_every, 1)) {
  checkpoints_.push_back(cur_);
}

std::size_t Cursor::size() const noexcept { return trace_->events.size(); }

const Snapshot& Cursor::seek(std::size_t n_events) {
  const std::size_t n = std::min(n_events, size());
  // The nearest checkpoint at or before n (checkpoints exist up to the furthest point reached).
  const std::size_t k = std::min(n / every_, checkpoints_.size() - 1);
  const std::size_t base = k * every_;
  if (n < cur_.applied || cur_.applied < base) cur_ = checkpoints_[k];
  advance_to(n);
  return cur_;
}

const Snapshot& Cursor::seek_time(std::int64_t ts) { return seek(events_until(*trace_, ts)); }

void Cursor::advance_to(std::size_t n) {
  Applier a(*trace_, cur_);
  while (cur_.applied < n) {
    a.apply(cur_.applied);
    ++replayed_;
    if (cur_.applied % every_ == 0 && cur_.applied / every_ == checkpoints_.size()) checkpoints_.push_back(cur_);
  }
}

}  // namespace dojo::trace
