// Where the runtime reports events to the trace recorder (goro/trace.hpp). Each hook is one
// relaxed load of a flag when recording is off. Unless noted, hooks are called with
// big_lock() held, so events are totally ordered; timestamps come from the scheduler's clock.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goro/detail/fmt.hpp"

#include "goro/detail/sched.hpp"

namespace goro {
class Error;
struct TaskInfo;
}  // namespace goro

namespace goro::detail {

extern std::atomic<bool> g_tracing;
[[nodiscard]] inline bool tracing() noexcept { return g_tracing.load(std::memory_order_relaxed); }

/// A short printable preview of a value sent on a channel ("" when T is not printable).
template <class T>
std::string preview(const T& v) {
  if constexpr (fmt::is_formattable<T>::value) {
    std::string s = fmt::format("{}", v);
    if (s.size() > 40) {
      s.resize(37);
      s += "...";
    }
    return s;
  } else {
    return {};
  }
}

/// A fresh id for a message (pairs a send with its receive in traces); 0 when not tracing.
std::uint64_t next_msg_id() noexcept;

// ---- tasks ----
void trace_task_start(const Task& t);      // lock held
void trace_task_exit(const Task& t);       // lock held
void trace_block(const Task& t);           // t.block describes the operation; lock held
void trace_unblock(const Task& t);         // t runs again; lock held
void trace_panic(const Task& t, const std::string& value, const std::vector<std::string>& stack);  // no lock
void trace_task_error(const Task& t, const Error& err);  // a task's function returned err; no lock

// ---- channels and select ----
void trace_chan_make(std::uint64_t chan, const std::string& elem, std::size_t cap, const std::source_location& loc);
void trace_chan_send(const Task& t, std::uint64_t chan, std::uint64_t msg, const std::string& value,
                     const std::source_location& loc);
void trace_chan_recv(const Task& t, std::uint64_t chan, std::uint64_t msg, bool ok, const std::string& value,
                     const std::source_location& loc);
void trace_chan_close(const Task& t, std::uint64_t chan, const std::source_location& loc);
void trace_select(const Task& t, std::size_t chosen, std::size_t ncases, bool is_default,
                  const std::source_location& loc);

// ---- contexts, groups, timers (lock held) ----
void trace_ctx_new(std::uint64_t ctx, std::uint64_t parent, std::string_view kind);
void trace_ctx_cancel(std::uint64_t ctx, const Error& err, const Error& cause);
void trace_group_first_error(std::uint64_t group, const Error& err);
void trace_timer(std::string_view what, std::uint64_t timer, Time when);

// ---- diagnoses (no lock) ----
void trace_report(std::string_view kind, const std::vector<TaskInfo>& tasks, const std::string& text);

}  // namespace goro::detail
