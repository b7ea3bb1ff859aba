// Helpers shared by the drivers of the solution scenarios (scenarios_solutions_*.cpp).
#pragma once

#include <string>

#include "goro/goro.hpp"

namespace dojo::viz::bodies {

/// Simulated work: waits `d` on the runtime's clock unless ctx ends first, and then returns
/// ctx.err() wrapped with `what` ("store 40: context canceled"); nil after the full wait. The
/// timer is stopped on the early way out, so no stale timer outlives the run.
inline goro::Error work_for(const goro::Context& ctx, goro::Duration d, const std::string& what) {
  auto timer = goro::new_timer(d);
  if (goro::select(goro::on_recv(timer.c()), goro::on_recv(ctx.done())) == 1) {
    (void)timer.stop();
    return goro::errorf("{}: {:w}", what, ctx.err());
  }
  return {};
}

}  // namespace dojo::viz::bodies
