// Mutant of exercise 14: each tenant's task returns the tenant's error to the (plain) top-level
// group, and run_tenants returns what the top-level group's wait() returns. The tenants stay
// apart — but an ErrGroup keeps only the FIRST error returned: when two tenants fail, the
// caller hears about one of them (whichever failed first), and the other is lost.
// mistake: swallowed-error
// expect: missing from the result: tenant beta
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
  goro::ErrGroup top;
  for (std::size_t t = 0; t < names.size(); ++t) {
    top.go([&, t]() -> goro::Error {
      auto [group, tctx] = goro::ErrGroup::with_context(ctx);
      group.set_limit(kPerTenant);
      for (const Job* job : queues[t]) {
        group.go([&handle, tctx = tctx, job]() -> goro::Error {
          if (goro::Error err = tctx.err()) return err;
          return handle(tctx, *job);
        });
      }
      if (goro::Error err = group.wait()) return goro::errorf("tenant {}: {:w}", names[t], err);
      return {};
    });
  }
  return top.wait();  // BUG: only the first tenant error survives
}

}  // namespace dojo::ex14
