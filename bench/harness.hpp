// A deliberately small benchmark harness (no Google Benchmark): calibrate, warm up, run a few
// timed rounds, report the median.
//
// Two kinds of measurement:
//   * per_op:  a round runs `n` operations and returns its elapsed nanoseconds. The harness
//              doubles `n` until one round lasts at least `target` (those calibration rounds
//              are the warm-up), then runs `rounds` rounds at that `n` and reports the median
//              nanoseconds per operation.
//   * fixed:   a round is one fixed-size scenario (e.g. "cancel 1,000 waiters") returning
//              whatever it measured (time, bytes); one warm-up round, then the median of
//              `rounds` rounds.
//
// Results are keyed by (row, mode) so that rows measured under other schedulers (the
// deterministic fiber mode) can sit next to the free-mode ones in the same table.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bench {

// The benchmark measures real elapsed time on purpose, so it reads the steady clock itself
// rather than the scheduler's clock (which is virtual in deterministic mode).
using Clock = std::chrono::steady_clock;

[[nodiscard]] inline double elapsed_ns(Clock::time_point since) {
  return std::chrono::duration<double, std::nano>(Clock::now() - since).count();
}

struct Options {
  int rounds = 3;                                  // timed rounds; the median is reported
  std::chrono::nanoseconds target = std::chrono::milliseconds(200);  // per_op round length
  bool quick = false;                              // smaller fixed scenarios (smoke runs)
};

/// The median of the timed rounds and how far apart they were.
struct Stat {
  double median = 0;      // in the row's unit
  double spread = 0;      // (max - min) / median of the timed rounds
  std::int64_t n = 0;     // operations per round (per_op) or 1 (fixed)
};

[[nodiscard]] inline Stat summarize(std::vector<double> xs, std::int64_t n) {
  std::sort(xs.begin(), xs.end());
  Stat s;
  s.n = n;
  s.median = xs[xs.size() / 2];
  if (xs.size() % 2 == 0) s.median = (xs[xs.size() / 2 - 1] + xs[xs.size() / 2]) / 2;
  s.spread = s.median > 0 ? (xs.back() - xs.front()) / s.median : 0;
  return s;
}

/// Times `round(n) -> elapsed ns` with n calibrated from `start` (doubling, capped at
/// `max_n`) until a round takes at least opt.target; returns the median ns per operation.
template <class Round>
[[nodiscard]] Stat per_op(const Options& opt, std::int64_t start, std::int64_t max_n, Round&& round) {
  std::int64_t n = std::max<std::int64_t>(1, start);
  const double target = static_cast<double>(opt.target.count());
  for (;;) {  // calibration doubles as warm-up
    double ns = round(n);
    if (ns >= target || n >= max_n) break;
    // Aim a little past the target so the timed rounds don't straddle it.
    double scale = ns > 0 ? 1.2 * target / ns : 2.0;
    n = std::min<std::int64_t>(max_n, static_cast<std::int64_t>(static_cast<double>(n) * std::clamp(scale, 1.5, 8.0)));
  }
  std::vector<double> per;
  for (int r = 0; r < opt.rounds; ++r) per.push_back(round(n) / static_cast<double>(n));
  return summarize(std::move(per), n);
}

/// One warm-up round of `round() -> value`, then the median of opt.rounds rounds.
template <class Round>
[[nodiscard]] Stat fixed(const Options& opt, Round&& round) {
  (void)round();
  std::vector<double> vs;
  for (int r = 0; r < opt.rounds; ++r) vs.push_back(round());
  return summarize(std::move(vs), 1);
}

/// A "Key: 1234 kB" field of /proc/self/status, in KiB; nullopt if unavailable.
[[nodiscard]] inline std::optional<long> proc_status_kib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return std::nullopt;
}

/// Resets VmHWM (peak RSS) to the current RSS (Linux >= 4.0). False if not permitted.
[[nodiscard]] inline bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace bench
