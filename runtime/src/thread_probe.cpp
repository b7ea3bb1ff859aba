// thread_probe.hpp: a thread's state from /proc, its stack by a signal (Boost.Stacktrace with
// the libbacktrace backend, as in panic.cpp).
#define BOOST_STACKTRACE_USE_BACKTRACE
#include "thread_probe.hpp"

#include <backtrace.h>
#include <cxxabi.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/stacktrace.hpp>
#include <fmt/format.h>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string_view>
#include <thread>

// The source tree's absolute path (with a trailing slash), so that frames read from debug
// information are shown relative to it, like every source_location in goro's reports (the
// build maps the same prefix away with -fmacro-prefix-map).
#ifndef GORO_SOURCE_ROOT
#define GORO_SOURCE_ROOT ""
#endif

namespace goro::detail {

namespace {

struct SyscallName {
  long nr;
  const char* name;
  OutsideBlock::Kind kind;
};

// The system calls a thread sleeps in, by what they mean for a task that waits in them.
constexpr SyscallName kSyscalls[] = {
#ifdef SYS_nanosleep
    {SYS_nanosleep, "nanosleep", OutsideBlock::Kind::sleep},
#endif
    {SYS_clock_nanosleep, "clock_nanosleep", OutsideBlock::Kind::sleep},
#ifdef SYS_pause
    {SYS_pause, "pause", OutsideBlock::Kind::sleep},
#endif
    {SYS_futex, "futex", OutsideBlock::Kind::lock},
    {SYS_read, "read", OutsideBlock::Kind::io},
    {SYS_readv, "readv", OutsideBlock::Kind::io},
    {SYS_pread64, "pread64", OutsideBlock::Kind::io},
    {SYS_recvfrom, "recvfrom", OutsideBlock::Kind::io},
    {SYS_recvmsg, "recvmsg", OutsideBlock::Kind::io},
    {SYS_accept4, "accept4", OutsideBlock::Kind::io},
    {SYS_connect, "connect", OutsideBlock::Kind::io},
    {SYS_ppoll, "ppoll", OutsideBlock::Kind::io},
    {SYS_pselect6, "pselect6", OutsideBlock::Kind::io},
    {SYS_epoll_pwait, "epoll_pwait", OutsideBlock::Kind::io},
    {SYS_wait4, "wait4", OutsideBlock::Kind::io},
    {SYS_waitid, "waitid", OutsideBlock::Kind::io},
    {SYS_flock, "flock", OutsideBlock::Kind::io},
    {SYS_fcntl, "fcntl", OutsideBlock::Kind::io},
#ifdef SYS_poll
    {SYS_poll, "poll", OutsideBlock::Kind::io},
#endif
#ifdef SYS_select
    {SYS_select, "select", OutsideBlock::Kind::io},
#endif
#ifdef SYS_accept
    {SYS_accept, "accept", OutsideBlock::Kind::io},
#endif
#ifdef SYS_epoll_wait
    {SYS_epoll_wait, "epoll_wait", OutsideBlock::Kind::io},
#endif
};

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// ---- the stack, by signal ----
// One capture at a time (the mutex); the handler copies the interrupted thread's return
// addresses into g_frames and raises g_done. safe_dump_to is the async-signal-safe capture.
std::mutex g_capture_mu;
constexpr std::size_t kMaxFrames = 64;
std::array<boost::stacktrace::frame::native_frame_ptr_t, kMaxFrames + 1> g_frames{};
std::atomic<pid_t> g_target{0};
std::atomic<std::size_t> g_count{0};
std::atomic<bool> g_done{false};

int probe_signal() { return SIGRTMIN + 7; }

void on_probe_signal(int) {
  const int saved = errno;
  if (g_target.load() == current_tid() && !g_done.load()) {
    g_count.store(boost::stacktrace::safe_dump_to(0, g_frames.data(), sizeof g_frames));
    g_done.store(true);
  }
  errno = saved;
}

// Installs the handler unless the program uses the signal itself. True when ours is in place.
bool install_handler() {
  static const bool ok = [] {
    struct sigaction old {};
    if (sigaction(probe_signal(), nullptr, &old) != 0) return false;
    if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) return false;
    struct sigaction sa {};
    sa.sa_handler = on_probe_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(probe_signal(), &sa, nullptr) == 0;
  }();
  return ok;
}

// `file` relative to the source tree; true when it is inside it. Without a known root, any
// path that is not absolute (nor "../...", as a system library's debug information has) counts.
bool relative(std::string& file) {
  constexpr std::string_view root = GORO_SOURCE_ROOT;
  if (root.empty()) return !file.empty() && file.front() != '/' && file.front() != '.';
  if (file.compare(0, root.size(), root) != 0) return false;
  file.erase(0, root.size());
  return true;
}

// libbacktrace directly rather than boost's frame: it reports every function inlined at an
// address (innermost first), so a std::this_thread::sleep_for inlined into the learner's
// function still shows the learner's line.
backtrace_state* bt_state() {
  static backtrace_state* st = backtrace_create_state(nullptr, 1, [](void*, const char*, int) {}, nullptr);
  return st;
}
void on_bt_error(void*, const char*, int) {}
int on_pcinfo(void* data, std::uintptr_t, const char* file, int line, const char* function) {
  auto* out = static_cast<std::vector<Frame>*>(data);
  Frame f;
  if (function) {
    int status = 0;
    char* d = abi::__cxa_demangle(function, nullptr, nullptr, &status);
    f.function = status == 0 && d ? d : function;
    std::free(d);
  }
  if (file) {
    f.file = file;
    f.in_tree = relative(f.file);
  }
  f.line = line;
  out->push_back(std::move(f));
  return 0;
}

}  // namespace

pid_t current_tid() noexcept { return static_cast<pid_t>(::syscall(SYS_gettid)); }

ThreadSample sample_thread(pid_t tid, clockid_t cpu_clock) {
  ThreadSample s;
  const std::string dir = "/proc/self/task/" + std::to_string(tid);
  const std::string stat = read_file(dir + "/stat");
  // pid (comm) state ... : comm may hold spaces and parentheses; the state follows the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return s;
  s.ok = true;
  s.asleep = stat[close + 2] == 'S';
  timespec ts{};
  if (clock_gettime(cpu_clock, &ts) == 0) s.cpu = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  if (!s.asleep) return s;
  // "nr arg1 ... sp pc" while in a system call, "running" or "-1 ..." otherwise.
  std::istringstream sc(read_file(dir + "/syscall"));
  long nr = -1;
  if (sc >> nr) {
    for (const auto& k : kSyscalls) {
      if (k.nr == nr) {
        s.syscall = k.name;
        s.kind = k.kind;
        return s;
      }
    }
    s.syscall = "syscall " + std::to_string(nr);
  }
  return s;
}

std::vector<Frame> stack_of_thread(pid_t tid, std::chrono::milliseconds timeout) {
  std::lock_guard lk(g_capture_mu);
  if (!install_handler()) return {};
  g_done.store(false);
  g_count.store(0);
  g_target.store(tid);
  if (::syscall(SYS_tgkill, ::getpid(), tid, probe_signal()) != 0) {
    g_target.store(0);
    return {};
  }
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!g_done.load() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling a flag set by a signal handler
  g_target.store(0);
  if (!g_done.load()) return {};
  std::vector<Frame> out;
  const std::size_t n = std::min(g_count.load(), kMaxFrames);
  for (std::size_t i = 0; i < n; ++i) {
    const auto pc = reinterpret_cast<std::uintptr_t>(g_frames[i]);
    const std::size_t before = out.size();
    // A return address: the call it returns from is the byte before it.
    if (backtrace_state* st = bt_state()) (void)backtrace_pcinfo(st, pc > 0 ? pc - 1 : pc, on_pcinfo, on_bt_error, &out);
    if (out.size() == before) out.push_back({boost::stacktrace::frame(g_frames[i]).name(), "", 0});
  }
  // The innermost frames are the handler's own and the signal trampoline: drop them.
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].function.find("on_probe_signal") != std::string::npos) {
      std::size_t from = i + 1;
      if (from < out.size() && out[from].file.empty()) ++from;  // __restore_rt
      out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(from));
      break;
    }
  }
  return out;
}

const Frame* own_code_frame(const std::vector<Frame>& stack) {
  for (const auto& f : stack) {
    if (!f.in_tree || f.line <= 0) continue;  // a system header or a library outside the tree
    if (std::string_view(f.file).rfind("runtime/", 0) == 0) continue;  // goro itself
    return &f;
  }
  return nullptr;
}

std::string format_outside_block(const OutsideBlock& b) {
  using namespace std::chrono;
  const auto secs = duration<double>(b.real).count();
  std::string what;
  switch (b.kind) {
    case OutsideBlock::Kind::sleep: what = fmt::format("has slept on the wall clock ({}) for {:.1f} s", b.syscall, secs); break;
    case OutsideBlock::Kind::lock: what = fmt::format("has waited on a raw lock (futex) for {:.1f} s", secs); break;
    case OutsideBlock::Kind::io: what = fmt::format("has waited in {} for {:.1f} s", b.syscall, secs); break;
    case OutsideBlock::Kind::other: what = fmt::format("has been asleep in {} for {:.1f} s", b.syscall, secs); break;
    case OutsideBlock::Kind::spin: what = fmt::format("has run on the CPU for {:.1f} s", secs); break;
  }
  const std::string name = b.task.name.empty() ? std::string() : fmt::format(" \"{}\"", b.task.name);
  std::string out = fmt::format("task {}{} (started at {}:{}) {} without reaching a goro operation", b.task.id, name,
                                b.task.started_at.file_name(), b.task.started_at.line(), what);
  out += b.where.empty() ? std::string(".\n") : fmt::format(",\n  at {}.\n", b.where);
  // Scopes start at 2000-01-01T00:00:00Z; say how far the clock had got.
  const auto start = sys_days{year{2000} / 1 / 1};
  const auto ms = duration_cast<milliseconds>(b.virtual_now - start).count();
  out += fmt::format("The virtual clock did not move meanwhile (it stands at +{} ms): in a deterministic scope every "
                     "task shares one OS thread, so no other task runs and no goro timer fires until this one "
                     "reaches a goro operation.\n", ms);
  switch (b.kind) {
    case OutsideBlock::Kind::sleep:
      out += "A wait belongs on goro's clock: goro::sleep, or a goro::new_timer (or goro::after) in a select "
             "with ctx.done() when the wait may be cut short. std::this_thread::sleep_for waits in real time "
             "and cannot be cancelled.\n";
      break;
    case OutsideBlock::Kind::lock:
      out += "A std::mutex, std::condition_variable, std::future or thread join that another task must "
             "release can never be released here. Use goro::Mutex, goro::WaitGroup or a channel.\n";
      break;
    case OutsideBlock::Kind::io:
    case OutsideBlock::Kind::other:
      out += "A call that waits for a file, socket, pipe or child process goes in goro::blocking(...), which "
             "lets the other tasks run meanwhile.\n";
      break;
    case OutsideBlock::Kind::spin:
      out += "A loop that polls a flag or a counter never lets another task run: block on a channel, a "
             "goro::Mutex or a timer instead.\n";
      break;
  }
  return out;
}

}  // namespace goro::detail

namespace goro {

const char* outside_block_kind_name(OutsideBlock::Kind k) noexcept {
  switch (k) {
    case OutsideBlock::Kind::sleep: return "wall-clock sleep";
    case OutsideBlock::Kind::lock: return "raw lock";
    case OutsideBlock::Kind::io: return "blocking call";
    case OutsideBlock::Kind::other: return "blocking call";
    case OutsideBlock::Kind::spin: return "busy loop";
  }
  return "?";
}

}  // namespace goro
