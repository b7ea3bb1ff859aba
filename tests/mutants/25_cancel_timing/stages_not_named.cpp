// Mutant of exercise 25: the tool measures and judges correctly but never looks at which tasks
// are still alive at the limit. Its error says the pipeline was slow, not which stage: the
// reader is left to guess.
// mistake: missing-context
// expect: the report names no stage
#include "cancel_timing.hpp"

#include <cstdint>
#include <unordered_set>

namespace dojo::ex25 {

namespace {

// The pipeline's tasks alive now: started since `before` was taken, other than the runner.
std::vector<std::string> live_stages(const std::unordered_set<std::uint64_t>& before, std::uint64_t runner) {
  std::vector<std::string> out;
  for (const goro::TaskInfo& t : goro::tasks()) {  // ordered by id: the order they were started
    if (before.contains(t.id) || t.id == runner) continue;
    out.push_back(t.name.empty() ? "task " + std::to_string(t.id) : t.name);
  }
  return out;
}

}  // namespace

CancelReport measure_cancel(const goro::Context& ctx, const Pipeline& pipeline, const MeasureOptions& opts) {
  // Every task alive now is not the pipeline's: what appears later, is.
  std::unordered_set<std::uint64_t> before;
  for (const goro::TaskInfo& t : goro::tasks()) before.insert(t.id);

  auto [pctx, cancel] = goro::with_cancel(ctx);
  // Buffered: the runner's send completes even when nobody receives any more (we gave up on a
  // stuck pipeline). Unbuffered, that runner would block forever: a leak made by the tool.
  auto done = goro::make_chan<goro::Error>(1);
  auto started = goro::make_chan<std::uint64_t>(1);
  // Everything by value: a stuck pipeline may outlive this call (and `pipeline` with it).
  goro::go_named("measure_cancel: pipeline", [pipeline, run_ctx = pctx, done, started] {
    started.send(goro::current_task_id());
    done.send(pipeline(run_ctx));
  });
  // cancel_after counts from the moment the pipeline task runs.
  const std::uint64_t runner = started.recv().value;

  CancelReport r;
  auto run_for = goro::new_timer(opts.cancel_after);
  if (goro::select(goro::on_recv(done, &r.err), goro::on_recv(run_for.c())) == 0) {
    r.finished_before_cancel = true;  // no cancel happened: nothing to measure
    run_for.stop();
    cancel();
    return r;
  }

  // The clock starts at the cancel, not at the start: the time before it is the pipeline's work.
  const goro::Time cancelled_at = goro::now();
  cancel();
  auto limit = goro::new_timer(opts.limit);
  auto cap = goro::new_timer(opts.cap);
  std::vector<std::string> at_limit;
  bool looked = false;
  auto look = [&] {  // whoever is still alive once the limit has passed holds the pipeline up
    if (!looked) at_limit = live_stages(before, runner);
    looked = true;
  };
  for (;;) {
    switch (goro::select(goro::on_recv(done, &r.err), goro::on_recv(limit.c()), goro::on_recv(cap.c()))) {
      case 0:  // returned: the latency, on the runtime's clock
        r.latency = goro::now() - cancelled_at;
        limit.stop();
        cap.stop();
        (void)at_limit;  // BUG: the stages still running at the limit are never reported
        return r;
      case 1:  // the limit passed
        look();
        break;
      default:  // the cap passed: give up waiting (the runner will still exit, see `done`)
        look();  // (a busy machine may wake us late, with both timers fired)
        r.stuck = true;
        r.latency = opts.cap;
        limit.stop();
        return r;
    }
  }
}

goro::Error check_prompt(const goro::Context& ctx, const Pipeline& pipeline, const MeasureOptions& opts) {
  CancelReport r = measure_cancel(ctx, pipeline, opts);
  if (r.finished_before_cancel) return ErrNothingToMeasure;
  if (r.stuck || r.latency > opts.limit)  // exactly the limit is still in time
    return goro::make_error(SlowCancelError{r.latency, opts.limit, std::move(r.stages), r.stuck});
  return {};
}

}  // namespace dojo::ex25
