// Scheduler-independent parts of the task machinery: the big lock, the current task, task
// bodies and the unrecovered-panic path, the timer heap, task snapshots.
#include <cxxabi.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>

#include "goro/detail/trace_hooks.hpp"
#include "goro/blocking.hpp"
#include "goro/panic.hpp"
#include "goro/task.hpp"
#include "sched_internal.hpp"

namespace goro::detail {

std::mutex& big_lock() {
  static NoDestroy<std::mutex> mu;
  return mu.get();
}

namespace {
thread_local Task* tl_current = nullptr;
std::atomic<std::uint64_t> g_task_ids{0};
std::atomic<std::uint64_t> g_object_ids{0};
}  // namespace

std::atomic<std::uint64_t> g_progress{0};

std::uint64_t progress_count() noexcept { return g_progress.load(std::memory_order_relaxed); }
void note_progress() noexcept { g_progress.fetch_add(1, std::memory_order_relaxed); }

std::atomic<std::uint64_t> g_steps{0};
std::uint64_t heartbeat() noexcept {
  return g_progress.load(std::memory_order_relaxed) + g_steps.load(std::memory_order_relaxed);
}

std::uint64_t next_task_id() noexcept { return ++g_task_ids; }
std::uint64_t next_global_object_id() noexcept { return ++g_object_ids; }
std::uint64_t next_object_id() noexcept {
  return tl_current != nullptr ? tl_current->sched->new_object_id() : next_global_object_id();
}

void preempt_point(Lock& lk) {
  Task* self = current_task();
  self->sched->preempt(lk, self);
}

void polled_nothing(Lock& lk) {
  Task* self = current_task();
  self->sched->polled_nothing(lk, self);
}

void set_current_task(Task* t) noexcept { tl_current = t; }

Task* current_task() {
  if (tl_current == nullptr) tl_current = adopt_current_thread();
  return tl_current;
}

Scheduler& current_scheduler() { return *current_task()->sched; }

void park_current(Lock& lk, BlockInfo info) {
  Task* self = current_task();
  self->block = info;
  note_progress();
  if (tracing()) trace_block(*self);
  self->sched->park(lk, self);
  note_progress();
  if (tracing()) trace_unblock(*self);
}

int release_blocked_tasks(Scheduler& sched) {
  Lock lk(big_lock());
  int n = 0;
  for (const auto& t : sched.tasks()) {
    if (t->adopted || t->state != TaskState::blocked) continue;
    sched.release(t.get());
    ++n;
  }
  return n;
}

void run_external(const std::function<void()>& work, std::source_location loc) {
  Task* self = current_task();
  Lock lk(big_lock());
  self->block = {WaitReason::external, nullptr, loc};
  if (tracing()) trace_block(*self);
  self->sched->wait_external(lk, self, work);
  note_progress();
  self->block = {};
  if (tracing()) trace_unblock(*self);
}

const char* wait_reason_name(WaitReason r) noexcept {
  switch (r) {
    case WaitReason::none: return "running";
    case WaitReason::chan_receive: return "chan receive";
    case WaitReason::chan_send: return "chan send";
    case WaitReason::chan_receive_nil: return "chan receive (nil chan)";
    case WaitReason::chan_send_nil: return "chan send (nil chan)";
    case WaitReason::select: return "select";
    case WaitReason::select_no_cases: return "select (no cases)";
    case WaitReason::semacquire: return "semacquire";
    case WaitReason::mutex_lock: return "sync.Mutex.Lock";
    case WaitReason::rwmutex_lock: return "sync.RWMutex.Lock";
    case WaitReason::rwmutex_rlock: return "sync.RWMutex.RLock";
    case WaitReason::sleep: return "sleep";
    case WaitReason::group_wait: return "errgroup wait";
    case WaitReason::group_go: return "errgroup go (limit reached)";
    case WaitReason::semaphore: return "semaphore acquire";
    case WaitReason::once: return "sync.Once.Do";
    case WaitReason::external: return "IO wait";
  }
  return "unknown";
}

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> p(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  std::string s = status == 0 && p ? p.get() : mangled;
  // Shorten the common library spellings learners see in diagnostics.
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{
                              "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >",
                              "std::string"},
                          {"std::__cxx11::", "std::"},
                          {"(anonymous namespace)::", ""}}) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos)) s.replace(pos, from.size(), to);
  }
  return s;
}

// ---- timer heap ----
bool timer_less(const TimerEntry* a, const TimerEntry* b) noexcept {
  return a->when != b->when ? a->when < b->when : a->seq < b->seq;
}
namespace {
void heap_swap(std::vector<TimerEntry*>& h, std::size_t i, std::size_t j) {
  std::swap(h[i], h[j]);
  h[i]->heap_index = i;
  h[j]->heap_index = j;
}
void sift_up(std::vector<TimerEntry*>& h, std::size_t i) {
  while (i > 0) {
    std::size_t p = (i - 1) / 2;
    if (!timer_less(h[i], h[p])) break;
    heap_swap(h, i, p);
    i = p;
  }
}
void sift_down(std::vector<TimerEntry*>& h, std::size_t i) {
  for (;;) {
    std::size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h.size() && timer_less(h[l], h[m])) m = l;
    if (r < h.size() && timer_less(h[r], h[m])) m = r;
    if (m == i) return;
    heap_swap(h, i, m);
    i = m;
  }
}
}  // namespace
void heap_push(std::vector<TimerEntry*>& h, TimerEntry* e) {
  if (e->queued()) heap_remove(h, e);
  e->heap_index = h.size();
  h.push_back(e);
  sift_up(h, e->heap_index);
}
void heap_remove(std::vector<TimerEntry*>& h, TimerEntry* e) {
  if (!e->queued()) return;
  std::size_t i = e->heap_index;
  heap_swap(h, i, h.size() - 1);
  h.pop_back();
  e->heap_index = static_cast<std::size_t>(-1);
  if (i < h.size()) {
    sift_down(h, i);
    sift_up(h, i);
  }
}

// ---- task bodies and unrecovered panics ----
namespace {
std::string location_string(const std::source_location& l) {
  if (l.file_name() == nullptr || *l.file_name() == '\0') return "?";
  return fmt::format("{}:{}", l.file_name(), l.line());
}

}  // namespace

[[noreturn]] void die_with_panic(Task& t, const std::string& value, const std::vector<std::string>& stack) {
  std::string out = fmt::format("panic: {}\n\ngoroutine {} [running]:\n", value, t.id);
  for (const auto& f : stack) out += fmt::format("  {}\n", f);
  out += fmt::format("created by {} in goroutine {}\n", location_string(t.started_at), t.parent_id);
  std::vector<TaskInfo> others;
  for (const auto& ti : goro::tasks())
    if (ti.id != t.id) others.push_back(ti);
  if (!others.empty()) out += "\n" + format_tasks(others);
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
  std::fflush(stdout);
  std::_Exit(2);
}

namespace {
void panicked(Task& t, const std::string& value, const std::vector<std::string>& stack) {
  if (tracing()) trace_panic(t, value, stack);
  t.sched->task_panicked(t, value, stack);
}
}  // namespace

void run_task_body(Task& t, std::function<void()>& body, bool mark_running) {
  set_current_task(&t);
  if (mark_running) {
    Lock lk(big_lock());
    if (t.state == TaskState::runnable) t.state = TaskState::running;
  }
  try {
    body();
  } catch (const TaskKilled&) {
    // Released by a leak check: unwind quietly.
  } catch (const Panic& p) {
    panicked(t, p.value(), p.stack());
  } catch (const std::exception& e) {
    panicked(t, fmt::format("{} ({})", e.what(), demangle(typeid(e).name())), current_exception_stack());
  } catch (...) {
    panicked(t, "unknown exception", current_exception_stack());
  }
  if (tracing()) {
    Lock lk(big_lock());
    trace_task_exit(t);
  }
  body = nullptr;  // destroy captures while still the current task
  note_progress();
  set_current_task(nullptr);
}

void spawn_task_locked(std::function<void()> body, std::string name, std::source_location loc,
                       std::uint64_t parent_id, Scheduler& sched) {
  auto t = std::make_shared<Task>();
  t->id = sched.new_task_id();
  t->parent_id = parent_id;
  t->started_at = loc;
  t->name = std::move(name);
  const Task& started = *t;
  sched.spawn(std::move(t), std::move(body));
  if (tracing()) trace_task_start(started);
}

void spawn_task(std::function<void()> body, std::string name, std::source_location loc) {
  Task* parent = current_task();
  Lock lk(big_lock());
  spawn_task_locked(std::move(body), std::move(name), loc, parent->id, *parent->sched);
  parent->sched->preempt(lk, parent);  // the new task may run first
}

}  // namespace goro::detail

namespace goro {

int num_tasks() {
  detail::Scheduler& s = detail::current_scheduler();
  detail::Lock lk(detail::big_lock());
  return s.num_tasks();
}

std::vector<TaskInfo> tasks() { return detail::task_infos(detail::current_scheduler()); }

}  // namespace goro

namespace goro::detail {

std::vector<TaskInfo> task_infos(Scheduler& s) {
  std::vector<TaskInfo> out;
  detail::Lock lk(detail::big_lock());
  for (const auto& t : s.tasks()) {
    TaskInfo ti;
    ti.id = t->id;
    ti.parent_id = t->parent_id;
    ti.name = t->name;
    ti.started_at = t->started_at;
    ti.adopted = t->adopted;
    ti.state = t->state;
    if (t->state == detail::TaskState::blocked) {
      ti.reason = t->block.reason;
      if (t->block.object != nullptr) ti.blocked_on = t->block.object->describe();
      ti.blocked_at = t->block.where;
    }
    out.push_back(std::move(ti));
  }
  std::sort(out.begin(), out.end(), [](const TaskInfo& a, const TaskInfo& b) { return a.id < b.id; });
  return out;
}

}  // namespace goro::detail

namespace goro {

std::string format_tasks(const std::vector<TaskInfo>& ts) {
  std::string out;
  for (const auto& t : ts) {
    const char* state = t.state == detail::TaskState::blocked ? detail::wait_reason_name(t.reason)
                        : t.state == detail::TaskState::runnable ? "runnable"
                                                                 : "running";
    out += fmt::format("goroutine {}{} [{}]:\n", t.id, t.name.empty() ? "" : fmt::format(" \"{}\"", t.name), state);
    if (t.state == detail::TaskState::blocked) {
      if (!t.blocked_on.empty()) out += fmt::format("  blocked on {}\n", t.blocked_on);
      if (t.blocked_at.line() != 0)
        out += fmt::format("  at {}:{} ({})\n", t.blocked_at.file_name(), t.blocked_at.line(), t.blocked_at.function_name());
    }
    if (t.adopted)
      out += "  (a thread goro did not start)\n";
    else
      out += fmt::format("created by {}:{} in goroutine {}\n", t.started_at.file_name(), t.started_at.line(), t.parent_id);
    out += "\n";
  }
  return out;
}

std::uint64_t current_task_id() { return detail::current_task()->id; }

void yield() {
  detail::Task* self = detail::current_task();
  detail::Lock lk(detail::big_lock());
  self->sched->yield_now(lk, self);
}

}  // namespace goro
