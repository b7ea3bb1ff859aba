// Mutant of exercise 14: the top-level group is made with ErrGroup::with_context, the tenants'
// groups derive their contexts from it, and a tenant's task returns the tenant's error to it.
// The first tenant that fails cancels the top-level context — and with it every other tenant:
// the compartments are joined again at the top.
// mistake: wrong-error
// expect: cancelled by another tenant's failure
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
  auto [top, top_ctx] = goro::ErrGroup::with_context(ctx);  // BUG: the first tenant error cancels all
  for (std::size_t t = 0; t < names.size(); ++t) {
    top.go([&, t, top_ctx = top_ctx]() -> goro::Error {
      auto [group, tctx] = goro::ErrGroup::with_context(top_ctx);
      group.set_limit(kPerTenant);
      for (const Job* job : queues[t]) {
        group.go([&handle, tctx = tctx, job]() -> goro::Error {
          if (goro::Error err = tctx.err()) return err;
          return handle(tctx, *job);
        });
      }
      if (goro::Error err = group.wait()) {
        errs[t] = goro::errorf("tenant {}: {:w}", names[t], err);
        return errs[t];
      }
      return {};
    });
  }
  (void)top.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex14
