// Exercise 24 — mini_group: reference solution.
#include "mini_group.hpp"

namespace dojo::ex24 {

// Everything the copies of one group share. WaitGroup and Once must not be copied or moved:
// they live here, in one place, and every handle and every task holds this State alive.
struct MiniGroup::State {
  goro::WaitGroup wg;             // tasks started and not yet returned
  goro::Once first;               // lets exactly one error through: the first returned
  goro::Error err;                // written once inside `first`, read after wg.wait()
  goro::CancelCauseFunc cancel;   // empty for the zero group; set before the group is shared
};

MiniGroup::MiniGroup() : s_(std::make_shared<State>()) {}

std::pair<MiniGroup, goro::Context> MiniGroup::with_context(const goro::Context& parent) {
  // with_cancel_cause, not with_cancel: the tasks (and whoever reads goro::cause(ctx) later)
  // must learn WHY the group stopped, not only that it did.
  auto [ctx, cancel] = goro::with_cancel_cause(parent);
  MiniGroup g;
  g.s_->cancel = std::move(cancel);
  return {g, ctx};
}

void MiniGroup::go(std::function<goro::Error()> f) const {
  // Count the task HERE, before it exists. Counted inside the task, a wait() that runs first
  // sees zero and returns while the task has not even started.
  s_->wg.add(1);
  // The task holds the State (a copy of the shared_ptr), not `this`: the handle that called go()
  // may be gone long before the task ends.
  goro::go([s = s_, f = std::move(f)] {
    if (goro::Error err = f()) {
      // Once: the first error returned wins; later ones find the Once done and are dropped.
      // (A Mutex and a `bool failed` does the same.) Cancelling inside it, before done(),
      // means wait() can never return ahead of the cancellation.
      s->first.call([&] {
        s->err = err;
        if (s->cancel) s->cancel(err);  // the error is the cause: goro::cause(ctx) == err
      });
    }
    s->wg.done();  // after everything this task writes: wait() then sees it all
  });
}

goro::Error MiniGroup::wait() const {
  s_->wg.wait();  // every task, including those started by other tasks while we waited
  // Go does the same: cancel(err). When nothing failed the cause is nil, which means Canceled;
  // when something failed the context is already cancelled and this changes nothing. Either
  // way the context is released (a derived context nobody cancels stays linked to its parent).
  if (s_->cancel) s_->cancel(s_->err);
  return s_->err;
}

// Model notes on the questions at the end of the README (MiniGroup and goro::ErrGroup).
//
// 1. Left out: set_limit, try_go, go_named.
//    * A limit: ErrGroup's go() blocks while n tasks are active (x/sync uses a buffered channel
//      of n tokens; goro a counter and a queue). Here: a goro::Semaphore of n units, acquired in
//      go() BEFORE the task starts, so that go() is what blocks, as in Go. The task releases it
//      as soon as f has returned, so a go() blocked on the limit can start the next task. Go
//      also panics if the limit is changed while tasks hold slots.
//    * try_go: "is there room?" and "take the slot" must be one step (try_acquire), or two
//      callers both see the last free slot. The task is started only if it said yes.
//    * go_named only labels the task for reports and traces.
// 2. Panics: neither group catches them. An exception escaping f ends the program. The task
//    never reaches wg.done(), so wait() could not hide the crash even if the program went on.
//    RecoveringGroup (or goro::catch_panic inside f) turns a panic into an error value. But a
//    panic is a bug, and a bug turned into "one more error" is easy to log and forget, while
//    the state it left behind stays broken: crashing is the safer default.
// 3. Diagnostics: a task blocked in ErrGroup::wait() shows as [errgroup wait] on
//    "errgroup.Group #N (3 active, no limit, ...)": it says which group and how many tasks are
//    still running. Ours shows as [semacquire] on a sync.WaitGroup with a counter, and you have
//    to work out from the source line that it is a group.
// 4. Three objects, still correct: every goro primitive synchronises through the runtime, and
//    WaitGroup gives the edge that matters. Everything a task writes before wg.done() is
//    visible to the task whose wg.wait() that done() releases. So the error (and the cancel)
//    must come before done(), and wait() reads s_->err only after wg.wait(). The Once
//    serialises the tasks that fail at the same moment.
// 5. The failing task cancels BEFORE wg.done(), inside the Once. The other way round, the last
//    task could count itself finished, wait() could return the error, and the caller could
//    still see ctx not cancelled for a moment (ctx.err() nil next to a failed wait()). Or,
//    with a wait() that cancels with Canceled, the cause could be lost. goro::ErrGroup has the
//    same order: record, cancel, then count as finished.
// 6. Reuse: a second wait() returns at once with the same first error (the Once stays done),
//    in both groups. go() after wait() has returned does run the task (only another wait()
//    waits for it), but the context is already cancelled and the old error sticks. Go's errgroup is the same: a group is for
//    one job.

}  // namespace dojo::ex24
