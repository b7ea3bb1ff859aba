// Exercise 20 — integration: one production pipeline. Orders of many tenants, each order a saga
// against services that fail and throw, behind per-tenant bulkheads, and a report in which every
// order ends exactly once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex20 {

/// How many orders of ONE tenant may be in progress at the same time. Each tenant has a limit of
/// its own: with three busy tenants, up to 3 * kPerTenant orders are in progress at once.
inline constexpr int kPerTenant = 4;

/// One order, placed on behalf of a tenant (a shop using the shared order service). Ids are
/// unique within one call of run_orders.
struct Order {
  std::string tenant;
  int id = 0;
};

/// One call of a service for one order: a step's action ("charge the card of order 7") or its
/// compensator ("refund order 7"). It returns nil on success or an error — and, being someone
/// else's code, it may also THROW (any type). It may be slow, and it is handed a context to watch.
using Call = std::function<goro::Error(const goro::Context& ctx, const Order& order)>;

/// One step of the saga every order goes through: `action` does the work, `compensate` undoes
/// it after the action succeeded. A step with nothing to undo has an empty `compensate` (it
/// converts to false). A failed or throwing action took no effect.
struct Step {
  std::string name;
  Call action;
  Call compensate;
};

/// What became of the orders. Every order of the input is in exactly ONE of the three lists,
/// by id, each list in the order the orders appear in `orders`.
struct Report {
  /// Every action of the saga succeeded.
  std::vector<int> succeeded;
  /// The order did not complete (a step failed or threw, or the caller cancelled before or
  /// during its saga), and every step that had completed was undone — possibly none: an order
  /// that never started, or whose first step failed, has nothing to undo. Nothing of it remains.
  std::vector<int> compensated;
  /// The order did not complete and at least one compensator failed or threw too: something of
  /// the order is still in effect, and a person has to look at it.
  std::vector<int> reported;
  /// goro::join of one error per order that did not succeed (compensated and reported ones), in
  /// the order the orders appear in `orders`; nil when every order succeeded (and for no
  /// orders). Each is "order <id>: <the saga's error>", wrapped with {:w}, where the saga's
  /// error is, as in exercise 11, goro::join of
  ///     "step <name>: <the action's error>"        (or the context's error), wrapped with {:w},
  ///     "compensate <name>: <the compensator's error>", wrapped with {:w}, one per failed
  ///                                                 compensator, in the order they ran,
  /// so goro::is / goro::as find, through `errors`, every service's sentinel and typed error,
  /// every goro::PanicError, and goro::Canceled.
  goro::Error errors;
};

/// Runs every order of `orders` through the saga `saga` and reports what became of each.
///
///   * Bulkheads: each tenant's orders run in a group of that tenant's own, at most kPerTenant
///     of them at once (set_limit). The tenants run side by side: a tenant whose orders are
///     slow fills only its own places, and the orders of every other tenant still start at
///     once, wherever they are listed in `orders`.
///   * A worker per order (or a few workers per tenant), and in it the order's saga, one step at
///     a time, each action handed the caller's `ctx`. Before each action, look at ctx.err():
///     once the caller has cancelled, no further action starts, and the step that would have
///     been next fails with ctx.err().
///   * Panics: every call of an action or a compensator runs inside goro::catch_panic. A throw
///     is that call's failure (an error holding a goro::PanicError) — never a crash, never a
///     lost order — and the saga goes on exactly as for a returned error.
///   * The saga: when a step fails, the steps of that order that COMPLETED are compensated,
///     newest first, one at a time, under goro::without_cancel(ctx) (the caller's values, never
///     cancelled). The failed step is not compensated; a step with an empty compensate is
///     skipped; a failing compensator does not stop the rollback.
///   * Nothing fails fast: an order's failure cancels nothing — not its tenant's other orders,
///     not another tenant. Every order is attempted.
///   * The caller's cancellation: the running sagas see it (their actions get ctx) and roll
///     back; the orders not started yet call no service and end compensated, with ctx's error
///     ("order <id>: ..." holding goro::Canceled) — never silently left out. run_orders then
///     returns as soon as the running rollbacks have.
///
/// Every order ends in exactly one outcome (see Report). When run_orders returns, every task it
/// started has returned. run_orders itself never throws.
[[nodiscard]] Report run_orders(const goro::Context& ctx, const std::vector<Order>& orders,
                                const std::vector<Step>& saga);

}  // namespace dojo::ex20
