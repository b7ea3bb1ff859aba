// Free mode: every task is an OS thread running truly in parallel; the clock is real.
#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "goro/detail/sched.hpp"
#include "sched_internal.hpp"

namespace goro::detail {

namespace {

class FreeScheduler final : public Scheduler {
 public:
  FreeScheduler()
      : sys_base_(std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now())),
        steady_base_(std::chrono::steady_clock::now()),
        rng_(std::random_device{}()) {
    timer_thread_ = std::jthread([this](std::stop_token st) { run_timers(st); });
  }

  void spawn(std::shared_ptr<Task> t, std::function<void()> body) override {
    t->sched = this;
    t->state = TaskState::runnable;
    live_[t->id] = t;
    ++spawned_live_;
    std::thread([this, t, body = std::move(body)]() mutable {
      run_task_body(*t, body);
      Lock lk(big_lock());
      t->state = TaskState::exited;
      live_.erase(t->id);
      --spawned_live_;
    }).detach();
  }

  // Adopted threads are registered under their own mutex, never big_lock(): a thread is
  // adopted the first time it needs a Task, which may be while it holds big_lock().
  // Lock order: big_lock() before adopted_mu_.
  void adopt(const std::shared_ptr<Task>& t) {
    std::lock_guard g(adopted_mu_);
    t->sched = this;
    adopted_[t->id] = t;
  }
  void forget(std::uint64_t id) {
    std::lock_guard g(adopted_mu_);
    adopted_.erase(id);
  }

  void park(Lock& lk, Task* self) override {
    self->state = TaskState::blocked;
    while (!self->wake && !self->killed) self->cv.wait(lk);
    self->state = TaskState::running;
    self->block = {};
    if (!self->wake && self->killed) throw TaskKilled{};
    self->wake = false;
  }

  void yield_now(Lock& lk, Task*) override {
    lk.unlock();
    std::this_thread::yield();
    lk.lock();
  }

  void unpark(Task* t) override {
    t->wake = true;
    t->state = TaskState::runnable;
    t->cv.notify_one();
  }

  std::uint64_t new_task_id() override { return next_task_id(); }
  std::uint64_t new_object_id() override { return next_global_object_id(); }
  void preempt(Lock&, Task*) override {}
  void task_panicked(Task& t, const std::string& value, const std::vector<std::string>& stack) override {
    die_with_panic(t, value, stack);
  }

  void wait_external(Lock& lk, Task*, const std::function<void()>& work) override {
    lk.unlock();
    try {
      work();
    } catch (...) {
      lk.lock();
      throw;
    }
    lk.lock();
  }

  void release(Task* t) override {
    t->killed = true;
    t->state = TaskState::runnable;  // no longer blocked: LeakCheck waits until it unwinds
    t->cv.notify_one();
  }

  Time now() override { return to_time(std::chrono::steady_clock::now()); }

  void add_timer(TimerEntry* e) override {
    e->seq = ++timer_seq_;
    heap_push(timers_, e);
    timer_cv_.notify_one();
  }
  void remove_timer(TimerEntry* e) override { heap_remove(timers_, e); }
  std::optional<Time> next_timer_due() override {
    if (timers_.empty()) return std::nullopt;
    return timers_.front()->when;
  }

  std::uint64_t random() override { return rng_(); }

  std::vector<std::shared_ptr<Task>> tasks() override {
    std::vector<std::shared_ptr<Task>> out;
    out.reserve(live_.size());
    for (auto& [id, t] : live_) out.push_back(t);
    std::lock_guard g(adopted_mu_);
    for (auto& [id, t] : adopted_) out.push_back(t);
    return out;
  }
  int num_tasks() override { return spawned_live_; }
  const char* mode_name() const noexcept override { return "free"; }

 private:
  Time to_time(std::chrono::steady_clock::time_point tp) const {
    return sys_base_ + std::chrono::duration_cast<Duration>(tp - steady_base_);
  }
  std::chrono::steady_clock::time_point to_steady(Time t) const {
    return steady_base_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(t - sys_base_);
  }

  void run_timers(std::stop_token st) {
    Lock lk(big_lock());
    std::stop_callback wake_on_stop(st, [this] {
      Lock l(big_lock());
      timer_cv_.notify_all();
    });
    while (!st.stop_requested()) {
      if (timers_.empty()) {
        timer_cv_.wait(lk);
        continue;
      }
      Time next = timers_.front()->when;
      if (now() < next) {
        timer_cv_.wait_until(lk, to_steady(next));
        continue;
      }
      TimerEntry* e = timers_.front();
      heap_remove(timers_, e);
      if (e->fire) e->fire();
    }
  }

  const Time sys_base_;
  const std::chrono::steady_clock::time_point steady_base_;
  std::mt19937_64 rng_;
  std::map<std::uint64_t, std::shared_ptr<Task>> live_;
  std::mutex adopted_mu_;
  std::map<std::uint64_t, std::shared_ptr<Task>> adopted_;
  int spawned_live_ = 0;
  std::vector<TimerEntry*> timers_;
  std::uint64_t timer_seq_ = 0;
  std::condition_variable timer_cv_;
  std::jthread timer_thread_;  // last member: started after everything it uses exists
};

FreeScheduler& the_free_scheduler() {
  static NoDestroy<FreeScheduler> s;
  return s.get();
}

/// Owns the Task record of a thread goro did not start; unregisters it when the thread ends.
struct AdoptedThread {
  std::shared_ptr<Task> task;
  ~AdoptedThread() {
    if (task) the_free_scheduler().forget(task->id);
  }
};
thread_local AdoptedThread tl_adopted;

}  // namespace

Scheduler& free_scheduler() { return the_free_scheduler(); }

Task* adopt_current_thread() {
  if (!tl_adopted.task) {
    auto t = std::make_shared<Task>();
    t->id = next_task_id();
    t->adopted = true;
    t->name = t->id == 1 ? "main" : "thread";
    t->state = TaskState::running;
    the_free_scheduler().adopt(t);
    tl_adopted.task = t;
  }
  return tl_adopted.task.get();
}

}  // namespace goro::detail
