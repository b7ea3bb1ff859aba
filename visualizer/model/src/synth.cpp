#include "dojo/viz/model/synth.hpp"

#include <algorithm>
#include <deque>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace dojo::viz {

std::string synth_trace(std::size_t tasks, std::size_t events, std::uint64_t seed) {
  tasks = std::max<std::size_t>(tasks, 3);
  std::mt19937_64 rng(seed);
  std::string out;
  out.reserve(events * 140 + 1024);
  out +=
      R"({"type":"meta","schema":"goro-trace","version":1,"mode":"deterministic","clock":"virtual","seed":1,"strategy":"pct","start_ns":946684800000000000,"start":"2000-01-01T00:00:00.000000000Z","producer":"synth"})"
      "\n";
  std::uint64_t seq = 0;
  std::int64_t ts = 0;
  auto line = [&](const std::string& body) {
    ts += 100;
    out += fmt::format(R"({{"seq":{},"ts":{},{}}})", ++seq, ts, body);
    out += '\n';
  };
  const std::string site = R"("site":{"file":"synth.cpp","line":1,"function":"stage"})";
  // Stages: task 1 is main; the others are split over `stages` stages, chan k feeds stage k+1.
  const std::size_t stages = 4;
  const std::uint64_t first_chan = 100000;
  line(R"("type":"task_start","task":1,"parent":0,"name":"main",)" + site);
  for (std::size_t k = 0; k + 1 < stages; ++k)
    line(fmt::format(R"("type":"chan_make","chan":{},"elem":"int","cap":{},)", first_chan + k, k % 2 ? 0 : 4) + site);
  std::vector<std::vector<std::uint64_t>> stage(stages);
  for (std::uint64_t id = 2; id <= tasks; ++id) {
    stage[(id - 2) % stages].push_back(id);
    line(fmt::format(R"("type":"task_start","task":{},"parent":1,"name":"worker",)", id) + site);
  }
  std::vector<std::deque<std::uint64_t>> queues(stages);
  std::vector<bool> blocked(tasks + 1, false);
  std::uint64_t msg = 0;
  const std::size_t body_events = events > seq + tasks + 2 ? events - seq - tasks - 2 : 0;
  while (seq < body_events) {
    const std::size_t k = rng() % (stages - 1);
    const auto& from = stage[k];
    const auto& to = stage[k + 1];
    if (from.empty() || to.empty()) break;
    const std::uint64_t a = from[rng() % from.size()], b = to[rng() % to.size()];
    const std::uint64_t ch = first_chan + k;
    // Values in flight stay bounded (a pipeline's buffers), as in real runs.
    const bool full = queues[k].size() >= 16;
    switch (full ? 2 : rng() % 4) {
      case 0:
      case 1:
        ++msg;
        line(fmt::format(R"("type":"chan_send","task":{},"chan":{},"msg":{},"value":"{}",)", a, ch, msg, msg) + site);
        queues[k].push_back(msg);
        break;
      case 2:
        if (!queues[k].empty()) {
          const auto m = queues[k].front();
          queues[k].pop_front();
          if (blocked[b]) {
            line(fmt::format(R"("type":"unblock","task":{})", b));
            blocked[b] = false;
          }
          line(fmt::format(R"("type":"chan_recv","task":{},"chan":{},"msg":{},"ok":true,"value":"{}",)", b, ch, m, m) + site);
        }
        break;
      default:
        if (blocked[b]) {
          line(fmt::format(R"("type":"unblock","task":{})", b));
          blocked[b] = false;
        } else {
          line(fmt::format(R"x("type":"block","task":{},"reason":"chan receive","object":"chan int #{} (cap 0, len 0)",)x", b, ch) + site);
          blocked[b] = true;
        }
    }
  }
  for (std::uint64_t id = tasks; id >= 1; --id) {
    if (blocked[id]) line(fmt::format(R"("type":"unblock","task":{})", id));
    line(fmt::format(R"("type":"task_exit","task":{})", id));
  }
  line(R"("type":"end","outcome":"ok","steps":0,"report":"")");
  return out;
}

}  // namespace dojo::viz
