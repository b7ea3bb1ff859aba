// Mutant of exercise 24: every failing task stores its error, so the LAST error in time wins.
// The context is still cancelled with the first one (a context is cancelled only once), but
// wait() reports an error that came later — often one caused by the first failure itself.
// mistake: wrong-error
// expect: a later error overwrote the first one
#include "mini_group.hpp"

namespace dojo::ex24 {

struct MiniGroup::State {
  goro::WaitGroup wg;
  goro::Mutex mu;
  goro::Error err;
  goro::CancelCauseFunc cancel;
};

MiniGroup::MiniGroup() : s_(std::make_shared<State>()) {}

std::pair<MiniGroup, goro::Context> MiniGroup::with_context(const goro::Context& parent) {
  auto [ctx, cancel] = goro::with_cancel_cause(parent);
  MiniGroup g;
  g.s_->cancel = std::move(cancel);
  return {g, ctx};
}

void MiniGroup::go(std::function<goro::Error()> f) const {
  s_->wg.add(1);
  goro::go([s = s_, f = std::move(f)] {
    if (goro::Error err = f()) {
      std::lock_guard lk(s->mu);
      s->err = err;  // BUG: overwrites the error of a task that failed earlier
      if (s->cancel) s->cancel(err);
    }
    s->wg.done();
  });
}

goro::Error MiniGroup::wait() const {
  s_->wg.wait();
  std::lock_guard lk(s_->mu);
  if (s_->cancel) s_->cancel(s_->err);
  return s_->err;
}

}  // namespace dojo::ex24
