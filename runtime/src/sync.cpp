// sync: WaitGroup, Mutex, RWMutex, Once; fatal errors; recovering panics into PanicError.
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <typeinfo>

#include "goro/mutex.hpp"
#include "goro/once.hpp"
#include "goro/panic.hpp"
#include "goro/recover.hpp"
#include "goro/task.hpp"
#include "goro/waitgroup.hpp"

namespace goro {

namespace detail {

namespace {

/// Queues the current task in `q` and parks it until a waker sets `sd.ok` (the waker also
/// removes it from `q`). On release by a leak check, leaves `q` and rethrows.
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

Lock lock_at_point() {
  (void)current_task();  // adopt a foreign thread before taking the lock
  Lock lk(big_lock());
  preempt_point(lk);
  return lk;
}

void fatal_error(const std::string& msg) {
  std::string out = fmt::format("fatal error: {}\n\n", msg);
  Task* self = current_task();
  out += fmt::format("goroutine {} [running]:\n", self->id);
  for (const auto& f : capture_stack(1)) out += fmt::format("  {}\n", f);
  std::vector<TaskInfo> others;
  for (const auto& ti : goro::tasks())
    if (ti.id != self->id) others.push_back(ti);
  if (!others.empty()) out += "\n" + format_tasks(others);
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
  std::fflush(stdout);
  std::_Exit(2);
}

PanicError panic_error_from_current_exception() {
  try {
    throw;
  } catch (const TaskKilled&) {
    throw;
  } catch (const Panic& p) {
    return PanicError{p.value(), p.stack()};
  } catch (const std::exception& e) {
    return PanicError{fmt::format("{} ({})", e.what(), demangle(typeid(e).name())), current_exception_stack()};
  } catch (...) {
    return PanicError{"unknown exception", current_exception_stack()};
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// WaitGroup

WaitGroup::WaitGroup() : id_(detail::next_object_id()) {}
WaitGroup::~WaitGroup() = default;

void WaitGroup::add(int delta) {
  detail::Lock lk = detail::lock_at_point();
  if (counter_ + delta < 0) {
    lk.unlock();
    goro::panic("sync: negative WaitGroup counter");
  }
  counter_ += delta;
  if (counter_ == 0) waiters_.drain([](detail::Sudog* s) {
      s->ok = true;
      detail::ready(s);
    });
}

void WaitGroup::done() { add(-1); }

void WaitGroup::wait(std::source_location loc) {
  detail::Lock lk = detail::lock_at_point();
  if (counter_ == 0) return;
  detail::Sudog sd;
  detail::park_until_granted(lk, waiters_, sd, {detail::WaitReason::semacquire, this, loc});
  // Woken because the counter reached zero. If it is no longer zero, someone started the next
  // round before this wait returned: Go reports that race the same way.
  if (counter_ != 0) {
    lk.unlock();
    goro::panic("sync: WaitGroup is reused before previous Wait has returned");
  }
}

std::string WaitGroup::describe() const {
  return fmt::format("sync.WaitGroup #{} (counter {}, waiters {})", id_, counter_, waiters_.size());
}

// ---------------------------------------------------------------------------------------------
// Mutex

Mutex::Mutex() : id_(detail::next_object_id()) {}
Mutex::~Mutex() = default;

void Mutex::lock(std::source_location loc) {
  detail::Task* self = detail::current_task();
  detail::Lock lk = detail::lock_at_point();
  if (!locked_) {
    locked_ = true;
    holder_ = self->id;
    return;
  }
  detail::Sudog sd;
  try {
    detail::park_until_granted(lk, waiters_, sd, {detail::WaitReason::mutex_lock, this, loc});
  } catch (...) {
    // Released by a leak check after the mutex was already handed over: pass it on.
    if (sd.ok) unlock_locked(lk);
    throw;
  }
  holder_ = self->id;  // ownership was handed over by unlock(); locked_ stayed true
}

bool Mutex::try_lock() {
  detail::Task* self = detail::current_task();
  detail::Lock lk = detail::lock_at_point();
  if (locked_) return false;
  locked_ = true;
  holder_ = self->id;
  return true;
}

void Mutex::unlock() {
  detail::Lock lk = detail::lock_at_point();
  unlock_locked(lk);
}

void Mutex::unlock_locked(detail::Lock& lk) {
  if (!locked_) {
    lk.unlock();
    detail::fatal_error("sync: unlock of unlocked mutex");
  }
  if (detail::Sudog* s = waiters_.pop()) {
    s->ok = true;  // direct handoff: the mutex stays locked, now for the waiter
    holder_ = s->task->id;
    detail::ready(s);
    return;
  }
  locked_ = false;
  holder_ = 0;
}

std::string Mutex::describe() const {
  if (!locked_) return fmt::format("sync.Mutex #{} (unlocked)", id_);
  return fmt::format("sync.Mutex #{} (locked by goroutine {}, {} waiting)", id_, holder_, waiters_.size());
}

// ---------------------------------------------------------------------------------------------
// RWMutex

namespace {
constexpr int kReader = 0;
constexpr int kWriter = 1;
}  // namespace

RWMutex::RWMutex() : id_(detail::next_object_id()) {}
RWMutex::~RWMutex() = default;

void RWMutex::admit_waiters() {
  while (!waiters_.empty() && !writer_) {
    detail::Sudog* s = waiters_.front();
    if (s->case_index == kWriter) {
      if (readers_ != 0) return;
      writer_ = true;
    } else {
      ++readers_;
    }
    waiters_.pop_front();
    s->ok = true;
    detail::ready(s);
  }
}

namespace {
void park_rw(detail::Lock& lk, std::deque<detail::Sudog*>& q, detail::Sudog& sd, detail::BlockInfo info) {
  sd.task = detail::current_task();
  q.push_back(&sd);
  try {
    while (!sd.ok) detail::park_current(lk, info);
  } catch (...) {
    std::erase(q, &sd);
    throw;
  }
}
}  // namespace

void RWMutex::lock(std::source_location loc) {
  detail::Lock lk = detail::lock_at_point();
  if (!writer_ && readers_ == 0 && waiters_.empty()) {
    writer_ = true;
    return;
  }
  detail::Sudog sd;
  sd.case_index = kWriter;
  try {
    park_rw(lk, waiters_, sd, {detail::WaitReason::rwmutex_lock, this, loc});
  } catch (...) {
    if (sd.ok) unlock_locked(lk);
    throw;
  }
}

bool RWMutex::try_lock() {
  detail::Lock lk = detail::lock_at_point();
  if (writer_ || readers_ != 0 || !waiters_.empty()) return false;
  writer_ = true;
  return true;
}

void RWMutex::unlock() {
  detail::Lock lk = detail::lock_at_point();
  unlock_locked(lk);
}

void RWMutex::unlock_locked(detail::Lock& lk) {
  if (!writer_) {
    lk.unlock();
    detail::fatal_error("sync: Unlock of unlocked RWMutex");
  }
  writer_ = false;
  admit_waiters();
}

void RWMutex::rlock(std::source_location loc) {
  detail::Lock lk = detail::lock_at_point();
  if (!writer_ && waiters_.empty()) {
    ++readers_;
    return;
  }
  detail::Sudog sd;
  sd.case_index = kReader;
  try {
    park_rw(lk, waiters_, sd, {detail::WaitReason::rwmutex_rlock, this, loc});
  } catch (...) {
    if (sd.ok) runlock_locked(lk);
    throw;
  }
}

bool RWMutex::try_rlock() {
  detail::Lock lk = detail::lock_at_point();
  if (writer_ || !waiters_.empty()) return false;
  ++readers_;
  return true;
}

void RWMutex::runlock() {
  detail::Lock lk = detail::lock_at_point();
  runlock_locked(lk);
}

void RWMutex::runlock_locked(detail::Lock& lk) {
  if (readers_ == 0) {
    lk.unlock();
    detail::fatal_error("sync: RUnlock of unlocked RWMutex");
  }
  --readers_;
  admit_waiters();
}

std::string RWMutex::describe() const {
  std::string held = writer_ ? "write-locked" : readers_ > 0 ? fmt::format("{} readers", readers_) : "unlocked";
  return fmt::format("sync.RWMutex #{} ({}, {} waiting)", id_, held, waiters_.size());
}

// ---------------------------------------------------------------------------------------------
// Once

Once::Once() : id_(detail::next_object_id()) {}
Once::~Once() = default;

bool Once::begin(std::source_location loc) {
  if (done_flag_.load(std::memory_order_acquire)) return false;
  detail::Lock lk = detail::lock_at_point();
  if (done_) return false;
  if (!running_) {
    running_ = true;
    return true;
  }
  detail::Sudog sd;
  detail::park_until_granted(lk, waiters_, sd, {detail::WaitReason::once, this, loc});
  return false;
}

void Once::finish() noexcept {
  detail::Lock lk(detail::big_lock());
  running_ = false;
  done_ = true;
  done_flag_.store(true, std::memory_order_release);
  waiters_.drain([](detail::Sudog* s) {
    s->ok = true;
    detail::ready(s);
  });
}

bool Once::done() const { return done_flag_.load(std::memory_order_acquire); }

std::string Once::describe() const {
  if (done_) return fmt::format("sync.Once #{} (done)", id_);
  if (running_) return fmt::format("sync.Once #{} (running f, {} waiting)", id_, waiters_.size());
  return fmt::format("sync.Once #{} (not run)", id_);
}

}  // namespace goro
