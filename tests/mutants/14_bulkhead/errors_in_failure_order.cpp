// Mutant of exercise 14: each failing tenant appends its error to one shared list, under a
// mutex, as it finishes. Every error is reported, but in the order the tenants happened to
// fail: the same input gives differently ordered results from one run to the next, and the
// caller cannot rely on the order of the tenants it submitted.
// mistake: wrong-order
// expect: in the order the tenants failed
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
  goro::Mutex mu;
  std::vector<goro::Error> errs;  // BUG: filled in completion order
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
      if (goro::Error err = group.wait()) {
        std::lock_guard lk(mu);
        errs.push_back(goro::errorf("tenant {}: {:w}", names[t], err));
      }
      return {};
    });
  }
  (void)top.wait();
  return goro::join(errs);
}

}  // namespace dojo::ex14
