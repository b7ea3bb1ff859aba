// Visible examples for exercise 20. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a marketplace places orders for several shops (tenants). Every order goes through
// the same saga — reserve the stock, charge the card, ship the parcel — and a step that fails,
// or throws, must leave nothing of the order behind: the card is refunded, the stock released.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "grader.hpp"
#include "integration.hpp"

using dojo::ex20::Order;
using dojo::ex20::Report;
using dojo::ex20::run_orders;
using dojo::ex20::Step;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrDeclined = goro::new_error("card declined");

// What the services did for each order, in order: "reserve", "charge", "release", ... Calls of
// different orders run in different tasks at once (on real threads too): hence the mutex.
struct Journal {
  std::mutex mu;
  std::map<int, std::vector<std::string>> calls;
  int busy = 0;  // calls in progress
  void add(int id, std::string call) {
    std::lock_guard lk(mu);
    calls[id].push_back(std::move(call));
  }
  std::string of(int id) {
    std::lock_guard lk(mu);
    auto it = calls.find(id);
    return it == calls.end() ? std::string("nothing") : fmt::format("{}", fmt::join(it->second, ", "));
  }
};

// How the services treat one call: nil to succeed; they throw for the call named in `throws`.
struct Faults {
  int order = 0;            // the order whose call misbehaves (0: none)
  std::string call;         // ... which call: "charge", ...
  goro::Error fails;        // returns this error (nil: throws instead)
};

// reserve -> charge -> ship, with release and refund as compensators; every call takes 10ms.
std::vector<Step> saga(const std::shared_ptr<Journal>& j, const Faults& f) {
  auto service = [j, f](std::string name) {
    return [j, f, name](const goro::Context&, const Order& o) -> goro::Error {
      j->add(o.id, name);
      {
        std::lock_guard lk(j->mu);
        ++j->busy;
      }
      goro::sleep(10ms);
      {
        std::lock_guard lk(j->mu);
        --j->busy;
      }
      if (o.id == f.order && name == f.call) {
        if (f.fails) return f.fails;
        throw std::runtime_error("card reader on fire");
      }
      return {};
    };
  };
  return {Step{"reserve", service("reserve"), service("release")},
          Step{"charge", service("charge"), service("refund")},
          Step{"ship", service("ship"), {}}};
}

std::vector<Order> orders() {
  return {Order{"north", 1}, Order{"south", 2}, Order{"north", 3}, Order{"south", 4}, Order{"north", 5}};
}

// What a wrong report shows, given the lists it should have and the order whose step failed (0:
// none): orders missing while services were still at work (the report was read too early), or
// missing, or twice; the failed order counted as a success (its failure was swallowed); the right
// orders in another order; else a wrong result.
dojo::grader::Why why(const Report& r, const std::shared_ptr<Journal>& j, int failed) {
  std::vector<int> all;
  for (const auto* l : {&r.succeeded, &r.compensated, &r.reported}) all.insert(all.end(), l->begin(), l->end());
  std::vector<int> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  int busy = 0;
  {
    std::lock_guard lk(j->mu);
    busy = j->busy;
  }
  if (sorted.size() < 5 && busy > 0)
    return {mistake::unsynchronized, "Service calls were still running when run_orders returned: the Report was built "
                                     "before every order's saga had finished. Wait for all of them, every tenant's, "
                                     "and only then read their results."};
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return mistake::duplicate;
  if (sorted.size() < 5) return mistake::lost_item;
  if (failed != 0 && std::find(r.succeeded.begin(), r.succeeded.end(), failed) != r.succeeded.end())
    return mistake::swallowed_error;
  auto in_order = [](const std::vector<int>& v) { return std::is_sorted(v.begin(), v.end()); };
  if (!in_order(r.succeeded) || !in_order(r.compensated) || !in_order(r.reported)) return mistake::wrong_order;
  return {};
}

std::string lists(const Report& r) {
  return fmt::format("succeeded {{{}}}, compensated {{{}}}, reported {{{}}}", fmt::join(r.succeeded, ", "),
                     fmt::join(r.compensated, ", "), fmt::join(r.reported, ", "));
}

}  // namespace

DOJO_CHECK("example: every order succeeds: all in succeeded, in input order, and errors is nil",
           "Run every order's saga, each tenant's orders within a limit of their own; once every saga has "
           "finished, build the Report in input order.") {
  auto j = std::make_shared<Journal>();
  check.say("calling run_orders(background, orders 1-5 of tenants north and south), where every call succeeds");
  const Report r = run_orders(goro::background(), orders(), saga(j, {}));
  check.expect_eq(lists(r), std::string("succeeded {1, 2, 3, 4, 5}, compensated {}, reported {}"), "the report",
                  why(r, j, 0));
  check.expect_ok(r.errors, "errors");
  for (int id = 1; id <= 5; ++id)
    check.expect_eq(j->of(id), std::string("reserve, charge, ship"), fmt::format("what the services did for order {}", id));
}

DOJO_CHECK("example: order 4's charge fails: its stock is released, it is compensated, the others succeed",
           "When a step fails, undo the steps of that order that completed, newest first (the failed step took no "
           "effect), and wrap the error as \"order <id>: {:w}\" so that goro::is still finds it.") {
  auto j = std::make_shared<Journal>();
  check.say("calling run_orders(background, orders 1-5), where order 4's charge fails with ErrDeclined");
  const Report r = run_orders(goro::background(), orders(), saga(j, Faults{4, "charge", ErrDeclined}));
  check.expect_eq(lists(r), std::string("succeeded {1, 2, 3, 5}, compensated {4}, reported {}"), "the report",
                  why(r, j, 4));
  check.expect_is(r.errors, ErrDeclined, "ErrDeclined");
  check.expect(r.errors && r.errors.message().rfind("order 4: ", 0) == 0, "errors: a message that starts with \"order 4: \"",
               dojo::grader::Check::describe_error(r.errors));
  check.expect_eq(j->of(4), std::string("reserve, charge, release"), "what the services did for order 4");
}

DOJO_CHECK("example: order 3's charge throws: the throw is recovered as a PanicError, and order 3 is compensated",
           "Run every call of an action or a compensator inside goro::catch_panic: a throw becomes that step's error, "
           "and the saga goes on as for any failure.") {
  auto j = std::make_shared<Journal>();
  check.say("calling run_orders(background, orders 1-5), where order 3's charge throws std::runtime_error");
  const Report r = run_orders(goro::background(), orders(), saga(j, Faults{3, "charge", {}}));
  check.expect_eq(lists(r), std::string("succeeded {1, 2, 4, 5}, compensated {3}, reported {}"), "the report",
                  why(r, j, 3));
  check.expect_as<goro::PanicError>(r.errors, "goro::PanicError");
  check.expect_eq(j->of(3), std::string("reserve, charge, release"), "what the services did for order 3");
}
