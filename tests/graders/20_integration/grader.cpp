// Hidden checks for exercise 20 (integration).
//
// The services are the grader's: reserve/release, charge/refund and ship. Each call records, in a
// ledger per order, what it did — took effect, failed, threw, stopped because its context ended,
// or (a compensator) refused because its context had ended — and with which context. After every
// run_orders call, account() holds the Report against that ledger: every order in exactly one
// list, the lists and the errors in input order, each outcome agreeing with what the services
// saw, each order's error holding what its services returned and every panic, and no context
// ended unless the caller cancelled.
//
// What must not depend on the machine's speed happens on events, not after a time:
//   * a tenant's first kPerTenant reserve calls wait until all of them are in progress ("the
//     tenant is full"), so the limit is reached on a busy machine too;
//   * the caller cancels from inside a service call: once every tenant has kPerTenant charges in
//     progress, or at the K-th service call of a fault-injection run;
//   * faults are chosen by hashing (fault seed, order, step), never by the order of the calls,
//     so a fault seed injects the same faults on the virtual clock and on real threads.
// Moments are compared only on the virtual clock (check.deterministic()); on real threads every
// duration is a tenth as long.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "grader.hpp"
#include "integration.hpp"
#include "kit.hpp"

using dojo::ex20::kPerTenant;
using dojo::ex20::Order;
using dojo::ex20::Report;
using dojo::ex20::run_orders;
using dojo::ex20::Step;
using dojo::grader::Check;
using dojo::grader::Concurrency;
using dojo::grader::offset;
using dojo::grader::Why;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_result, mistake::wrong_order, mistake::lost_item, mistake::unsynchronized,
                     mistake::swallowed_error, mistake::serialized, mistake::panic, mistake::missing_close);

namespace {

// What the services fail with.
const goro::Error ErrOutOfStock = goro::new_error("out of stock");          // reserve
const goro::Error ErrDeclined = goro::new_error("card declined");           // charge
const goro::Error ErrNoCourier = goro::new_error("no courier available");   // ship
const goro::Error ErrRefund = goro::new_error("refund rejected by the bank");  // refund
// A typed error release fails with: goro::as must find it through the wrapping.
struct LockLost {
  std::string what;
  [[nodiscard]] std::string message() const { return fmt::format("lock lost on {}", what); }
};

// The key of the request id the caller's context carries.
struct RequestIdKey {
  bool operator==(const RequestIdKey&) const = default;
};
const std::string kRequestId = "req-20";
goro::Context caller_ctx() { return goro::with_value(goro::background(), RequestIdKey{}, kRequestId); }

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }
std::string dur(goro::Duration d) { return goro::format_duration(d); }
// 12345 -> "12,345"
std::string grouped(long long n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The saga: three steps, the last without a compensator.
constexpr int kSteps = 3;
constexpr int kReserve = 0, kCharge = 1, kShip = 2;
constexpr std::array<const char*, kSteps> kDo = {"reserve", "charge", "ship"};
constexpr std::array<const char*, kSteps> kUndo = {"release", "refund", nullptr};

// The durations of a check. On real threads a tenth of the virtual ones; `patience` is how long
// a call that waits for its context to end waits before the grader gives up on it (a correct
// pipeline never lets that happen), `gate` how long a call waits for its tenant to be full.
struct Scale {
  goro::Duration unit;      // a call's usual work: 100 ms (virtual) / 10 ms (real)
  goro::Duration patience;  // 60 s / 60 s
  goro::Duration gate;      // 60 s / 3 s
};
Scale scale(const Check& check) { return check.deterministic() ? Scale{100ms, 60s, 60s} : Scale{10ms, 60s, 3s}; }

// How one service call behaves.
enum class Fault { none, fail, throw_error, throw_panic, throw_value };
struct CallPlan {
  goro::Duration takes{0};         // works this long (stops early when its context ends)
  bool until_cancelled = false;    // works until its context ends (or the grader's patience runs out)
  bool gate_full = false;          // the tenant's first kPerTenant calls of this kind wait until all are in progress
  goro::Chan<goro::Unit> until{};  // ... and the work ends early, successfully, when this is closed (nil: never)
  Fault fault = Fault::none;       // after the work
  goro::Error err{};               // what Fault::fail returns
};

// What one call did.
enum class Res {
  ok,         // an action took effect / a compensator undid it
  failed,     // returned the error its plan gave it (no effect / nothing undone)
  threw,      // threw (no effect / nothing undone)
  cancelled,  // an action that stopped because its context ended (no effect)
  refused,    // a compensator handed a context that had ended: it returns an error, undoes nothing
};
struct Event {
  int step = 0;
  bool undo = false;
  Res res = Res::ok;
  goro::Error err;             // what the call returned (failed, cancelled, refused)
  bool ctx_ended = false;      // its context ended before or while it worked
  bool caller_had_cancelled = false;  // ... and the caller had cancelled by then (for ctx_ended)
  bool began_after_cancel = false;    // the call began after the caller had cancelled
  bool lost_value = false;     // its context did not carry the caller's request id
};

std::string call_name(const Event& e) { return e.undo ? kUndo[e.step] : kDo[e.step]; }
std::string res_text(const Event& e) {
  switch (e.res) {
    case Res::ok: return "ok";
    case Res::failed: return "failed";
    case Res::threw: return "threw";
    case Res::cancelled: return "stopped (its context ended)";
    case Res::refused: return "refused (its context had ended)";
  }
  return "?";
}
// "had failed", "had thrown", ...: what became of a failed action, after "had".
std::string res_past(const Event& e) {
  switch (e.res) {
    case Res::threw: return "thrown";
    case Res::cancelled: return "been stopped by its context";
    case Res::refused: return "refused";
    default: return "failed";
  }
}
std::string ledger_text(const std::vector<Event>& events) {
  if (events.empty()) return "no service call";
  std::vector<std::string> v;
  for (const Event& e : events) v.push_back(call_name(e) + " " + res_text(e));
  return fmt::format("{}", fmt::join(v, ", "));
}

// What the services saw of one tenant.
struct TenantProbe {
  explicit TenantProbe(std::string n) : name(std::move(n)) {}
  std::string name;
  int orders = 0;
  Concurrency calls;                          // service calls of this tenant in progress
  std::array<std::array<std::atomic<int>, kSteps>, 2> nth{};  // [undo][step]: calls so far
  std::atomic<int> shipped{0};                // orders whose ship took effect
  goro::Chan<goro::Unit> full = goro::make_chan<goro::Unit>();  // closed once kPerTenant calls are in progress
  std::atomic<bool> full_closed{false};
};

// One call of run_orders: the orders, the ledger, how the calls behave. Held by shared_ptr in
// the services, so that a task left behind by a buggy pipeline never outlives it.
struct Run {
  Scale s{};
  goro::Time t0 = goro::now();
  std::vector<Order> orders;
  std::vector<std::string> tenant_order;
  std::map<std::string, std::unique_ptr<TenantProbe>> tenants;
  std::map<int, std::size_t> by_id;  // order id -> index in orders
  std::mutex mu;                     // guards ledger
  std::vector<std::vector<Event>> ledger;  // per order, in the order its calls ended
  Concurrency all;                   // service calls of every tenant together
  std::atomic<int> strangers{0};     // calls for an order never submitted
  std::atomic<int> exhausted{0};     // calls that waited for their context until the grader gave up
  std::atomic<int> calls{0};         // calls begun
  std::atomic<int> charges{0};       // charge calls begun
  std::atomic<int> failures{0}, throws{0};  // faults injected
  // The plan of a call: its order, step, undo, and the call's number among the tenant's calls of
  // that kind (1-based). Empty: every call succeeds at once.
  std::function<CallPlan(const Order&, int step, bool undo, int nth)> plan;
  // Asked as each call begins (after it is counted): true to cancel the caller now.
  std::function<bool(Run&, const Order&, int step, bool undo)> cancel_when;
  // Called after each call that took effect (outside the ledger's lock).
  std::function<void(Run&, TenantProbe&, const Order&, int step, bool undo)> on_effect;
  goro::CancelFunc cancel;
  std::atomic<bool> caller_cancelled{false};
  int in_flight_at_return = -1;      // service calls still in progress when run_orders returned

  void add(const std::string& tenant, int id) {
    if (tenants.find(tenant) == tenants.end()) {
      tenant_order.push_back(tenant);
      tenants.emplace(tenant, std::make_unique<TenantProbe>(tenant));
    }
    ++tenants.at(tenant)->orders;
    by_id[id] = orders.size();
    orders.push_back(Order{tenant, id});
    ledger.emplace_back();
  }
  void cancel_now() {
    if (!caller_cancelled.exchange(true) && cancel) cancel();
  }
  TenantProbe& tenant(const std::string& name) { return *tenants.at(name); }
  std::vector<std::vector<Event>> snapshot() {
    std::lock_guard lk(mu);
    return ledger;
  }
};

[[noreturn]] void blow_up(Fault f, const char* name, int id) {
  switch (f) {
    case Fault::throw_error: throw std::runtime_error(fmt::format("{} crashed on order {}", name, id));
    case Fault::throw_panic: goro::panic(fmt::format("{}: nil map write on order {}", name, id));
    default: throw id;  // a value of no exception type
  }
}

// One call of a service.
goro::Error service(const std::shared_ptr<Run>& run, int step, bool undo, const goro::Context& ctx, const Order& order) {
  auto it = run->by_id.find(order.id);
  if (it == run->by_id.end() || run->orders[it->second].tenant != order.tenant) {
    ++run->strangers;
    return {};
  }
  const std::size_t idx = it->second;
  TenantProbe& t = run->tenant(order.tenant);
  const char* name = undo ? kUndo[static_cast<std::size_t>(step)] : kDo[static_cast<std::size_t>(step)];
  Event ev;
  ev.step = step;
  ev.undo = undo;
  ev.began_after_cancel = run->caller_cancelled.load();
  ev.lost_value = ctx.value<std::string>(RequestIdKey{}) != std::optional<std::string>(kRequestId);
  const auto in = t.calls.enter();
  const auto every = run->all.enter();
  const int nth = ++t.nth[undo ? 1 : 0][static_cast<std::size_t>(step)];
  ++run->calls;
  if (!undo && step == kCharge) ++run->charges;
  if (t.calls.peak() >= kPerTenant && !t.full_closed.exchange(true)) t.full.close();
  if (run->cancel_when && run->cancel_when(*run, order, step, undo)) run->cancel_now();
  const CallPlan p = run->plan ? run->plan(order, step, undo, nth) : CallPlan{};

  auto finish = [&](Res r, goro::Error err) -> goro::Error {
    ev.res = r;
    ev.err = err;
    {
      std::lock_guard lk(run->mu);
      run->ledger[idx].push_back(ev);
    }
    if (r == Res::ok && !undo && step == kShip) ++t.shipped;
    if (r == Res::ok && run->on_effect) run->on_effect(*run, t, order, step, undo);
    return err;
  };
  auto ended = [&]() -> goro::Error {
    ev.ctx_ended = true;
    ev.caller_had_cancelled = run->caller_cancelled.load();
    if (undo) return finish(Res::refused, goro::errorf("{} of order {} refused: {:w}", name, order.id, ctx.err()));
    return finish(Res::cancelled, goro::errorf("{} of order {}: {:w}", name, order.id, ctx.err()));
  };

  if (ctx.err()) return ended();
  if (p.gate_full && nth <= kPerTenant) {
    auto gate = goro::new_timer(run->s.gate);
    const std::size_t got = goro::select(goro::on_recv(t.full), goro::on_recv(ctx.done()), goro::on_recv(gate.c()));
    gate.stop();
    if (got == 1) return ended();
  }
  if (p.until_cancelled || p.takes > goro::Duration(0)) {
    auto work = goro::new_timer(p.until_cancelled ? run->s.patience : p.takes);
    const std::size_t got = goro::select(goro::on_recv(work.c()), goro::on_recv(ctx.done()), goro::on_recv(p.until));
    work.stop();
    if (got == 1) return ended();
    if (got == 0 && p.until_cancelled) ++run->exhausted;
  }
  switch (p.fault) {
    case Fault::none: break;
    case Fault::fail:
      ++run->failures;
      return finish(Res::failed, p.err);
    case Fault::throw_error:
    case Fault::throw_panic:
    case Fault::throw_value:
      ++run->throws;
      (void)finish(Res::threw, {});
      blow_up(p.fault, name, order.id);
  }
  return finish(Res::ok, {});
}

std::vector<Step> saga_of(const std::shared_ptr<Run>& run) {
  std::vector<Step> saga;
  for (int k = 0; k < kSteps; ++k) {
    Step st;
    st.name = kDo[static_cast<std::size_t>(k)];
    st.action = [run, k](const goro::Context& ctx, const Order& o) { return service(run, k, false, ctx, o); };
    if (kUndo[static_cast<std::size_t>(k)] != nullptr)
      st.compensate = [run, k](const goro::Context& ctx, const Order& o) { return service(run, k, true, ctx, o); };
    saga.push_back(std::move(st));
  }
  return saga;
}

// ---- hints ------------------------------------------------------------------------------------

const char* const kHintAccount =
    "Every order needs exactly one outcome (and, unless it succeeded, one error): keep each order's result "
    "where no other worker can overwrite or drop it, and build the Report from those results, in input order, "
    "only once every worker has finished.";
const char* const kHintOrder =
    "Each order is a saga: its actions in order, each once; when one fails, only the steps that COMPLETED are "
    "undone, newest first (refund before release). The failed step took no effect: do not compensate it.";
const char* const kHintKeepGoing =
    "A compensator that fails must not stop the rollback: keep its error (\"compensate <name>: {:w}\"), run the "
    "remaining compensators, and report the order (a compensator failed: something remains).";
const char* const kHintOutcome =
    "An order's outcome follows from its saga: every action succeeded -> succeeded; a step failed (or threw, or "
    "the caller cancelled) and every completed step was undone -> compensated; a compensator failed or threw "
    "too -> reported.";
const char* const kHintPanic =
    "Run every call of an action or a compensator inside goro::catch_panic: a throw becomes that call's error "
    "(a goro::PanicError) and the saga treats it like any failure — the order is compensated, not lost, and "
    "the program does not crash.";
const char* const kHintErrors =
    "errors is goro::join of one error per order that did not succeed, in input order: "
    "goro::errorf(\"order {}: {:w}\", id, goro::join(the saga's errors)).";
const char* const kHintWrap =
    "Wrap with {:w} at every layer (\"step <name>: {:w}\", \"compensate <name>: {:w}\", \"order <id>: {:w}\"), "
    "so that goro::is / goro::as find every service's error, and every PanicError, through errors.";
const char* const kHintNoFailFast =
    "Nothing fails fast here: an order's failure is data for the report, not a reason to cancel anyone. No "
    "order's failure may end a context that another order's saga watches: the only cancellation the sagas "
    "see is the caller's.";
const char* const kHintUndoCtx =
    "Compensators run under goro::without_cancel(ctx): never cancelled, so a rollback still works after the "
    "caller gave up, and carrying ctx's values.";
const char* const kHintLimit =
    "Each tenant needs a limit of its own: at most kPerTenant of its orders in progress, and whatever starts its "
    "orders waits only for that tenant's places, never for another tenant's (a group per tenant, limited before "
    "its first go() and fed from a task of that tenant, is one way).";
const char* const kHintCancel =
    "Check ctx.err() before each action: once the caller has cancelled, no further step starts. An order not "
    "started yet runs no step at all; its saga fails at once with ctx.err() and has nothing to undo: it is "
    "compensated, and its error is in errors.";

const char* const kListNames[3] = {"succeeded", "compensated", "reported"};
const char* const kExactlyOne = "every order in exactly one of succeeded, compensated, reported";

// Every PanicError in err's tree.
void collect_panics(const goro::Error& err, int& n) {
  if (!err) return;
  if (err.get_if<goro::PanicError>() != nullptr) ++n;
  for (const goro::Error& e : goro::unwrap_all(err)) collect_panics(e, n);
}

std::string list_text(const std::vector<int>& v) { return dojo::grader::list(v); }

// Holds the Report of one run_orders call against the ledger; fails the run at the first thing
// that does not agree. `where` (may be empty) says which run, for the fault-injection check.
void account(Check& check, Run& run, const Report& rep, const std::string& where = {}) {
  auto fail = [&](std::string expected, const std::string& got, Why why) {
    check.fail(std::move(expected), where.empty() ? got : fmt::format("{}:\n{}", where, got), std::move(why));
  };
  const auto ledger = run.snapshot();
  const bool cancelled = run.caller_cancelled.load();

  if (run.strangers.load() > 0)
    fail("services called only for the orders submitted",
         fmt::format("{} service call(s) for an order that was never submitted", run.strangers.load()),
         "Hand the services the Order from `orders` itself, unchanged.");

  // 1. Every order in exactly one list.
  const std::vector<int>* lists[3] = {&rep.succeeded, &rep.compensated, &rep.reported};
  std::map<int, std::vector<int>> listed;  // id -> the lists it is in
  for (int l = 0; l < 3; ++l)
    for (int id : *lists[l]) listed[id].push_back(l);
  for (const auto& [id, ls] : listed) {
    if (run.by_id.find(id) == run.by_id.end())
      fail(kExactlyOne, fmt::format("the report lists order {}, which was never submitted", id), kHintAccount);
    if (ls.size() > 1) {
      std::vector<std::string> names;
      for (int l : ls) names.emplace_back(kListNames[l]);
      fail(kExactlyOne, fmt::format("order {} is listed {} times: in {}", id, ls.size(), fmt::join(names, " and ")),
           {mistake::duplicate, kHintAccount});
    }
  }
  {
    std::vector<std::string> lost;
    std::size_t count = 0;
    for (std::size_t i = 0; i < run.orders.size(); ++i) {
      const Order& o = run.orders[i];
      if (listed.count(o.id) != 0) continue;
      ++count;
      if (lost.size() >= 3) continue;
      std::string why;
      if (!ledger[i].empty())
        why = fmt::format("its services saw: {}", ledger_text(ledger[i]));
      else if (cancelled)
        why = "it never started, because the caller had cancelled; an order not started still needs an outcome "
              "(compensated, with ctx's error)";
      else
        why = "no service was ever called for it";
      lost.push_back(fmt::format("order {} (tenant {}) is in none of the lists — {}", o.id, o.tenant, why));
    }
    // Service calls still in progress when run_orders returned: the report was built before the
    // workers were done, so the orders they had not reported yet are missing from it.
    const bool early = run.in_flight_at_return > 0;
    if (count > 0)
      fail(kExactlyOne,
           fmt::format("{} of the {} orders were lost:\n{}{}{}", count, run.orders.size(), fmt::join(lost, "\n"),
                       count > lost.size() ? "\n..." : "",
                       early ? fmt::format("\nwhen run_orders returned, {} service call(s) were still in progress: the "
                                           "report was read before every worker had finished",
                                           run.in_flight_at_return)
                             : std::string()),
           early       ? Why(mistake::unsynchronized, kHintAccount)
           : cancelled ? Why(mistake::lost_item, kHintCancel)
                       : Why(mistake::lost_item, kHintAccount));
  }
  auto outcome_of = [&](int id) { return listed.at(id).front(); };

  // 2. The contexts: nobody cancelled but the caller; compensators never cancelled; values kept.
  std::set<std::string> failing_tenants;  // tenants with an action that failed or threw
  for (std::size_t i = 0; i < run.orders.size(); ++i)
    for (const Event& e : ledger[i])
      if (!e.undo && (e.res == Res::failed || e.res == Res::threw)) failing_tenants.insert(run.orders[i].tenant);
  for (std::size_t i = 0; i < run.orders.size(); ++i) {
    const Order& o = run.orders[i];
    for (const Event& e : ledger[i]) {
      if (e.lost_value)
        fail("every service call handed a context that carries the caller's values",
             fmt::format("order {}: {} was handed a context without the caller's request id", o.id, call_name(e)),
             "Hand the actions the caller's ctx (or a context derived from it) and the compensators "
             "goro::without_cancel(ctx): both keep ctx's values; goro::background() loses them.");
      if (e.ctx_ended && e.undo)
        fail("every compensator handed a context that is not cancelled",
             fmt::format("order {} (tenant {}): its compensator {} was handed a context that had already ended, so "
                         "it could not undo anything",
                         o.id, o.tenant, call_name(e)),
             kHintUndoCtx);
      if (e.ctx_ended && !e.caller_had_cancelled)
        fail("no order cancelled unless the caller cancels",
             fmt::format("order {} (tenant {}): its {} was handed a context that had ended, though the caller never "
                         "cancelled — {}",
                         o.id, o.tenant, call_name(e),
                         failing_tenants.count(o.tenant) != 0
                             ? "another order's failure cancelled it"
                             : fmt::format("no order of tenant {} had failed: another tenant's failure reached it "
                                           "through a context the tenants share",
                                           o.tenant)),
             kHintNoFailFast);
    }
    if (ledger[i].empty() && !cancelled)
      fail("every order attempted",
           fmt::format("order {} (tenant {}) was never attempted (no service was called for it), though the caller "
                       "never cancelled{}",
                       o.id, o.tenant,
                       outcome_of(o.id) == 0 ? "" : " — did another order's failure cancel it?"),
           kHintNoFailFast);
  }

  // 3. Each order's saga, as its services saw it, and its outcome.
  for (std::size_t i = 0; i < run.orders.size(); ++i) {
    const Order& o = run.orders[i];
    const std::vector<Event>& ev = ledger[i];
    const std::string saw = ledger_text(ev);
    std::array<bool, kSteps> ran{}, ok{}, undone{}, undo_ok{};
    int next = 0;
    const Event* failure = nullptr;
    std::vector<int> undo_steps;
    for (const Event& e : ev) {
      const auto k = static_cast<std::size_t>(e.step);
      if (!e.undo) {
        if (!undo_steps.empty())
          fail("no action of an order after its rollback began",
               fmt::format("order {}: {} ran during its rollback; its services saw: {}", o.id, call_name(e), saw),
               {mistake::wrong_order, kHintOrder});
        if (failure != nullptr)
          fail("no action of an order after one of its steps failed",
               fmt::format("order {}: {} ran after {} had {}{}; its services saw: {}", o.id, call_name(e),
                           call_name(*failure), res_past(*failure),
                           failure->res == Res::threw
                               ? fmt::format(" — the throw was swallowed, and the saga went on as if {} had succeeded",
                                             call_name(*failure))
                               : std::string(),
                           saw),
               failure->res == Res::threw ? Why(mistake::swallowed_error, kHintPanic) : Why(kHintOrder));
        if (ran[k])
          fail("each action at most once", fmt::format("order {}: {} ran twice; its services saw: {}", o.id, call_name(e), saw),
               {mistake::duplicate, kHintOrder});
        if (e.step != next)
          fail("the steps of an order in order: reserve, charge, ship",
               fmt::format("order {}: {} ran before {}; its services saw: {}", o.id, call_name(e),
                           kDo[static_cast<std::size_t>(next)], saw),
               {mistake::wrong_order, kHintOrder});
        ran[k] = true;
        ++next;
        if (e.res == Res::ok)
          ok[k] = true;
        else
          failure = &e;
      } else {
        if (!ran[k] || !ok[k])
          fail("only completed steps compensated",
               ran[k] ? fmt::format("order {}: {} was compensated ({}), but its action failed: it never took effect, "
                                    "there was nothing to undo; its services saw: {}",
                                    o.id, kDo[k], call_name(e), saw)
                      : fmt::format("order {}: {} was called, but {} never ran; its services saw: {}", o.id,
                                    call_name(e), kDo[k], saw),
               kHintOrder);
        if (undone[k])
          fail("each compensator at most once",
               fmt::format("order {}: {} was called twice; its services saw: {}", o.id, call_name(e), saw),
               {mistake::duplicate, kHintOrder});
        undone[k] = true;
        undo_ok[k] = e.res == Res::ok;
        undo_steps.push_back(e.step);
      }
    }
    if (!std::is_sorted(undo_steps.begin(), undo_steps.end(), std::greater<>()) ||
        std::adjacent_find(undo_steps.begin(), undo_steps.end()) != undo_steps.end()) {
      std::vector<std::string> got, want;
      for (int k : undo_steps) got.emplace_back(kUndo[static_cast<std::size_t>(k)]);
      std::vector<int> sorted = undo_steps;
      std::sort(sorted.begin(), sorted.end(), std::greater<>());
      for (int k : sorted) want.emplace_back(kUndo[static_cast<std::size_t>(k)]);
      const bool forward = std::is_sorted(undo_steps.begin(), undo_steps.end());
      fail("the rollback newest first",
           fmt::format("order {}: the rollback ran {} ({}); it must be newest first ({}); its services saw: {}", o.id,
                       forward ? "oldest first" : "in the wrong order", fmt::join(got, ", "), fmt::join(want, ", "),
                       saw),
           {mistake::wrong_order, kHintOrder});
    }
    const bool complete = failure == nullptr && next == kSteps;
    const int outcome = outcome_of(o.id);
    if (complete) {
      if (!undo_steps.empty())
        fail("no compensator for an order whose every step succeeded",
             fmt::format("order {} was rolled back though every step of its saga succeeded; its services saw: {}", o.id, saw),
             kHintOrder);
      if (outcome != 0)
        fail("an order whose every step succeeded is counted as succeeded",
             fmt::format("order {} is counted as {}, but every step of its saga succeeded ({})", o.id,
                         kListNames[outcome], saw),
             kHintOutcome);
      continue;
    }
    if (outcome == 0) {
      std::string what;
      if (failure != nullptr && failure->res == Res::threw)
        what = fmt::format("its step {} threw — the throw was swallowed: a throw is that step's failure, never a "
                           "success",
                           call_name(*failure));
      else if (failure != nullptr)
        what = fmt::format("its step {} {}", call_name(*failure), res_text(*failure));
      else if (ev.empty())
        what = "no service was ever called for it";
      else
        what = fmt::format("its saga stopped before {}", kDo[static_cast<std::size_t>(next)]);
      fail("an order counted as succeeded only when every step of its saga succeeded",
           fmt::format("order {} is counted as succeeded, but {}; its services saw: {}", o.id, what, saw),
           failure != nullptr && failure->res == Res::threw ? Why(mistake::swallowed_error, kHintPanic)
                                                            : Why(kHintOutcome));
    }
    if (failure == nullptr && !ev.empty() && !cancelled)
      fail("an order's saga runs to its end unless a step fails or the caller cancels",
           fmt::format("order {}: its saga stopped before {}, though no step failed and the caller never cancelled; "
                       "its services saw: {}",
                       o.id, kDo[static_cast<std::size_t>(next)], saw),
           kHintOrder);
    std::vector<std::string> missing;
    bool an_undo_failed = false;
    for (std::size_t k = 0; k < kSteps; ++k) {
      if (ok[k] && kUndo[k] != nullptr && !undone[k]) missing.emplace_back(kDo[k]);
      if (undone[k] && !undo_ok[k]) an_undo_failed = true;
    }
    if (!missing.empty())
      fail("every completed step of a failed order undone",
           fmt::format("order {} ({}): {} completed but {} never undone; its services saw: {}", o.id,
                       kListNames[outcome], fmt::join(missing, " and "), missing.size() == 1 ? "was" : "were", saw),
           an_undo_failed ? kHintKeepGoing : kHintOrder);
    if (an_undo_failed && outcome == 1) {
      std::string which;
      for (const Event& e : ev)
        if (e.undo && e.res != Res::ok) {
          which = fmt::format("{} {}: the effect of {} remains", call_name(e), res_text(e), kDo[static_cast<std::size_t>(e.step)]);
          break;
        }
      fail("an order whose compensator failed is reported, not compensated",
           fmt::format("order {} is counted as compensated, but its compensator {} — it must be reported; its "
                       "services saw: {}",
                       o.id, which, saw),
           kHintOutcome);
    }
    if (!an_undo_failed && outcome == 2)
      fail("an order is reported only when a compensator failed",
           fmt::format("order {} is counted as reported, but every completed step was undone ({}): it is compensated",
                       o.id, saw),
           kHintOutcome);
  }

  // 4. The lists in input order.
  for (int l = 0; l < 3; ++l) {
    std::vector<int> want;
    for (const Order& o : run.orders)
      if (listed.at(o.id).front() == l) want.push_back(o.id);
    if (*lists[l] != want)
      fail(fmt::format("{}: {} (the order of `orders`)", kListNames[l], list_text(want)),
           fmt::format("{}: {}", kListNames[l], list_text(*lists[l])),
           {mistake::wrong_order, "List each outcome's orders in the order they appear in `orders`, whatever order "
                                  "they finished in: build the lists after the wait, walking `orders`."});
  }

  // 5. errors: one per order that did not succeed, in input order, holding what its services returned.
  std::vector<goro::Error> parts;
  if (rep.errors) {
    parts = goro::unwrap_all(rep.errors);
    if (starts_with(rep.errors.message(), "order ") && (parts.empty() || !starts_with(parts.front().message(), "order ")))
      parts = {rep.errors};  // a single order's error, not joined: accepted
  }
  std::map<int, goro::Error> by_order;
  std::vector<int> err_ids;
  for (const goro::Error& part : parts) {
    const std::string m = part.message();
    int id = 0;
    std::size_t at = 6;
    bool digits = false;
    bool negative = m.size() > at && m[at] == '-';
    if (negative) ++at;
    while (at < m.size() && m[at] >= '0' && m[at] <= '9') {
      id = id * 10 + (m[at] - '0');
      ++at;
      digits = true;
    }
    if (negative) id = -id;
    if (!starts_with(m, "order ") || !digits || m.compare(at, 2, ": ") != 0)
      fail("errors: goro::join of one error per order that did not succeed, each \"order <id>: ...\"",
           fmt::format("errors holds a part that does not start with \"order <id>: \": \"{}\"", first_line(m)),
           kHintErrors);
    if (run.by_id.find(id) == run.by_id.end())
      fail("errors names only orders that were submitted", fmt::format("errors names order {}, which was never submitted", id),
           kHintErrors);
    if (by_order.count(id) != 0)
      fail("one error per order", fmt::format("errors holds two errors for order {}", id), {mistake::duplicate, kHintErrors});
    by_order[id] = part;
    err_ids.push_back(id);
  }
  std::vector<int> want_ids;
  for (std::size_t i = 0; i < run.orders.size(); ++i) {
    const Order& o = run.orders[i];
    const int outcome = outcome_of(o.id);
    auto found = by_order.find(o.id);
    if (outcome == 0) {
      if (found != by_order.end())
        fail("no error for an order that succeeded",
             fmt::format("order {} succeeded, but errors holds an error for it: \"{}\"", o.id,
                         first_line(found->second.message())),
             kHintErrors);
      continue;
    }
    want_ids.push_back(o.id);
    if (found == by_order.end())
      fail("one error in errors for every order that did not succeed",
           fmt::format("order {} ({}) is missing from errors: the caller never learns why it did not go through{}",
                       o.id, kListNames[outcome], rep.errors ? "" : " (errors is nil)"),
           {mistake::swallowed_error, kHintErrors});
    const goro::Error& err = found->second;
    int throws = 0;
    bool action_failed = false;
    for (const Event& e : ledger[i]) {
      if (e.res == Res::threw) ++throws;
      if (!e.undo && e.res != Res::ok) action_failed = true;
      if ((e.res == Res::failed || e.res == Res::cancelled || e.res == Res::refused) && !goro::is(err, e.err))
        fail("the error of each order holds what its services returned (wrapped with {:w})",
             fmt::format("the error of order {} does not hold what its {} returned (\"{}\"):\n{}", o.id, call_name(e),
                         e.err.message(), Check::describe_error(err)),
             {err.message().find(e.err.message()) != std::string::npos ? mistake::missing_wrap : mistake::swallowed_error,
              kHintWrap});
    }
    int panics = 0;
    collect_panics(err, panics);
    if (panics < throws)
      fail("the error of each order holds a goro::PanicError for each of its calls that threw",
           fmt::format("{} of order {}'s calls threw, but its error holds {} PanicError(s):\n{}", throws, o.id, panics,
                       Check::describe_error(err)),
           {err.message().find("panic: ") != std::string::npos ? mistake::missing_wrap : mistake::swallowed_error,
            kHintPanic});
    if (!action_failed && !goro::is(err, goro::Canceled))
      fail("the error of an order stopped by the caller's cancellation holds ctx's error",
           fmt::format("order {} {} (the caller had cancelled), but its error does not hold goro::Canceled:\n{}", o.id,
                       ledger[i].empty() ? "never started" : "stopped between two steps", Check::describe_error(err)),
           {err.message().find(goro::Canceled.message()) != std::string::npos ? mistake::missing_wrap
                                                                               : mistake::swallowed_error,
            kHintCancel});
  }
  if (err_ids != want_ids)
    fail(fmt::format("errors for the orders {} (the order of `orders`)", list_text(want_ids)),
         fmt::format("errors for the orders {}", list_text(err_ids)),
         {mistake::wrong_order,
          "Join the orders' errors in the order the orders appear in `orders`, whatever order they finished in."});
}

// The three lists must be exactly these.
void expect_lists(Check& check, const Report& rep, const std::vector<int>& succeeded, const std::vector<int>& compensated,
                  const std::vector<int>& reported, std::string_view hint = kHintOutcome) {
  auto text = [](const std::vector<int>& a, const std::vector<int>& b, const std::vector<int>& c) {
    return fmt::format("succeeded {}, compensated {}, reported {}", list_text(a), list_text(b), list_text(c));
  };
  check.expect(rep.succeeded == succeeded && rep.compensated == compensated && rep.reported == reported,
               text(succeeded, compensated, reported), text(rep.succeeded, rep.compensated, rep.reported), hint);
}

// The error of order `id` in rep.errors (nil if none).
goro::Error error_of(const Report& rep, int id) {
  const std::string prefix = fmt::format("order {}: ", id);
  if (rep.errors && starts_with(rep.errors.message(), prefix) && goro::unwrap_all(rep.errors).size() <= 1) return rep.errors;
  for (const goro::Error& e : goro::unwrap_all(rep.errors))
    if (starts_with(e.message(), prefix)) return e;
  return {};
}

std::shared_ptr<Run> new_run(const Check& check) {
  auto run = std::make_shared<Run>();
  run->s = scale(check);
  return run;
}

Report call(Run& run, const std::shared_ptr<Run>& shared, const goro::Context& ctx) {
  run.t0 = goro::now();
  Report rep = run_orders(ctx, run.orders, saga_of(shared));
  run.in_flight_at_return = run.all.in_flight();
  return rep;
}

// ---- fault injection ------------------------------------------------------------------------

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
std::uint64_t call_hash(std::uint64_t seed, int id, int step, bool undo) {
  return mix(mix(mix(seed) ^ static_cast<std::uint64_t>(id)) ^ static_cast<std::uint64_t>(step * 2 + (undo ? 1 : 0)));
}
goro::Error fault_error(int step, bool undo, int id) {
  if (!undo) return step == kReserve ? ErrOutOfStock : step == kCharge ? ErrDeclined : ErrNoCourier;
  return step == kReserve ? goro::make_error(LockLost{fmt::format("the stock of order {}", id)}) : ErrRefund;
}
// About 1% of the calls fail and 1% throw; a call works for 0-3 ms (virtual) or 0-200 us (real).
CallPlan fault_plan(std::uint64_t seed, const Order& o, int step, bool undo, bool virt) {
  const std::uint64_t h = call_hash(seed, o.id, step, undo);
  CallPlan p;
  const auto u = h % 1000;
  if (u < 10) {
    p.fault = Fault::fail;
    p.err = fault_error(step, undo, o.id);
  } else if (u < 20) {
    const auto kind = (h >> 12) % 3;
    p.fault = kind == 0 ? Fault::throw_error : kind == 1 ? Fault::throw_panic : Fault::throw_value;
  }
  const auto t = static_cast<long>((h >> 24) % 4);
  p.takes = virt ? goro::Duration(std::chrono::milliseconds(t)) : goro::Duration(std::chrono::microseconds(t * 60));
  return p;
}
std::string fault_name(const CallPlan& p) {
  switch (p.fault) {
    case Fault::none: return "";
    case Fault::fail: return fmt::format("fails ({})", p.err.message());
    case Fault::throw_error: return "throws std::runtime_error";
    case Fault::throw_panic: return "panics (goro::panic)";
    case Fault::throw_value: return "throws an int";
  }
  return "";
}

// Totals over every fault-injection run of this process (the schedules and the real threads).
struct Totals {
  long long runs = 0, schedules = 0, thread_runs = 0, orders = 0, failures = 0, throws = 0, cancelled_runs = 0;
  long long succeeded = 0, compensated = 0, reported = 0;
};
Totals g_totals;

// Runs per deterministic schedule, and on real threads. On real threads a throw is costly (the
// first stack symbolized in each new thread reads the debug information), so fewer runs there.
constexpr int kRunsPerSchedule = 250;
constexpr int kRunsOnThreads = 16;

}  // namespace

// ---- checks -----------------------------------------------------------------------------------

DOJO_CHECK("every order succeeds: all of them in succeeded, in input order; no compensator runs; errors is nil",
           kHintAccount) {
  auto run = new_run(check);
  for (int i = 0; i < 9; ++i) run->add(std::string(1, static_cast<char>('a' + i % 3)), 11 + i);
  const Scale s = run->s;
  run->plan = [s](const Order& o, int, bool, int) {
    CallPlan p;
    p.takes = s.unit * (3 - o.id % 3) / 10;  // later orders of a tenant are quicker: they finish out of order
    return p;
  };
  check.say("calling run_orders(ctx, orders 11..19 of tenants a, b, c listed round-robin, saga reserve -> charge -> "
            "ship), where every service call succeeds");
  const Report rep = call(*run, run, caller_ctx());
  account(check, *run, rep);
  expect_lists(check, rep, dojo::grader::range(11, 19), {}, {});
  check.expect_ok(rep.errors, "errors");
}

DOJO_CHECK("whichever step fails, exactly the completed steps are undone, newest first, and the order is compensated",
           kHintOrder) {
  auto run = new_run(check);
  for (int id = 1; id <= 4; ++id) run->add("shop", id);
  for (int id = 5; id <= 8; ++id) run->add("mall", id);
  const Scale s = run->s;
  // Orders 1/5 fail at reserve, 2/6 at charge, 3/7 at ship; 4 and 8 succeed.
  run->plan = [s](const Order& o, int step, bool undo, int) {
    CallPlan p;
    p.takes = undo ? s.unit / 2 : s.unit;
    const int fails_at = (o.id - 1) % 4;  // 0 reserve, 1 charge, 2 ship, 3 none
    if (!undo && step == fails_at) {
      p.fault = Fault::fail;
      p.err = step == kReserve ? ErrOutOfStock : step == kCharge ? ErrDeclined : ErrNoCourier;
    }
    return p;
  };
  check.say("calling run_orders(ctx, orders 1-4 of tenant shop and 5-8 of tenant mall), where reserve fails for orders "
            "1 and 5 (ErrOutOfStock), charge for 2 and 6 (ErrDeclined), ship for 3 and 7 (ErrNoCourier)");
  const Report rep = call(*run, run, caller_ctx());
  account(check, *run, rep);
  expect_lists(check, rep, {4, 8}, {1, 2, 3, 5, 6, 7}, {});
  const std::array<std::pair<int, const char*>, 3> starts = {
      std::pair{1, "order 1: step reserve: out of stock"}, std::pair{2, "order 2: step charge: card declined"},
      std::pair{3, "order 3: step ship: no courier available"}};
  for (const auto& [id, text] : starts) {
    const goro::Error err = error_of(rep, id);
    check.expect(err && starts_with(err.message(), text), fmt::format("an error for order {} that starts with \"{}\"", id, text),
                 Check::describe_error(err), "Wrap as goro::errorf(\"order {}: {:w}\", id, goro::join(\"step <name>: {:w}\", ...)).");
  }
}

DOJO_CHECK("a step that throws is that order's failure: recovered as a PanicError, and the order is compensated",
           kHintPanic) {
  auto run = new_run(check);
  for (int id = 1; id <= 4; ++id) run->add("shop", id);
  for (int id = 5; id <= 7; ++id) run->add("mall", id);
  const Scale s = run->s;
  // Order 1: charge throws std::runtime_error; 2: ship panics; 3: reserve throws an int.
  run->plan = [s](const Order& o, int step, bool undo, int) {
    CallPlan p;
    p.takes = s.unit;
    if (undo) return p;
    if (o.id == 1 && step == kCharge) p.fault = Fault::throw_error;
    if (o.id == 2 && step == kShip) p.fault = Fault::throw_panic;
    if (o.id == 3 && step == kReserve) p.fault = Fault::throw_value;
    return p;
  };
  check.say("calling run_orders(ctx, orders 1-4 of tenant shop and 5-7 of tenant mall), where order 1's charge throws "
            "std::runtime_error, order 2's ship calls goro::panic and order 3's reserve throws an int");
  const Report rep = call(*run, run, caller_ctx());
  account(check, *run, rep);
  expect_lists(check, rep, {4, 5, 6, 7}, {1, 2, 3}, {}, kHintPanic);
  const goro::Error err1 = error_of(rep, 1);
  const auto p1 = check.expect_as<goro::PanicError>(err1, "goro::PanicError (order 1's charge)", kHintPanic);
  check.expect(p1.value == "charge crashed on order 1 (std::runtime_error)",
               "the panic's value \"charge crashed on order 1 (std::runtime_error)\"",
               fmt::format("its value \"{}\"", p1.value),
               "goro::catch_panic builds the PanicError from whatever was thrown; do not make one by hand.");
  check.expect(starts_with(err1.message(), "order 1: step charge: panic: charge crashed"),
               "an error for order 1 that starts with \"order 1: step charge: panic: charge crashed\"",
               Check::describe_error(err1));
}

DOJO_CHECK("a compensator that fails or throws: the order is reported, every error kept, and the rollback still finishes",
           kHintKeepGoing) {
  auto run = new_run(check);
  for (int id = 1; id <= 4; ++id) run->add(id % 2 == 1 ? "shop" : "mall", id);
  const Scale s = run->s;
  // Order 1: ship fails, refund throws. 2: charge fails, release fails (LockLost). 3: ship fails,
  // refund fails (ErrRefund). 4 succeeds.
  run->plan = [s](const Order& o, int step, bool undo, int) {
    CallPlan p;
    p.takes = undo ? s.unit / 2 : s.unit;
    auto fail = [&](goro::Error e) {
      p.fault = Fault::fail;
      p.err = std::move(e);
    };
    if (o.id == 1 && !undo && step == kShip) fail(ErrNoCourier);
    if (o.id == 1 && undo && step == kCharge) p.fault = Fault::throw_error;
    if (o.id == 2 && !undo && step == kCharge) fail(ErrDeclined);
    if (o.id == 2 && undo && step == kReserve) fail(goro::make_error(LockLost{"the stock of order 2"}));
    if (o.id == 3 && !undo && step == kShip) fail(ErrNoCourier);
    if (o.id == 3 && undo && step == kCharge) fail(ErrRefund);
    return p;
  };
  check.say("calling run_orders(ctx, orders 1-4 of tenants shop and mall), where order 1's ship fails and its refund "
            "throws; order 2's charge fails and its release fails with LockLost; order 3's ship fails and its refund "
            "fails with ErrRefund");
  const Report rep = call(*run, run, caller_ctx());
  account(check, *run, rep);
  expect_lists(check, rep, {4}, {}, {1, 2, 3});
  const goro::Error err1 = error_of(rep, 1);
  check.expect_is(err1, ErrNoCourier, "ErrNoCourier in order 1's error (the step that failed)",
                  "The step's error comes first in the order's error, the compensators' after it: goro::join keeps both.");
  check.expect_as<goro::PanicError>(err1, "goro::PanicError in order 1's error (its refund threw)", kHintPanic);
  check.expect(starts_with(err1.message(), "order 1: step ship: no courier available") &&
                   err1.message().find("compensate charge: panic: refund crashed on order 1") != std::string::npos,
               "an error for order 1 that starts with \"order 1: step ship: no courier available\" and names "
               "\"compensate charge: panic: refund crashed on order 1\" (charge is the step its refund undoes)",
               Check::describe_error(err1),
               "Wrap each compensator's error as goro::errorf(\"compensate {}: {:w}\", step.name, err).");
  const goro::Error err2 = error_of(rep, 2);
  check.expect_is(err2, ErrDeclined, "ErrDeclined in order 2's error");
  const auto lost = check.expect_as<LockLost>(err2, "LockLost in order 2's error (its release failed)", kHintWrap);
  check.expect(lost.what == "the stock of order 2", "LockLost{\"the stock of order 2\"}",
               fmt::format("LockLost{{\"{}\"}}", lost.what));
  const goro::Error err3 = error_of(rep, 3);
  check.expect(goro::is(err3, ErrNoCourier) && goro::is(err3, ErrRefund),
               "order 3's error holding ErrNoCourier and ErrRefund", Check::describe_error(err3), kHintKeepGoing);
}

DOJO_CHECK("each tenant has at most 4 orders in progress at once, and uses all 4", kHintLimit) {
  auto run = new_run(check);
  for (int i = 0; i < 36; ++i) run->add(std::string(1, static_cast<char>('a' + i % 3)), 101 + i);
  const Scale s = run->s;
  run->plan = [s](const Order&, int step, bool, int) {
    CallPlan p;
    p.takes = s.unit;
    p.gate_full = step == kReserve;
    return p;
  };
  check.say("calling run_orders(ctx, 36 orders listed round-robin for tenants a, b, c, 12 each); every call takes " +
            dur(s.unit));
  const Report rep = call(*run, run, caller_ctx());
  const goro::Duration took = goro::now() - run->t0;
  for (const auto& name : run->tenant_order) {
    const int peak = run->tenant(name).calls.peak();
    check.expect(peak <= kPerTenant, fmt::format("at most {} of tenant {}'s orders in progress at once", kPerTenant, name),
                 fmt::format("{} of its orders were in progress at once{}", peak,
                             peak >= 12 ? " — all of them: nothing limited the tenant (set_limit must come before "
                                          "the group's first go())"
                                        : ""),
                 mistake::over_limit);
  }
  for (const auto& name : run->tenant_order) {
    const int peak = run->tenant(name).calls.peak();
    check.expect(peak == kPerTenant, fmt::format("tenant {} uses its {} places: {} orders in progress at once", name,
                                                 kPerTenant, kPerTenant),
                 fmt::format("never more than {} of its orders were in progress{}", peak,
                             run->all.peak() <= kPerTenant
                                 ? fmt::format(" — and all the tenants together never more than {}: they share one "
                                               "limit",
                                               run->all.peak())
                                 : std::string()),
                 {mistake::serialized, "The orders of a tenant run in parallel, up to kPerTenant at once, and the "
                                       "tenants side by side: each with places of its own."});
  }
  account(check, *run, rep);
  if (check.deterministic()) {
    check.expect(run->all.peak() == 3 * kPerTenant, "12 orders in progress at once: 4 for each of the 3 tenants",
                 fmt::format("at most {} orders were in progress at once", run->all.peak()),
                 {run->all.peak() < 3 * kPerTenant ? mistake::serialized : mistake::over_limit, kHintLimit});
    check.expect(took == 9 * s.unit, fmt::format("run_orders returns at {}: 3 rounds of 4 orders per tenant, 3 steps each",
                                                 offset(9 * s.unit)),
                 fmt::format("it returned at {}", offset(took)), mistake::wrong_timing);
  }
  check.report(fmt::format("peak per tenant {}, all tenants together {}", run->tenant("a").calls.peak(),
                           run->all.peak()));
}

DOJO_CHECK("a slow tenant does not hold up a fast one listed after it",
           "A tenant whose 4 places are taken may make only its OWN orders wait. Whatever starts the orders must not "
           "sit in the slow tenant's blocking go() while other tenants' orders wait behind it (a task per tenant, "
           "starting that tenant's orders, does this), and the tenants must not share one limit.") {
  auto run = new_run(check);
  for (int id = 1; id <= 12; ++id) run->add("slow", id);
  for (int id = 13; id <= 16; ++id) run->add("fast", id);
  const bool virt = check.deterministic();
  const goro::Duration slow_takes = virt ? goro::Duration(1s) : goro::Duration(3s);
  const goro::Duration fast_takes = virt ? goro::Duration(10ms) : goro::Duration(1ms);
  // On real threads slow's reserve ends early once fast has finished: the verdict is the order of
  // events (how many of slow's orders had started when fast finished), not the clock.
  auto fast_done = goro::make_chan<goro::Unit>();
  struct Seen {
    std::atomic<bool> done{false};
    std::atomic<int> slow_started{0};
    std::mutex mu;
    goro::Duration at{0};
  };
  auto seen = std::make_shared<Seen>();
  run->plan = [=](const Order& o, int step, bool, int) {
    CallPlan p;
    if (o.tenant == "slow") {
      if (step == kReserve) {
        p.takes = slow_takes;
        p.gate_full = true;  // slow's first 4 reserves start their work together: it uses its 4 places
        if (!virt) p.until = fast_done;
      }
    } else {
      p.takes = fast_takes;
    }
    return p;
  };
  run->on_effect = [seen, fast_done](Run& r, TenantProbe& t, const Order&, int step, bool undo) {
    if (t.name != "fast" || undo || step != kShip || t.shipped.load() != t.orders || seen->done.exchange(true)) return;
    seen->slow_started.store(r.tenant("slow").nth[0][kReserve].load());
    {
      std::lock_guard lk(seen->mu);
      seen->at = goro::now() - r.t0;
    }
    fast_done.close();
  };
  check.say(virt ? "calling run_orders(ctx, slow's 12 orders, then fast's 4); slow's reserve takes 1s, every call of "
                   "fast's takes 10ms"
                 : "calling run_orders(ctx, slow's 12 orders, then fast's 4); fast's calls take 1ms, slow's reserve "
                   "takes 3s or ends as soon as fast has finished");
  const Report rep = call(*run, run, caller_ctx());
  const goro::Duration took = goro::now() - run->t0;
  account(check, *run, rep);
  const int slow_peak = run->tenant("slow").calls.peak();
  check.expect(slow_peak == kPerTenant, fmt::format("slow has {} orders in progress at once, never more", kPerTenant),
               slow_peak > kPerTenant
                   ? fmt::format("slow had {} orders in progress at once: its limit held nobody back", slow_peak)
                   : fmt::format("slow never had more than {} orders in progress", slow_peak),
               {slow_peak > kPerTenant ? mistake::over_limit : mistake::serialized, kHintLimit});
  const int slow_started = seen->slow_started.load();
  goro::Duration fast_at{0};
  {
    std::lock_guard lk(seen->mu);
    fast_at = seen->at;
  }
  std::string why;
  if (run->all.peak() <= kPerTenant)
    why = fmt::format("\nslow and fast together never had more than {} orders in progress: they share one limit, so "
                      "fast's orders waited for places held by slow's",
                      run->all.peak());
  else
    why = "\none loop starting the orders in input order waits in the slow tenant's full go(), and every tenant "
          "listed after it waits too";
  const bool in_time = virt ? fast_at == 3 * fast_takes : true;
  check.expect(in_time && slow_started <= kPerTenant,
               virt ? "tenant fast finishes its 4 orders at +30ms, while slow is still on its first 4"
                    : "tenant fast finishes its 4 orders while slow is still on its first 4",
               virt ? fmt::format("fast finished at {}, when slow had started {} orders{}", offset(fast_at), slow_started, why)
                    : fmt::format("when fast finished, slow had started {} orders{}", slow_started, why),
               {mistake::serialized, kHintLimit});
  if (virt)
    check.expect(took == 3 * slow_takes, "run_orders returns at +3s: slow's 12 orders in 3 rounds of 4",
                 fmt::format("it returned at {}", offset(took)));
  check.report(fmt::format("fast finished {}while slow had started {} orders",
                           virt ? fmt::format("at {} ", offset(fast_at)) : std::string(), slow_started));
}

DOJO_CHECK("one order's failure cancels nothing: its tenant's other orders and every other tenant finish",
           kHintNoFailFast) {
  auto run = new_run(check);
  for (int i = 0; i < 16; ++i) run->add(i % 2 == 0 ? "a" : "b", 1 + i);
  const Scale s = run->s;
  // Tenant a's second reserve fails the moment a is full; every other call works for a unit,
  // watching its context: an order cancelled by that failure would see it end.
  run->plan = [s](const Order& o, int step, bool, int nth) {
    CallPlan p;
    p.takes = s.unit;
    p.gate_full = step == kReserve;
    if (o.tenant == "a" && step == kReserve && nth == 2) {
      p.takes = goro::Duration(0);
      p.fault = Fault::fail;
      p.err = ErrOutOfStock;
    }
    return p;
  };
  check.say("calling run_orders(ctx, 16 orders listed round-robin for tenants a and b, 8 each); once 4 of a's orders "
            "are in progress, a's second reserve fails at once with ErrOutOfStock; every other call takes " +
            dur(s.unit) + " and stops if its context ends");
  const Report rep = call(*run, run, caller_ctx());
  account(check, *run, rep);
  check.expect(rep.succeeded.size() == 15 && rep.compensated.size() == 1 && rep.reported.empty(),
               "15 orders succeeded and 1 (the one whose reserve failed) compensated",
               fmt::format("{} succeeded, {} compensated, {} reported", rep.succeeded.size(), rep.compensated.size(),
                           rep.reported.size()),
               kHintNoFailFast);
}

DOJO_CHECK("the report follows the order of the input, whatever order the orders finished in", kHintAccount) {
  auto run = new_run(check);
  const std::vector<int> ids = {30, 10, 50, 20, 40, 60, 70, 80};
  for (std::size_t i = 0; i < ids.size(); ++i) run->add(i % 2 == 0 ? "north" : "south", ids[i]);
  const Scale s = run->s;
  // The later an order is listed, the sooner it finishes; 10's charge fails, 40's ship fails,
  // 70's ship fails and its refund fails.
  std::map<int, int> position;
  for (std::size_t i = 0; i < ids.size(); ++i) position[ids[i]] = static_cast<int>(i);
  run->plan = [s, position](const Order& o, int step, bool undo, int) {
    CallPlan p;
    p.takes = s.unit * (8 - position.at(o.id)) / 8;
    if (!undo && o.id == 10 && step == kCharge) {
      p.fault = Fault::fail;
      p.err = ErrDeclined;
    }
    if (!undo && (o.id == 40 || o.id == 70) && step == kShip) {
      p.fault = Fault::fail;
      p.err = ErrNoCourier;
    }
    if (undo && o.id == 70 && step == kCharge) {
      p.fault = Fault::fail;
      p.err = ErrRefund;
    }
    return p;
  };
  check.say("calling run_orders(ctx, orders 30, 10, 50, 20, 40, 60, 70, 80 alternating between tenants north and "
            "south); the later an order is listed the sooner it finishes; 10's charge fails, 40's ship fails, 70's "
            "ship and then its refund fail");
  const Report rep = call(*run, run, caller_ctx());
  account(check, *run, rep);
  expect_lists(check, rep, {30, 50, 20, 60, 80}, {10, 40}, {70}, kHintAccount);
}

DOJO_CHECK("the caller cancels while every tenant is busy: running orders roll back, the rest are compensated with "
           "Canceled, none is lost",
           kHintCancel) {
  auto run = new_run(check);
  for (int i = 0; i < 24; ++i) run->add(std::string(1, static_cast<char>('a' + i % 3)), 1 + i);
  const Scale s = run->s;
  run->plan = [s](const Order&, int step, bool undo, int) {
    CallPlan p;
    if (undo) {
      p.takes = s.unit / 2;
    } else if (step == kReserve) {
      p.takes = s.unit;
    } else {
      p.until_cancelled = true;  // charge works until its context ends
    }
    return p;
  };
  auto [ctx, cancel] = goro::with_cancel(caller_ctx());
  run->cancel = cancel;
  run->cancel_when = [](Run& r, const Order&, int step, bool undo) {
    return !undo && step == kCharge && r.charges.load() == 3 * kPerTenant;
  };
  check.say("calling run_orders(ctx, 24 orders listed round-robin for tenants a, b, c); reserve takes " + dur(s.unit) +
            ", charge works until its context ends, release takes " + dur(s.unit / 2) +
            "; the caller cancels ctx once 12 charges (4 per tenant) are in progress");
  const Report rep = call(*run, run, ctx);
  const goro::Duration took = goro::now() - run->t0;
  cancel();
  check.expect(run->caller_cancelled.load(), "the caller cancels once 4 orders of each tenant are charging",
               fmt::format("never more than {} charges were in progress at once, so the caller never cancelled",
                           run->charges.load()),
               {mistake::serialized, kHintLimit});
  check.expect(run->exhausted.load() == 0, "every charge in progress sees the caller's cancellation",
               fmt::format("{} charge(s) never saw it (they ran until the grader gave up on them)", run->exhausted.load()),
               {mistake::ignored_cancellation,
                "Hand each action the caller's ctx (or a context derived from it), so that it sees the cancellation."});
  const auto ledger = run->snapshot();
  std::vector<std::string> late;
  for (std::size_t i = 0; i < ledger.size(); ++i)
    for (const Event& e : ledger[i])
      if (!e.undo && e.began_after_cancel && late.size() < 4)
        late.push_back(fmt::format("order {}'s {}", run->orders[i].id, call_name(e)));
  check.expect(late.empty(), "no action starts after the caller has cancelled",
               fmt::format("actions started after the cancellation: {}", fmt::join(late, ", ")),
               {mistake::ignored_cancellation, kHintCancel});
  account(check, *run, rep);
  expect_lists(check, rep, {}, dojo::grader::range(1, 24), {}, kHintCancel);
  if (check.deterministic())
    check.expect(took == s.unit + s.unit / 2,
                 fmt::format("run_orders returns at {}: the cancellation at {}, then the running orders' release",
                             offset(s.unit + s.unit / 2), offset(s.unit)),
                 fmt::format("it returned at {}", offset(took)),
                 {took > s.unit + s.unit / 2 ? mistake::ignored_cancellation : mistake::wrong_timing,
                  "Once the caller cancels, the orders not started yet run no step: they are reported at once."});
}

DOJO_CHECK("an already-cancelled caller: no service is called, and every order is compensated with Canceled",
           kHintCancel) {
  auto run = new_run(check);
  for (int i = 0; i < 10; ++i) run->add(i < 5 ? "a" : "b", 1 + i);
  auto [ctx, cancel] = goro::with_cancel(caller_ctx());
  run->cancel = cancel;
  run->cancel_now();
  check.say("calling run_orders(ctx, orders 1-5 of tenant a and 6-10 of tenant b) with ctx already cancelled");
  const Report rep = call(*run, run, ctx);
  check.expect(run->calls.load() == 0, "no service called", fmt::format("services were called {} times", run->calls.load()),
               {mistake::ignored_cancellation, kHintCancel});
  account(check, *run, rep);
  expect_lists(check, rep, {}, dojo::grader::range(1, 10), {}, kHintCancel);
}

DOJO_CHECK("no orders: an empty report, errors nil", "No orders, nothing to do and nothing to report.") {
  auto run = new_run(check);
  check.say("calling run_orders(ctx, {})");
  const Report rep = call(*run, run, caller_ctx());
  expect_lists(check, rep, {}, {}, {});
  check.expect_ok(rep.errors, "errors");
}

DOJO_CHECK("fault injection: about 1% of the service calls fail and 1% throw; every order ends in exactly one outcome "
           "that agrees with what the services saw",
           "Everything at once: per-call recovery (catch_panic), a saga per order (newest-first rollback under "
           "without_cancel), per-tenant limits, no fail-fast, and a result slot per order. Rerun the failing case "
           "with the command below: its faults are the same every time.",
           dojo::grader::Options{.seeds = 4, .fair = true}) {
  const bool virt = check.deterministic();
  const std::uint64_t base = virt ? check.seed() * 1'000'000 : 9'000'000;
  const int runs = virt ? kRunsPerSchedule : kRunsOnThreads;
  check.say(fmt::format("calling run_orders {} times, with fault seeds {} to {}: each run has 2-4 tenants of 3-10 "
                        "orders, about 1% of the service calls fail and 1% throw, and in about a quarter of the runs "
                        "the caller cancels midway",
                        runs, base, base + static_cast<std::uint64_t>(runs) - 1));
  const std::array<const char*, 4> names = {"acme", "bolt", "cora", "dune"};
  for (int r = 0; r < runs; ++r) {
    const std::uint64_t fs = base + static_cast<std::uint64_t>(r);
    std::uint64_t rng = mix(fs);
    auto next = [&rng](std::uint64_t n) {
      rng = mix(rng);
      return rng % n;
    };
    auto run = new_run(check);
    // 2-4 tenants of 3-10 orders each, listed in a random interleaving, with ids in random order.
    std::vector<std::string> slots;
    const int tenants = 2 + static_cast<int>(next(3));
    for (int t = 0; t < tenants; ++t) {
      const int n = 3 + static_cast<int>(next(8));
      for (int k = 0; k < n; ++k) slots.emplace_back(names[static_cast<std::size_t>(t)]);
    }
    for (std::size_t i = slots.size(); i > 1; --i) std::swap(slots[i - 1], slots[next(i)]);
    std::vector<int> ids;
    for (std::size_t i = 0; i < slots.size(); ++i) ids.push_back(static_cast<int>(1 + i));
    for (std::size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[next(i)]);
    for (std::size_t i = 0; i < slots.size(); ++i) run->add(slots[i], ids[i]);
    const bool cancels = next(4) == 0;
    const int cancel_at = 1 + static_cast<int>(next(slots.size() * 3));
    run->plan = [fs, virt](const Order& o, int step, bool undo, int) { return fault_plan(fs, o, step, undo, virt); };

    std::vector<std::string> armed;
    for (const Order& o : run->orders)
      for (int k = 0; k < kSteps; ++k)
        for (bool undo : {false, true}) {
          if (undo && kUndo[static_cast<std::size_t>(k)] == nullptr) continue;
          const CallPlan p = fault_plan(fs, o, k, undo, virt);
          if (p.fault != Fault::none)
            armed.push_back(fmt::format("{} of order {} {}", undo ? kUndo[static_cast<std::size_t>(k)] : kDo[static_cast<std::size_t>(k)],
                                        o.id, fault_name(p)));
        }
    std::vector<std::string> counts;
    for (const auto& name : run->tenant_order) counts.push_back(fmt::format("{} x{}", name, run->tenant(name).orders));
    const std::string what = fmt::format(
        "run {} of {} (fault seed {}): run_orders(ctx, {} orders of tenants {}, interleaved){}; faults armed: {}",
        r + 1, runs, fs, run->orders.size(), fmt::join(counts, ", "),
        cancels ? fmt::format("; the caller cancels at service call #{}", cancel_at) : std::string(),
        armed.empty() ? std::string("none") : fmt::format("{}", fmt::join(armed, "; ")));

    goro::Context ctx = caller_ctx();
    goro::CancelFunc cancel;
    if (cancels) {
      std::tie(ctx, cancel) = goro::with_cancel(ctx);
      run->cancel = cancel;
      run->cancel_when = [cancel_at](Run& rr, const Order&, int, bool) { return rr.calls.load() == cancel_at; };
    }
    const Report rep = call(*run, run, ctx);
    if (cancel) cancel();
    account(check, *run, rep, "in " + what);
    ++g_totals.runs;
    g_totals.orders += static_cast<long long>(run->orders.size());
    g_totals.failures += run->failures.load();
    g_totals.throws += run->throws.load();
    g_totals.cancelled_runs += run->caller_cancelled.load() ? 1 : 0;
    g_totals.succeeded += static_cast<long long>(rep.succeeded.size());
    g_totals.compensated += static_cast<long long>(rep.compensated.size());
    g_totals.reported += static_cast<long long>(rep.reported.size());
  }
  if (virt)
    ++g_totals.schedules;
  else
    g_totals.thread_runs += runs;
  const Totals& t = g_totals;
  check.report(fmt::format("{} runs ({} on each of {} schedules, {} on real threads), {} orders, {} faults injected ({} "
                           "failures, {} throws), {} runs cancelled midway: every order accounted for — {} succeeded, "
                           "{} compensated, {} reported",
                           grouped(t.runs), kRunsPerSchedule, t.schedules, t.thread_runs, grouped(t.orders), grouped(t.failures + t.throws), grouped(t.failures),
                           grouped(t.throws), grouped(t.cancelled_runs), grouped(t.succeeded), grouped(t.compensated),
                           grouped(t.reported)));
}
