// Mutant of exercise 24: the context is cancelled on the first error only. When every task
// succeeds, wait() returns and the group's context lives on: still linked to its parent, and
// a task or a callback holding it never learns that the work is over.
// mistake: unreleased-context
// expect: still not cancelled after wait() returned
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
  return s_->err;  // BUG: the context is not cancelled when the group is done
}

}  // namespace dojo::ex24
