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

/// ex01_sum's default seed: the one where client-2's cancel lands after three of the six
/// values (scenarios_test checks it still does).
constexpr std::uint64_t kEx01Seed = 238;

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

  // One scenario per exercise: the reference solution (solutions/NN_slug) on a small input.
  // Its own tasks are started with g.go() and so are unnamed (g<id>, with their start site in
  // solutions/NN_slug/); the driver's tasks are named.
  add("ex01_sum", "Exercise 01 · sum: a producer, a consumer and an ErrGroup", "solution",
      "caller-1 runs the clean path: the producer sends six numbers and closes the channel, the "
      "consumer drains it and returns nil, and the total is read only after wait(). For caller-2 the "
      "client hangs up mid-stream (with this seed after three values): both tasks stop on gctx.done(), "
      "the producer still closes its channel, and sum returns Canceled, with the client's error as "
      "the cause. Other seeds move the cancel; nothing ever leaks.",
      bodies::ex01_sum, kEx01Seed);
  add("ex02_negative", "Exercise 02 · negative: a producer that fails, an error that keeps its identity",
      "solution",
      "The producer sends 4, 8 and 15, then meets -16: it closes the channel and returns "
      "\"nums[3] = -16: negative number\", wrapping ErrNegative with {:w}. The group records that first "
      "error and cancels its context, so the consumer stops too; the caller gets the producer's error "
      "and no total.",
      bodies::ex02_negative);
  add("ex03_fetch_all", "Exercise 03 · fetch_all: at most 8 in flight, the first failure cancels the rest",
      "solution",
      "Ten GETs with a limit of 8: the caller blocks in go() until a request finishes. /orders answers "
      "500 after 30 ms; the group cancels its context and every request still in flight is aborted at "
      "that instant, each error wrapping the cause. The HTTP client is simulated on the virtual clock "
      "(no sockets), so the run is deterministic.",
      bodies::ex03_fetch_all);
  add("ex04_drain", "Exercise 04 · drain: when the last stage fails, the first must stop too", "solution",
      "Stage 2 fails on item 40 (disk full) and returns \"item 40: write row: disk full\". Stage 1 is "
      "blocked sending 50: the group's cancellation wins its select, it closes the channel and stops — "
      "no further item is produced, and run returns stage 2's error, not the cancellation.",
      bodies::ex04_drain);
  add("ex05_retry", "Exercise 05 · retry: backoff inside the task, cancellation in the middle of a wait",
      "solution",
      "Four items, each retried inside its own task with waits of 100 ms and 200 ms on a timer next to "
      "ctx.done(). Item 2 succeeds on its second attempt; item 3 gives up after 3 attempts at +330 ms. "
      "That error cancels the group, and item 4 is stopped in the middle of its backoff.",
      bodies::ex05_retry);
  add("ex06_skip", "Exercise 06 · skip: a sentinel that is not a failure", "solution",
      "The transform answers ErrSkip (wrapped) for a blank line and the collecting stage drops that item "
      "and goes on: request 1 returns three names. In request 2, \"3cho\" gives a real error: the "
      "collecting stage returns it, the group cancels the transform stage, and ErrSkip never escapes.",
      bodies::ex06_skip);
  add("ex07_fan_out", "Exercise 07 · fan_out: four workers in a nested group, one closer for the output",
      "solution",
      "source → resize (fan_out: 4 workers in a group of their own) → sink. The worker on item 6 fails: "
      "the workers' group cancels the other three, fan_out closes `out` once after they have all "
      "returned and returns the error; the pipeline's group then stops the source, and the sink sees "
      "the close.",
      bodies::ex07_fan_out);
  add("ex08_aggregate", "Exercise 08 · aggregate: try every item, report every failure", "solution",
      "Six notifications, each in its own task under a WaitGroup. Users 2 and 5 fail, but nothing is "
      "cancelled: every item gets its attempt. The caller gets both failures joined with goro::join — "
      "a tree of two wrap chains in the error view.",
      bodies::ex08_aggregate);
  add("ex09_stage_error", "Exercise 09 · stage_error: say where it failed, keep what failed", "solution",
      "parse → transform → store, one task per stage. transform fails on 4 (division by zero) and "
      "returns a typed StageError{\"transform\", cause}; the group stops parse and store, which return "
      "the cancellation as is. The caller's error reads \"import: transform: 100 / (4 - 4): division by "
      "zero\".",
      bodies::ex09_stage_error);
  add("ex10_deadline", "Exercise 10 · deadline: one time budget for the whole run", "solution",
      "Eight 100 ms items, two workers, one 250 ms deadline made once for the run. When it passes, the "
      "work listening to ctx stops at once; item 6 ignores ctx and finishes, but its worker checks the "
      "context and takes no further item. The result: \"timed out after 5 of 8 items: ...\".",
      bodies::ex10_deadline);
  add("ex11_saga", "Exercise 11 · saga: undo what completed, newest first", "solution",
      "An order placed through three services, each a task: stock, payments, courier. Reserve and "
      "charge succeed, booking the courier fails, so the saga undoes charge, then reserve — newest "
      "first, and never the failed step. The refund fails too; the rollback goes on, and the caller "
      "gets both errors joined.",
      bodies::ex11_saga);
  add("ex12_saga_persist", "Exercise 12 · saga_persist: a saga that resumes after a restart", "solution",
      "The saga of exercise 11 with its state in an SQLite file. Process 1 is shut down while the "
      "card is charged: the charge completes and is saved, and the saga pauses before book with "
      "\"context canceled\" — no rollback. Process 2 opens the same file, skips reserve and charge, "
      "and finishes with book and confirm, each step having taken effect once.",
      bodies::ex12_saga_persist);
  add("ex13_panic", "Exercise 13 · panic: a stage that throws must not take the program down", "solution",
      "Six records through produce → transform → consume. transform's parser throws on record 4; its "
      "task recovers the exception with goro::catch_panic into a PanicError (value and stack), the "
      "group cancels produce and consume, which stop at their next send or receive, and the caller "
      "gets \"import: transform: panic: unreadable record 4 (std::runtime_error)\".",
      bodies::ex13_panic);
  add("ex14_bulkhead", "Exercise 14 · bulkhead: one tenant's trouble stays with that tenant", "solution",
      "Three tenants, each with a group of its own limited to 8 jobs. slow's 16 one-second jobs fill "
      "its 8 places and its dispatcher waits in its own go(); fast's 8 jobs, listed after them, start "
      "at once and finish at +10ms; bad's third job fails at +50ms and cancels bad's other jobs only. "
      "The caller gets \"tenant bad: ...\" while slow and fast complete.",
      bodies::ex14_bulkhead);
  add("ex15_breaker", "Exercise 15 · breaker: stop calling a service that is down", "solution",
      "One order a second through a circuit breaker (5 failures, 10 s cooldown) to a payment "
      "provider that fails its first 6 calls. Five failures in a row open the breaker at +4s; the "
      "orders of the next 10 s get ErrCircuitOpen at once and never reach the provider. Then one "
      "trial goes through and fails, so the breaker opens again; the next trial succeeds, the "
      "breaker closes and the last orders are placed.",
      bodies::ex15_breaker);
  add("ex16_dlq", "Exercise 16 · dlq: park what cannot be processed, lose nothing", "solution",
      "Eight orders, three attempts each with backoff on the virtual clock. Order 2 fails twice and "
      "succeeds on its third attempt; order 3 is poison and goes to the dead-letter queue at once; "
      "order 5 fails every attempt and is dead-lettered with its last error. The dead-letter reader "
      "is slow, and each dead letter waits for it: nothing is dropped, every order ends up once in "
      "done or in the queue.",
      bodies::ex16_dlq);
  add("ex17_cursor", "Exercise 17 · cursor: resume a stream where the saved cursor says", "solution",
      "Eight orders from a stream, with the cursor saved every 3 events to a file (a temporary file, "
      "fsync, rename). Process 1 saves \"3\", handles 3 and 4 and is shut down while it handles 5. "
      "Process 2 opens the same file, resumes at the saved cursor, handles the unsaved events a second "
      "time (at least once, never more than 3 twice) and ends the stream with \"8\" in the file.",
      bodies::ex17_cursor);
  add("ex18_hedged", "Exercise 18 · hedged: ask another replica when the first is slow", "solution",
      "Three replicas of a price service and a 50 ms hedge delay. a is slow; at +50ms the hedge asks b, "
      "whose failure at +70ms makes the fetch ask c at once, without waiting for another delay. c "
      "answers first and wins, and a's request is cancelled and waited for. A second fetch, whose "
      "replicas all fail, returns every error joined, each naming its replica.",
      bodies::ex18_hedged);
  add("ex19_batcher", "Exercise 19 · batcher: batches by size or by time, with retries", "solution",
      "A burst of 120 events, then two stragglers, then the input closed. The batcher flushes 100 at "
      "once for size and opens a new window with event 100, so the next batch is flushed by time 1 s "
      "later. The warehouse refuses that batch three times, 100 ms apart on the virtual clock, and it "
      "goes to the dead-letter queue; the straggler is flushed when its own window ends.",
      bodies::ex19_batcher);
  add("ex20_integration", "Exercise 20 · integration: one production pipeline, every order accounted for", "solution",
      "Six orders of two tenants, each a saga of reserve, charge and ship, at most 4 at once per "
      "tenant. Order 3's card is declined: its stock is released and it ends compensated, while the "
      "other orders go on. Order 6's shipment fails and its refund throws: the panic is recovered "
      "into a PanicError, the stock is still released, and order 6 is reported with both errors.",
      bodies::ex20_integration);
  add("ex21_typed_errors", "Exercise 21 · typed_errors: ask an error what it is, not what it says", "solution",
      "Five keys looked up under a 300 ms deadline. \"nobody\" has no row — the storage layer says so "
      "in its own words, in an error that unwraps to ErrNotFound — and is left out; \"a b\" is refused "
      "with an InvalidKeyError and reported; \"linus\" waits on a database that never answers, and "
      "lookup_all stops with the deadline, recognised as a cancellation through three layers of wrapping.",
      bodies::ex21_typed_errors);
  add("ex22_leak_hunt", "Exercise 22 · leak_hunt: a search that stops early and leaves nothing behind", "solution",
      "The fixed search over 24 documents, every 4th a match, limit 3, four matchers and a progress "
      "ticker. When the collector has its third hit it cancels: the matchers blocked on a fourth hit "
      "and the producer blocked on the next document leave through ctx.done() at that instant, the "
      "ticker stops, the hits channel is closed after the matchers' wait, and no task outlives search. "
      "A second search meets an unreadable document and stops on it just as cleanly.",
      bodies::ex22_leak_hunt);
  add("ex23_stress", "Exercise 23 · stress: a thousand runs with random faults, in miniature", "solution",
      "The reference stress runner: 10 runs of a read → write pipeline with 20% of the operations "
      "failing, each run seeded from its number. Faults in read end their runs with an error, as they "
      "should; write drops its faults, so a run whose only fault hit write returns nil, and the report "
      "names it as swallowed, with the seed that replays it.",
      bodies::ex23_stress);
  add("ex24_mini_group", "Exercise 24 · mini_group: an errgroup built from a WaitGroup and a Once", "solution",
      "Three shards and a watcher in the reference MiniGroup. Shard C starts last and fails first, at "
      "+100ms: its error cancels the group's context, with itself as the cause. The watcher wakes and "
      "cleans up for 1 s while wait() waits for it; shard A's later failure is dropped, and wait() "
      "returns shard C's error.",
      bodies::ex24_mini_group);
  add("ex25_cancel_timing", "Exercise 25 · cancel_timing: measure how long a pipeline takes to stop", "solution",
      "The reference check_prompt on an image pipeline. At +1s it cancels the context: decode and "
      "upload return at once, but resize finishes the 300 ms image in hand before it looks. At +1.1s "
      "the 100 ms limit passes with resize still alive; at +1.2s the pipeline returns, and the tool "
      "reports the latency and names the stage.",
      bodies::ex25_cancel_timing);
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
