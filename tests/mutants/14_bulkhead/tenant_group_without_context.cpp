// Mutant of exercise 14: each tenant gets a plain ErrGroup with its limit, and its jobs are
// handed the caller's ctx. The tenant's error is reported, but nothing stops the tenant when
// one of its jobs fails: its running jobs carry on, and its waiting jobs are all started.
// mistake: kept-going
// expect: its context was never cancelled
#include "bulkhead.hpp"

#include <cstddef>
#include <map>

namespace dojo::ex14 {

goro::Error run_tenants(const goro::Context& ctx, const std::vector<Job>& jobs, const Handle& handle) {
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
  std::vector<goro::Error> errs(names.size());
  goro::ErrGroup top;
  for (std::size_t t = 0; t < names.size(); ++t) {
    top.go([&, t]() -> goro::Error {
      goro::ErrGroup group;  // BUG: no with_context: a failure does not cancel the tenant
      group.set_limit(kPerTenant);
      for (const Job* job : queues[t]) {
        group.go([&handle, &ctx, job]() -> goro::Error {
          if (goro::Error err = ctx.err()) return err;
          return handle(ctx, *job);
        });
      }
      if (goro::Error err = group.wait()) errs[t] = goro::errorf("tenant {}: {:w}", names[t], err);
      return {};
    });
  }
  (void)top.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex14
