// Mutant of exercise 24: wait() returns as soon as the first error arrives, "since the answer
// is known". The tasks that are still running are abandoned: the caller moves on (and may free
// what they use) while they keep working, and nobody waits for them any more.
// mistake: leak
// expect: while task S was still running
#include "mini_group.hpp"

namespace dojo::ex24 {

struct MiniGroup::State {
  goro::WaitGroup wg;
  goro::Once first;
  goro::Error err;
  goro::CancelCauseFunc cancel;
  goro::Chan<goro::Unit> failed = goro::make_chan<goro::Unit>();  // closed at the first error
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
        s->failed.close();
      });
    }
    s->wg.done();
  });
}

goro::Error MiniGroup::wait() const {
  // BUG: whichever comes first, every task done or the first error.
  auto all_done = goro::make_chan<goro::Unit>();
  goro::go([s = s_, all_done] {
    s->wg.wait();
    all_done.close();
  });
  (void)goro::select(goro::on_recv(all_done), goro::on_recv(s_->failed));
  if (s_->cancel) s_->cancel(s_->err);
  return s_->err;
}

}  // namespace dojo::ex24
