// The one internal interface every blocking goro primitive goes through.
//
// All goro objects (channels, selects, mutexes, wait groups, timers, contexts) keep their
// state under one process-wide lock, `big_lock()`. A primitive that must wait records what
// it waits on in the current task's `BlockInfo`, queues the task where a waker will find
// it, and calls `park(lk)`. A waker (holding the lock) calls `unpark(task)`. Which OS
// thread or fiber runs next, and what "now" is, belong to the task's `Scheduler`:
//
//   * FreeScheduler   — every task is an OS thread; park waits on a condition variable,
//                       the clock is the real one.
//   * (deterministic) — every task is a fiber on one OS thread; park switches to the
//                       scheduler, which picks the next runnable task from a seeded PRNG,
//                       and the clock is virtual.
//
// Primitives never know which scheduler they run under: they only use the functions below.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <typeinfo>
#include <vector>

namespace goro {

using Duration = std::chrono::nanoseconds;
/// A point in time on the runtime's clock (wall-clock-like; virtual in deterministic mode).
using Time = std::chrono::sys_time<std::chrono::nanoseconds>;

namespace detail {

/// The lock guarding the state of every goro object.
std::mutex& big_lock();
using Lock = std::unique_lock<std::mutex>;

/// Why a task is blocked; printed with Go's wait-reason words.
enum class WaitReason : std::uint8_t {
  none,
  chan_receive,
  chan_send,
  chan_receive_nil,
  chan_send_nil,
  select,
  select_no_cases,
  semacquire,      // WaitGroup.wait
  mutex_lock,
  rwmutex_lock,
  rwmutex_rlock,
  sleep,
  group_wait,      // ErrGroup.wait
  group_go,        // ErrGroup.go blocked on the limit
  semaphore,       // Semaphore.acquire
  once,            // Once.call while another task runs f
  external,        // waiting for something outside goro that completes by itself
};
const char* wait_reason_name(WaitReason r) noexcept;

/// Something a task can block on, able to describe itself for diagnostics
/// ("chan int (cap 0, len 0)", "sync::Mutex (locked)").
struct Waitable {
  virtual ~Waitable() = default;
  [[nodiscard]] virtual std::string describe() const = 0;
};

struct BlockInfo {
  WaitReason reason = WaitReason::none;
  const Waitable* object = nullptr;   // may be null (sleep, select with several cases)
  std::source_location where{};       // the blocking operation in user code
};

class Scheduler;

enum class TaskState : std::uint8_t { runnable, running, blocked, exited };

/// One goroutine. Owned by its scheduler's registry (shared_ptr) while alive.
struct Task {
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;
  std::source_location started_at{};
  std::string name;                // optional label (e.g. "producer")
  Scheduler* sched = nullptr;
  bool adopted = false;            // a thread goro did not start (main, a test thread)

  // Guarded by big_lock():
  TaskState state = TaskState::running;
  BlockInfo block;
  bool wake = false;               // set by unpark, consumed by park
  bool killed = false;             // set when a leak check releases the task: park throws
  std::condition_variable cv;      // free mode only
  void* backend = nullptr;         // scheduler-private (fiber context in deterministic mode)
  std::vector<std::string> stack;  // symbolized stack captured when a panic ends the task
};

/// A pending timer. `fire` runs with big_lock() held and must not block.
struct TimerEntry {
  Time when{};
  std::function<void()> fire;
  std::size_t heap_index = static_cast<std::size_t>(-1);  // position in the heap, -1 if not queued
  std::uint64_t seq = 0;                                   // FIFO among equal deadlines
  [[nodiscard]] bool queued() const noexcept { return heap_index != static_cast<std::size_t>(-1); }
};

/// Thrown out of park() in a task that a leak check released; unwinds the task quietly.
struct TaskKilled {};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  /// Starts `body` as a new task. Called with big_lock() held (so that timer callbacks and
  /// cancellations, which run under the lock, can start tasks); never blocks.
  virtual void spawn(std::shared_ptr<Task> t, std::function<void()> body) = 0;

  /// Lets other tasks run (Go's runtime.Gosched). `lk` holds big_lock() on entry and return.
  virtual void yield_now(Lock& lk, Task* self) = 0;

  /// The current task polled and found nothing ready (a select that took its default case).
  /// A deterministic scheduler lets the others run, so that a polling loop cannot starve the
  /// tasks it waits for; free mode does nothing. `lk` holds big_lock() on entry and return.
  virtual void polled_nothing(Lock& lk, Task* self) {
    (void)lk;
    (void)self;
  }

  /// Blocks the current task until some other party calls unpark(it). `lk` holds
  /// big_lock() on entry and on return. Throws TaskKilled if the task was released.
  virtual void park(Lock& lk, Task* self) = 0;

  /// Makes a parked task runnable again. Called with big_lock() held.
  virtual void unpark(Task* t) = 0;

  /// Releases a task parked forever (a leak): its park throws TaskKilled, unwinding the
  /// task's stack so that its resources are freed. Called with big_lock() held.
  virtual void release(Task* t) = 0;

  /// The scheduler's clock.
  [[nodiscard]] virtual Time now() = 0;

  /// Adds or removes a timer (lock held). Removing a timer that is not queued does nothing.
  virtual void add_timer(TimerEntry* e) = 0;
  virtual void remove_timer(TimerEntry* e) = 0;
  /// When the earliest pending timer is due, if any (lock held).
  [[nodiscard]] virtual std::optional<Time> next_timer_due() = 0;

  /// A random number for select and other choices (lock held). Seeded in deterministic mode.
  virtual std::uint64_t random() = 0;

  /// Fresh ids for tasks and for goro objects (channels, mutexes...). Deterministic scopes
  /// number from 1 so that the same seed gives the same ids.
  virtual std::uint64_t new_task_id() = 0;
  virtual std::uint64_t new_object_id() = 0;

  /// A scheduling point: the deterministic scheduler may switch to another runnable task here
  /// (every goro operation calls it, so interleavings are explored between operations); free
  /// mode does nothing. Lock held on entry and on return.
  virtual void preempt(Lock& lk, Task* self) = 0;

  /// Called (without the lock) when an exception escapes a task. Free mode ends the process
  /// like Go; a deterministic scope records the panic, ends the task and stops the scope.
  virtual void task_panicked(Task& t, const std::string& value,
                                          const std::vector<std::string>& stack) = 0;

  /// Runs `work` (which blocks outside goro and completes by itself) on behalf of `self`;
  /// the task counts as blocked but not durably ("IO wait"). Lock held on entry and return;
  /// `work` runs without it.
  virtual void wait_external(Lock& lk, Task* self, const std::function<void()>& work) = 0;

  /// Live tasks (lock held).
  [[nodiscard]] virtual std::vector<std::shared_ptr<Task>> tasks() = 0;
  [[nodiscard]] virtual int num_tasks() = 0;

  /// True when blocking operations must be registered as "waiting on something external".
  [[nodiscard]] virtual const char* mode_name() const noexcept = 0;
};

/// The task running on this thread or fiber. A thread goro did not start is adopted on first
/// use (like Go's main goroutine) and registered with the free scheduler.
Task* current_task();
Scheduler& current_scheduler();

/// The process-wide free-mode scheduler.
Scheduler& free_scheduler();

/// Starts a task with big_lock() held (`lk` proves it), as a child of the current task or,
/// from a timer callback, of task `parent_id`.
void spawn_task_locked(std::function<void()> body, std::string name, std::source_location loc,
                       std::uint64_t parent_id, Scheduler& sched);

/// Releases every task of `sched` that is blocked (see Scheduler::release), except adopted
/// threads; returns how many. Used by leak checks and tests to start the next case clean.
int release_blocked_tasks(Scheduler& sched);

/// Parks the current task recording `info` as what it is blocked on.
void park_current(Lock& lk, BlockInfo info);

/// A fresh id for a goro object (from the current task's scheduler).
std::uint64_t next_object_id() noexcept;

/// A scheduling point for the current task (see Scheduler::preempt). Lock held.
void preempt_point(Lock& lk);
/// big_lock() held: the current task polled and found nothing (Scheduler::polled_nothing).
void polled_nothing(Lock& lk);

/// A readable name for a type (used in "chan int" descriptions).
template <class T>
std::string type_name();

std::string demangle(const char* mangled);

template <class T>
std::string type_name() {
  return demangle(typeid(T).name());
}

}  // namespace detail
}  // namespace goro
