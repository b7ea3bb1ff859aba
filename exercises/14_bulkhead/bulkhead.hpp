// Exercise 14 — bulkhead: every tenant gets a group of its own, so that one tenant's failure or
// slowness stays inside that tenant.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex14 {

/// How many jobs of ONE tenant may be handled at the same time. Each tenant has a limit of its
/// own: with three busy tenants, up to 3 * kPerTenant jobs run at once.
inline constexpr int kPerTenant = 8;

/// One unit of work, submitted on behalf of a tenant (a customer of a shared service).
struct Job {
  std::string tenant;  // which tenant the job belongs to
  int id = 0;          // the job's number, for the handler and for messages
};

/// Does one job. It is handed its TENANT's context: that context ends when another job of the
/// same tenant fails, or when the caller cancels. A handler should stop when it ends (and then
/// return an error, typically one that wraps ctx.err()). Handlers of different jobs run at the
/// same time, in different tasks.
using Handle = std::function<goro::Error(const goro::Context& ctx, const Job& job)>;

/// Handles every job in `jobs` with `handle`, tenant by tenant in parallel: a bulkhead.
///
///   * Every job is handled at most once (exactly once when nothing fails and nobody cancels).
///   * For each tenant, at most kPerTenant handle calls run at once. The tenants run side by
///     side: a tenant whose jobs are slow uses up only its own kPerTenant places, and the jobs
///     of every other tenant still start at once, wherever they are listed in `jobs`.
///   * When a job of tenant T fails, T's context is cancelled: T's other running jobs see
///     ctx.done(), and T's jobs that had not started yet are never started (handle is not
///     called for them). No other tenant is affected: every other tenant handles all its jobs.
///   * When the caller's `ctx` ends, every tenant's context ends with it: running jobs see
///     ctx.done(), no further job starts, and the result holds ctx.err() (goro::is finds
///     goro::Canceled in it). With `ctx` already ended, handle is called for no job.
///
/// Returns
///   * nil when no tenant failed (and for no jobs at all);
///   * otherwise goro::join of one error per failing tenant, each
///       "tenant <name>: <that tenant's first error>", wrapped with {:w},
///     in the order the tenants first appear in `jobs` (not the order in which they failed),
///     so the result is the same whatever the schedule. goro::is / goro::as find every
///     tenant's error in it.
///
/// When run_tenants returns, every task it started has returned.
[[nodiscard]] goro::Error run_tenants(const goro::Context& ctx, const std::vector<Job>& jobs, const Handle& handle);

}  // namespace dojo::ex14
