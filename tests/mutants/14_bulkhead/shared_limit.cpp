// Mutant of exercise 14: one limit for everybody. Every job runs in the same group with
// set_limit(8); each tenant still has a context of its own, so failures stay apart. But the
// places do not: a tenant with many slow jobs takes all 8, and every other tenant waits behind
// it — the bulkhead has a single compartment.
// mistake: serialized
// expect: they share one limit
#include "bulkhead.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <tuple>

namespace dojo::ex14 {

goro::Error run_tenants(const goro::Context& ctx, const std::vector<Job>& jobs, const Handle& handle) {
  struct Tenant {
    goro::Context ctx;
    goro::CancelFunc cancel;
    goro::Mutex mu;
    goro::Error first;
  };
  std::vector<std::string> names;
  std::map<std::string, std::unique_ptr<Tenant>> tenants;
  for (const Job& job : jobs) {
    if (tenants.count(job.tenant) != 0) continue;
    auto t = std::make_unique<Tenant>();
    std::tie(t->ctx, t->cancel) = goro::with_cancel(ctx);
    names.push_back(job.tenant);
    tenants.emplace(job.tenant, std::move(t));
  }
  goro::ErrGroup pool;
  pool.set_limit(kPerTenant);  // BUG: one limit shared by every tenant
  for (const Job& job : jobs) {
    Tenant* t = tenants.at(job.tenant).get();
    pool.go([&handle, t, &job]() -> goro::Error {
      if (t->ctx.err()) return {};
      if (goro::Error err = handle(t->ctx, job)) {
        std::lock_guard lk(t->mu);
        if (!t->first) t->first = err;
        t->cancel();
      }
      return {};
    });
  }
  (void)pool.wait();
  std::vector<goro::Error> errs;
  for (const auto& name : names) {
    Tenant& t = *tenants.at(name);
    t.cancel();
    if (!t.first && ctx.err()) t.first = ctx.err();
    if (t.first) errs.push_back(goro::errorf("tenant {}: {:w}", name, t.first));
  }
  return goro::join(errs);
}

}  // namespace dojo::ex14
