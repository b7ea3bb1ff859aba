// Mutant of exercise 14: a job's task calls handle without looking at the tenant's context
// first. When a job fails, the tenant's context is cancelled — but the dispatcher is blocked
// in go() with the tenant's next job, and go() admits it as soon as a place frees up. Every
// remaining job of the failed tenant is still started, with a context that has already ended.
// mistake: ignored-cancellation
// expect: nothing checked ctx.err()
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
      auto [group, tctx] = goro::ErrGroup::with_context(ctx);
      group.set_limit(kPerTenant);
      for (const Job* job : queues[t]) {
        // BUG: no tctx.err() check: a job admitted after the failure is still handled
        group.go([&handle, tctx = tctx, job]() -> goro::Error { return handle(tctx, *job); });
      }
      if (goro::Error err = group.wait()) errs[t] = goro::errorf("tenant {}: {:w}", names[t], err);
      return {};
    });
  }
  (void)top.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex14
