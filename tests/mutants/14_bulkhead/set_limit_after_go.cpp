// Mutant of exercise 14: "SetLimit after Go". Each tenant's limit is set once its jobs have all
// been started. A group without a limit may change it while tasks run, so nothing complains —
// but the jobs already started were never held back: every job of a tenant runs at once.
// mistake: over-limit
// expect: the limit held nobody back
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
      for (const Job* job : queues[t]) {
        group.go([&handle, tctx = tctx, job]() -> goro::Error {
          if (goro::Error err = tctx.err()) return err;
          return handle(tctx, *job);
        });
      }
      group.set_limit(kPerTenant);  // BUG: too late, every job of the tenant is already running
      if (goro::Error err = group.wait()) errs[t] = goro::errorf("tenant {}: {:w}", names[t], err);
      return {};
    });
  }
  (void)top.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex14
