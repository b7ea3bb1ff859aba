// Deterministic mode: every task is a Boost.Context fiber on the calling OS thread.
#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <cmath>
#include <deque>
#include <boost/context/fiber.hpp>
#include <boost/context/stack_context.hpp>
#include <fmt/format.h>
#include <random>
#include <thread>
#include <unordered_map>

#include "goro/detail/trace_hooks.hpp"
#include "goro/panic.hpp"
#include "goro/sim.hpp"
#include "goro/trace.hpp"
#include "sched_internal.hpp"
#include "thread_probe.hpp"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define GORO_TSAN 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define GORO_ASAN 1
#endif

// Fiber switches hand big_lock() over instead of releasing and re-taking it: every fiber
// runs on the one OS thread that holds it, so the scheduler resumes a task with the lock held
// and a task switches back with it held. That saves two lock/unlock pairs per scheduling
// step (a third of a channel round trip). ThreadSanitizer tracks lock ownership per fiber
// and would report the hand-over as an unlock by the wrong thread, so TSan builds release
// the lock around every switch as before.
#if GORO_TSAN
#define GORO_SIM_HAND_OFF_LOCK 0
#else
#define GORO_SIM_HAND_OFF_LOCK 1
#endif

namespace goro::detail {

namespace {

// AddressSanitizer's redzones make stack frames two to three times larger: fiber stacks are
// four times the requested size in ASan builds, so that code that fits in a normal build fits.
#if GORO_ASAN
constexpr std::size_t kStackFactor = 4;
#else
constexpr std::size_t kStackFactor = 1;
#endif

namespace ctx = boost::context;

/// Stacks for fibers, carved from large anonymous mappings and recycled through a free list:
/// one mapping per 64 stacks keeps 100,000 tasks well under the kernel's map-count limit, and
/// untouched stack pages cost no memory.
class StackPool {
 public:
  explicit StackPool(std::size_t size) : size_((size + 4095) & ~std::size_t{4095}) {}
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;
  ~StackPool() {
    for (auto [p, n] : slabs_) {
#if GORO_ASAN
      __asan_unpoison_memory_region(p, n);  // the next mapping here must not inherit redzones
#endif
      ::munmap(p, n);
    }
  }

  ctx::stack_context allocate() {
    if (free_.empty()) grow();
    char* base = free_.back();
    free_.pop_back();
    last_ = base;
#if GORO_ASAN
    // A finished fiber never returns from its outermost frames, so ASan's redzones from its
    // last run are still marked on this stack: clear them before the stack is reused.
    __asan_unpoison_memory_region(base, size_);
#endif
    ctx::stack_context sc;
    sc.size = size_;
    sc.sp = base + size_;  // stacks grow down
    return sc;
  }
  void deallocate(ctx::stack_context& sc) noexcept { free_.push_back(static_cast<char*>(sc.sp) - size_); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Leaves every stack mapped at destruction (stacks of abandoned fibers are still in use).
  void keep_mapped() noexcept { slabs_.clear(); }
  /// The lowest address of the most recently allocated stack.
  [[nodiscard]] char* last() const noexcept { return last_; }

 private:
  void grow() {
    constexpr std::size_t per_slab = 64;
    std::size_t bytes = size_ * per_slab;
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    slabs_.emplace_back(p, bytes);
    for (std::size_t i = per_slab; i-- > 0;) free_.push_back(static_cast<char*>(p) + i * size_);
  }
  std::size_t size_;
  std::vector<std::pair<void*, std::size_t>> slabs_;
  std::vector<char*> free_;
  char* last_ = nullptr;
};

/// Boost.Context StackAllocator over a shared pool.
struct PoolAllocator {
  StackPool* pool;
  ctx::stack_context allocate() { return pool->allocate(); }
  void deallocate(ctx::stack_context& sc) noexcept { pool->deallocate(sc); }
};

struct FiberState {
  ctx::fiber fiber;  // the task's continuation while it is suspended
#if GORO_TSAN
  void* tsan = nullptr;
#endif
  const void* stack_bottom = nullptr;
  std::size_t stack_size = 0;
  std::uint64_t priority = 0;  // PCT: higher runs first
  std::size_t live_index = 0;  // the task's position in SimScheduler::live_
};

struct ScopeEnd {};  // unwinds nothing; marks the end of the scheduler loop

class SimScheduler final : public Scheduler {
 public:
  explicit SimScheduler(const SimOptions& o) : opts_(o), rng_(o.seed), stacks_(o.stack_size * kStackFactor) {
    now_ = Time{std::chrono::duration_cast<Duration>(std::chrono::sys_days{std::chrono::year{2000} / 1 / 1}
                                                         .time_since_epoch())};
    if (!o.replay.empty()) parse_replay(o.replay);
    if (opts_.strategy == Strategy::pct) {
      // Change points are drawn log-uniformly over [1, expected steps]: short runs (most
      // exercise checks take tens of steps) get preempted as often as long ones.
      std::uniform_real_distribution<double> u(0.0, std::log(static_cast<double>(std::max<std::uint64_t>(opts_.pct_expected_steps, 2))));
      for (int i = 0; i + 1 < opts_.pct_depth; ++i)
        change_points_.push_back(static_cast<std::uint64_t>(std::exp(u(rng_))));
      std::sort(change_points_.begin(), change_points_.end());
    }
  }

  ~SimScheduler() override = default;

  SimResult run(std::function<void()> root) {
    Task* outer = current_task();  // the adopted thread calling simulate()
    // [trace] binds an active recording (or GORO_TRACE) to this scope: meta line with the seed.
    trace_sim_begin(*this, opts_.seed, opts_.strategy == Strategy::pct ? "pct" : "random");
    {
      Lock lk(big_lock());
      spawn_task_locked(std::move(root), "main", std::source_location::current(), 0, *this);
      root_ = runnable_.back();
    }
#if GORO_TSAN
    sched_tsan_ = __tsan_get_current_fiber();
#endif
    loop();
    // [trace] the scope's outcome ends its recording.
    trace_sim_end(*this, outcome_name(result_.outcome), result_.steps, result_.report);
    set_current_task(outer);
    result_.seed = opts_.seed;
    result_.end_time = now_;
    result_.replay = encode_replay();
    return std::move(result_);
  }

  // ---- Scheduler interface ----
  void spawn(std::shared_ptr<Task> t, std::function<void()> body) override {
    t->sched = this;
    t->state = TaskState::runnable;
    FiberState* fs = new_fiber_state();
    Task* raw = t.get();
    fs->fiber = ctx::fiber(std::allocator_arg, PoolAllocator{&stacks_},
                           [this, raw, body = std::move(body)](ctx::fiber&& sched) mutable {
                             sched_ = std::move(sched);
                             finish_switch_in(raw);
#if GORO_SIM_HAND_OFF_LOCK
                             big_lock().unlock();  // handed over by loop(); the body takes it itself
#endif
                             run_task_body(*raw, body, /*mark_running=*/false);  // resume() did
                             task_exited(raw);
                             return std::move(sched_);
                           });
#if GORO_TSAN
    fs->tsan = __tsan_create_fiber(0);
#endif
    fs->stack_bottom = stacks_.last();
    fs->stack_size = stacks_.size();
    fs->priority = next_priority();
    t->backend = fs;
    fs->live_index = live_.size();
    live_.push_back(std::move(t));
    ++live_count_;
    runnable_.push_back(raw);
  }

  void park(Lock& lk, Task* self) override {
    self->state = TaskState::blocked;
    switch_out(lk, self);
    self->state = TaskState::running;
    self->block = {};
    if (!self->wake && self->killed) throw TaskKilled{};
    self->wake = false;
  }

  void unpark(Task* t) override {
    if (t->state == TaskState::runnable) return;
    t->wake = true;
    t->state = TaskState::runnable;
    runnable_.push_back(t);
  }

  void release(Task* t) override {
    t->killed = true;
    if (t->state != TaskState::runnable) {
      t->state = TaskState::runnable;
      runnable_.push_back(t);
    }
  }

  // An explicit goro::yield() says "let the others run": under PCT the yielding task drops
  // below every other priority, so that a spin loop (`while (!ready) goro::yield();`) cannot
  // keep the CPU forever. A preemption point is only a choice and changes no priority.
  void yield_now(Lock& lk, Task* self) override {
    if (opts_.strategy == Strategy::pct && !runnable_.empty()) prio(self) = low_priority_--;
    requeue(lk, self);
  }

  void polled_nothing(Lock& lk, Task* self) override { yield_now(lk, self); }

  void preempt(Lock& lk, Task* self) override {
    if (runnable_.empty()) return;  // nobody else could run: not a choice
    requeue(lk, self);
  }

  // Puts the running task back among the runnable ones and lets the loop choose. When the
  // loop would certainly choose it again, the step is recorded here instead: the same
  // choices, without two fiber switches.
  void requeue(Lock& lk, Task* self) {
    if (chooses_itself(self)) {
      ++result_.steps;
      last_ran_ = self;
      result_.schedule.push_back(self->id);
      count_switch();
      if (self->killed) throw TaskKilled{};
      return;
    }
    self->state = TaskState::runnable;
    runnable_.push_back(self);
    switch_out(lk, self);
    self->state = TaskState::running;
    if (self->killed) throw TaskKilled{};  // a stopping scope unwinds running tasks too
  }

  Time now() override { return now_; }
  void add_timer(TimerEntry* e) override {
    e->seq = ++timer_seq_;
    heap_push(timers_, e);
  }
  void remove_timer(TimerEntry* e) override { heap_remove(timers_, e); }
  std::optional<Time> next_timer_due() override {
    if (timers_.empty()) return std::nullopt;
    return timers_.front()->when;
  }
  std::uint64_t random() override { return rng_(); }

  std::vector<std::shared_ptr<Task>> tasks() override { return live_; }
  int num_tasks() override { return live_count_; }
  const char* mode_name() const noexcept override { return "deterministic"; }
  void wait_external(Lock& lk, Task* self, const std::function<void()>& work) override {
    std::exception_ptr failure;
    bool finished = false;  // set by the call's thread, under the lock
    ++external_pending_;
    external_threads_.emplace_back([this, self, &work, &failure, &finished] {
      try {
        work();
      } catch (...) {
        failure = std::current_exception();
      }
      Lock l(big_lock());
      finished = true;
      external_done_.push_back(self);
      external_cv_.notify_all();
    });
    try {
      park(lk, self);
    } catch (...) {
      // Released while the call is in flight: the call still has to finish (it refers to
      // this task's stack), so wait for it before unwinding. It may have finished already,
      // and the loop may already have collected it (a wake that found the task runnable).
      external_cv_.wait(lk, [&] { return finished; });
      if (std::find(external_done_.begin(), external_done_.end(), self) != external_done_.end())
        collect_external(self);
      throw;
    }
    if (failure) std::rethrow_exception(failure);
  }

  std::uint64_t new_task_id() override { return ++task_ids_; }
  std::uint64_t new_object_id() override { return ++object_ids_; }

  void task_panicked(Task& t, const std::string& value, const std::vector<std::string>& stack) override {
    std::string out = fmt::format("panic: {}\n\ngoroutine {} [running]:\n", value, t.id);
    for (const auto& f : stack) out += fmt::format("  {}\n", f);
    out += fmt::format("created by {}:{} in goroutine {}\n", t.started_at.file_name(), t.started_at.line(),
                       t.parent_id);
    if (result_.outcome == SimResult::Outcome::ok) {
      result_.outcome = SimResult::Outcome::panic;
      result_.panic_value = value;
      result_.report = out;
    }
    // The task ends as if it returned; the loop then stops the scope.
    Lock lk(big_lock());
    stopping_ = true;
  }

 private:
  FiberState* new_fiber_state() {
    if (free_fibers_.empty()) return &fibers_->emplace_back();
    FiberState* fs = free_fibers_.back();
    free_fibers_.pop_back();
    return fs;
  }
  // The fiber has returned (its stack is back in the pool): the record can be reused.
  void free_fiber_state(FiberState* fs) {
#if GORO_TSAN
    __tsan_destroy_fiber(fs->tsan);
#endif
    *fs = FiberState{};
    free_fibers_.push_back(fs);
  }

  std::uint64_t next_priority() {
    // Distinct random priorities; higher runs first under PCT.
    return (rng_() << 16) | (++prio_seq_ & 0xffff);
  }

  // Whether loop()'s next iteration, with `self` requeued, would pick `self` and do nothing
  // else: PCT with no change point, replay or chooser due at this step, nothing to reap or
  // wake, and `self` strictly above every runnable task's priority (pick() takes the first
  // of equal priorities, and `self` would be last).
  bool chooses_itself(Task* self) {
    if (opts_.strategy != Strategy::pct || stopping_ || opts_.chooser || replay_pos_ < replay_.size()) return false;
    if (!external_done_.empty() || !exited_.empty() || result_.steps + 1 > opts_.max_steps) return false;
    if (next_change_ < change_points_.size() && change_points_[next_change_] <= result_.steps + 1) return false;
    const std::uint64_t p = prio(self);
    for (Task* t : runnable_)
      if (prio(t) >= p) return false;
    return true;
  }

  // Only the scheduler's thread writes the counter (the monitor reads it): a plain store
  // spares a locked read-modify-write.
  void count_switch() {
    switches_.store(switches_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    note_step();
  }

  // Runs on the task's fiber: give the CPU back to the scheduler loop.
  void switch_out(Lock& lk, Task* self) {
#if GORO_SIM_HAND_OFF_LOCK
    // `lk` stays owned across the switch: the thread keeps holding the mutex for the scheduler
    // and the tasks it runs meanwhile, and holds it again when this task is resumed.
    try {
      switch_to_scheduler();
    } catch (...) {
      // Boost's forced unwind of a fiber destroyed while suspended: the lock was not handed
      // back, so `lk` must not unlock it while this stack unwinds.
      (void)lk.release();
      throw;
    }
    set_current_task(self);
#else
    lk.unlock();
    switch_to_scheduler();
    set_current_task(self);
    lk.lock();
#endif
  }

  void switch_to_scheduler() {
#if GORO_TSAN
    __tsan_switch_to_fiber(sched_tsan_, 0);
#endif
#if GORO_ASAN
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, sched_stack_bottom_, sched_stack_size_);
#endif
    sched_ = std::move(sched_).resume();
#if GORO_ASAN
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  }

  void finish_switch_in(Task* t) {
#if GORO_ASAN
    __sanitizer_finish_switch_fiber(nullptr, &sched_stack_bottom_, &sched_stack_size_);
#endif
    set_current_task(t);
  }

  void task_exited(Task* t) {
    big_lock().lock();
    t->state = TaskState::exited;
    if (t == root_) root_exited_ = true;
    --live_count_;
    exited_.push_back(t);
#if !GORO_SIM_HAND_OFF_LOCK
    big_lock().unlock();  // released before the switch: ThreadSanitizer tracks locks per fiber
#endif
#if GORO_TSAN
    __tsan_switch_to_fiber(sched_tsan_, 0);
#endif
#if GORO_ASAN
    __sanitizer_start_switch_fiber(nullptr, sched_stack_bottom_, sched_stack_size_);
#endif
  }

  // Runs on the caller's thread stack.
  void resume(Task* t) {
    auto* fs = static_cast<FiberState*>(t->backend);
    t->state = TaskState::running;
#if GORO_TSAN
    __tsan_switch_to_fiber(fs->tsan, 0);
#endif
#if GORO_ASAN
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, fs->stack_bottom, fs->stack_size);
#endif
    fs->fiber = std::move(fs->fiber).resume();
#if GORO_ASAN
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  }

  Task* pick() {
    std::size_t i = 0;
    if (replay_pos_ < replay_.size()) {
      std::uint64_t want = replay_[replay_pos_++];
      auto it = std::find_if(runnable_.begin(), runnable_.end(), [&](Task* t) { return t->id == want; });
      if (it != runnable_.end()) i = static_cast<std::size_t>(it - runnable_.begin());
    } else if (std::size_t c = opts_.chooser ? consult_chooser() : runnable_.size(); c < runnable_.size()) {
      i = c;
    } else if (opts_.strategy == Strategy::random) {
      i = static_cast<std::size_t>(rng_() % runnable_.size());
    } else {
      for (std::size_t k = 1; k < runnable_.size(); ++k)
        if (prio(runnable_[k]) > prio(runnable_[i])) i = k;
    }
    Task* t = runnable_[i];
    runnable_[i] = runnable_.back();
    runnable_.pop_back();
    return t;
  }

  // SimOptions::chooser: the index in runnable_ of the task it picks, or runnable_.size()
  // to leave the choice to the strategy. The rng is not touched, so a chooser that always
  // returns 0 changes nothing.
  std::size_t consult_chooser() {
    if (!opts_.chooser || stopping_) return runnable_.size();
    SimDecision d;
    d.step = result_.steps;
    d.runnable.reserve(runnable_.size());
    for (Task* t : runnable_) d.runnable.push_back(info(*t));
    std::sort(d.runnable.begin(), d.runnable.end(), [](const TaskInfo& a, const TaskInfo& b) { return a.id < b.id; });
    std::uint64_t want = opts_.chooser(d);
    if (want == 0) return runnable_.size();
    auto it = std::find_if(runnable_.begin(), runnable_.end(), [&](Task* t) { return t->id == want; });
    return static_cast<std::size_t>(it - runnable_.begin());
  }

  static std::uint64_t& prio(Task* t) { return static_cast<FiberState*>(t->backend)->priority; }

  // PCT: at each change point the task that ran last drops below every other priority.
  void maybe_change_priority() {
    if (opts_.strategy != Strategy::pct) return;
    while (next_change_ < change_points_.size() && change_points_[next_change_] <= result_.steps) {
      if (last_ran_ != nullptr && last_ran_->state != TaskState::exited) prio(last_ran_) = low_priority_--;
      ++next_change_;
    }
  }

  // A finished external call: its task may run again (lock held).
  void collect_external(Task* t) {
    external_done_.erase(std::find(external_done_.begin(), external_done_.end(), t));
    --external_pending_;
  }
  void wake_finished_externals() {
    while (!external_done_.empty()) {
      Task* t = external_done_.front();
      collect_external(t);
      unpark(t);
    }
  }

  void loop() {
    Lock lk(big_lock());
    Monitor monitor(*this);
    int stop_rounds = 0;
    for (;;) {
      reap(lk);
      wake_finished_externals();
      if (stopping_) {
        stop_scope(lk);
        // Tasks that swallow TaskKilled and block again cannot be unwound: give up on them
        // after a few rounds rather than loop forever.
        if (runnable_.empty()) break;
        if (++stop_rounds > 100000) {
          abandon_remaining();
          break;
        }
      }
      if (runnable_.empty()) {
        if (external_pending_ > 0) {  // not durably blocked: wait in real time
          external_cv_.wait(lk, [&] { return !external_done_.empty(); });
          continue;
        }
        if (!timers_.empty()) {
          fire_next_timers();
          continue;
        }
        if (live_count_ == 0) break;
        end_with_stuck_tasks(lk);
        continue;
      }
      if (++result_.steps > opts_.max_steps && !stopping_) {
        result_.outcome = SimResult::Outcome::step_limit;
        result_.report = fmt::format("step limit: more than {} scheduling decisions (a livelock?)\n\n{}",
                                     opts_.max_steps, report_tasks());
        stopping_ = true;
        continue;
      }
      maybe_change_priority();
      Task* t = pick();
      last_ran_ = t;
      result_.schedule.push_back(t->id);
      virtual_now_.store(now_.time_since_epoch().count(), std::memory_order_relaxed);
      running_.store(t, std::memory_order_relaxed);
      count_switch();
#if GORO_SIM_HAND_OFF_LOCK
      resume(t);  // runs with the lock handed over; the task hands it back when it switches out
#else
      lk.unlock();
      resume(t);
      lk.lock();
#endif
      running_.store(nullptr, std::memory_order_relaxed);
    }
    for (auto& th : external_threads_) th.join();
  }

  /// Watches for a task that stops returning to the scheduler: it sleeps, waits or spins
  /// outside goro, which freezes the whole scope. Samples the scope's thread every 20 ms while
  /// no scheduling step happens; tells SimOptions::on_outside_block once the task has been
  /// asleep in the kernel for `outside_block_after` (or has spun for `outside_spin_after` of
  /// CPU time), and warns on stderr after 5 s when nobody listens.
  class Monitor {
   public:
    explicit Monitor(SimScheduler& s) : thread_([&s, tid = current_tid(), cpu = own_cpu_clock()](std::stop_token st) {
      watch(s, tid, cpu, st);
    }) {}

   private:
    static clockid_t own_cpu_clock() {
      clockid_t c = CLOCK_THREAD_CPUTIME_ID;
      (void)pthread_getcpuclockid(pthread_self(), &c);
      return c;
    }

    static void watch(SimScheduler& s, pid_t tid, clockid_t cpu_clock, std::stop_token st) {
      using namespace std::chrono;
      using Clock = steady_clock;
      std::mutex mu;
      std::condition_variable_any cv;
      std::unique_lock lk(mu);
      const bool listening = static_cast<bool>(s.opts_.on_outside_block);
      const auto period = listening ? milliseconds(20) : milliseconds(250);
      std::uint64_t last = s.switches_.load();
      Clock::time_point still_since = Clock::now();
      Clock::time_point last_sample = Clock::now();
      bool was_asleep = false;
      nanoseconds asleep_total{0};  // time between samples that both found the thread asleep
      nanoseconds cpu_at_start{-1};
      bool told = false;   // this stretch was reported already
      bool warned = false;
      for (;;) {
        (void)cv.wait_for(lk, st, period, [] { return false; });
        if (st.stop_requested()) return;
        const std::uint64_t now = s.switches_.load();
        const Task* t = s.running_.load();
        const auto at = Clock::now();
        if (now != last || t == nullptr) {  // a scheduling step happened: a new stretch
          last = now;
          still_since = last_sample = at;
          was_asleep = false;
          asleep_total = nanoseconds{0};
          cpu_at_start = nanoseconds{-1};
          told = warned = false;
          continue;
        }
        ThreadSample sample = sample_thread(tid, cpu_clock);
        if (cpu_at_start.count() < 0) cpu_at_start = sample.cpu;
        // Asleep in a known wait (a sleep, a futex, a read...): brief wake-ups between two
        // sleeps of a loop do not start the count again. Anything else asleep (a write to a
        // full pipe, a page fault) only counts towards the 5 s warning.
        const bool asleep = sample.ok && sample.asleep && sample.kind != OutsideBlock::Kind::other;
        if (asleep && was_asleep) asleep_total += at - last_sample;
        was_asleep = asleep;
        last_sample = at;
        const auto slept = duration_cast<milliseconds>(asleep_total);
        const auto spun = duration_cast<milliseconds>(sample.cpu - cpu_at_start);
        // A futex or I/O wait may also be brief contention (a goro::blocking helper holding the
        // runtime's lock while a busy machine has descheduled it): it must last four times as long.
        const auto limit = sample.kind == OutsideBlock::Kind::sleep ? s.opts_.outside_block_after
                                                                    : 4 * s.opts_.outside_block_after;
        const bool blocked = asleep && slept >= limit;
        const bool spinning = !asleep && spun >= s.opts_.outside_spin_after;
        if (listening && !told && (blocked || spinning)) {
          told = true;
          if (auto info = running_task(s, t, last)) {
            OutsideBlock b = describe(s, *info, tid, sample, blocked ? slept : spun, !blocked);
            if (s.switches_.load() == last) s.opts_.on_outside_block(b);  // still the same stretch
          }
        } else if (!listening && !warned && at - still_since >= seconds(5)) {
          warned = true;
          if (auto info = running_task(s, t, last)) {
            OutsideBlock b = describe(s, *info, tid, sample, duration_cast<milliseconds>(at - still_since), !sample.asleep);
            if (s.switches_.load() == last) std::fputs(("goro: " + b.report).c_str(), stderr);
          }
        }
      }
    }

    // The running task `t` as it is while it stays stuck: read under the runtime's lock (which
    // a task running its own code does not hold), so that it cannot exit meanwhile. Nothing
    // when the lock stays taken or the task has moved on.
    static std::optional<TaskInfo> running_task(SimScheduler& s, const Task* t, std::uint64_t switches) {
      std::unique_lock lk(big_lock(), std::defer_lock);
      for (int i = 0; i < 100 && !lk.try_lock(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (!lk.owns_lock() || s.running_.load() != t || s.switches_.load() != switches) return std::nullopt;
      TaskInfo info;
      info.id = t->id;
      info.name = t->name;
      info.started_at = t->started_at;
      info.state = TaskState::running;
      return info;
    }

    static OutsideBlock describe(SimScheduler& s, const TaskInfo& task, pid_t tid, const ThreadSample& sample,
                                 std::chrono::milliseconds real, bool spin) {
      OutsideBlock b;
      b.kind = spin ? OutsideBlock::Kind::spin : sample.kind;
      b.syscall = spin ? std::string() : sample.syscall;
      b.task = task;
      b.real = real;
      b.virtual_now = Time{Duration{s.virtual_now_.load(std::memory_order_relaxed)}};
      const auto stack = stack_of_thread(tid, std::chrono::milliseconds(200));
      for (const auto& f : stack)
        b.stack.push_back(f.file.empty() ? f.function : fmt::format("{} at {}:{}", f.function, f.file, f.line));
      if (const Frame* own = own_code_frame(stack)) b.where = fmt::format("{}:{}", own->file, own->line);
      b.report = format_outside_block(b);
      return b;
    }

    std::jthread thread_;
  };

  void fire_next_timers() {
    Time when = timers_.front()->when;
    if (when > now_) now_ = when;
    while (!timers_.empty() && timers_.front()->when <= now_) {
      TimerEntry* e = timers_.front();
      heap_remove(timers_, e);
      if (e->fire) e->fire();
    }
  }

  // Every task is blocked and nothing can wake them: deadlock (or a leak once root exited).
  void end_with_stuck_tasks(Lock& lk) {
    auto infos = snapshot();
    bool root_alive = !root_exited_;
    result_.stuck = infos;
    if (result_.outcome == SimResult::Outcome::ok) {
      if (root_alive) {
        result_.outcome = SimResult::Outcome::deadlock;
        result_.report = fmt::format("fatal error: all goroutines are asleep - deadlock! (seed {})\n\n{}",
                                     opts_.seed, format_tasks(infos));
      } else {
        result_.outcome = SimResult::Outcome::leak;
        result_.report = fmt::format("found unexpected goroutines: the scope's main task returned but {} "
                                     "task(s) remain blocked forever (seed {})\n\n{}",
                                     infos.size(), opts_.seed, format_tasks(infos));
      }
      // [trace] the deadlock/leak report, before the stuck tasks are released.
      if (tracing()) trace_report(outcome_name(result_.outcome), infos, result_.report);
    }
    stopping_ = true;
    stop_scope(lk);
  }

  // Releases every remaining task so that its stack unwinds; timers are dropped.
  void stop_scope(Lock&) {
    for (auto& t : live_) {
      if (t->state == TaskState::blocked)
        release(t.get());
      else
        t->killed = true;  // runnable: unwinds at its next scheduling point
    }
    for (TimerEntry* e : std::vector<TimerEntry*>(timers_)) heap_remove(timers_, e);
  }

  // Tasks that refuse to unwind (they catch TaskKilled and keep going) cannot be destroyed
  // safely while suspended: their fibers and stacks are deliberately leaked.
  void abandon_remaining() {
    (void)fibers_.release();
    stacks_.keep_mapped();
  }

  void reap(Lock&) {
    for (Task* t : exited_) {
      if (last_ran_ == t) last_ran_ = nullptr;
      auto* fs = static_cast<FiberState*>(t->backend);
      if (fs == nullptr) continue;
      // Swap-remove from live_: its order changes, but identically in every run of a seed.
      const std::size_t i = fs->live_index;
      std::shared_ptr<Task> gone = std::move(live_[i]);  // keeps `t` alive to the end of this round
      if (i + 1 != live_.size()) {
        live_[i] = std::move(live_.back());
        static_cast<FiberState*>(live_[i]->backend)->live_index = i;
      }
      live_.pop_back();
      t->backend = nullptr;
      free_fiber_state(fs);  // the fiber has returned: its stack is back in the pool
    }
    exited_.clear();
  }

  static TaskInfo info(const Task& t) {
    TaskInfo ti;
    ti.id = t.id;
    ti.parent_id = t.parent_id;
    ti.name = t.name;
    ti.started_at = t.started_at;
    ti.state = t.state;
    ti.reason = t.block.reason;
    if (t.block.object != nullptr) ti.blocked_on = t.block.object->describe();
    ti.blocked_at = t.block.where;
    return ti;
  }

  std::vector<TaskInfo> snapshot() {
    std::vector<TaskInfo> out;
    for (auto& t : live_) out.push_back(info(*t));
    std::sort(out.begin(), out.end(), [](const TaskInfo& a, const TaskInfo& b) { return a.id < b.id; });
    return out;
  }
  std::string report_tasks() { return format_tasks(snapshot()); }

  std::string encode_replay() const {
    // "seed.strategy:id*count,id*count,..." — run-length encoded choices.
    std::string out = fmt::format("{}.{}:", opts_.seed, opts_.strategy == Strategy::pct ? "pct" : "random");
    const auto& s = result_.schedule;
    // Long runs have millions of choices: no formatting library per item.
    out.reserve(out.size() + s.size() * 3);
    for (std::size_t i = 0; i < s.size();) {
      std::size_t j = i;
      while (j < s.size() && s[j] == s[i]) ++j;
      char item[48];  // ",id*count" with 20-digit numbers
      char* p = item;
      if (i != 0) *p++ = ',';
      p = std::to_chars(p, item + sizeof item, s[i]).ptr;
      if (j - i > 1) {
        *p++ = '*';
        p = std::to_chars(p, item + sizeof item, j - i).ptr;
      }
      out.append(item, static_cast<std::size_t>(p - item));
      i = j;
    }
    return out;
  }
  void parse_replay(const std::string& r) {
    auto colon = r.find(':');
    std::string body = colon == std::string::npos ? r : r.substr(colon + 1);
    std::size_t pos = 0;
    while (pos < body.size()) {
      std::size_t end = body.find(',', pos);
      if (end == std::string::npos) end = body.size();
      std::string item = body.substr(pos, end - pos);
      auto star = item.find('*');
      std::uint64_t id = std::stoull(item.substr(0, star));
      std::uint64_t n = star == std::string::npos ? 1 : std::stoull(item.substr(star + 1));
      for (std::uint64_t k = 0; k < n; ++k) replay_.push_back(id);
      pos = end + 1;
    }
  }

  SimOptions opts_;
  std::mt19937_64 rng_;
  StackPool stacks_;
  Time now_{};
  ctx::fiber sched_;  // the scheduler's continuation while a task runs
#if GORO_TSAN
  void* sched_tsan_ = nullptr;
#endif
  const void* sched_stack_bottom_ = nullptr;
  std::size_t sched_stack_size_ = 0;
  std::vector<std::shared_ptr<Task>> live_;  // every task not yet reaped
  // Fiber records, recycled: spawning a task allocates neither a record nor a map node. A
  // deque never moves its elements (tasks point at theirs through Task::backend).
  std::unique_ptr<std::deque<FiberState>> fibers_ = std::make_unique<std::deque<FiberState>>();
  std::vector<FiberState*> free_fibers_;
  std::vector<Task*> runnable_;
  std::vector<Task*> exited_;
  std::vector<TimerEntry*> timers_;
  std::uint64_t timer_seq_ = 0, task_ids_ = 0, object_ids_ = 0, prio_seq_ = 0;
  std::uint64_t low_priority_ = 1'000'000;
  std::vector<std::uint64_t> change_points_;
  std::size_t next_change_ = 0;
  std::vector<std::uint64_t> replay_;
  std::size_t replay_pos_ = 0;
  int live_count_ = 0;
  int external_pending_ = 0;
  std::vector<Task*> external_done_;
  std::condition_variable external_cv_;
  std::vector<std::jthread> external_threads_;
  std::atomic<const Task*> running_{nullptr};
  std::atomic<std::uint64_t> switches_{0};
  std::atomic<Duration::rep> virtual_now_{0};  // now_, for the monitor thread
  Task* root_ = nullptr;     // valid only while !root_exited_ (exited tasks are reaped)
  bool root_exited_ = false;
  Task* last_ran_ = nullptr;
  bool stopping_ = false;
  SimResult result_;
};

}  // namespace

}  // namespace goro::detail

namespace goro {

const char* outcome_name(SimResult::Outcome o) noexcept {
  switch (o) {
    case SimResult::Outcome::ok: return "ok";
    case SimResult::Outcome::deadlock: return "deadlock";
    case SimResult::Outcome::leak: return "leak";
    case SimResult::Outcome::panic: return "panic";
    case SimResult::Outcome::step_limit: return "step limit";
  }
  return "?";
}

SimResult simulate(const SimOptions& opts, std::function<void()> f) {
  if (in_simulation()) goro::panic("goro::simulate: already inside a deterministic scope");
  detail::SimScheduler s(opts);
  return s.run(std::move(f));
}

bool in_simulation() { return std::string_view(detail::current_scheduler().mode_name()) == "deterministic"; }

}  // namespace goro
