// Exercise 26 — parallel_map: reference solution.
#include "parallel_map.hpp"

namespace dojo::ex26 {

goro::Result<std::vector<int>> parallel_map(const goro::Context& ctx, const std::vector<int>& items, int limit,
                                            const MapFn& f) {
  // One slot per item, allocated up front: the task of item i writes results[i] and nothing
  // else, so the tasks need no lock and the results come out in input order whatever order the
  // calls finish in. wait() makes every write visible here.
  std::vector<int> results(items.size());
  if (items.empty()) return results;  // nothing to do: no group, no task

  // gctx is cancelled by the first task that returns an error (before its slot is given back),
  // and with ctx. The limit must be set before the first go().
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.set_limit(limit);

  std::size_t started = 0;  // items handed to a task
  for (std::size_t i = 0; i < items.size(); ++i, ++started) {
    // Failed already, or the caller gave up: start nothing new.
    if (gctx.err()) break;
    // go() blocks here while `limit` tasks are active.
    g.go([gctx = gctx, &f, item = items[i], &out = results[i], i]() -> goro::Error {
      // The failure may have come while go() was waiting for a free slot: check again, so that
      // an item not started before the failure is never passed to f.
      if (goro::Error err = gctx.err()) return err;  // dropped if the group already failed
      auto r = f(gctx, item);  // gctx, not ctx: the group's cancellation must reach the call
      if (!r) return goro::errorf("item {}: {:w}", i, r.error());  // name the item, keep the cause
      out = *r;
      return {};
    });
  }

  // Every started call has returned once wait() does: nothing of ours is left running.
  goro::Error err = g.wait();
  // The loop may have stopped early because ctx ended while every call in flight succeeded:
  // then some items have no result, and the answer is the caller's context error.
  if (!err && started < items.size()) err = ctx.err();
  if (err) return err;
  return results;
}

}  // namespace dojo::ex26
