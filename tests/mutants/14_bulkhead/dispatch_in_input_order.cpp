// Mutant of exercise 14: every tenant has its own group and its own limit, but one loop starts
// all the jobs, in input order, with the groups' blocking go(). When the slow tenant's 8
// places are taken, go() blocks the loop itself, and the jobs of every tenant listed after it
// wait for the slow tenant to free a place: the compartments share their front door.
// mistake: serialized
// expect: one loop dispatching the jobs in input order
#include "bulkhead.hpp"

#include <cstddef>
#include <map>

namespace dojo::ex14 {

goro::Error run_tenants(const goro::Context& ctx, const std::vector<Job>& jobs, const Handle& handle) {
  struct Tenant {
    std::string name;
    goro::ErrGroup group;
    goro::Context ctx;
  };
  std::vector<Tenant> tenants;
  std::map<std::string, std::size_t> index;
  for (const Job& job : jobs) {
    auto [it, fresh] = index.try_emplace(job.tenant, tenants.size());
    if (!fresh) continue;
    auto [group, tctx] = goro::ErrGroup::with_context(ctx);
    group.set_limit(kPerTenant);
    tenants.push_back(Tenant{job.tenant, group, tctx});
  }
  for (const Job& job : jobs) {
    const Tenant& t = tenants[index.at(job.tenant)];
    // BUG: blocks here while this tenant is full, holding up the jobs of every other tenant
    t.group.go([&handle, tctx = t.ctx, &job]() -> goro::Error {
      if (goro::Error err = tctx.err()) return err;
      return handle(tctx, job);
    });
  }
  std::vector<goro::Error> errs;
  for (const Tenant& t : tenants)
    if (goro::Error err = t.group.wait()) errs.push_back(goro::errorf("tenant {}: {:w}", t.name, err));
  return goro::join(errs);
}

}  // namespace dojo::ex14
