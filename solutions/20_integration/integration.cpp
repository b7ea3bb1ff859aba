// Exercise 20 — integration: reference solution.
#include "integration.hpp"

#include <cstddef>
#include <map>

namespace dojo::ex20 {

namespace {

enum class Outcome { succeeded, compensated, reported };

// What became of one order: its outcome, and its error when it did not succeed.
struct Result {
  Outcome outcome = Outcome::succeeded;
  goro::Error err;
};

// One call of a service. A throw is this call's failure, as an error holding a PanicError (its
// value and the stack where it was thrown): the saga around it goes on as for any error.
goro::Error call(const Call& fn, const goro::Context& ctx, const Order& order) {
  return goro::catch_panic([&] { return fn(ctx, order); });
}

// Exercise 11's saga for one order, in the worker's task.
Result run_saga(const goro::Context& ctx, const Order& order, const std::vector<Step>& saga) {
  std::size_t done = 0;  // saga[0 .. done) completed: exactly these are compensated
  goro::Error failure;
  for (const Step& step : saga) {
    // A cancelled caller: no further action starts (for an order not started yet: none at all).
    goro::Error err = ctx.err();
    if (!err) err = call(step.action, ctx, order);
    if (err) {
      failure = goro::errorf("step {}: {:w}", step.name, err);
      break;
    }
    ++done;
  }
  if (!failure) return {};

  // The rollback runs even though ctx may be cancelled (often that is why we are here).
  const goro::Context undo_ctx = goro::without_cancel(ctx);
  std::vector<goro::Error> errs{failure};
  for (std::size_t i = done; i-- > 0;) {  // newest first; saga[done] failed: not compensated
    const Step& step = saga[i];
    if (!step.compensate) continue;
    if (goro::Error err = call(step.compensate, undo_ctx, order))
      errs.push_back(goro::errorf("compensate {}: {:w}", step.name, err));  // and keep going
  }
  // One error (the step's) means every completed step was undone; more means something stays.
  return {errs.size() == 1 ? Outcome::compensated : Outcome::reported,
          goro::errorf("order {}: {:w}", order.id, goro::join(errs))};
}

}  // namespace

Report run_orders(const goro::Context& ctx, const std::vector<Order>& orders, const std::vector<Step>& saga) {
  // Each tenant's orders (their indexes in `orders`), the tenants in the order they first appear.
  std::vector<std::vector<std::size_t>> tenants;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    auto [it, fresh] = index.try_emplace(orders[i].tenant, tenants.size());
    if (fresh) tenants.emplace_back();
    tenants[it->second].push_back(i);
  }

  // One slot per order, written only by that order's worker and read after every wait():
  // no lock, and the report comes out in input order whatever order the orders finished in.
  std::vector<Result> results(orders.size());

  // Plain groups everywhere (no with_context): nothing fails fast. The workers return nil — an
  // order's failure is data for the report, not a reason to cancel anybody.
  goro::ErrGroup top;
  for (const std::vector<std::size_t>& mine : tenants) {
    top.go([&ctx, &orders, &saga, &results, &mine]() -> goro::Error {
      // The tenant's bulkhead: a group of its own with a limit of its own, set before the first
      // go(). Only this tenant's task blocks in go() while its kPerTenant places are taken.
      goro::ErrGroup group;
      group.set_limit(kPerTenant);
      for (std::size_t i : mine) {
        group.go([&ctx, &orders, &saga, &results, i]() -> goro::Error {
          // An order admitted after the caller cancelled runs no step: its saga fails at once
          // with ctx.err() and has nothing to undo (compensated). It is not dropped.
          results[i] = run_saga(ctx, orders[i], saga);
          return {};
        });
      }
      return group.wait();  // every order of the tenant has its result
    });
  }
  (void)top.wait();  // nobody returns an error; this waits for every tenant

  Report report;
  std::vector<goro::Error> errs;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const Result& r = results[i];
    switch (r.outcome) {
      case Outcome::succeeded: report.succeeded.push_back(orders[i].id); break;
      case Outcome::compensated: report.compensated.push_back(orders[i].id); break;
      case Outcome::reported: report.reported.push_back(orders[i].id); break;
    }
    if (r.err) errs.push_back(r.err);
  }
  report.errors = goro::join(errs);  // nil when every order succeeded
  return report;
}

}  // namespace dojo::ex20
