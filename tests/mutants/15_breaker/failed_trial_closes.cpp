// Mutant of exercise 15: whatever the trial's result, the breaker closes after it ("the trial is
// over, back to normal"). A service that is still down then gets the next calls at full rate until
// another five have failed.
// mistake: wrong-result
// expect: closed again after its trial failed
#include "breaker.hpp"

namespace dojo::ex15 {

goro::Error Breaker::call(const goro::Context& ctx, const CallFn& fn) {
  bool trial = false;
  {
    std::lock_guard lk(mu_);
    if (state_ == State::half_open) return ErrCircuitOpen;
    if (state_ == State::open) {
      if (goro::now() - opened_at_ < cooldown_) return ErrCircuitOpen;
      state_ = State::half_open;
      trial = true;
    }
  }

  goro::Error err = fn(ctx);

  std::lock_guard lk(mu_);
  const bool gave_up = err && ctx.err();
  if (trial) {
    if (!err) {
      state_ = State::closed;
      failures_ = 0;
    } else if (gave_up) {
      state_ = State::open;
    } else {
      state_ = State::closed;  // BUG: a failed trial closes the breaker too
      failures_ = 0;
    }
  } else if (state_ == State::closed) {
    if (!err) {
      failures_ = 0;
    } else if (!gave_up && ++failures_ >= threshold_) {
      state_ = State::open;
      opened_at_ = goro::now();
      failures_ = 0;
    }
  }
  return err;
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
    if (!ok) return {};
    if (goro::Error err = ctx.err()) return err;
    goro::Error err = breaker.call(ctx, [&](const goro::Context& c) { return send(c, item); });
    if (goro::select(goro::on_send(out, Outcome{item, err}), goro::on_recv(ctx.done())) == 1) return ctx.err();
  }
}

}  // namespace

goro::Error stage(const goro::Context& ctx, goro::Chan<int> in, goro::Chan<Outcome> out, Breaker& breaker,
                  const Send& send) {
  goro::Error err = run_stage(ctx, in, out, breaker, send);
  out.close();
  return err;
}

}  // namespace dojo::ex15
