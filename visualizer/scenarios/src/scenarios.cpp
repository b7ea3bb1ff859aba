// The gallery of built-in scenarios and how one is run with its trace recorded.
#include "dojo/viz/scenarios.hpp"

#include <charconv>
#include <optional>

#include "goro/sim.hpp"
#include "goro/trace.hpp"
#include "run_internal.hpp"
#include "scenario_bodies.hpp"

namespace dojo::viz {

namespace {

std::vector<Scenario> make_gallery() {
  std::vector<Scenario> g;
  auto add = [&](std::string name, std::string title, std::string category, std::string summary,
                 void (*body)(), std::uint64_t seed = 1) {
    g.push_back(Scenario{std::move(name), std::move(title), std::move(summary), std::move(category), seed, body});
  };
  add("sum_pipeline", "Sum pipeline: generate, square, sum — and stop cleanly", "solution",
      "A reference pipeline in an errgroup: every stage selects on ctx.done() and the stage that owns a "
      "channel closes it. When `sum` goes over its budget it returns a wrapped error; the group cancels "
      "the context with that cause and `generate` and `square` exit. Nothing leaks.",
      bodies::sum_pipeline);
  add("missing_close", "Missing close: the consumer waits forever", "bug",
      "`reader` returns early on a malformed line and forgets to close `lines`. The `consumer` ranges "
      "over `lines`, so after the last value it waits for a close that never comes, and main waits for "
      "the group: every task is blocked — deadlock.",
      bodies::missing_close);
  add("ignored_cancellation", "Ignored cancellation: a worker that never looks at ctx", "bug",
      "main cancels the context once it has three results. `careful` selects on ctx.done() and returns "
      "the cancellation cause, wrapped. `careless` never checks ctx: it keeps working after the cancel "
      "and blocks forever on a send nobody receives — a leak.",
      bodies::ignored_cancellation);
  add("check_then_send", "Check, then send: a cancel slips in between", "bug",
      "`worker` checks ctx.err() before each send, but the send itself does not watch ctx. If main "
      "cancels after the check and before the send, the send blocks forever — a leak that depends on "
      "the schedule. Play the scheduler and make it happen.",
      bodies::check_then_send);
  add("leaked_producer", "Leaked producer: the consumer stops reading", "bug",
      "`consumer` rejects an item and returns an error without draining `items`. `producer` is blocked "
      "on an unbuffered send that nobody will ever receive: when main returns, it is still there — a "
      "leak. The fix: select on ctx.done() in the producer.",
      bodies::leaked_producer);
  add("unbuffered_deadlock", "Unbuffered deadlock: a send with no receiver yet", "bug",
      "main sends the summary on an unbuffered channel before it has started the task that would "
      "receive it. An unbuffered send waits for a receiver, and main is the only task left: deadlock.",
      bodies::unbuffered_deadlock);
  add("first_error_vs_join", "First error vs join: what wait() returns", "pattern",
      "An errgroup with a context returns only the first error and cancels the other fetches (their "
      "errors wrap the cause). Collecting every result and joining the errors with goro::join keeps "
      "them all: compare the two error trees.",
      bodies::first_error_vs_join);
  add("retry_storm", "Retry storm: retries without jitter in lockstep", "bug",
      "Six clients hit a server that queues one request and takes 30 ms for each. The rejected ones all back off "
      "exactly 50 ms and come back at the same instant, so they collide again and again. Jitter would "
      "spread them out.",
      bodies::retry_storm);
  add("breaker_opening", "Circuit breaker: closed, open, half-open, closed", "pattern",
      "Calls to a failing backend: after three failures in a row the breaker opens and calls fail fast "
      "without touching the backend. After a 50 ms cool-down one probe goes through (half-open); the "
      "backend has recovered, so the breaker closes. State changes flow on `breaker`.",
      bodies::breaker_opening);
  add("deadline_cascade", "Deadline cascade: a timeout cancels the whole tree", "pattern",
      "A request context with a 100 ms timeout and workers under derived contexts. When the deadline "
      "passes, the cancellation travels down the context tree as one wave; every worker returns "
      "DeadlineExceeded, wrapped with what it was doing.",
      bodies::deadline_cascade);
  return g;
}

/// "S.strategy:choices" -> S; nullopt when the replay has no seed prefix.
std::optional<std::uint64_t> replay_seed(const std::string& replay) {
  auto dot = replay.find('.');
  auto colon = replay.find(':');
  if (dot == std::string::npos || colon == std::string::npos || dot > colon) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(replay.data(), replay.data() + dot, v);
  if (ec != std::errc() || p != replay.data() + dot) return std::nullopt;
  return v;
}

}  // namespace

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> gallery = make_gallery();
  return gallery;
}

const Scenario* find_scenario(std::string_view name) {
  for (const auto& s : scenarios())
    if (s.name == name) return &s;
  return nullptr;
}

goro::SimOptions scenario_options(std::uint64_t seed, const std::string& replay) {
  goro::SimOptions o;
  o.seed = seed;
  o.max_steps = kScenarioMaxSteps;
  if (!replay.empty()) {
    o.replay = replay;
    if (auto s = replay_seed(replay)) o.seed = *s;
    if (replay.find(".random:") != std::string::npos) o.strategy = goro::Strategy::random;
  }
  return o;
}

Run run_with(const Scenario& s, const goro::SimOptions& o, const std::string& trace_path) {
  goro::trace::Recording rec(trace_path);
  Run r;
  r.trace_path = trace_path;
  r.result = goro::simulate(o, s.body);
  rec.stop();
  return r;
}

Run run_scenario(const Scenario& s, std::uint64_t seed, const std::string& trace_path, const std::string& replay) {
  return run_with(s, scenario_options(seed, replay), trace_path);
}

}  // namespace dojo::viz
