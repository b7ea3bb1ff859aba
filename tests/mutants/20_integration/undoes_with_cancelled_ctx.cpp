// Mutant of exercise 20: the compensators are handed the caller's context. After a
// cancellation that context has ended, so every compensator refuses at once and the rollback of
// the running orders does nothing (exercise 11: compensate under goro::without_cancel).
// mistake: wrong-result
// expect: was handed a context that had already ended
#include "integration.hpp"

#include <cstddef>
#include <map>

namespace dojo::ex20 {

namespace {

enum class Outcome { succeeded, compensated, reported };

struct Result {
  Outcome outcome = Outcome::succeeded;
  goro::Error err;
};

goro::Error call(const Call& fn, const goro::Context& ctx, const Order& order) {
  return goro::catch_panic([&] { return fn(ctx, order); });
}

Result run_saga(const goro::Context& ctx, const Order& order, const std::vector<Step>& saga) {
  std::size_t done = 0;
  goro::Error failure;
  for (const Step& step : saga) {
    goro::Error err = ctx.err();
    if (!err) err = call(step.action, ctx, order);
    if (err) {
      failure = goro::errorf("step {}: {:w}", step.name, err);
      break;
    }
    ++done;
  }
  if (!failure) return {};

  const goro::Context& undo_ctx = ctx;  // BUG: cancelled along with the caller
  std::vector<goro::Error> errs{failure};
  for (std::size_t i = done; i-- > 0;) {
    const Step& step = saga[i];
    if (!step.compensate) continue;
    if (goro::Error err = call(step.compensate, undo_ctx, order))
      errs.push_back(goro::errorf("compensate {}: {:w}", step.name, err));
  }
  return {errs.size() == 1 ? Outcome::compensated : Outcome::reported,
          goro::errorf("order {}: {:w}", order.id, goro::join(errs))};
}

}  // namespace

Report run_orders(const goro::Context& ctx, const std::vector<Order>& orders, const std::vector<Step>& saga) {
  std::vector<std::vector<std::size_t>> tenants;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    auto [it, fresh] = index.try_emplace(orders[i].tenant, tenants.size());
    if (fresh) tenants.emplace_back();
    tenants[it->second].push_back(i);
  }

  std::vector<Result> results(orders.size());

  goro::ErrGroup top;
  for (const std::vector<std::size_t>& mine : tenants) {
    top.go([&ctx, &orders, &saga, &results, &mine]() -> goro::Error {
      goro::ErrGroup group;
      group.set_limit(kPerTenant);
      for (std::size_t i : mine) {
        group.go([&ctx, &orders, &saga, &results, i]() -> goro::Error {
          results[i] = run_saga(ctx, orders[i], saga);
          return {};
        });
      }
      return group.wait();
    });
  }
  (void)top.wait();

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
  report.errors = goro::join(errs);
  return report;
}

}  // namespace dojo::ex20
