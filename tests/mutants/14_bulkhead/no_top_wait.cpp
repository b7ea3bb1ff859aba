// Mutant of exercise 14: the top-level group is never waited for — as if an ErrGroup joined
// its tasks when it goes out of scope, like a std::jthread. It does not: run_tenants returns
// at once, before the tenants have handled anything, with whatever errors happen to be known
// (none), and the tenants' tasks are left running behind the caller's back. (The tasks hold
// their data by shared_ptr, so that running on after the return is not also a use-after-free.)
// mistake: leak
// expect: when run_tenants returned, only
#include "bulkhead.hpp"

#include <cstddef>
#include <map>
#include <memory>

namespace dojo::ex14 {

goro::Error run_tenants(const goro::Context& ctx, const std::vector<Job>& jobs, const Handle& handle) {
  struct Shared {
    Handle handle;
    std::vector<std::string> names;
    std::vector<std::vector<Job>> queues;
    std::vector<goro::Error> errs;
    goro::Mutex mu;
  };
  auto s = std::make_shared<Shared>();
  s->handle = handle;
  std::map<std::string, std::size_t> index;
  for (const Job& job : jobs) {
    auto [it, fresh] = index.try_emplace(job.tenant, s->names.size());
    if (fresh) {
      s->names.push_back(job.tenant);
      s->queues.emplace_back();
    }
    s->queues[it->second].push_back(job);
  }
  s->errs.resize(s->names.size());
  goro::ErrGroup top;
  for (std::size_t t = 0; t < s->names.size(); ++t) {
    top.go([s, t, ctx]() -> goro::Error {
      auto [group, tctx] = goro::ErrGroup::with_context(ctx);
      group.set_limit(kPerTenant);
      for (std::size_t j = 0; j < s->queues[t].size(); ++j) {
        group.go([s, t, j, tctx = tctx]() -> goro::Error {
          if (goro::Error err = tctx.err()) return err;
          return s->handle(tctx, s->queues[t][j]);
        });
      }
      goro::Error err = group.wait();
      std::lock_guard lk(s->mu);
      if (err) s->errs[t] = goro::errorf("tenant {}: {:w}", s->names[t], err);
      return {};
    });
  }
  // BUG: no top.wait(): the tenants are still working when this returns
  std::lock_guard lk(s->mu);
  return goro::join(s->errs);
}

}  // namespace dojo::ex14
