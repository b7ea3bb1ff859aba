// Mutant of exercise 24: the task counts itself (wg.add(1) as its first statement) instead of
// go() counting it before it starts. A wait() that runs before the new task has been scheduled
// finds the counter at zero and returns at once, while the task has not even begun.
// mistake: unsynchronized
// expect: had not even started
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
  goro::go([s = s_, f = std::move(f)] {
    s->wg.add(1);  // BUG: too late — wait() may already have seen zero
    if (goro::Error err = f()) {
      s->first.call([&] {
        s->err = err;
        if (s->cancel) s->cancel(err);
      });
    }
    s->wg.done();
  });
}

goro::Error MiniGroup::wait() const {
  s_->wg.wait();
  if (s_->cancel) s_->cancel(s_->err);
  return s_->err;
}

}  // namespace dojo::ex24
