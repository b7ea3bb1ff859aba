// Visible examples for exercise 10. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// On the deterministic runs the runtime's clock is virtual: 5 s of deadline cost no real time.
// The run on real threads would really wait, so there the work and the deadline are both ten
// times shorter (10 ms per item, 500 ms of deadline): the same race between them, at a tenth of
// the time.
#include <atomic>
#include <memory>
#include <vector>

#include "deadline.hpp"
#include "grader.hpp"

using dojo::ex10::run_with_deadline;
using namespace std::chrono_literals;

namespace {

// Work that takes `d` on the runtime's clock, unless its context ends first.
dojo::ex10::WorkFn work_for(goro::Duration d) {
  return [d](const goro::Context& ctx, int item) -> goro::Error {
    auto timer = goro::new_timer(d);
    if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
      timer.stop();
      return goro::errorf("work on item {}: {:w}", item, ctx.err());
    }
    return {};
  };
}

std::vector<int> hundred_items() {
  std::vector<int> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  return v;
}

}  // namespace

DOJO_CHECK("example: 10 workers get through 100 items of 100 ms well within 5 s",
           "Ten workers share the queue of items: ten items at a time, about 1 s in all.") {
  // On real threads the items are ten times shorter, and the deadline is a minute away: however
  // busy the machine, this run must not reach it.
  const goro::Duration work = check.deterministic() ? 100ms : 10ms;
  const goro::Duration timeout = check.deterministic() ? 5s : 60s;
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 100}}, 10 workers, work of {} each, timeout {})",
                        goro::format_duration(work), goro::format_duration(timeout)));
  goro::Error err = run_with_deadline(goro::background(), hundred_items(), 10, work_for(work), timeout);
  // Ten workers need 1 s; the 5 s deadline is reached only if the items did not overlap.
  check.expect_ok(err, "run_with_deadline(...)",
                  goro::is(err, goro::DeadlineExceeded)
                      ? dojo::grader::Why(dojo::grader::mistake::serialized,
                                          "The workers must work on their items at the same time: nothing may make "
                                          "one wait for another's item (a lock held during the work, say).")
                      : dojo::grader::Why());
}

DOJO_CHECK("example: 1 worker cannot: the error wraps goro::DeadlineExceeded",
           "One deadline for the whole run (goro::with_timeout, made once). The timeout reaches g.wait() "
           "wrapped: recognise it with goro::is, and wrap it with {:w} in \"timed out after ...\".") {
  const goro::Duration work = check.deterministic() ? 100ms : 10ms;
  const goro::Duration timeout = check.deterministic() ? 5s : 500ms;
  check.say(fmt::format("calling run_with_deadline(background, {{1 .. 100}}, 1 worker, work of {} each, timeout {})",
                        goro::format_duration(work), goro::format_duration(timeout)));
  const goro::Time t0 = goro::now();
  goro::Error err = run_with_deadline(goro::background(), hundred_items(), 1, work_for(work), timeout);
  // No error, and all the work done before the timeout: one worker cannot do that, so more than
  // one item was worked on at a time.
  if (!err && goro::now() - t0 < timeout)
    check.fail("an error that goro::is finds goro::DeadlineExceeded in",
               fmt::format("no error (nil), after {}: with one worker that needs {}, so items overlapped",
                           goro::format_duration(goro::now() - t0), goro::format_duration(100 * work)),
               {dojo::grader::mistake::over_limit,
                "`workers` is the limit: at most that many items are worked on at a time, however many there are."});
  // No error, and all the work done long after the timeout: no deadline held the run as a whole.
  if (!err && goro::now() - t0 > timeout + work)
    check.fail("an error that goro::is finds goro::DeadlineExceeded in",
               fmt::format("no error (nil), after {}: the whole input was worked through",
                           goro::format_duration(goro::now() - t0)),
               dojo::grader::mistake::ignored_cancellation);
  check.expect_is(err, goro::DeadlineExceeded, "goro::DeadlineExceeded");
  check.expect(err.message().rfind("timed out after ", 0) == 0,
               "a message that starts with \"timed out after \"", dojo::grader::Check::describe_error(err),
               dojo::grader::mistake::wrong_error);
}

DOJO_CHECK("example: an already-cancelled context: its error, and no work",
           "Check ctx.err() before making the deadline or starting a worker.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto calls = std::make_shared<std::atomic<int>>(0);
  check.say("calling run_with_deadline(ctx, {1 .. 100}, 10 workers, work) with ctx already cancelled");
  goro::Error err = run_with_deadline(ctx, hundred_items(), 10, [calls](const goro::Context&, int) {
    ++*calls;
    return goro::Error{};
  });
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  check.expect_eq(calls->load(), 0, "calls of work");
}
