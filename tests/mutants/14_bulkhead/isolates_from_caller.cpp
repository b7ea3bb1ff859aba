// Mutant of exercise 14: "isolate the tenants from everything": each tenant's group is made
// with ErrGroup::with_context(goro::background()) instead of the caller's ctx. Failures still
// stay inside a tenant, but the caller's cancellation reaches nobody: the jobs go on working
// for a caller that has already given up.
// mistake: ignored-cancellation
// expect: never saw the caller's cancellation
#include "bulkhead.hpp"

#include <cstddef>
#include <map>

namespace dojo::ex14 {

goro::Error run_tenants(const goro::Context& ctx, const std::vector<Job>& jobs, const Handle& handle) {
  if (goro::Error err = ctx.err()) return err;
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
      auto [group, tctx] = goro::ErrGroup::with_context(goro::background());  // BUG: not from ctx
      group.set_limit(kPerTenant);
      for (const Job* job : queues[t]) {
        group.go([&handle, tctx = tctx, job]() -> goro::Error {
          if (goro::Error err = tctx.err()) return err;
          return handle(tctx, *job);
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
