// Mutant of exercise 20: the workers append their order's id and error to shared vectors
// (under a mutex) as they finish. Every order is there, but in the order the orders happened to
// finish, which changes from run to run: the report is not stable.
// mistake: wrong-order
// expect: (the order of `orders`)
#include "integration.hpp"

#include <mutex>

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

  const goro::Context undo_ctx = goro::without_cancel(ctx);
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
  goro::Mutex mu;
  std::vector<std::size_t> finished;  // BUG: the report follows the finishing order

  goro::ErrGroup top;
  for (const std::vector<std::size_t>& mine : tenants) {
    top.go([&ctx, &orders, &saga, &results, &mu, &finished, &mine]() -> goro::Error {
      goro::ErrGroup group;
      group.set_limit(kPerTenant);
      for (std::size_t i : mine) {
        group.go([&ctx, &orders, &saga, &results, &mu, &finished, i]() -> goro::Error {
          Result r = run_saga(ctx, orders[i], saga);
          std::lock_guard lk(mu);
          results[i] = r;
          finished.push_back(i);
          return {};
        });
      }
      return group.wait();
    });
  }
  (void)top.wait();

  Report report;
  std::vector<goro::Error> errs;
  for (std::size_t i : finished) {
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
