// The grader harness (grader.hpp): runs each registered check in a child process, under
// several deterministic schedules and once on real threads, and explains what failed.
//
// Command line (normally driven by `./dojo grade`):
//   --list                 the checks, one per line: number and name
//   --mistakes             the failure classes the checks are built to diagnose (id, title)
//   --check N              run only check N (1-based)
//   --seed S               run only the deterministic schedule S (0: only the real-threads run)
//   --json FILE            also write the results as JSON: [{name, status, message}]
//   --trace-dir DIR        keep the trace of a failing deterministic run in DIR (and DIR/last)
//   --rerun CMD            the command prefix shown to rerun one case (default: this program)
//   --title TEXT           the exercise's name in the header
//   --expect-fail[=TEXT]   for mutants and stubs: succeed (exit 0) only if some check fails
//                          (and, with TEXT, some failure message contains TEXT); the remaining
//                          checks are skipped once such a failure was seen
//   --expect-mistake=ID    for mutants (implies --expect-fail): ... and the first failing check
//                          diagnoses failure class ID (mistakes.hpp), the mistake the variant makes
//   --color / --no-color   force colours on or off (default: on when stdout is a terminal)
//   --timeout SEC          a check whose runs make no progress at all (no task blocks, wakes or
//                          exits, no deterministic step) for SEC real seconds is stopped
//                          (default 30); a slow run on a busy machine is never stopped
//   --free-quiet SEC       the real-threads run is stuck after SEC seconds without progress (10)
//   --max-events N         ... and livelocked after N progress events without finishing (5e6)
//   --subprocess NAME ...  run a program of the grader's own instead (kit/process.hpp)
// Exit code: 0 every check passed, 1 some check failed, 2 bad usage or the harness broke.
#include "grader.hpp"

#include "kit/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <new>
#include <string>
#include <thread>
#include <vector>

namespace dojo::grader {

namespace {

struct Registered {
  std::string name;
  std::string hint;
  Body body;
  Options opts;
};

// The report() lines of the last run that passed, printed by the child after this marker.
std::vector<std::string> g_reports;
constexpr std::string_view kReportMarker = "\x1e[grader reports]\n";

std::vector<Registered>& registry() {
  static std::vector<Registered> r;
  return r;
}

std::vector<const Mistake*>& declared_classes() {
  static std::vector<const Mistake*> d;
  return d;
}

struct Args {
  std::optional<std::size_t> check;
  std::optional<std::uint64_t> seed;
  std::string json;
  std::string trace_dir;
  std::string rerun;
  std::string title = "grader";
  bool expect_fail = false;
  std::string expect_text;
  std::string expect_mistake;
  bool color = false;
  int timeout = 30;
  int free_quiet = 10;
  std::uint64_t max_events = 5'000'000;
};

const Args* g_args = nullptr;

std::string paint(const char* code, std::string_view s) {
  if (!g_args->color) return std::string(s);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}

std::string indent(std::string_view text, std::string_view pad) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty()) {
      out += pad;
      out += line;
    }
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

// ---- the child: one check ------------------------------------------------------------------

struct RunDesc {
  std::uint64_t seed;  // 0: real threads
};

std::string run_label(const RunDesc& r) {
  return r.seed == 0 ? std::string("on real threads (free mode)")
                     : fmt::format("deterministic schedule, seed {}", r.seed);
}

std::string rerun_cmd(std::size_t idx, const RunDesc& r) {
  return fmt::format("{} --check {} --seed {}", g_args->rerun, idx + 1, r.seed);
}

// The line of a report that names its failure class; the parent reads it back.
constexpr std::string_view kMistakeLabel = "mistake:";

// The hint for a failed expectation: the expectation's own; else, for a class the check named
// or the default wrong-result, the check's hint (what the check is about); else the class's.
std::string choose_hint(const Registered& reg, const Check::Failure& f, bool tagged) {
  if (!f.hint.empty()) return f.hint;
  if ((tagged || f.mistake == &mistake::wrong_result) && !reg.hint.empty()) return reg.hint;
  return std::string(!f.mistake->hint.empty() ? f.mistake->hint : std::string_view(reg.hint));
}

// Tasks blocked for good, by what they wait in: a send nobody receives (the receiver left);
// else a receive nobody ends (no close comes); else a plain deadlock or leak.
const Mistake& classify_stuck(const std::vector<goro::TaskInfo>& stuck, bool leaked) {
  using R = goro::detail::WaitReason;
  bool receive = false, send = false, other = false;
  for (const auto& t : stuck) {
    switch (t.reason) {
      case R::chan_send: send = true; break;
      case R::chan_receive: receive = true; break;
      case R::select: case R::semacquire: case R::group_wait: case R::none: break;
      default: other = true; break;
    }
  }
  if (send) return mistake::blocked_send;
  if (receive && !other) return mistake::missing_close;
  return leaked ? mistake::leak : mistake::deadlock;
}

// Go's runtime panics that name a channel mistake of their own.
const Mistake& classify_panic(std::string_view text) {
  if (text.find("close of closed channel") != std::string_view::npos) return mistake::double_close;
  if (text.find("send on closed channel") != std::string_view::npos) return mistake::send_on_closed;
  return mistake::panic;
}

const Mistake& classify_outside(goro::OutsideBlock::Kind k) {
  switch (k) {
    case goro::OutsideBlock::Kind::sleep: return mistake::wall_clock_sleep;
    case goro::OutsideBlock::Kind::lock: return mistake::raw_lock;
    case goro::OutsideBlock::Kind::spin: return mistake::busy_loop;
    default: return mistake::blocking_call;
  }
}

// Prints the failure block for one run and exits the child with 1.
// `m` is the failure class; `hint` the hint chosen for it (see choose_hint).
[[noreturn]] void report_failure(std::size_t idx, const Registered& reg, const RunDesc& run, const std::string& what,
                                 const std::string& expected, const std::string& got, const Mistake& m,
                                 std::string_view hint, const std::vector<std::string>& narration,
                                 const std::string& trace) {
  std::string out = fmt::format("  {} {}\n", paint("31;1", "✗"), paint("1", reg.name));
  out += fmt::format("      {}\n", paint("31", what));
  out += fmt::format("      {}  {} ({})\n", kMistakeLabel, m.id, m.title);
  if (!expected.empty()) out += fmt::format("      expected: {}\n", expected);
  if (!got.empty()) {
    std::string g = indent(got, "                ");
    out += fmt::format("      got:      {}", g.substr(16));
  }
  if (!narration.empty()) {
    out += "      what the grader did:\n";
    std::size_t from = narration.size() > 8 ? narration.size() - 8 : 0;
    if (from > 0) out += "        ...\n";
    for (std::size_t i = from; i < narration.size(); ++i) out += fmt::format("        [grader] {}\n", narration[i]);
  }
  if (!hint.empty()) out += fmt::format("      {}     {}\n", paint("33", "hint:"), hint);
  out += fmt::format("      run:      {}\n", run_label(run));
  out += fmt::format("      rerun:    {}\n", rerun_cmd(idx, run));
  if (!trace.empty())
    out += fmt::format("      trace:    {}\n                (for ui.perfetto.dev: ./dojo trace export --perfetto {} out.json)\n",
                       trace, trace);
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  std::_Exit(1);
}

goro::SimOptions sim_options(const Registered& reg, std::uint64_t seed) {
  goro::SimOptions o;
  o.seed = seed;
  o.max_steps = 20'000'000;
  // A task asleep outside goro for 50 ms (200 ms in a lock or a read) is reported at once:
  // the shortest wait any exercise has is 100 ms, and waiting it out would prove nothing more.
  o.outside_block_after = std::chrono::milliseconds(50);
  if (reg.opts.fair) o.strategy = goro::Strategy::random;
  return o;
}

// Records the deterministic run again with the trace recorder on (same seed: same run).
std::string keep_trace(std::size_t idx, const Registered& reg, std::uint64_t seed) {
  if (g_args->trace_dir.empty()) return {};
  std::error_code ec;
  std::filesystem::create_directories(g_args->trace_dir, ec);
  std::string path = fmt::format("{}/check{}-seed{}.jsonl", g_args->trace_dir, idx + 1, seed);
  try {
    goro::trace::Recording rec(path);
    Check again(seed);
    (void)goro::simulate(sim_options(reg, seed), [&] {
      try {
        reg.body(again);
      } catch (const CheckFailed&) {
      }
    });
  } catch (const std::exception&) {
    return {};
  }
  std::ofstream(g_args->trace_dir + "/last") << path << "\n";
  return path;
}

// The report without its closing advice (the hint line says it instead).
std::string without_last_line(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  const auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(0, nl + 1);
}

void report_expectation(std::size_t idx, const Registered& reg, const RunDesc& run, const Check& c,
                        const std::string& trace) {
  const auto& f = c.failures().front();
  report_failure(idx, reg, run, "an expectation failed", f.expected, f.got, *f.mistake, choose_hint(reg, f, f.tagged),
                 c.narration(), trace);
}

void run_deterministic(std::size_t idx, const Registered& reg, std::uint64_t seed) {
  Check c(seed);
  bool threw_check_failed = false;
  RunDesc run{seed};
  goro::SimOptions opts = sim_options(reg, seed);
  // A task that sleeps, waits or spins outside goro freezes the run: say so at once (waiting
  // for it proves nothing more), from the monitor's thread, and end the child.
  opts.on_outside_block = [&](const goro::OutsideBlock& b) {
    const Mistake& m = classify_outside(b.kind);
    report_failure(idx, reg, run,
                   fmt::format("your code blocked outside goro ({}) in a deterministic run", goro::outside_block_kind_name(b.kind)),
                   "every wait goes through goro (its channels, locks and timers), so that the virtual clock sees it",
                   without_last_line(b.report), m, m.hint, c.narration(), {});
  };
  goro::SimResult r = goro::simulate(opts, [&] {
    try {
      reg.body(c);
    } catch (const CheckFailed&) {
      threw_check_failed = true;
    }
  });
  if (!c.failures().empty()) report_expectation(idx, reg, run, c, keep_trace(idx, reg, seed));
  using O = goro::SimResult::Outcome;
  switch (r.outcome) {
    case O::ok: g_reports = c.reports(); return;
    case O::leak:
      if (!reg.opts.leaks || threw_check_failed) return;
    {
      const Mistake& m = classify_stuck(r.stuck, true);
      report_failure(idx, reg, run, "tasks were left behind (a goroutine leak)",
                     "every task started by your code has exited when your function returns", r.report, m, m.hint,
                     c.narration(), keep_trace(idx, reg, seed));
    }
    case O::deadlock: {
      const Mistake& m = classify_stuck(r.stuck, false);
      report_failure(idx, reg, run, "deadlock: every task is blocked and nothing can wake them",
                     "your function returns", r.report, m, m.hint, c.narration(), keep_trace(idx, reg, seed));
    }
    case O::panic: {
      const Mistake& m = classify_panic(r.report);
      report_failure(idx, reg, run, "your code panicked (an exception escaped a task)", "no panic", r.report, m,
                     m.hint, c.narration(), keep_trace(idx, reg, seed));
    }
    case O::step_limit:
      report_failure(idx, reg, run, "the run never finished (a livelock or a busy loop)",
                     "your function returns", r.report, mistake::busy_loop, mistake::busy_loop.hint,
                     c.narration(), {});
  }
}

// The real-threads run is judged by progress, like the deterministic ones: it is stuck when
// nothing blocks, wakes or exits for --free-quiet seconds, and livelocked when it makes more
// progress events than any check needs (the largest make a few hundred thousand) without
// finishing.
void run_free(std::size_t idx, const Registered& reg) {
  Check c(0);
  RunDesc run{0};
  const std::chrono::seconds quiet{g_args->free_quiet};
  goro::Watchdog dog({.quiet = quiet, .max_events = g_args->max_events, .on_stall = [&](const std::string& report) {
                        const bool livelock = report.find("livelock") != std::string::npos;
                        const Mistake& m = livelock ? mistake::busy_loop : mistake::stuck;
                        report_failure(idx, reg, run,
                                       livelock ? "the run never finished on real threads (a livelock)"
                                                : fmt::format("stuck: no progress for {} s on real threads",
                                                              quiet.count()),
                                       "your function returns", report, m,
                                       livelock ? "Tasks that keep handing work back and forth without ever "
                                                  "finishing; look for a loop that never reaches its exit."
                                                : m.hint,
                                       c.narration(), {});
                      }});
  goro::LeakCheck leaks;
  bool threw_check_failed = false;
  try {
    reg.body(c);
  } catch (const CheckFailed&) {
    threw_check_failed = true;
  } catch (const std::exception& e) {
    report_failure(idx, reg, run, "your code threw an exception that reached the grader", "no exception",
                   fmt::format("{} ({})", e.what(), goro::detail::demangle(typeid(e).name())), classify_panic(e.what()),
                   classify_panic(e.what()).hint, c.narration(), {});
  }
  if (!c.failures().empty()) report_expectation(idx, reg, run, c, {});
  if (reg.opts.leaks && !threw_check_failed) {
    if (auto l = leaks.check()) {
      std::string text = l.format();
      (void)leaks.release();
      const Mistake& m = classify_stuck(l.leaked, true);
      report_failure(idx, reg, run, "tasks were left behind (a goroutine leak)",
                     "every task started by your code has exited when your function returns", text, m, m.hint,
                     c.narration(), {});
    }
  }
  (void)leaks.release();
  g_reports = c.reports();  // a passing run on real threads: its report lines are the ones shown
}

// The child's heartbeat, in memory shared with the parent: goro's heartbeat(), copied every
// 100 ms by a thread of the child's own (not a goro task).
struct Heartbeat {
  std::atomic<std::uint64_t> beat{0};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "the heartbeat crosses processes");

Heartbeat* g_heartbeat = nullptr;

void start_heartbeat() {
  static std::jthread beating([](std::stop_token st) {
    while (!st.stop_requested()) {
      g_heartbeat->beat.store(goro::detail::heartbeat() + 1, std::memory_order_relaxed);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a sampling period, not a wait for anything
    }
  });
}

// Under ThreadSanitizer (the tsan preset grades the reference solutions), a deterministic
// schedule runs every goro task on one thread, one at a time: the races TSan is there to find
// happen in the real-threads run, which always runs. So only the first kSeedCap schedules run
// there — each of them costs a sanitized process start per kill and restart in exercises 12 and
// 17, for no race it could show; the default preset runs every schedule.
#if defined(__SANITIZE_THREAD__)
constexpr int kSeedCap = 2;
#else
constexpr int kSeedCap = std::numeric_limits<int>::max();
#endif

[[noreturn]] void child_main(std::size_t idx) {
  start_heartbeat();
  const Registered& reg = registry()[idx];
  const int seeds = std::min(reg.opts.seeds, kSeedCap);
  if (g_args->seed) {
    if (*g_args->seed == 0)
      run_free(idx, reg);
    else
      run_deterministic(idx, reg, *g_args->seed);
  } else {
    for (int s = 1; s <= seeds; ++s) run_deterministic(idx, reg, static_cast<std::uint64_t>(s));
    if (reg.opts.free) run_free(idx, reg);
  }
  if (!g_reports.empty()) {
    std::fwrite(kReportMarker.data(), 1, kReportMarker.size(), stdout);
    for (const auto& line : g_reports) std::printf("      %s\n", line.c_str());
  }
  std::fflush(stdout);
  std::_Exit(0);
}

// ---- the parent ------------------------------------------------------------------------------

struct Outcome {
  std::string status;   // pass, fail, crash, hang
  std::string text;     // what the child printed
  std::string mistake;  // the failure class's id ("" when it passed)
};

// The class a failing child's report names on its "mistake:" line.
std::string mistake_in(std::string_view text) {
  const auto at = text.find(kMistakeLabel);
  if (at == std::string_view::npos) return {};
  auto from = text.find_first_not_of(' ', at + kMistakeLabel.size());
  auto to = text.find_first_of(" \n", from);
  return std::string(text.substr(from, to - from));
}

std::string mistake_line(const Mistake& m) { return fmt::format("      {}  {} ({})\n", kMistakeLabel, m.id, m.title); }

std::string signal_text(int sig) {
  switch (sig) {
    case SIGSEGV: return "a segmentation fault (SIGSEGV: an invalid memory access)";
    case SIGABRT: return "an abort (SIGABRT: std::terminate, a failed assertion or a double free)";
    case SIGFPE: return "an arithmetic fault (SIGFPE, e.g. division by zero)";
    case SIGBUS: return "a bus error (SIGBUS)";
    case SIGILL: return "an illegal instruction (SIGILL)";
    default: return fmt::format("signal {} ({})", sig, strsignal(sig));
  }
}

Outcome run_child(std::size_t idx) {
  int fds[2];
  if (pipe(fds) != 0) {
    std::perror("grader: pipe");
    std::exit(2);
  }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("grader: fork");
    std::exit(2);
  }
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[1]);
    setpgid(0, 0);
    child_main(idx);
  }
  close(fds[1]);
  std::string text;
  // The child is stopped only when its heartbeat stands still for --timeout seconds.
  using Clock = std::chrono::steady_clock;
  std::uint64_t last_beat = g_heartbeat->beat.load();
  auto since = Clock::now();
  bool timed_out = false;
  for (;;) {
    if (const auto beat = g_heartbeat->beat.load(); beat != last_beat) {
      last_beat = beat;
      since = Clock::now();
    } else if (Clock::now() - since >= std::chrono::seconds(g_args->timeout)) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = poll(&p, 1, 500);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    char buf[4096];
    ssize_t k = read(fds[0], buf, sizeof buf);
    if (k <= 0) break;
    text.append(buf, static_cast<std::size_t>(k));
  }
  close(fds[0]);
  if (timed_out) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const Registered& reg = registry()[idx];
  auto header = [&] { return fmt::format("  {} {}\n", paint("31;1", "✗"), paint("1", reg.name)); };
  if (timed_out)
    return {"hang", header() + fmt::format("      {}\n{}      the check made no progress for {} s (no task blocked, woke "
                                         "or exited, no scheduling step) and was stopped: a task is stuck outside "
                                         "goro (a loop that never calls a goro operation, a raw mutex, a read that "
                                         "never returns).\n{}",
                                         paint("31", "stuck"), mistake_line(mistake::stuck), g_args->timeout,
                                         indent(text, "      | ")),
            std::string(mistake::stuck.id)};
  if (WIFEXITED(status)) {
    int code = WEXITSTATUS(status);
    if (code == 0) {
      const auto at = text.find(kReportMarker);
      const std::string reports = at == std::string::npos ? std::string() : text.substr(at + kReportMarker.size());
      return {"pass", fmt::format("  {} {}\n{}", paint("32;1", "✓"), reg.name, reports), {}};
    }
    if (code == 1) {
      std::string m = mistake_in(text);
      return {"fail", std::move(text), m.empty() ? std::string(mistake::wrong_result.id) : m};
    }
    if (code == 2) {  // goro's panic exit: an exception escaped a task on real threads
      const Mistake& m = classify_panic(text);
      return {"crash", header() +
                           fmt::format("      {}\n{}      got:\n{}      {} An exception that escapes a task ends the "
                                       "program, as a panic does in Go. {}\n      run:      on real threads (free mode)\n"
                                       "      rerun:    {} --check {} --seed 0\n",
                                       paint("31", "your code panicked (an exception escaped a task)"), mistake_line(m),
                                       indent(text, "        | "), paint("33", "hint:"), m.hint, g_args->rerun, idx + 1),
              std::string(m.id)};
    }
    return {"crash",
            header() + fmt::format("      {}\n{}{}", paint("31", fmt::format("the check exited with code {}", code)),
                                   mistake_line(mistake::crash), indent(text, "      | ")),
            std::string(mistake::crash.id)};
  }
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return {"crash",
          header() + fmt::format("      {}\n{}      your code crashed with {}.\n{}      {} run it in the debugger: "
                                 "gdb --args {} --check {}\n",
                                 paint("31", "crash"), mistake_line(mistake::crash), signal_text(sig),
                                 indent(text, "      | "), paint("33", "hint:"), g_args->rerun, idx + 1),
          std::string(mistake::crash.id)};
}

std::string json_string(std::string_view s) { return "\"" + goro::trace::json_escape(s) + "\""; }

std::string strip_ansi(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--list] [--mistakes] [--check N] [--seed S] [--json FILE] [--trace-dir DIR] [--rerun CMD]\n"
               "          [--title TEXT] [--expect-fail[=TEXT]] [--expect-mistake=ID] [--color|--no-color]\n"
               "          [--timeout SEC]"
               "          [--free-quiet SEC] [--max-events N]\n",
               argv0);
  return 2;
}

}  // namespace

// ---- failure classes -----------------------------------------------------------------------

const Mistake* find_mistake(std::string_view id) {
  static constexpr const Mistake* all[] = {
      &mistake::wrong_result, &mistake::wrong_count, &mistake::wrong_order, &mistake::wrong_timing,
      &mistake::lost_item, &mistake::duplicate, &mistake::swallowed_error, &mistake::missing_wrap,
      &mistake::missing_context, &mistake::kept_going, &mistake::wrong_error, &mistake::unexpected_error, &mistake::ignored_cancellation, &mistake::over_limit,
      &mistake::serialized, &mistake::unsynchronized, &mistake::unreleased_context, &mistake::deadlock, &mistake::missing_close,
      &mistake::blocked_send, &mistake::leak, &mistake::panic, &mistake::double_close, &mistake::send_on_closed,
      &mistake::busy_loop, &mistake::wall_clock_sleep, &mistake::raw_lock, &mistake::blocking_call,
      &mistake::stuck, &mistake::crash};
  for (const Mistake* m : all)
    if (m->id == id) return m;
  return nullptr;
}

// ---- Check ---------------------------------------------------------------------------------

std::string wrap_chain(const goro::Error& err) {
  std::string out;
  std::function<void(const goro::Error&, int)> walk = [&](const goro::Error& e, int depth) {
    if (!e) return;
    out += fmt::format("{}{}\n", std::string(static_cast<std::size_t>(depth) * 2, ' '), e.message());
    for (const auto& c : goro::unwrap_all(e)) walk(c, depth + 1);
  };
  walk(err, 0);
  return out;
}

std::string Check::describe_error(const goro::Error& err) {
  if (!err) return "no error (nil)";
  return fmt::format("error \"{}\"\nits wrap chain (what goro::is / goro::as look through):\n{}", err.message(),
                     indent(wrap_chain(err), "  "));
}

void Check::say(std::string_view line) { narration_.emplace_back(line); }
void Check::report(std::string_view line) { reports_.emplace_back(line); }

void Check::fail(std::string expected, std::string got, Why why) {
  fail_implied(std::move(expected), std::move(got), std::move(why), mistake::wrong_result);
}

void Check::fail_implied(std::string expected, std::string got, Why why, const Mistake& implied) {
  const bool tagged = why.mistake != nullptr;
  failures_.push_back({std::move(expected), std::move(got), std::move(why.hint), tagged ? why.mistake : &implied, tagged});
  throw CheckFailed{};
}

void Check::expect(bool ok, std::string_view expected, std::string_view got, Why why) {
  if (!ok) fail(std::string(expected), std::string(got), std::move(why));
}

void Check::expect_ok(const goro::Error& err, std::string_view what, Why why) {
  if (err) fail_implied(fmt::format("{}: no error", what), describe_error(err), std::move(why), mistake::unexpected_error);
}

void Check::expect_is(const goro::Error& err, const goro::Error& target, std::string_view target_name, Why why) {
  if (goro::is(err, target)) return;
  // The target's words in the message but not the target in the chain, or a message built from
  // parts ("...: ...") by an error that wraps nothing: some error was wrapped as text.
  const bool text_kept = err && ((target && err.message().find(target.message()) != std::string::npos) ||
                                 (goro::unwrap_all(err).empty() && err.message().find(": ") != std::string::npos));
  fail_implied(fmt::format("an error that goro::is finds {} in", target_name), describe_error(err), std::move(why),
               !err ? mistake::swallowed_error : text_kept ? mistake::missing_wrap : mistake::wrong_error);
}

void Check::expect_not_is(const goro::Error& err, const goro::Error& target, std::string_view target_name, Why why) {
  if (goro::is(err, target))
    fail_implied(fmt::format("an error that is not {}", target_name), describe_error(err), std::move(why),
                 mistake::wrong_error);
}

void FailureClasses::add(const Mistake& m) {
  auto& d = declared_classes();
  if (std::find(d.begin(), d.end(), &m) == d.end()) d.push_back(&m);
}

Registrar::Registrar(const char* name, const char* hint, Body body, Options opts) {
  registry().push_back({name, hint, body, opts});
}

// ---- main ----------------------------------------------------------------------------------

int main(int argc, char** argv) {
  if (const int code = dispatch_subprocess(argc, argv); code >= 0) return code;
  Args args;
  args.color = isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr;
  args.rerun = argv[0];
  bool list = false, mistakes = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) std::exit(usage(argv[0]));
      return argv[++i];
    };
    if (a == "--list") {
      list = true;
    } else if (a == "--mistakes") {
      mistakes = true;
    } else if (a == "--check") {
      long n = std::atol(value().c_str());
      if (n < 1 || static_cast<std::size_t>(n) > registry().size()) {
        std::fprintf(stderr, "grader: there is no check %ld (there are %zu; see --list)\n", n, registry().size());
        return 2;
      }
      args.check = static_cast<std::size_t>(n - 1);
    } else if (a == "--seed") {
      args.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--json") {
      args.json = value();
    } else if (a == "--trace-dir") {
      args.trace_dir = value();
    } else if (a == "--rerun") {
      args.rerun = value();
    } else if (a == "--title") {
      args.title = value();
    } else if (a == "--expect-fail") {
      args.expect_fail = true;
    } else if (a.rfind("--expect-fail=", 0) == 0) {
      args.expect_fail = true;
      args.expect_text = std::string(a.substr(14));
    } else if (a.rfind("--expect-mistake=", 0) == 0) {
      args.expect_fail = true;
      args.expect_mistake = std::string(a.substr(17));
      if (!find_mistake(args.expect_mistake)) {
        std::fprintf(stderr, "grader: there is no failure class '%s' (see tests/graders/support/mistakes.hpp)\n",
                     args.expect_mistake.c_str());
        return 2;
      }
    } else if (a == "--color") {
      args.color = true;
    } else if (a == "--no-color") {
      args.color = false;
    } else if (a == "--timeout") {
      args.timeout = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--free-quiet") {
      args.free_quiet = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--max-events") {
      args.max_events = std::max<std::uint64_t>(1, std::strtoull(value().c_str(), nullptr, 10));
    } else {
      return usage(argv[0]);
    }
  }
  g_args = &args;
  void* shared = mmap(nullptr, sizeof(Heartbeat), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    std::perror("grader: mmap");
    return 2;
  }
  g_heartbeat = new (shared) Heartbeat;
  const auto& regs = registry();
  if (mistakes) {
    for (const Mistake* m : declared_classes()) fmt::print("{}\t{}\n", m->id, m->title);
    return 0;
  }
  if (list) {
    for (std::size_t i = 0; i < regs.size(); ++i) fmt::print("{}\t{}\n", i + 1, regs[i].name);
    return 0;
  }
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < regs.size(); ++i)
    if (!args.check || *args.check == i) which.push_back(i);

  std::string how = !args.seed        ? (kSeedCap < std::numeric_limits<int>::max()
                                             ? fmt::format("each under at most {} deterministic schedules (a ThreadSanitizer "
                                                           "build) and once on real threads", kSeedCap)
                                             : std::string("each under several deterministic schedules and once on real threads"))
                    : *args.seed == 0 ? std::string("on real threads only")
                                      : fmt::format("under deterministic schedule {} only", *args.seed);
  fmt::print("{} {}: {} check{} — {}\n\n", paint("36", "[grader]"), args.title, which.size(),
             which.size() == 1 ? "" : "s", how);
  std::fflush(stdout);
  std::vector<std::pair<std::size_t, Outcome>> results;
  int passed = 0;
  // A variant that must fail has proved it once one failure names the expected symptom; the
  // checks after it cannot change the verdict, so they are not run.
  auto expected_failure = [&](const Outcome& o) {
    return o.status != "pass" && (args.expect_text.empty() || o.text.find(args.expect_text) != std::string::npos);
  };
  std::size_t skipped = 0;
  for (std::size_t k = 0; k < which.size(); ++k) {
    Outcome o = run_child(which[k]);
    std::fputs(o.text.c_str(), stdout);
    if (o.status != "pass") std::fputs("\n", stdout);
    std::fflush(stdout);
    passed += o.status == "pass" ? 1 : 0;
    const bool enough = args.expect_fail && expected_failure(o);
    results.emplace_back(which[k], std::move(o));
    if (enough) {
      skipped = which.size() - k - 1;
      break;
    }
  }
  if (skipped > 0)
    fmt::print("{} the expected failure was seen; the other {} check{} not run\n", paint("36", "[grader]"),
               skipped, skipped == 1 ? " was" : "s were");
  const int total = static_cast<int>(results.size());
  fmt::print("\n{} {}/{} checks pass{}\n", paint("36", "[grader]"), passed, total,
             passed == total ? paint("32", " — well done") : "");

  if (!args.json.empty()) {
    std::string j = "[\n";
    for (std::size_t k = 0; k < results.size(); ++k) {
      const auto& [i, o] = results[k];
      j += fmt::format("  {{\"check\": {}, \"name\": {}, \"status\": {}, \"mistake\": {}, \"message\": {}}}{}\n",
                       i + 1, json_string(regs[i].name), json_string(o.status), json_string(o.mistake),
                       json_string(o.status == "pass" ? "" : strip_ansi(o.text)), k + 1 < results.size() ? "," : "");
    }
    j += "]\n";
    std::string tmp = args.json + ".tmp";
    {
      std::ofstream f(tmp);
      f << j;
    }
    std::rename(tmp.c_str(), args.json.c_str());
  }

  if (args.expect_fail) {
    bool found = false;
    for (const auto& [i, o] : results) found = found || expected_failure(o);
    fmt::print("{} expected at least one failing check{}: {}\n", paint("36", "[grader]"),
               args.expect_text.empty() ? "" : fmt::format(" mentioning \"{}\"", args.expect_text),
               found ? "yes" : "NO — the grader did not catch this variant");
    if (!args.expect_mistake.empty()) {
      // The first failing check is the one the learner reads first: its diagnosis must name
      // the mistake this variant makes.
      std::string first;
      for (const auto& [i, o] : results)
        if (o.status != "pass") {
          first = o.mistake;
          break;
        }
      const bool named = first == args.expect_mistake;
      fmt::print("{} expected the first failure to be diagnosed as {}: {}\n", paint("36", "[grader]"),
                 args.expect_mistake, named ? "yes" : fmt::format("NO — it was diagnosed as {}", first.empty() ? "nothing" : first));
      found = found && named;
    }
    return found ? 0 : 1;
  }
  return passed == total ? 0 : 1;
}

}  // namespace dojo::grader

int main(int argc, char** argv) { return dojo::grader::main(argc, argv); }
