// Exercise 15 — breaker: reference solution.
#include "breaker.hpp"

namespace dojo::ex15 {

goro::Error Breaker::call(const goro::Context& ctx, const CallFn& fn) {
  bool trial = false;
  {
    std::lock_guard lk(mu_);
    if (state_ == State::half_open) return ErrCircuitOpen;  // the one trial is already running
    if (state_ == State::open) {
      // goro::now(), never a std::chrono clock: on the virtual clock only goro's time passes.
      if (goro::now() - opened_at_ < cooldown_) return ErrCircuitOpen;  // fn is not called
      state_ = State::half_open;  // decided under the lock: no other caller can become a trial too
      trial = true;
    }
  }

  // The service may be slow: call it without the lock, so that the callers who are refused
  // meanwhile get their ErrCircuitOpen at once.
  goro::Error err = fn(ctx);

  std::lock_guard lk(mu_);
  const bool gave_up = err && ctx.err();  // the caller's cancellation, not the service's failure
  if (trial) {
    if (!err) {
      state_ = State::closed;  // the service is back
      failures_ = 0;
    } else if (gave_up) {
      state_ = State::open;  // no verdict: the cooldown is already over, so the next call tries
    } else {
      state_ = State::open;  // still down: wait a whole cooldown again, from now
      opened_at_ = goro::now();
    }
  } else if (state_ == State::closed) {  // a late result after the breaker opened decides nothing
    if (!err) {
      failures_ = 0;  // consecutive failures: one success wipes the slate
    } else if (!gave_up && ++failures_ >= threshold_) {
      state_ = State::open;
      opened_at_ = goro::now();
      failures_ = 0;
    }
  }
  return err;  // as is: the caller may need goro::is / goro::as on the service's own error
}

State Breaker::state() const {
  std::lock_guard lk(mu_);
  return state_;
}

namespace {

goro::Error run_stage(const goro::Context& ctx, const goro::Chan<int>& in, const goro::Chan<Outcome>& out,
                      Breaker& breaker, const Send& send) {
  for (;;) {
    int item = 0;
    bool ok = false;
    if (goro::select(goro::on_recv(in, &item, &ok), goro::on_recv(ctx.done())) == 1) return ctx.err();
    if (!ok) return {};  // in is closed: every item has been reported
    // select picks at random when both an item and the cancellation are ready: look again, so
    // that nothing reaches the service after the caller has given up.
    if (goro::Error err = ctx.err()) return err;
    // An open breaker and a failing service are reported for this item; the stage goes on.
    goro::Error err = breaker.call(ctx, [&](const goro::Context& c) { return send(c, item); });
    if (goro::select(goro::on_send(out, Outcome{item, err}), goro::on_recv(ctx.done())) == 1) return ctx.err();
  }
}

}  // namespace

goro::Error stage(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<Outcome> out, Breaker& breaker,
                  const Send& send) {
  goro::Error err = run_stage(ctx, in, out, breaker, send);
  out.close();  // the only sender closes, on every path (Go's defer close(out))
  return err;
}

}  // namespace dojo::ex15
