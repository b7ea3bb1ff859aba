// Mutant of exercise 24: the first error is kept, but the context is cancelled only when wait()
// returns. The other tasks never learn that the job is off: they keep working (or waiting) for
// a result nobody will use, and wait() waits for all of them.
// mistake: kept-going
// expect: was not cancelled when the first task failed
#include "mini_group.hpp"

namespace dojo::ex24 {

struct MiniGroup::State {
  goro::WaitGroup wg;
  goro::Once first;
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
    if (goro::Error err = f()) s->first.call([&] { s->err = err; });  // BUG: no cancel here
    s->wg.done();
  });
}

goro::Error MiniGroup::wait() const {
  s_->wg.wait();
  if (s_->cancel) s_->cancel(s_->err);
  return s_->err;
}

}  // namespace dojo::ex24
