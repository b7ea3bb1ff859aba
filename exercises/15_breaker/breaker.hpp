// Exercise 15 — breaker: a circuit breaker on the runtime's clock, in front of a failing service.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "goro/goro.hpp"

namespace dojo::ex15 {

/// What Breaker::call returns, without calling fn, while the breaker refuses calls: it is open,
/// or half-open with its one trial call still running. Recognise it with goro::is.
inline const goro::Error ErrCircuitOpen = goro::new_error("circuit breaker is open");

/// The three states of a breaker.
///   closed     calls go through; consecutive failures are counted
///   open       calls are refused at once (ErrCircuitOpen) until the cooldown has passed
///   half_open  one trial call is running; every other call is refused until it ends
enum class State { closed, open, half_open };

/// "closed", "open", "half_open".
[[nodiscard]] constexpr std::string_view to_string(State s) noexcept {
  switch (s) {
    case State::closed: return "closed";
    case State::open: return "open";
    case State::half_open: return "half_open";
  }
  return "?";
}

/// One call of the protected service. It is handed the caller's context.
using CallFn = std::function<goro::Error(const goro::Context& ctx)>;

/// A circuit breaker: after `threshold` failures in a row it stops sending calls to a service
/// that is down, and after `cooldown` it lets exactly one call through to find out whether the
/// service is back. Time is goro::now(): the runtime's clock, virtual in deterministic runs.
/// Safe to use from many tasks at once.
///
/// call(ctx, fn), by state:
///   * closed: calls fn(ctx) and returns its error as is (nil, or fn's error: never wrapped).
///       - nil (a success) resets the count of consecutive failures to 0;
///       - an error is a failure: the count grows by one; the call that brings it to `threshold`
///         opens the breaker (its own result is still fn's error) and records when: goro::now().
///   * open, less than `cooldown` since it opened: returns ErrCircuitOpen, fn is NOT called.
///   * open, `cooldown` or more since it opened (goro::now() - opened >= cooldown): this call
///     moves the breaker to half_open and is the TRIAL: it calls fn(ctx). Then
///       - trial success: closed, the failure count starts again from 0;
///       - trial failure: open again, and the cooldown starts again from now.
///   * half_open (a trial is running): returns ErrCircuitOpen, fn is NOT called — however many
///     callers arrive at once, exactly one trial runs.
///
/// A caller that gave up is not the service failing: when fn returns an error and ctx has ended
/// by then (ctx.err() is not nil), the call counts neither as a success nor as a failure; call
/// still returns fn's error. Closed: the count is unchanged. A trial: the breaker goes back to
/// open with the cooldown it had (already over), so the next call becomes the trial.
///
/// fn runs WITHOUT the breaker's mutex held: a slow fn must not hold up the callers that are
/// answered with ErrCircuitOpen. A call admitted while closed whose result arrives after the
/// breaker has opened (by other callers) changes nothing; none of the checks depend on that case.
class Breaker {
 public:
  /// A breaker that opens after `threshold` (>= 1) consecutive failures and tries again after
  /// `cooldown`. It starts closed.
  explicit Breaker(int threshold = 5, goro::Duration cooldown = std::chrono::seconds(30))
      : threshold_(threshold), cooldown_(cooldown) {}
  Breaker(const Breaker&) = delete;
  Breaker& operator=(const Breaker&) = delete;

  /// Calls fn(ctx) if the breaker admits the call (see above); returns fn's error as is, or
  /// ErrCircuitOpen without calling fn.
  [[nodiscard]] goro::Error call(const goro::Context& ctx, const CallFn& fn);

  /// The state now, as the last call left it. Reading it changes nothing: an open breaker whose
  /// cooldown is over still reads open until a call arrives and becomes the trial.
  [[nodiscard]] State state() const;

 private:
  const int threshold_;
  const goro::Duration cooldown_;

  // Everything below is guarded by mu_. You may add fields of your own if your design needs them.
  mutable goro::Mutex mu_;
  State state_ = State::closed;
  int failures_ = 0;        // consecutive failures while closed
  goro::Time opened_at_{};  // when the breaker last opened (goro::now())
};

/// What the stage reports for one item.
struct Outcome {
  int item = 0;
  goro::Error err;  ///< what breaker.call returned: nil, the service's error, or ErrCircuitOpen
};

/// The service the stage sends each item to. It is handed the stage's context.
using Send = std::function<goro::Error(const goro::Context& ctx, int item)>;

/// A pipeline stage in front of a service, run in the calling task (it starts no task):
///   * reads items from `in` until `in` is closed (receiving watches ctx.done());
///   * for each item, calls send(ctx, item) through `breaker` (breaker.call), and sends one
///     Outcome{item, what breaker.call returned} on `out`, in the order the items came (sending
///     watches ctx.done() too). The err may be wrapped with {:w}: goro::is must find in it the
///     service's error or ErrCircuitOpen. An open breaker and a failing service are NOT failures
///     of the stage: their items are reported, and the stage goes on with the next item;
///   * once ctx has ended, no further item goes to the breaker (look at ctx.err() before each
///     call): the stage stops promptly and returns ctx.err();
///   * returns nil once `in` is closed and every item's Outcome has been sent;
///   * closes `out` on every path before it returns (it is the only sender on `out`).
[[nodiscard]] goro::Error stage(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<Outcome> out,
                                Breaker& breaker, const Send& send);

}  // namespace dojo::ex15
