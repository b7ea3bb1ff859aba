// What another thread of this process is doing right now, as the kernel and its stack tell:
// the deterministic scheduler's monitor uses it to say *why* a task has not come back to the
// scheduler (asleep in nanosleep, waiting on a futex, in a read, or spinning) and *where*.
// Linux only (/proc/self/task, tgkill); elsewhere every sample says "unknown".
#pragma once

#include <sys/types.h>
#include <time.h>

#include <chrono>
#include <string>
#include <vector>

#include "goro/sim.hpp"

namespace goro::detail {

/// The calling thread's kernel id.
[[nodiscard]] pid_t current_tid() noexcept;

/// One look at thread `tid`: its scheduler state and, when it sleeps in the kernel, the
/// system call it sleeps in. `cpu_clock` is the thread's CPU-time clock (pthread_getcpuclockid).
struct ThreadSample {
  bool ok = false;             // false when /proc could not be read
  bool asleep = false;         // state S: waiting in the kernel (not running, not a disk wait)
  OutsideBlock::Kind kind = OutsideBlock::Kind::other;  // by the system call, when asleep
  std::string syscall;         // "nanosleep", "futex", "read", ... ("" when not asleep)
  std::chrono::nanoseconds cpu{0};  // CPU time the thread has used so far
};
[[nodiscard]] ThreadSample sample_thread(pid_t tid, clockid_t cpu_clock);

/// The stack of thread `tid` (of this process), innermost frame first, each "function at
/// file:line" when debug information says so; empty when it cannot be taken within `timeout`
/// (the thread does not run signal handlers there, or the signal is in use by the program).
/// Interrupts the thread once with a real-time signal; a sleep, futex wait or read it is in
/// resumes as before (their libc wrappers retry after EINTR, or the call is restarted).
struct Frame {
  std::string function;
  std::string file;  // relative to the source tree when it is inside it; "" when unknown
  int line = 0;
  bool in_tree = false;  // the file is inside the program's source tree
};
[[nodiscard]] std::vector<Frame> stack_of_thread(pid_t tid, std::chrono::milliseconds timeout);

/// The innermost frame of `stack` that is the program's own code: not goro, not the standard
/// library, not a system header. Null when there is none.
[[nodiscard]] const Frame* own_code_frame(const std::vector<Frame>& stack);

/// OutsideBlock::report for `b` (every other field filled in): what the task does, where,
/// for how long, that the virtual clock stood still, and what to use instead.
[[nodiscard]] std::string format_outside_block(const OutsideBlock& b);

}  // namespace goro::detail
