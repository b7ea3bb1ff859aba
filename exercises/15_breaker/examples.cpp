// Visible examples for exercise 15. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules (virtual time: a 30 s cooldown costs no
// real time) and once on real threads (where a cooldown that must pass is 50 ms instead).
//
// The story: an order service calls a payment provider that is having a bad day. The breaker
// stops hammering it while it is down, and tries again after the cooldown.
#include <atomic>
#include <memory>
#include <vector>

#include "breaker.hpp"
#include "grader.hpp"

using dojo::ex15::Breaker;
using dojo::ex15::ErrCircuitOpen;
using dojo::ex15::Outcome;
using dojo::ex15::State;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrUnavailable = goro::new_error("503 service unavailable");

// The payment provider: counts the calls that reach it; answers `result`.
struct Provider {
  std::atomic<int> calls{0};
  dojo::ex15::CallFn answer(goro::Error result) {
    return [this, result](const goro::Context&) {
      ++calls;
      return result;
    };
  }
};

}  // namespace

DOJO_CHECK("example: five failures in a row open the breaker; the next call fails fast without reaching the service",
           "Count consecutive failures while closed; the fifth opens the breaker. An open breaker answers "
           "ErrCircuitOpen at once and does not call fn.") {
  Breaker b;  // 5 failures, 30 s cooldown
  Provider provider;
  check.say("calling b.call(ctx, fn) 5 times, where fn fails with ErrUnavailable");
  for (int i = 1; i <= 5; ++i) check.expect_is(b.call(goro::background(), provider.answer(ErrUnavailable)),
                                               ErrUnavailable, "ErrUnavailable (the service's own error)");
  check.expect_eq(provider.calls.load(), 5, "calls that reached the service", mistake::wrong_count);
  check.expect_eq(std::string(to_string(b.state())), std::string("open"), "b.state()");
  check.say("calling b.call(ctx, fn) once more");
  check.expect_is(b.call(goro::background(), provider.answer(ErrUnavailable)), ErrCircuitOpen, "ErrCircuitOpen");
  check.expect_eq(provider.calls.load(), 5, "calls that reached the service (an open breaker does not call fn)",
                  mistake::wrong_count);
}

DOJO_CHECK("example: once the cooldown has passed, one trial call; its success closes the breaker",
           "Measure the cooldown with goro::now(). When it is over, the next call is the trial: it calls fn, "
           "and a success closes the breaker.") {
  const goro::Duration cooldown = check.deterministic() ? goro::Duration(30s) : goro::Duration(50ms);
  Breaker b(5, cooldown);
  Provider provider;
  check.say("opening the breaker with 5 failures, then sleeping " + goro::format_duration(cooldown));
  for (int i = 0; i < 5; ++i) (void)b.call(goro::background(), provider.answer(ErrUnavailable));
  goro::sleep(cooldown);
  check.say("calling b.call(ctx, fn), where fn succeeds");
  goro::Error trial = b.call(goro::background(), provider.answer({}));
  // Still refused once the cooldown has passed on goro's clock: the cooldown was measured on another clock
  // (or is longer than the breaker's).
  check.expect_ok(trial, "the trial",
                  goro::is(trial, ErrCircuitOpen) ? dojo::grader::Why(mistake::wrong_timing) : dojo::grader::Why());
  check.expect_eq(provider.calls.load(), 6, "calls that reached the service", mistake::wrong_count);
  check.expect_eq(std::string(to_string(b.state())), std::string("closed"), "b.state() after the trial");
}

DOJO_CHECK("example: the stage reports every item once, in order, and closes out",
           "Read from in until it is closed; for each item send Outcome{item, breaker.call(...)} on out. "
           "Close out before returning.") {
  Breaker b;
  auto in = goro::make_chan<int>();
  auto out = goro::make_chan<Outcome>();
  auto seen = std::make_shared<std::vector<int>>();
  auto done = goro::make_chan<goro::Unit>();
  goro::go_named("grader: feeder", [in] {
    for (int i : {1, 2, 3}) in.send(i);
    in.close();
  });
  goro::go_named("grader: consumer", [out, seen, done] {
    for (;;) {
      auto [o, ok] = out.recv();
      if (!ok) break;
      seen->push_back(o.err ? -o.item : o.item);
    }
    done.close();
  });
  check.say("running stage(ctx, in, out, b, send) over the items 1, 2, 3, where send succeeds");
  goro::Error err = dojo::ex15::stage(goro::background(), in, out, b,
                                      [](const goro::Context&, int) { return goro::Error{}; });
  check.expect_ok(err, "stage(...)");
  (void)done.recv();  // the consumer ends when out is closed
  check.expect_eq(*seen, std::vector<int>{1, 2, 3}, "the items reported on out, in order");
}
