// Hidden checks for exercise 14 (bulkhead).
//
// Every job is handled by the grader's handler, which records, for each tenant, how many of its
// jobs were in progress at once, how each one ended (completed, cancelled, or left to run until
// the grader gave up on it), and whether it began with its context already ended or after
// another job of its tenant had failed.
//
// What must not depend on the machine's speed is made to happen on events, not after a time:
//   * a tenant's first kPerTenant jobs wait until all of them are in progress before they start
//     their work ("the tenant is full"), so the limit is reached on a busy machine too;
//   * a job that must fail does so only once its tenant is full, while every other job of that
//     tenant waits for its context to end: no place frees up before the failure is known;
//   * the caller cancels from inside a job, the moment 8 jobs of every tenant are in progress.
// Moments are compared only on the virtual clock (check.deterministic()); on real threads
// every duration is a tenth as long, and the slow-tenant check judges by the order of events.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bulkhead.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex14::Handle;
using dojo::ex14::Job;
using dojo::ex14::kPerTenant;
using dojo::ex14::run_tenants;
using dojo::grader::Check;
using dojo::grader::Concurrency;
using dojo::grader::offset;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;
using dojo::grader::Why;

DOJO_FAILURE_CLASSES(mistake::over_limit, mistake::serialized, mistake::wrong_order, mistake::wrong_error,
                     mistake::swallowed_error, mistake::ignored_cancellation, mistake::kept_going,
                     mistake::leak);

namespace {

const goro::Error ErrDiskFull = goro::new_error("disk full");
const goro::Error ErrProvider = goro::new_error("payment provider down");

// A typed error a tenant's job fails with: goro::as must find it through the wrapping.
struct QuotaExceeded {
  std::string tenant;
  int limit = 0;
  [[nodiscard]] std::string message() const { return fmt::format("quota of {} requests exceeded", limit); }
};

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

// The durations of a check. On real threads a tenth of the virtual ones; `patience` is how long
// a job that waits for its context to end waits before the grader gives up on it (a correct
// bulkhead never lets that happen), `gate` how long a job waits for its tenant to be full.
struct Scale {
  goro::Duration unit;      // a job's usual work: 100 ms (virtual) / 10 ms (real)
  goro::Duration patience;  // 60 s / 60 s
  goro::Duration gate;      // 60 s / 3 s
};
Scale scale(const Check& check) {
  return check.deterministic() ? Scale{100ms, 60s, 60s} : Scale{10ms, 60s, 3s};
}

// How one job behaves.
struct JobPlan {
  goro::Duration takes{0};         // works this long; stops early when its context ends
  bool until_cancelled = false;    // works until its context ends (or the grader's patience runs out)
  bool waits_for_full = false;     // a tenant's first kPerTenant calls first wait until all are in progress
  goro::Chan<goro::Unit> until{};  // ... and stop working early when this is closed (nil: never)
  goro::Error fails{};             // returned after the work (nil: the job succeeds)
};

// What the handler saw of one tenant.
struct TenantProbe {
  TenantProbe(std::string n, int count) : name(std::move(n)), jobs(count), seen(static_cast<std::size_t>(count) + 1) {}
  std::string name;
  int jobs;                              // submitted, with ids 1..jobs
  Concurrency calls;                     // handle calls: how many, how many at once
  std::vector<std::atomic<int>> seen;    // handle calls per job id
  std::atomic<int> completed{0};         // did their work and returned nil
  std::atomic<int> failures{0};          // returned the failure the plan gave them
  std::atomic<int> cancelled{0};         // stopped because their context ended
  std::atomic<int> exhausted{0};         // waited for their context to end until the grader gave up
  std::atomic<int> began_cancelled{0};   // were handed a context that had already ended
  std::atomic<int> began_after_failure{0};  // began after a job of this tenant had returned its failure
  std::atomic<int> began_after_cancel{0};   // began after the caller had cancelled
  std::atomic<bool> failed{false};
  goro::Chan<goro::Unit> full = goro::make_chan<goro::Unit>();  // closed once kPerTenant are in progress
  std::atomic<bool> full_closed{false};
  std::mutex mu;                         // guards the moments below
  bool started = false;
  goro::Duration first_start{0};         // offset of the first handle call
  int others_started_at_first_start = 0; // handle calls of the other tenants begun by then

  [[nodiscard]] int never_started() const {
    int n = 0;
    for (std::size_t id = 1; id < seen.size(); ++id) n += seen[id].load() == 0 ? 1 : 0;
    return n;
  }
};

// One call of run_tenants: the jobs, the tenants' probes and how the jobs behave. Held by
// shared_ptr in the handler, so that a task left behind by a buggy bulkhead never outlives it.
struct Run {
  goro::Time t0 = goro::now();
  std::vector<Job> jobs;
  std::vector<std::string> order;  // tenants, in the order they were added
  std::map<std::string, std::unique_ptr<TenantProbe>> tenants;
  Concurrency all;                 // handle calls of every tenant together
  std::atomic<int> strangers{0};   // calls for a tenant or a job id never submitted
  Scale s{};
  // The plan of a job, given its tenant and the call's number among that tenant's calls (1-based).
  std::function<JobPlan(const TenantProbe& tenant, int call)> plan;
  std::function<void(TenantProbe&)> on_complete;  // after each completed job
  int cancel_at_in_flight = 0;     // > 0: the caller cancels once this many jobs are in progress
  goro::CancelFunc cancel;
  std::atomic<bool> cancel_fired{false};

  TenantProbe& tenant(const std::string& name) { return *tenants.at(name); }
  void add_tenant(const std::string& name, int count) {
    order.push_back(name);
    tenants.emplace(name, std::make_unique<TenantProbe>(name, count));
  }
  // Lists every tenant's jobs one tenant after another.
  void list_in_blocks() {
    for (const auto& name : order)
      for (int id = 1; id <= tenant(name).jobs; ++id) jobs.push_back(Job{name, id});
  }
  // Lists the tenants' jobs round-robin: a1, b1, c1, a2, b2, ...
  void list_interleaved() {
    int most = 0;
    for (const auto& name : order) most = std::max(most, tenant(name).jobs);
    for (int id = 1; id <= most; ++id)
      for (const auto& name : order)
        if (id <= tenant(name).jobs) jobs.push_back(Job{name, id});
  }
  [[nodiscard]] int total(std::atomic<int> TenantProbe::*field) {
    int n = 0;
    for (auto& [name, t] : tenants) n += (t.get()->*field).load();
    return n;
  }
  [[nodiscard]] std::string tenant_list() const { return fmt::format("{}", fmt::join(order, ", ")); }
};

// The grader's handler for a run.
Handle handler(const std::shared_ptr<Run>& run) {
  return [run](const goro::Context& ctx, const Job& job) -> goro::Error {
    auto it = run->tenants.find(job.tenant);
    if (it == run->tenants.end() || job.id < 1 || job.id > it->second->jobs) {
      ++run->strangers;
      return {};
    }
    TenantProbe& t = *it->second;
    ++t.seen[static_cast<std::size_t>(job.id)];
    if (ctx.err()) ++t.began_cancelled;
    if (t.failed.load()) ++t.began_after_failure;
    if (run->cancel_fired.load()) ++t.began_after_cancel;
    const auto in = t.calls.enter();
    const auto every = run->all.enter();
    {
      std::lock_guard lk(t.mu);
      if (!t.started) {
        t.started = true;
        t.first_start = goro::now() - run->t0;
        t.others_started_at_first_start = run->all.calls() - t.calls.calls();
      }
    }
    if (t.calls.peak() >= kPerTenant && !t.full_closed.exchange(true)) t.full.close();
    if (run->cancel_at_in_flight > 0 && run->all.in_flight() >= run->cancel_at_in_flight &&
        !run->cancel_fired.exchange(true))
      run->cancel();
    const JobPlan p = run->plan(t, in.number());

    auto stopped = [&] {
      ++t.cancelled;
      return goro::errorf("job {}: {:w}", job.id, ctx.err());
    };
    if (p.waits_for_full && in.number() <= kPerTenant) {
      auto gate = goro::new_timer(run->s.gate);
      const std::size_t got = goro::select(goro::on_recv(t.full), goro::on_recv(ctx.done()), goro::on_recv(gate.c()));
      gate.stop();
      if (got == 1) return stopped();
    }
    auto work = goro::new_timer(p.until_cancelled ? run->s.patience : p.takes);
    const std::size_t got = goro::select(goro::on_recv(work.c()), goro::on_recv(ctx.done()), goro::on_recv(p.until));
    work.stop();
    if (got == 1) return stopped();
    if (p.until_cancelled && got == 0) {
      ++t.exhausted;
      return {};
    }
    if (p.fails) {
      t.failed.store(true);
      ++t.failures;
      return p.fails;
    }
    ++t.completed;
    if (run->on_complete) run->on_complete(t);
    return {};
  };
}

// "tenant a: 12 of its 20 jobs handled, 8 cancelled, 0 never started"
std::string tally(TenantProbe& t, std::string_view cancelled_by = "") {
  return fmt::format("tenant {}: {} of its {} jobs handled, {} cancelled{}, {} never started", t.name,
                     t.completed.load(), t.jobs, t.cancelled.load(), cancelled_by, t.never_started());
}

const char* const kHintOnce =
    "Every job from `jobs` is handed to handle exactly once, in its own tenant's compartment: follow each job "
    "from the input to its one handle call.";
const char* const kHintLimit =
    "Each tenant needs a limit of its own, in force before its first job starts (a limited group per tenant, "
    "or kPerTenant workers per tenant): a tenant with 8 jobs in progress then makes only its own jobs wait.";
const char* const kHintIsolate =
    "A tenant's failure must stay inside that tenant: it cancels a context only that tenant's jobs use "
    "(derived from the caller's ctx), and nothing shared by every tenant is cancelled by it.";
const char* const kHintStop =
    "Within a tenant, the first failure cancels the tenant's context. The jobs in progress see ctx.done(); "
    "a job that would start after that must see ctx.err() and return it instead of calling handle.";
const char* const kHintReport =
    "Report every failed tenant, each error wrapped as \"tenant <name>: {:w}\" and joined in the order the "
    "tenants first appear in jobs (not the order they failed), once every tenant is done.";
const char* const kHintCaller =
    "Derive every tenant's context from the caller's ctx: cancelling ctx then reaches every job of every "
    "tenant, and a job admitted afterwards sees ctx.err() and is not handled.";

// Every submitted job handled exactly once (at most once for the tenant `failing`), and nothing else.
void expect_each_once(Check& check, Run& run, const std::string& failing = "") {
  check.expect(run.strangers.load() == 0, "handle called only for the jobs submitted",
               fmt::format("{} handle call(s) for a tenant or a job id that was never submitted", run.strangers.load()),
               "Hand handle the Job from `jobs` itself, unchanged.");
  for (const auto& name : run.order) {
    TenantProbe& t = run.tenant(name);
    std::vector<std::string> wrong;
    for (int id = 1; id <= t.jobs && wrong.size() < 6; ++id) {
      const int n = t.seen[static_cast<std::size_t>(id)].load();
      if (n == 0 && name != failing) wrong.push_back(fmt::format("job {} was never handled", id));
      if (n > 1) wrong.push_back(fmt::format("job {} was handled {} times", id, n));
    }
    check.expect(wrong.empty(),
                 fmt::format("each of tenant {}'s {} jobs handled {}", name, t.jobs,
                             name == failing ? "at most once" : "exactly once"),
                 fmt::format("tenant {}: {}", name, fmt::join(wrong, "; ")), kHintOnce);
  }
}

// The failing-tenant scenario of two checks: "acme" and "zeta" have 20 healthy jobs each, "bad"
// has 30, and the 5th of bad's handle calls fails with QuotaExceeded once bad is full (8 in
// progress); bad's other jobs wait for their context to end.
struct FailingTenant {
  std::shared_ptr<Run> run;
  goro::Error err;
  goro::Duration took{0};
};
FailingTenant failing_tenant(Check& check) {
  auto run = std::make_shared<Run>();
  run->s = scale(check);
  run->add_tenant("acme", 20);
  run->add_tenant("bad", 30);
  run->add_tenant("zeta", 20);
  run->list_interleaved();
  const Scale s = run->s;
  run->plan = [s](const TenantProbe& t, int call) {
    JobPlan p;
    p.takes = s.unit;
    if (t.name != "bad") return p;
    p.waits_for_full = true;
    if (call == 5) {
      p.takes = s.unit / 10;
      p.fails = goro::make_error(QuotaExceeded{"bad", 100});
    } else {
      p.until_cancelled = true;
    }
    return p;
  };
  check.say("calling run_tenants(background, 70 jobs listed round-robin: acme x20, bad x30, zeta x20); acme's and "
            "zeta's jobs take " + goro::format_duration(s.unit) + " each; once 8 of bad's jobs are in progress, its "
            "5th fails with QuotaExceeded{\"bad\", 100}, and bad's other jobs work until their context ends");
  const goro::Time t0 = goro::now();
  run->t0 = t0;
  goro::Error err = run_tenants(goro::background(), run->jobs, handler(run));
  return {run, err, goro::now() - t0};
}

}  // namespace

DOJO_CHECK("each tenant has at most 8 jobs in progress at once, and uses all 8",
           kHintLimit) {
  auto run = std::make_shared<Run>();
  run->s = scale(check);
  for (const char* name : {"a", "b", "c"}) run->add_tenant(name, 30);
  run->list_interleaved();
  const Scale s = run->s;
  run->plan = [s](const TenantProbe&, int) {
    JobPlan p;
    p.takes = s.unit;
    p.waits_for_full = true;
    return p;
  };
  check.say("calling run_tenants(background, 90 jobs listed round-robin: a1, b1, c1, a2, ... for tenants a, b, c "
            "with 30 jobs each); every job takes " + goro::format_duration(s.unit));
  const goro::Time t0 = goro::now();
  run->t0 = t0;
  goro::Error err = run_tenants(goro::background(), run->jobs, handler(run));
  const goro::Duration took = goro::now() - t0;
  check.expect_ok(err, "run_tenants(...)");
  for (const auto& name : run->order) {
    TenantProbe& t = run->tenant(name);
    const int peak = t.calls.peak();
    check.expect(peak <= kPerTenant, fmt::format("at most {} of tenant {}'s jobs in progress at once", kPerTenant, name),
                 fmt::format("{} of them were in progress at once{}", peak,
                             peak >= t.jobs ? " — every job of the tenant at the same time: the limit held nobody "
                                              "back (set_limit must come before the group's first go())"
                                            : ""),
                 mistake::over_limit);
  }
  for (const auto& name : run->order) {
    TenantProbe& t = run->tenant(name);
    const int peak = t.calls.peak();
    check.expect(peak == kPerTenant,
                 fmt::format("{} of tenant {}'s jobs in progress at once: a limit of its own, fully used", kPerTenant, name),
                 fmt::format("never more than {}{}", peak,
                             run->all.peak() <= kPerTenant
                                 ? fmt::format("; and all three tenants together never had more than {} in progress: "
                                               "they share one limit of {}, so each tenant gets only a part of it",
                                               run->all.peak(), kPerTenant)
                                 : std::string()),
                 peak < kPerTenant ? Why(mistake::serialized) : Why());
  }
  expect_each_once(check, *run);
  if (check.deterministic())
    check.expect(took == 4 * s.unit,
                 fmt::format("run_tenants returns at {}: 30 jobs in rounds of 8 are 4 rounds, the three tenants side "
                             "by side", offset(4 * s.unit)),
                 fmt::format("it returned at {}", offset(took)));
  check.report(fmt::format("jobs in progress at once: {} per tenant at most, {} for all three tenants together",
                           run->tenant("a").calls.peak(), run->all.peak()));
}

DOJO_CHECK("success: nil, every job handled exactly once, nothing left running", kHintOnce) {
  const Scale s = scale(check);
  {
    auto run = std::make_shared<Run>();
    run->s = s;
    run->add_tenant("north", 17);
    run->add_tenant("south", 1);
    run->add_tenant("east", 9);
    run->add_tenant("west", 8);
    run->list_interleaved();
    run->plan = [s](const TenantProbe& t, int call) {
      JobPlan p;
      p.takes = (1 + (call + static_cast<int>(t.name.size())) % 3) * s.unit / 2;
      return p;
    };
    check.say("calling run_tenants(background, 35 jobs of tenants north x17, south x1, east x9, west x8, listed "
              "round-robin); jobs take " + goro::format_duration(s.unit / 2) + " to " +
              goro::format_duration(3 * s.unit / 2) + ", and every one succeeds");
    run->t0 = goro::now();
    goro::Error err = run_tenants(goro::background(), run->jobs, handler(run));
    const int done = run->total(&TenantProbe::completed);
    const int running = run->all.in_flight();
    check.expect_ok(err, "run_tenants(...)");
    check.expect(done == 35 && running == 0, "when run_tenants returns, all 35 jobs have been handled",
                 fmt::format("when run_tenants returned, only {} of the 35 jobs had been handled ({} still in "
                             "progress)",
                             done, running),
                 {running > 0 ? mistake::leak : mistake::wrong_result,
                  "Wait for every tenant before returning: run_tenants may return only once every job it started "
                  "has ended. A goro::ErrGroup does not wait when it goes out of scope."});
    expect_each_once(check, *run);
  }
  {
    auto run = std::make_shared<Run>();
    run->s = s;
    run->plan = [](const TenantProbe&, int) { return JobPlan{}; };
    check.say("calling run_tenants(background, {}) — no jobs at all");
    check.expect_ok(run_tenants(goro::background(), run->jobs, handler(run)), "run_tenants(background, {})");
    check.expect(run->all.calls() == 0, "handle never called", fmt::format("handle was called {} times", run->all.calls()));
  }
}

DOJO_CHECK("a failing tenant is reported, and every other tenant still handles all its jobs", kHintIsolate) {
  auto [run, err, took] = failing_tenant(check);
  auto found = check.expect_as<QuotaExceeded>(err, "QuotaExceeded (tenant bad's error)",
                                              "Wrap the tenant's error with {:w}: \"tenant {}: {:w}\".");
  check.expect(found.tenant == "bad" && found.limit == 100, "QuotaExceeded{\"bad\", 100}",
               fmt::format("QuotaExceeded{{\"{}\", {}}}", found.tenant, found.limit));
  for (const char* name : {"acme", "zeta"}) {
    TenantProbe& t = run->tenant(name);
    check.expect(t.completed.load() == t.jobs && t.cancelled.load() == 0,
                 fmt::format("tenant {} handles all its {} jobs, none cancelled: bad's failure is not its business", name,
                             t.jobs),
                 tally(t, " by another tenant's failure"));
  }
  const std::string m = err.message();
  const bool others = m.find("tenant acme") != std::string::npos || m.find("tenant zeta") != std::string::npos;
  check.expect(starts_with(m, "tenant bad: ") && !others,
               "a message that starts with \"tenant bad: \" and names no other tenant", Check::describe_error(err),
               {others ? mistake::wrong_error : mistake::missing_context, kHintReport});
  expect_each_once(check, *run, "bad");
  if (check.deterministic()) {
    TenantProbe& bad = run->tenant("bad");
    std::string why;
    const dojo::grader::Mistake* m = &mistake::wrong_timing;
    if (bad.exhausted.load() > 0) {
      why = fmt::format(" — {} of bad's jobs were never stopped after its failure and ran until the grader gave up "
                        "on them", bad.exhausted.load());
      m = &mistake::kept_going;
    } else if (run->tenant("acme").calls.peak() > kPerTenant) {
      why = fmt::format(" — acme had {} jobs in progress at once, not {}", run->tenant("acme").calls.peak(), kPerTenant);
      m = &mistake::over_limit;
    }
    check.expect(took == 3 * run->s.unit,
                 fmt::format("run_tenants returns at {}, when acme and zeta have handled their 20 jobs in 3 rounds",
                             offset(3 * run->s.unit)),
                 fmt::format("it returned at {}{}", offset(took), why), *m);
  }
}

DOJO_CHECK("inside the failing tenant: its running jobs are cancelled and its waiting jobs never start", kHintStop) {
  auto [run, err, took] = failing_tenant(check);
  (void)took;
  TenantProbe& bad = run->tenant("bad");
  check.expect_as<QuotaExceeded>(err, "QuotaExceeded (tenant bad's error)");
  const int after = bad.began_after_failure.load();
  std::string why;
  if (after > 0 && bad.began_cancelled.load() > 0)
    why = " — with the tenant's context already cancelled: go() admitted them as places freed up, and nothing "
          "checked ctx.err() before calling handle";
  else if (after > 0 && bad.cancelled.load() == 0)
    why = " — its context was never cancelled: the tenant's group must be made with "
          "goro::ErrGroup::with_context(ctx), so that its first error cancels the tenant";
  check.expect(after == 0, "no job of tenant bad starts after one of its jobs has failed",
               fmt::format("{} of its jobs were started after that{}", after, why),
               bad.began_cancelled.load() > 0 ? mistake::ignored_cancellation : mistake::kept_going);
  check.expect(bad.calls.calls() <= kPerTenant,
               fmt::format("at most {} of bad's jobs started (those in progress when the 5th failed)", kPerTenant),
               fmt::format("{} were started", bad.calls.calls()));
  check.expect(bad.exhausted.load() == 0 && bad.cancelled.load() == bad.calls.calls() - 1,
               "every other job of bad in progress sees its context end",
               fmt::format("{} of bad's {} other jobs in progress were never cancelled (they ran until the grader gave "
                           "up on them){}",
                           bad.exhausted.load(), bad.calls.calls() - 1,
                           bad.cancelled.load() == 0 ? " — its context was never cancelled" : ""),
               mistake::kept_going);
  check.report(fmt::format("tenant bad: {} jobs started, {} cancelled, {} never started", bad.calls.calls(),
                           bad.cancelled.load(), bad.never_started()));
}

DOJO_CHECK("two tenants fail: both are reported, in the order the tenants first appear in jobs", kHintReport) {
  auto run = std::make_shared<Run>();
  run->s = scale(check);
  for (const char* name : {"alpha", "beta", "gamma", "delta"}) run->add_tenant(name, 10);
  run->list_interleaved();
  const Scale s = run->s;
  run->plan = [s](const TenantProbe& t, int call) {
    JobPlan p;
    p.takes = s.unit;
    if (call == 3 && t.name == "beta") {
      p.takes = s.unit / 2;
      p.fails = ErrDiskFull;
    }
    if (call == 3 && t.name == "gamma") {
      p.takes = s.unit / 5;
      p.fails = ErrProvider;
    }
    return p;
  };
  check.say(fmt::format("calling run_tenants(background, 40 jobs listed round-robin: alpha, beta, gamma, delta x10 "
                        "each); jobs take {}; beta's 3rd job fails with ErrDiskFull after {}, gamma's 3rd with "
                        "ErrProvider after {} (gamma fails first)",
                        goro::format_duration(s.unit), goro::format_duration(s.unit / 2),
                        goro::format_duration(s.unit / 5)));
  run->t0 = goro::now();
  goro::Error err = run_tenants(goro::background(), run->jobs, handler(run));
  for (auto [target, name] : {std::pair{ErrDiskFull, "beta"}, std::pair{ErrProvider, "gamma"}}) {
    check.expect(goro::is(err, target),
                 fmt::format("an error that holds tenant {}'s error ({})", name, target.message()),
                 fmt::format("{}\nmissing from the result: tenant {}", Check::describe_error(err), name),
                 {err.message().find(target.message()) != std::string::npos ? mistake::missing_wrap : mistake::swallowed_error,
                  kHintReport});
  }
  const std::vector<goro::Error> parts = goro::unwrap_all(err);
  const std::string m = err.message();
  const auto at_beta = m.find("tenant beta: ");
  const auto at_gamma = m.find("tenant gamma: ");
  std::string why;
  if (at_beta != std::string::npos && at_gamma != std::string::npos && at_gamma < at_beta)
    why = "\nthe errors are in the order the tenants failed (gamma failed first); the result lists them in the order "
          "the tenants first appear in jobs: beta, then gamma";
  check.expect(parts.size() == 2 && starts_with(parts[0].message(), "tenant beta: ") &&
                   starts_with(parts[1].message(), "tenant gamma: ") && goro::is(parts[0], ErrDiskFull) &&
                   goro::is(parts[1], ErrProvider),
               "goro::join of two errors: \"tenant beta: ...\" (holding ErrDiskFull), then \"tenant gamma: ...\" "
               "(holding ErrProvider)",
               Check::describe_error(err) + why, {why.empty() ? mistake::wrong_result : mistake::wrong_order, kHintReport});
  for (const char* name : {"alpha", "delta"}) {
    TenantProbe& t = run->tenant(name);
    check.expect(t.completed.load() == t.jobs && t.cancelled.load() == 0,
                 fmt::format("tenant {} handles all its {} jobs, none cancelled", name, t.jobs),
                 tally(t, " by another tenant's failure"), kHintIsolate);
  }
}

DOJO_CHECK("a slow tenant does not hold up a fast one listed after it",
           "A tenant whose 8 places are all taken may make only its OWN jobs wait. Whatever starts the jobs "
           "must not sit in the slow tenant's blocking go() while other tenants' jobs wait behind it (a task per "
           "tenant, starting that tenant's jobs, does this), and the tenants must not share one limit.",
           dojo::grader::Options{.seeds = 6}) {
  auto run = std::make_shared<Run>();
  run->s = scale(check);
  run->add_tenant("slow", 40);
  run->add_tenant("fast", 8);
  run->list_in_blocks();
  const bool virt = check.deterministic();
  const goro::Duration slow_takes = virt ? goro::Duration(1s) : goro::Duration(3s);
  const goro::Duration fast_takes = virt ? goro::Duration(10ms) : goro::Duration(1ms);
  // On real threads the slow jobs end early once fast has finished: the verdict is the order of
  // events (how many slow jobs had started when fast finished), not the clock.
  auto fast_done = goro::make_chan<goro::Unit>();
  struct Seen {
    std::atomic<bool> done{false};
    std::atomic<int> slow_started{0};
    std::mutex mu;
    goro::Duration at{0};
  };
  auto seen = std::make_shared<Seen>();
  run->plan = [=](const TenantProbe& t, int) {
    JobPlan p;
    if (t.name == "slow") {
      p.takes = slow_takes;
      p.waits_for_full = true;  // slow's first 8 start their work together: it uses its 8 places
      if (!virt) p.until = fast_done;
    } else {
      p.takes = fast_takes;
    }
    return p;
  };
  Run* r = run.get();
  run->on_complete = [r, seen, fast_done](TenantProbe& t) {
    if (t.name != "fast" || t.completed.load() != t.jobs || seen->done.exchange(true)) return;
    seen->slow_started.store(r->tenant("slow").calls.calls());
    {
      std::lock_guard lk(seen->mu);
      seen->at = goro::now() - r->t0;
    }
    fast_done.close();
  };
  check.say(virt ? "calling run_tenants(background, slow's 40 jobs, then fast's 8 jobs); slow's jobs take 1s each, "
                   "fast's 10ms"
                 : "calling run_tenants(background, slow's 40 jobs, then fast's 8 jobs); fast's jobs take 1ms, slow's "
                   "take 3s or end as soon as fast has finished");
  const goro::Time t0 = goro::now();
  run->t0 = t0;
  goro::Error err = run_tenants(goro::background(), run->jobs, handler(run));
  const goro::Duration took = goro::now() - t0;
  check.expect_ok(err, "run_tenants(...)");
  expect_each_once(check, *run);
  const int slow_peak = run->tenant("slow").calls.peak();
  check.expect(slow_peak == kPerTenant, fmt::format("slow has {} jobs in progress at once, never more", kPerTenant),
               slow_peak > kPerTenant
                   ? fmt::format("slow had {} jobs in progress at once: its limit held nobody back", slow_peak)
                   : fmt::format("slow never had more than {} jobs in progress", slow_peak),
               {slow_peak > kPerTenant ? mistake::over_limit : mistake::serialized, kHintLimit});
  TenantProbe& fast = run->tenant("fast");
  const int slow_started = seen->slow_started.load();
  goro::Duration fast_at{0};
  {
    std::lock_guard lk(seen->mu);
    fast_at = seen->at;
  }
  std::string why;
  if (run->all.peak() <= kPerTenant) {
    why = fmt::format("\nslow and fast together never had more than {} jobs in progress: they share one limit, so "
                      "fast's jobs waited for places held by slow's",
                      run->all.peak());
  } else {
    std::lock_guard lk(fast.mu);
    why = fmt::format("\nfast's first job started only at {}, after {} of slow's jobs had been started: one loop "
                      "dispatching the jobs in input order waits in the slow tenant's full go(), and every tenant "
                      "listed after it waits too",
                      offset(fast.first_start), fast.others_started_at_first_start);
  }
  const bool in_time = virt ? fast_at == fast_takes : true;
  check.expect(in_time && slow_started <= kPerTenant,
               virt ? "tenant fast finishes its 8 jobs at +10ms, while slow is still on its first 8"
                    : "tenant fast finishes its 8 jobs while slow is still on its first 8",
               virt ? fmt::format("fast finished at {}, when slow had started {} jobs{}", offset(fast_at), slow_started, why)
                    : fmt::format("when fast finished, slow had started {} jobs{}", slow_started, why),
               mistake::serialized);
  if (virt)
    check.expect(took == 5 * slow_takes, "run_tenants returns at +5s: slow's 40 jobs in 5 rounds of 8",
                 fmt::format("it returned at {}", offset(took)));
  check.report(fmt::format("fast finished {}while slow had started {} jobs",
                           virt ? fmt::format("at {} ", offset(fast_at)) : std::string(), slow_started));
}

DOJO_CHECK("the caller cancels while every tenant is busy: every job stops at once, and the result holds Canceled",
           kHintCaller) {
  auto run = std::make_shared<Run>();
  run->s = scale(check);
  for (const char* name : {"a", "b", "c"}) run->add_tenant(name, 20);
  run->list_interleaved();
  run->plan = [](const TenantProbe&, int) {
    JobPlan p;
    p.until_cancelled = true;
    return p;
  };
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  run->cancel = cancel;
  run->cancel_at_in_flight = 3 * kPerTenant;
  check.say("calling run_tenants(ctx, 60 jobs listed round-robin: a, b, c x20 each); every job works until its "
            "context ends; the caller cancels ctx once 24 jobs (8 per tenant) are in progress");
  const goro::Time t0 = goro::now();
  run->t0 = t0;
  goro::Error err = run_tenants(ctx, run->jobs, handler(run));
  const goro::Duration took = goro::now() - t0;
  cancel();
  check.expect(run->cancel_fired.load(), "the caller cancels once 8 jobs of each tenant are in progress",
               fmt::format("never more than {} jobs were in progress at once, so the caller never cancelled",
                           run->all.peak()),
               {mistake::serialized, kHintLimit});
  const int exhausted = run->total(&TenantProbe::exhausted);
  check.expect(exhausted == 0, "every job in progress sees the caller's cancellation",
               fmt::format("{} jobs never saw the caller's cancellation (they ran until the grader gave up on them)",
                           exhausted),
               mistake::ignored_cancellation);
  const int late = run->total(&TenantProbe::began_after_cancel);
  check.expect(late == 0, "no job starts after the caller has cancelled",
               fmt::format("{} job(s) were started after the cancellation", late),
               {mistake::ignored_cancellation, kHintStop});
  check.expect_is(err, goro::Canceled, "goro::Canceled", kHintCaller);
  const int cancelled = run->total(&TenantProbe::cancelled);
  check.expect(cancelled == 3 * kPerTenant, "the 24 jobs in progress end with their context's error",
               fmt::format("{} of them did", cancelled));
  if (check.deterministic())
    check.expect(took == goro::Duration(0), "run_tenants returns at +0s, the moment the caller cancels",
                 fmt::format("it returned at {}", offset(took)));
}

DOJO_CHECK("an already-cancelled caller: handle is never called, and the result holds Canceled", kHintCaller) {
  auto run = std::make_shared<Run>();
  run->s = scale(check);
  run->add_tenant("a", 5);
  run->add_tenant("b", 5);
  run->list_interleaved();
  run->plan = [](const TenantProbe&, int) {
    JobPlan p;
    p.until_cancelled = true;
    return p;
  };
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling run_tenants(ctx, 10 jobs of tenants a and b) with ctx already cancelled");
  run->t0 = goro::now();
  goro::Error err = run_tenants(ctx, run->jobs, handler(run));
  check.expect(run->all.calls() == 0, "handle called for no job",
               fmt::format("handle was called for {} jobs", run->all.calls()),
               "A job whose context has already ended is not handled: check ctx.err() before calling handle "
               "(or before starting anything at all).");
  check.expect_is(err, goro::Canceled, "goro::Canceled", kHintCaller);
}
