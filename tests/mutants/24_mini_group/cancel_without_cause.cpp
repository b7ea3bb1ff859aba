// Mutant of exercise 24: the context comes from goro::with_cancel, whose cancel function takes
// no cause. The tasks do learn that the group stopped, but goro::cause(ctx) says only "context
// canceled": the reason (the first error) is gone for anyone who reads it from the context.
// mistake: wrong-error
// expect: cancelled without its cause
#include "mini_group.hpp"

namespace dojo::ex24 {

struct MiniGroup::State {
  goro::WaitGroup wg;
  goro::Once first;
  goro::Error err;
  goro::CancelFunc cancel;
};

MiniGroup::MiniGroup() : s_(std::make_shared<State>()) {}

std::pair<MiniGroup, goro::Context> MiniGroup::with_context(const goro::Context& parent) {
  auto [ctx, cancel] = goro::with_cancel(parent);  // BUG: no way to give the cause
  MiniGroup g;
  g.s_->cancel = std::move(cancel);
  return {g, ctx};
}

void MiniGroup::go(std::function<goro::Error()> f) const {
  s_->wg.add(1);
  goro::go([s = s_, f = std::move(f)] {
    if (goro::Error err = f()) {
      s->first.call([&] {
        s->err = err;
        if (s->cancel) s->cancel();
      });
    }
    s->wg.done();
  });
}

goro::Error MiniGroup::wait() const {
  s_->wg.wait();
  if (s_->cancel) s_->cancel();
  return s_->err;
}

}  // namespace dojo::ex24
