// Exercise 14 — bulkhead: reference solution.
#include "bulkhead.hpp"

#include <cstddef>
#include <map>

namespace dojo::ex14 {

goro::Error run_tenants(const goro::Context& ctx, const std::vector<Job>& jobs, const Handle& handle) {
  // The jobs of each tenant, the tenants in the order they first appear: that order is the
  // order of the errors in the result, whatever the schedule.
  std::vector<std::string> names;
  std::vector<std::vector<const Job*>> queues;
  std::map<std::string, std::size_t> index;
  for (const Job& job : jobs) {
    auto [it, fresh] = index.try_emplace(job.tenant, names.size());
    if (fresh) {
      names.push_back(job.tenant);
      queues.emplace_back();
    }
    queues[it->second].push_back(&job);
  }

  // One slot per tenant, written only by that tenant's task and read after top.wait(): no lock.
  std::vector<goro::Error> errs(names.size());

  // The top-level group is a plain one: no with_context. Its tasks return nil, so nothing a
  // tenant does can cancel a sibling; the group is only there to wait for every tenant.
  goro::ErrGroup top;
  for (std::size_t t = 0; t < names.size(); ++t) {
    top.go([&, t]() -> goro::Error {
      // The bulkhead: a group per tenant, with a context of its own (derived from the caller's,
      // so that the caller's cancellation still reaches every job) and a limit of its own. Each
      // tenant blocks in ITS go() when its 8 places are taken; the others are not held up.
      auto [group, tctx] = goro::ErrGroup::with_context(ctx);
      group.set_limit(kPerTenant);  // before the first go(): a limit set later holds nobody back
      for (const Job* job : queues[t]) {
        group.go([&handle, tctx = tctx, job]() -> goro::Error {
          // A job admitted after its tenant failed (or the caller gave up) is not handled. go()
          // may admit it later, when a place frees up; by then tctx has ended.
          if (goro::Error err = tctx.err()) return err;
          return handle(tctx, *job);
        });
      }
      // The first error of this tenant (the job that failed, not the Canceled it caused).
      if (goro::Error err = group.wait()) errs[t] = goro::errorf("tenant {}: {:w}", names[t], err);
      return {};
    });
  }
  (void)top.wait();  // its tasks never fail; this waits until every tenant has finished
  return goro::join(errs);  // nil slots are left out: nil when no tenant failed
}

}  // namespace dojo::ex14
