// goro_bench: micro-benchmarks of goro's concurrency primitives.
//
// Every row has a twin in bench/go/main.go with the same id and unit; tools/bench.sh runs
// both and prints the ratio. Rows are measured per scheduler mode: "free" (one OS thread
// per task), "sim" (the deterministic mode: fibers on one OS thread, under goro::simulate)
// and "trace" (sim with the trace recorder on, writing to a temporary file). The live-task
// rows run 10,000 tasks in free mode and 100,000 in sim mode; the "trace" mode adds the
// recording overhead rows (traced / untraced time).
//
//   goro_bench                 human-readable table
//   goro_bench --tsv           machine-readable: id, mode, unit, value, spread, better, title
//   goro_bench --only a,b      run only these row ids (see --list)
//   goro_bench --rounds N      timed rounds per row (median reported; default 3)
//   goro_bench --quick         shorter rounds and smaller fixed scenarios (smoke test)
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "goro/context.hpp"
#include "goro/goro.hpp"
#include "goro/trace.hpp"
#include "goro/waitgroup.hpp"
#include "harness.hpp"

namespace {

using bench::Clock;
using bench::elapsed_ns;
using bench::Options;
using bench::Stat;
using goro::Unit;

/// Waits until at least `n` tasks are blocked for `why` (bounded; false on timeout). Used
/// outside the timed region to know that every waiter really sits in its select/recv.
bool wait_until_blocked(int n, goro::detail::WaitReason why) {
  if (goro::in_simulation()) {  // one task runs at a time: let the others get there
    for (int round = 0; round < 1000; ++round) {
      int k = 0;
      for (const auto& t : goro::tasks())
        if (t.state == goro::detail::TaskState::blocked && t.reason == why) ++k;
      if (k >= n) return true;
      goro::yield();
    }
    return false;
  }
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    int k = 0;
    for (const auto& t : goro::tasks())
      if (t.state == goro::detail::TaskState::blocked && t.reason == why) ++k;
    if (k >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

[[noreturn]] void fail(std::string_view what) {
  fmt::print(stderr, "goro_bench: {}\n", what);
  std::exit(1);
}

// ---- rows ---------------------------------------------------------------------------------

/// spawn_join: start n tasks that each call wg.done(); the starter waits for all of them.
Stat spawn_join(const Options& opt) {
  return bench::per_op(opt, 256, 20'000, [](std::int64_t n) {
    goro::WaitGroup wg;
    wg.add(static_cast<int>(n));
    auto t0 = Clock::now();
    for (std::int64_t i = 0; i < n; ++i) goro::go([&wg] { wg.done(); });
    wg.wait();
    return elapsed_ns(t0);
  });
}

/// chan_pingpong: one round trip over two unbuffered channels between two tasks.
Stat chan_pingpong(const Options& opt) {
  return bench::per_op(opt, 1'000, 2'000'000, [](std::int64_t n) {
    auto ping = goro::make_chan<std::int64_t>();
    auto pong = goro::make_chan<std::int64_t>();
    auto finished = goro::make_chan<Unit>();
    goro::go([ping, pong, finished] {
      for (std::int64_t v : ping) pong.send(v);
      finished.close();
    });
    auto t0 = Clock::now();
    for (std::int64_t i = 0; i < n; ++i) {
      ping.send(i);
      if (pong.recv().value != i) fail("chan_pingpong: wrong value echoed");
    }
    double ns = elapsed_ns(t0);
    ping.close();
    (void)finished.recv();
    return ns;
  });
}

/// chan_buffered: n items from a producer task to a consumer through a channel of cap 128.
/// Reported as items/s (the harness measures ns/item; converted below).
Stat chan_buffered(const Options& opt) {
  Stat s = bench::per_op(opt, 10'000, 50'000'000, [](std::int64_t n) {
    auto ch = goro::make_chan<std::int64_t>(128);
    auto start = goro::make_chan<Unit>();
    goro::go([ch, start, n] {
      (void)start.recv();
      for (std::int64_t i = 0; i < n; ++i) ch.send(i);
      ch.close();
    });
    auto t0 = Clock::now();
    start.send(Unit{});
    std::int64_t sum = 0;
    for (std::int64_t v : ch) sum += v;
    double ns = elapsed_ns(t0);
    if (sum != n * (n - 1) / 2) fail("chan_buffered: lost items");
    return ns;
  });
  // ns/item -> items/s; the spread is a ratio and carries over unchanged.
  s.median = 1e9 / s.median;
  return s;
}

/// select4: a select over 4 unbuffered channels; a sender task makes exactly one of them
/// ready at a time (round-robin).
Stat select4(const Options& opt) {
  return bench::per_op(opt, 1'000, 2'000'000, [](std::int64_t n) {
    std::array<goro::Chan<std::int64_t>, 4> cs;
    for (auto& c : cs) c = goro::make_chan<std::int64_t>();
    auto finished = goro::make_chan<Unit>();
    goro::go([cs, n, finished] {
      for (std::int64_t i = 0; i < n; ++i) cs[static_cast<std::size_t>(i % 4)].send(i);
      finished.close();
    });
    auto t0 = Clock::now();
    for (std::int64_t i = 0; i < n; ++i) {
      std::int64_t v = -1;
      std::size_t k = goro::select(goro::on_recv(cs[0], &v), goro::on_recv(cs[1], &v),
                                   goro::on_recv(cs[2], &v), goro::on_recv(cs[3], &v));
      if (v != i || k != static_cast<std::size_t>(i % 4)) fail("select4: wrong case chosen");
    }
    double ns = elapsed_ns(t0);
    (void)finished.recv();
    return ns;
  });
}

/// cancel_fanout: `waiters` tasks block in select(on_recv(ctx.done())); measured: from
/// cancel() until every one of them has left its select (microseconds per cancel).
int fanout_waiters(const Options& opt) { return opt.quick ? 100 : 1'000; }
int live_count(const Options& opt, bool big = false) {
  if (big) return opt.quick ? 10'000 : 100'000;
  return opt.quick ? 1'000 : 10'000;
}

Stat cancel_fanout(const Options& opt) {
  const int waiters = fanout_waiters(opt);
  return bench::fixed(opt, [waiters] {
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    goro::WaitGroup exited;
    exited.add(waiters);
    for (int i = 0; i < waiters; ++i)
      goro::go([ctx = ctx, &exited] {
        (void)goro::select(goro::on_recv(ctx.done()));
        exited.done();
      });
    if (!wait_until_blocked(waiters, goro::detail::WaitReason::select))
      fail("cancel_fanout: waiters never blocked");
    auto t0 = Clock::now();
    cancel();
    exited.wait();
    return elapsed_ns(t0) / 1e3;
  });
}

/// live10k: start `count` tasks that each block receiving from one channel.
///   live10k_start: ms from the first go() until all of them have reported in (each reports
///                  right before its blocking receive).
///   live10k_rss:   peak RSS growth while they are all blocked, in MiB: VmHWM once they are
///                  blocked minus VmRSS before the first go(), with the peak reset first.
/// Memory the first round touches (thread stacks, malloc arenas) stays with the process and
/// is reused by later rounds, so every round runs in a fresh child process (see main).
struct Live {
  double start_ms = 0;
  double rss_mib = 0;
};

Live live_blocked_round(int count) {
  {  // initialise the runtime (scheduler, timer thread, adopted main task) before the baseline
    goro::WaitGroup wg;
    wg.add(1);
    goro::go([&wg] { wg.done(); });
    wg.wait();
  }
  bool peak_reset = bench::reset_peak_rss();
  long rss0 = bench::proc_status_kib("VmRSS").value_or(0);
  auto release = goro::make_chan<Unit>();
  goro::WaitGroup started, exited;
  started.add(count);
  exited.add(count);
  auto t0 = Clock::now();
  for (int i = 0; i < count; ++i)
    goro::go([release, &started, &exited] {
      started.done();
      (void)release.recv();
      exited.done();
    });
  started.wait();
  Live r;
  r.start_ms = elapsed_ns(t0) / 1e6;
  if (!wait_until_blocked(count, goro::detail::WaitReason::chan_receive)) fail("live10k: tasks never blocked");
  long rss1 = bench::proc_status_kib("VmRSS").value_or(0);
  long hwm = bench::proc_status_kib("VmHWM").value_or(0);
  long peak = peak_reset ? std::max(hwm, rss1) : rss1;
  r.rss_mib = static_cast<double>(peak - rss0) / 1024.0;
  release.close();
  exited.wait();
  return r;
}

/// Runs one live10k round in a child process (this binary with `--live-child COUNT`).
Live live_blocked_child(int count, const std::string& mode) {
  // /proc/<pid>/exe, not the path: it still works when the binary was rebuilt meanwhile.
  std::string cmd = fmt::format("/proc/{}/exe --live-mode {} --live-child {}", ::getpid(), mode, count);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  Live r;
  if (!p || std::fscanf(p.get(), "%lf %lf", &r.start_ms, &r.rss_mib) != 2) fail("live10k: child failed");
  return r;
}

// ---- table --------------------------------------------------------------------------------

struct Row {
  std::string id;
  std::string title;
  std::string unit;
  bool lower_is_better = true;
};

struct Result {
  Row row;
  std::string mode;
  Stat stat;
};

/// A scheduler mode the rows run under. `run(body)` runs body as a task of that mode.
struct Mode {
  std::string name;
  std::string about;
  std::function<void(const std::function<void()>&)> run;
};

/// Runs body as the main task of a deterministic scope; a scope that does not end cleanly
/// is a benchmark failure.
void run_simulated(const std::function<void()>& body) {
  goro::SimOptions o;
  o.seed = 1;
  o.max_steps = std::uint64_t{1} << 62;
  goro::SimResult r = goro::simulate(o, body);
  if (!r.ok()) fail("deterministic scope did not end cleanly:\n" + r.report);
}

/// A temporary file for the "trace" mode's recording, removed afterwards.
std::string trace_tmp_path() { return fmt::format("/tmp/goro_bench_trace_{}.jsonl", ::getpid()); }

std::vector<Mode> modes() {
  return {
      {"free", "one OS thread per task", [](const std::function<void()>& body) { body(); }},
      {"sim", "deterministic: fibers on one OS thread, virtual clock", run_simulated},
      {"trace", "deterministic, recording a trace",
       [](const std::function<void()>& body) {
         std::string path = trace_tmp_path();
         {
           goro::trace::Recording rec(path);
           run_simulated(body);
         }
         std::remove(path.c_str());
       }},
  };
}

/// Rows each mode runs (the "trace" mode measures the recording overhead on a few rows).
bool mode_runs(const std::string& mode, const std::string& id) {
  if (mode == "free") return id.rfind("live100k", 0) != 0 && id.rfind("overhead", 0) != 0;
  if (mode == "sim") return id.rfind("live10k", 0) != 0 && id.rfind("overhead", 0) != 0;
  return id == "spawn_join" || id == "chan_pingpong" || id.rfind("overhead", 0) == 0;
}

/// 10000 -> "10,000".
std::string thousands(int n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

/// The rows, in table order. The titles name the scenario sizes (smaller with --quick).
std::vector<Row> rows(const Options& opt) {
  const int waiters = fanout_waiters(opt), live = live_count(opt), big = live_count(opt, true);
  return {
      {"spawn_join", "task spawn + join (go + WaitGroup)", "ns/task", true},
      {"chan_pingpong", "unbuffered chan round trip (ping-pong)", "ns/round-trip", true},
      {"chan_buffered", "buffered chan throughput (cap 128)", "items/s", false},
      {"select4", "select over 4 chans, one ready", "ns/select", true},
      {"cancel_fanout", fmt::format("cancel -> {} waiters exited", thousands(waiters)), "us/cancel", true},
      {"live10k_start", fmt::format("{} blocked tasks: start all", thousands(live)), "ms", true},
      {"live10k_rss", fmt::format("{} blocked tasks: peak RSS delta", thousands(live)), "MiB", true},
      {"live100k_start", fmt::format("{} blocked tasks: start all", thousands(big)), "ms", true},
      {"live100k_rss", fmt::format("{} blocked tasks: peak RSS delta", thousands(big)), "MiB", true},
      {"overhead_spawn", "recording overhead: spawn + join", "x untraced", true},
      {"overhead_pingpong", "recording overhead: chan round trip", "x untraced", true},
  };
}

std::string human(double v) {
  if (v >= 1e9) return fmt::format("{:.2f} G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.0f}", v);
  if (v >= 100) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

void usage(std::FILE* to) {
  fmt::print(to,
             "usage: goro_bench [--tsv] [--only ID[,ID...]] [--rounds N] [--quick] [--list]\n"
             "  --tsv     machine-readable lines: id mode unit value spread better title (tab-separated)\n"
             "  --only    run only these rows (ids from --list)\n"
             "  --rounds  timed rounds per row, median reported (default 3)\n"
             "  --quick   short rounds and small scenarios (a smoke run, not a measurement)\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  bool tsv = false;
  std::string live_mode = "free";
  std::set<std::string> only;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage(stderr);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--tsv") {
      tsv = true;
    } else if (a == "--only") {
      for (auto& id : split(value())) only.insert(id);
    } else if (a == "--rounds") {
      opt.rounds = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--quick") {
      opt.quick = true;
      opt.target = std::chrono::milliseconds(20);
    } else if (a == "--live-mode") {  // internal: the mode of --live-child
      live_mode = value();
    } else if (a == "--live-child") {  // internal: one live-task round, see live_blocked_child
      const int count = std::max(1, std::atoi(value().c_str()));
      Live l;
      if (live_mode == "sim")
        run_simulated([&] { l = live_blocked_round(count); });
      else
        l = live_blocked_round(count);
      fmt::print("{:.6f} {:.6f}\n", l.start_ms, l.rss_mib);
      return 0;
    } else if (a == "--list") {
      for (const auto& r : rows(opt)) fmt::print("{}\t{}\t{}\n", r.id, r.unit, r.title);
      return 0;
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else {
      usage(stderr);
      return 2;
    }
  }
  for (const auto& id : only) {
    bool known = false;
    for (const auto& r : rows(opt)) known = known || r.id == id;
    if (!known) fail(fmt::format("unknown row '{}' (see --list)", id));
  }
  auto wanted = [&](const std::string& id) { return only.empty() || only.count(id) > 0; };
  const std::vector<Row> all_rows = rows(opt);
  auto row = [&](const std::string& id) -> const Row& {
    for (const auto& r : all_rows)
      if (r.id == id) return r;
    fail("no row " + id);
  };

  std::vector<Result> results;
  auto emit = [&](Result res) {
    if (tsv) {
      fmt::print("{}\t{}\t{}\t{:.6g}\t{:.4f}\t{}\t{}\n", res.row.id, res.mode, res.row.unit, res.stat.median,
                 res.stat.spread, res.row.lower_is_better ? "lower" : "higher", res.row.title);
    } else {
      fmt::print(stderr, "  {:<14} {:<5} {:>12} {:<14} (spread {:.0f}%)\n", res.row.id, res.mode,
                 human(res.stat.median), res.row.unit, res.stat.spread * 100);
    }
    std::fflush(stdout);
    results.push_back(std::move(res));
  };

  // Untraced sim-mode results, for the "trace" mode's overhead rows.
  std::map<std::string, double> sim_ns;
  for (const auto& mode : modes()) {
    auto runs = [&](const std::string& id) { return wanted(id) && mode_runs(mode.name, id); };
    if (!tsv) fmt::print(stderr, "mode {} ({}):\n", mode.name, mode.about);
    std::vector<Result> mine;
    mode.run([&] {
      using Fn = Stat (*)(const Options&);
      const std::pair<const char*, Fn> simple[] = {{"spawn_join", spawn_join},
                                                    {"chan_pingpong", chan_pingpong},
                                                    {"chan_buffered", chan_buffered},
                                                    {"select4", select4},
                                                    {"cancel_fanout", cancel_fanout}};
      for (const auto& [id, fn] : simple) {
        bool overhead_needs = mode.name != "free" && wanted(std::string("overhead_") +
                                                            (std::string_view(id) == "spawn_join" ? "spawn" : "pingpong"));
        if (runs(id) || (overhead_needs && (std::string_view(id) == "spawn_join" || std::string_view(id) == "chan_pingpong")))
          mine.push_back({row(id), mode.name, fn(opt)});
      }
    });
    // Results are printed after the mode's scope: a deterministic scope's main task must not
    // be the one that writes to the terminal mid-measurement.
    for (auto& r : mine) {
      if (mode.name == "sim") sim_ns[r.row.id] = r.stat.median;
      if (mode.name == "trace" && sim_ns.count(r.row.id) > 0 && sim_ns[r.row.id] > 0) {
        std::string oid = r.row.id == "spawn_join" ? "overhead_spawn" : "overhead_pingpong";
        if (wanted(oid)) {
          Stat ratio = r.stat;
          ratio.median = r.stat.median / sim_ns[r.row.id];
          emit({row(oid), mode.name, ratio});
        }
      }
      if (wanted(r.row.id) && mode_runs(mode.name, r.row.id)) emit(std::move(r));
    }
    for (const char* size : {"live10k", "live100k"}) {
      const std::string start_id = std::string(size) + "_start", rss_id = std::string(size) + "_rss";
      if (!runs(start_id) && !runs(rss_id)) continue;
      const int count = live_count(opt, std::string_view(size) == "live100k");
      std::vector<double> start, rss;
      (void)live_blocked_child(count, mode.name);  // warm-up
      for (int r = 0; r < opt.rounds; ++r) {
        Live l = live_blocked_child(count, mode.name);
        start.push_back(l.start_ms);
        rss.push_back(l.rss_mib);
      }
      if (runs(start_id)) emit({row(start_id), mode.name, bench::summarize(start, 1)});
      if (runs(rss_id)) emit({row(rss_id), mode.name, bench::summarize(rss, 1)});
    }
  }

  if (!tsv) {
    fmt::print("{:<40} {:<5} {:>12}  {:<14} {:>7}\n", "row", "mode", "goro", "unit", "spread");
    for (const auto& r : results)
      fmt::print("{:<40} {:<5} {:>12}  {:<14} {:>6.0f}%\n", r.row.title, r.mode, human(r.stat.median), r.row.unit,
                 r.stat.spread * 100);
  }
  return 0;
}
