// ErrGroup (x/sync errgroup semantics) and RecoveringGroup (conc-style).
#include "goro/errgroup.hpp"

#include <fmt/format.h>

#include "goro/detail/trace_hooks.hpp"
#include "goro/detail/waitq.hpp"
#include "goro/mutex.hpp"
#include "goro/panic.hpp"
#include "goro/task.hpp"

namespace goro {

namespace detail {

namespace {
/// Parks until a waker sets `sd.ok`, queued in `q`; leaves `q` if the task is released.
void park_until_granted(Lock& lk, WaitQueue& q, Sudog& sd, BlockInfo info) {
  sd.task = current_task();
  q.push(&sd);
  try {
    while (!sd.ok) park_current(lk, info);
  } catch (...) {
    q.remove(&sd);
    throw;
  }
}
}  // namespace

class ErrGroupState final : public Waitable {
 public:
  ErrGroupState() : id_(next_object_id()) {}

  [[nodiscard]] std::string describe() const override {
    std::string limit = limit_ < 0 ? std::string("no limit") : fmt::format("limit {}", limit_);
    return fmt::format("errgroup.Group #{} ({} active, {}, {} waiting to start{})", id_, active_, limit,
                       go_waiters_.size(), err_set_ ? ", failed" : "");
  }

  [[nodiscard]] std::uint64_t trace_id() const noexcept { return id_; }

  // ---- big_lock() held ----

  /// Takes a slot for a new task, parking while the limit is reached. Returns the limit
  /// generation the slot belongs to, or 0 when no slot was needed (no limit).
  std::uint64_t take_slot(Lock& lk, std::source_location loc) {
    if (limit_ < 0) return 0;
    if (tokens_ < limit_ && go_waiters_.size() == 0) {
      ++tokens_;
      return gen_;
    }
    Sudog sd;
    std::uint64_t gen = 0;  // written by the waker: the generation of the handed-over slot
    sd.elem = &gen;
    park_until_granted(lk, go_waiters_, sd, {WaitReason::group_go, this, loc});
    return gen;
  }

  bool try_take_slot(std::uint64_t& gen) {
    gen = 0;
    if (limit_ < 0) return true;
    if (tokens_ >= limit_ || go_waiters_.size() != 0) return false;
    ++tokens_;
    gen = gen_;
    return true;
  }

  /// A task that held a slot of generation `gen` finished: hand the slot to the first blocked
  /// go(), or free it. Slots of an earlier limit are simply forgotten.
  void release_slot(std::uint64_t gen) {
    if (gen == 0 || gen != gen_) return;
    if (Sudog* s = go_waiters_.pop()) {
      grant(s, gen_);
      return;
    }
    --tokens_;
  }

  void set_limit(int n) {
    ++gen_;
    if (n < 0) {
      limit_ = -1;
      tokens_ = 0;
      go_waiters_.drain([](Sudog* s) { grant(s, 0); });
      return;
    }
    limit_ = n;
    while (tokens_ < limit_) {
      Sudog* s = go_waiters_.pop();
      if (s == nullptr) break;
      ++tokens_;
      grant(s, gen_);
    }
  }

  void task_started() { ++active_; }
  void task_finished(std::uint64_t gen) {
    release_slot(gen);
    if (--active_ == 0) waiters_.drain([](Sudog* s) { grant(s, 0); });
  }

  /// errOnce: true for the first non-nil error only.
  bool record(const Error& err) {
    if (err_set_) return false;
    err_set_ = true;
    err_ = err;
    return true;
  }

  void wait(Lock& lk, std::source_location loc) {
    if (active_ == 0) return;
    Sudog sd;
    park_until_granted(lk, waiters_, sd, {WaitReason::group_wait, this, loc});
  }

  [[nodiscard]] int tokens() const noexcept { return tokens_; }
  [[nodiscard]] const Error& err() const noexcept { return err_; }

  CancelCauseFunc cancel;  // set once by with_context, before the group is shared

 private:
  static void grant(Sudog* s, std::uint64_t gen) {
    if (s->elem != nullptr) *static_cast<std::uint64_t*>(s->elem) = gen;
    s->ok = true;
    ready(s);
  }

  const std::uint64_t id_;
  std::int64_t active_ = 0;   // tasks started and not finished (Go's wg)
  int limit_ = -1;            // -1: no limit (Go's sem == nil)
  int tokens_ = 0;            // slots in use under the current limit (Go's len(sem))
  std::uint64_t gen_ = 1;     // bumped by set_limit; slots of older limits are not returned
  WaitQueue go_waiters_;      // go() blocked on the limit, FIFO
  WaitQueue waiters_;         // wait() callers
  bool err_set_ = false;
  Error err_;
};

class RecoveringGroupState final : public Waitable {
 public:
  RecoveringGroupState() : id_(next_object_id()) {}
  [[nodiscard]] std::string describe() const override {
    return fmt::format("goro.RecoveringGroup #{} ({} active, {} errors)", id_, active_, errors_.size());
  }
  void task_started() { ++active_; }
  void task_finished(Error err) {
    if (err) errors_.push_back(std::move(err));
    if (--active_ == 0) waiters_.drain([](Sudog* s) {
        s->ok = true;
        ready(s);
      });
  }
  void wait(Lock& lk, std::source_location loc) {
    if (active_ == 0) return;
    Sudog sd;
    park_until_granted(lk, waiters_, sd, {WaitReason::group_wait, this, loc});
  }
  [[nodiscard]] const std::vector<Error>& errors() const noexcept { return errors_; }

 private:
  const std::uint64_t id_;
  std::int64_t active_ = 0;
  std::vector<Error> errors_;
  WaitQueue waiters_;
};

namespace {

void start(std::shared_ptr<ErrGroupState> s, std::function<Error()> f, std::uint64_t gen, Task* parent,
           std::source_location loc, std::string name = {}) {
  s->task_started();
  spawn_task_locked(
      [s, f = std::move(f), gen]() mutable {
        // Not recovered: an exception from f ends the process (x/sync >= v0.16).
        Error err = f();
        f = nullptr;
        if (err) {
          if (tracing()) trace_task_error(*current_task(), err);
          bool first = false;
          {
            Lock lk(big_lock());
            first = s->record(err);
            if (first && tracing()) trace_group_first_error(s->trace_id(), err);
          }
          // The context is cancelled with the cause before this task counts as done, so
          // wait() never returns ahead of the cancellation.
          if (first && s->cancel) s->cancel(err);
        }
        Lock lk(big_lock());
        s->task_finished(gen);
      },
      std::move(name), loc, parent->id, *parent->sched);
}

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// ErrGroup

ErrGroup::ErrGroup() : s_(std::make_shared<detail::ErrGroupState>()) {}

std::pair<ErrGroup, Context> ErrGroup::with_context(const Context& parent) {
  auto [ctx, cancel] = with_cancel_cause(parent);
  ErrGroup g;
  g.s_->cancel = std::move(cancel);
  return {std::move(g), std::move(ctx)};
}

void ErrGroup::go(std::function<Error()> f, std::source_location loc) const {
  detail::Task* self = detail::current_task();
  detail::Lock lk = detail::lock_at_point();
  std::uint64_t gen = s_->take_slot(lk, loc);
  detail::start(s_, std::move(f), gen, self, loc);
}

void ErrGroup::go_named(std::string name, std::function<Error()> f, std::source_location loc) const {
  detail::Task* self = detail::current_task();
  detail::Lock lk = detail::lock_at_point();
  std::uint64_t gen = s_->take_slot(lk, loc);
  detail::start(s_, std::move(f), gen, self, loc, std::move(name));
}

bool ErrGroup::try_go(std::function<Error()> f, std::source_location loc) const {
  detail::Task* self = detail::current_task();
  detail::Lock lk = detail::lock_at_point();
  std::uint64_t gen = 0;
  if (!s_->try_take_slot(gen)) return false;
  detail::start(s_, std::move(f), gen, self, loc);
  return true;
}

void ErrGroup::set_limit(int n) const {
  detail::Lock lk = detail::lock_at_point();
  if (n >= 0 && s_->tokens() != 0) {
    int active = s_->tokens();
    lk.unlock();
    goro::panic(fmt::format("errgroup: modify limit while {} goroutines in the group are still active", active));
  }
  s_->set_limit(n);
}

Error ErrGroup::wait(std::source_location loc) const {
  Error err;
  {
    detail::Lock lk = detail::lock_at_point();
    s_->wait(lk, loc);
    err = s_->err();
  }
  if (s_->cancel) s_->cancel(err ? err : Canceled);
  return err;
}

// ---------------------------------------------------------------------------------------------
// RecoveringGroup

RecoveringGroup::RecoveringGroup() : s_(std::make_shared<detail::RecoveringGroupState>()) {}

void RecoveringGroup::go(std::function<Error()> f, std::source_location loc) const {
  detail::Task* self = detail::current_task();
  detail::Lock lk = detail::lock_at_point();
  s_->task_started();
  detail::spawn_task_locked(
      [s = s_, f = std::move(f)]() mutable {
        Error err = catch_panic(f);
        f = nullptr;
        detail::Lock l(detail::big_lock());
        s->task_finished(std::move(err));
      },
      {}, loc, self->id, *self->sched);
}

Error RecoveringGroup::wait(std::source_location loc) const {
  std::vector<Error> errs;
  {
    detail::Lock lk = detail::lock_at_point();
    s_->wait(lk, loc);
    errs = s_->errors();
  }
  return join(errs);
}

}  // namespace goro
