// Exercise 14 — bulkhead. Edit this file, then run: ./dojo grade 14
//
// Your task (the full statement is in README.md):
//   1. Sort the jobs by tenant, keeping the tenants in the order they first appear in `jobs`.
//   2. Start one task per tenant in a top-level goro::ErrGroup — a plain one (no with_context):
//      one tenant's failure must not cancel the others.
//   3. In each tenant's task: make the tenant's own group with goro::ErrGroup::with_context(ctx),
//      call set_limit(kPerTenant) BEFORE the first go(), and start one task per job of that
//      tenant. A job whose tenant context has already ended is not handled: return its err().
//   4. Wait for the tenant's group; if it failed, keep "tenant <name>: {:w}" in that tenant's
//      own slot (the tenant tasks return nil to the top-level group).
//   5. Wait for the top-level group, then return goro::join of the slots, in tenant order.
#include "bulkhead.hpp"

namespace dojo::ex14 {

goro::Error run_tenants(const goro::Context& ctx, const std::vector<Job>& jobs, const Handle& handle) {
  (void)ctx;
  (void)jobs;
  (void)handle;
  return goro::new_error("run_tenants: not implemented yet");  // replace this line with your bulkhead
}

}  // namespace dojo::ex14
