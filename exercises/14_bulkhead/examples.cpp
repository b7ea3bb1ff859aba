// Visible examples for exercise 14. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a shared export service runs jobs for several customers (tenants). Each tenant's
// jobs are handled in parallel, at most 8 at a time per tenant, and one tenant's trouble must
// not spill over to the others.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bulkhead.hpp"
#include "grader.hpp"

using dojo::ex14::Job;
using dojo::ex14::run_tenants;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrCorrupt = goro::new_error("corrupt input file");

// How many times each job was handled, and how many jobs of each tenant completed. Handlers
// run in many tasks at once (on real threads too): hence the mutex.
struct Tally {
  std::mutex mu;
  std::map<std::string, int> handled;    // "a#3" -> number of handle calls
  std::map<std::string, int> completed;  // tenant -> jobs that returned nil
  void saw(const Job& job) {
    std::lock_guard lk(mu);
    ++handled[fmt::format("{}#{}", job.tenant, job.id)];
  }
  void done(const Job& job) {
    std::lock_guard lk(mu);
    ++completed[job.tenant];
  }
  int times(const std::string& tenant, int id) {
    std::lock_guard lk(mu);
    auto it = handled.find(fmt::format("{}#{}", tenant, id));
    return it == handled.end() ? 0 : it->second;
  }
  int completed_of(const std::string& tenant) {
    std::lock_guard lk(mu);
    return completed[tenant];
  }
  int completed_total() {
    std::lock_guard lk(mu);
    int n = 0;
    for (const auto& [tenant, k] : completed) n += k;
    return n;
  }
};

std::vector<Job> jobs_of(const std::string& tenant, int count) {
  std::vector<Job> v;
  for (int id = 1; id <= count; ++id) v.push_back(Job{tenant, id});
  return v;
}

}  // namespace

DOJO_CHECK("example: two tenants, every job succeeds: nil, each job handled exactly once",
           "Every job is handled exactly once, and run_tenants returns only when every tenant is done.") {
  auto tally = std::make_shared<Tally>();
  std::vector<Job> jobs = jobs_of("a", 12);
  for (const Job& job : jobs_of("b", 5)) jobs.push_back(job);
  check.say("calling run_tenants(background, 12 jobs of tenant a, then 5 of tenant b); each job sleeps 10ms");
  goro::Error err = run_tenants(goro::background(), jobs, [tally](const goro::Context&, const Job& job) {
    tally->saw(job);
    goro::sleep(10ms);
    tally->done(job);
    return goro::Error{};
  });
  check.expect_ok(err, "run_tenants(...)");
  // Jobs still unfinished when run_tenants returned: if some finish later, its tasks were left running.
  // Looked at on the virtual clock only (an hour later, free); on real threads the leak check says it.
  if (const int at_return = tally->completed_total();
      check.deterministic() && at_return < static_cast<int>(jobs.size())) {
    goro::sleep(1h);
    const int later = tally->completed_total() - at_return;
    if (later > 0)
      check.fail("when run_tenants returns, every job has been handled",
                 fmt::format("when run_tenants returned, only {} of the {} jobs had been handled; {} more were "
                             "handled after it had returned: its tasks were left running",
                             at_return, jobs.size(), later),
                 {mistake::leak, "Wait for every tenant before returning: run_tenants may return only once every "
                                 "job it started has ended. A goro::ErrGroup does not wait when it goes out of "
                                 "scope."});
  }
  for (const Job& job : jobs) check.expect_eq(tally->times(job.tenant, job.id), 1, fmt::format("handle calls for {} job {}", job.tenant, job.id));
}

DOJO_CHECK("example: one of tenant b's jobs fails: the error names b, and tenant a handles every job",
           "b's failure cancels only b's jobs (a context of b's own, derived from ctx), and a keeps going. "
           "Wrap b's error as \"tenant b: {:w}\".") {
  auto tally = std::make_shared<Tally>();
  std::vector<Job> jobs = jobs_of("a", 10);
  for (const Job& job : jobs_of("b", 10)) jobs.push_back(job);
  check.say("calling run_tenants(background, 10 jobs of tenant a, then 10 of tenant b), where b's job 2 fails at "
            "once with ErrCorrupt and every other job sleeps 10ms (or stops when its context ends)");
  goro::Error err = run_tenants(goro::background(), jobs, [tally](const goro::Context& ctx, const Job& job) -> goro::Error {
    tally->saw(job);
    if (job.tenant == "b" && job.id == 2) return ErrCorrupt;
    if (goro::select(goro::on_recv(goro::after(10ms)), goro::on_recv(ctx.done())) == 1) return ctx.err();
    tally->done(job);
    return {};
  });
  check.expect_is(err, ErrCorrupt, "ErrCorrupt", "Wrap the tenant's error with {:w} so that goro::is still finds it.");
  // Another tenant's error in the result (its jobs cancelled by b's failure): a different error than the one due.
  const bool other_first = err.message().rfind("tenant ", 0) == 0 && err.message().rfind("tenant b: ", 0) != 0;
  check.expect(err.message().rfind("tenant b: ", 0) == 0, "a message that starts with \"tenant b: \"",
               dojo::grader::Check::describe_error(err),
               other_first ? mistake::wrong_error : mistake::missing_context);
  check.expect_eq(tally->completed_of("a"), 10, "jobs tenant a completed");
}

DOJO_CHECK("example: no jobs: nil", "No tenants, nothing to do.") {
  check.say("calling run_tenants(background, {})");
  check.expect_ok(run_tenants(goro::background(), {}, [](const goro::Context&, const Job&) { return goro::Error{}; }),
                  "run_tenants(background, {})");
}
