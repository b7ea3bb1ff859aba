// semaphore.Weighted: FIFO weighted semaphore whose acquire is cancellable by a Context.
#include "goro/semaphore.hpp"

#include <fmt/format.h>

#include "goro/mutex.hpp"
#include "goro/panic.hpp"

namespace goro {

Semaphore::Semaphore(std::int64_t n) : id_(detail::next_object_id()), size_(n) {}
Semaphore::~Semaphore() = default;

// How a blocked acquire waits for two things at once: one Sudog in this semaphore's queue
// (case 1: the units were handed over) and one in the receive queue of ctx.done() (case 0: the
// context ended). Both share a SelectWait, so whichever fires first makes the other stale,
// exactly like a two-case select; the task then withdraws the stale one.
Error Semaphore::acquire(const Context& ctx, std::int64_t n, std::source_location loc) {
  Chan<Unit> done = ctx.done();  // outside the lock: may create the channel
  detail::ChanState<Unit>* dst = done.state();
  detail::Task* self = detail::current_task();
  detail::Lock lk = detail::lock_at_point();
  if (dst != nullptr && dst->closed()) {
    lk.unlock();
    return ctx.err();
  }
  if (size_ - cur_ >= n && waiters_.empty()) {
    cur_ += n;
    return {};
  }

  detail::SelectWait sw;
  detail::Sudog on_done;
  on_done.task = self;
  on_done.sel = &sw;
  on_done.case_index = 0;
  detail::Sudog on_grant;
  on_grant.task = self;
  on_grant.sel = &sw;
  on_grant.case_index = 1;
  on_grant.elem = &n;
  const bool queue = n <= size_;  // a request that can never fit waits only for ctx
  const detail::BlockInfo info{detail::WaitReason::semaphore, this, loc};

  if (queue) waiters_.push_back(&on_grant);
  if (dst != nullptr) dst->recvq().push(&on_done);
  try {
    while (sw.fired < 0) detail::park_current(lk, info);
  } catch (...) {
    if (dst != nullptr) dst->recvq().remove(&on_done);
    if (sw.fired == 1) {
      cur_ -= n;  // handed over, but the task is being released: give the units back
      notify_waiters();
    } else if (queue) {
      std::erase(waiters_, &on_grant);
      notify_waiters();
    }
    throw;
  }
  if (dst != nullptr) dst->recvq().remove(&on_done);

  if (sw.fired == 1) {
    // The units were handed over. If the context ended meanwhile, fail anyway and give them
    // back (x/sync >= v0.7: a done context never succeeds).
    if (dst != nullptr && dst->closed()) {
      cur_ -= n;
      notify_waiters();
      lk.unlock();
      return ctx.err();
    }
    return {};
  }
  // The context ended first. Leave the queue; if that uncovered a waiter that fits, serve it.
  if (queue) {
    std::erase(waiters_, &on_grant);
    notify_waiters();
  }
  lk.unlock();
  return ctx.err();
}

bool Semaphore::try_acquire(std::int64_t n) {
  detail::Lock lk = detail::lock_at_point();
  if (size_ - cur_ >= n && waiters_.empty()) {
    cur_ += n;
    return true;
  }
  return false;
}

void Semaphore::release(std::int64_t n) {
  detail::Lock lk = detail::lock_at_point();
  if (cur_ - n < 0) {
    lk.unlock();
    goro::panic("semaphore: released more than held");
  }
  cur_ -= n;
  notify_waiters();
}

void Semaphore::notify_waiters() {
  while (!waiters_.empty()) {
    detail::Sudog* w = waiters_.front();
    if (w->stale()) {  // its context ended; its task will notice and leave
      waiters_.pop_front();
      continue;
    }
    const std::int64_t want = *static_cast<const std::int64_t*>(w->elem);
    if (size_ - cur_ < want) break;  // no barging past the front waiter
    cur_ += want;
    waiters_.pop_front();
    detail::ready(w);
  }
}

std::string Semaphore::describe() const {
  return fmt::format("semaphore.Weighted #{} (size {}, held {}, {} waiting)", id_, size_, cur_, waiters_.size());
}

}  // namespace goro
