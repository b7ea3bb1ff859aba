// The reference solutions of exercises 11 and later, each driven on a small input that shows the
// exercise's idea (see scenarios_solutions_a.cpp for how they are built and driven).
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercises/11_saga/saga.hpp"
#include "exercises/12_saga_persist/saga_persist.hpp"
#include "exercises/13_panic/panic.hpp"
#include "exercises/14_bulkhead/bulkhead.hpp"
#include "exercises/15_breaker/breaker.hpp"
#include "exercises/16_dlq/dlq.hpp"
#include "exercises/17_cursor/cursor.hpp"
#include "exercises/18_hedged/hedged.hpp"
#include "exercises/19_batcher/batcher.hpp"
#include "exercises/20_integration/integration.hpp"
#include "goro/goro.hpp"
#include "driver_support.hpp"
#include "scenario_bodies.hpp"

using namespace std::chrono_literals;

namespace dojo::viz::bodies {

namespace {
inline const goro::Error ErrNoCourier = goro::new_error("no courier available");
inline const goro::Error ErrRefund = goro::new_error("refund rejected by the bank");
inline const goro::Error ErrQuota = goro::new_error("storage quota exceeded");
inline const goro::Error ErrProvider = goro::new_error("payment provider unavailable");
inline const goro::Error ErrWarehouse = goro::new_error("warehouse rejected the batch");
inline const goro::Error ErrMailer = goro::new_error("mail server unavailable");
inline const goro::Error ErrDeclinedCard = goro::new_error("card declined");

/// A request to a service task and the channel its answer comes back on.
struct Request {
  std::string what;
  goro::Chan<goro::Error> reply;
};

/// A service that answers each request after `d`: with `fails` for the requests it names.
void serve(goro::Chan<Request> in, goro::Duration d, std::vector<std::pair<std::string, goro::Error>> fails) {
  for (Request req : in) {
    goro::sleep(d);
    goro::Error answer;
    for (const auto& [what, err] : fails)
      if (what == req.what) answer = err;
    req.reply.send(answer);
  }
}

/// One call of a service: send the request, wait for its answer.
goro::Error call(goro::Chan<Request> svc, const std::string& what) {
  auto reply = goro::make_chan<goro::Error>(1);
  svc.send(Request{what, reply});
  return reply.recv().value;
}
}  // namespace

void ex11_saga() {
  // Three services, each a task: the shop's saga talks to them over channels.
  auto stock = goro::make_chan<Request>();
  auto payments = goro::make_chan<Request>();
  auto courier = goro::make_chan<Request>();
  goro::WaitGroup services;
  services.add(3);
  goro::go_named("stock-service", [stock, &services] { serve(stock, 20ms, {}); services.done(); });
  goro::go_named("payments-service", [payments, &services] {
    serve(payments, 40ms, {{"refund", ErrRefund}});
    services.done();
  });
  goro::go_named("courier-service", [courier, &services] {
    serve(courier, 60ms, {{"book", ErrNoCourier}});
    services.done();
  });

  goro::ErrGroup g;
  g.go_named("checkout", [=]() -> goro::Error {
    using dojo::ex11::Step;
    std::vector<Step> steps{
        {"reserve", [=](const goro::Context&) { return call(stock, "reserve"); },
         [=](const goro::Context&) { return call(stock, "release"); }},
        {"charge", [=](const goro::Context&) { return call(payments, "charge"); },
         [=](const goro::Context&) { return call(payments, "refund"); }},
        {"book", [=](const goro::Context&) { return call(courier, "book"); },
         [=](const goro::Context&) { return call(courier, "cancel"); }},
        {"confirm", [=](const goro::Context&) { return call(stock, "confirm"); }, {}},
    };
    if (goro::Error err = dojo::ex11::run_saga(goro::background(), steps))
      return goro::errorf("order 1042: {:w}", err);
    return {};
  });
  (void)g.wait();
  stock.close();
  payments.close();
  courier.close();
  services.wait();
}

void ex12_saga_persist() {
  // The same shop, with the saga's state in an SQLite file. Process 1 is shut down (its context
  // cancelled) while the card is being charged; process 2 starts on the same file and resumes
  // at book, reusing the keys saved for the steps already reached.
  std::string tmpl = (std::filesystem::temp_directory_path() / "dojo-viz-saga-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return;
  const std::string state = tmpl + "/state.db";
  auto stock = goro::make_chan<Request>();
  auto payments = goro::make_chan<Request>();
  auto courier = goro::make_chan<Request>();
  goro::WaitGroup services;
  services.add(3);
  goro::go_named("stock-service", [stock, &services] { serve(stock, 20ms, {}); services.done(); });
  goro::go_named("payments-service", [payments, &services] { serve(payments, 40ms, {}); services.done(); });
  goro::go_named("courier-service", [courier, &services] { serve(courier, 60ms, {}); services.done(); });

  int issued = 0;
  const dojo::ex12::NewKey new_key = [&issued] { return "key-" + std::to_string(++issued); };
  auto steps = [=](const goro::CancelFunc& shutdown) {
    using dojo::ex12::Step;
    return std::vector<Step>{
        {"reserve", [=](const goro::Context&, const std::string& key) { return call(stock, "reserve " + key); },
         [=](const goro::Context&, const std::string& key) { return call(stock, "release " + key); }},
        {"charge",
         [=](const goro::Context&, const std::string& key) {
           goro::Error err = call(payments, "charge " + key);
           if (shutdown) shutdown();  // the process is told to stop while the charge completes
           return err;
         },
         [=](const goro::Context&, const std::string& key) { return call(payments, "refund " + key); }},
        {"book", [=](const goro::Context&, const std::string& key) { return call(courier, "book " + key); },
         [=](const goro::Context&, const std::string& key) { return call(courier, "cancel " + key); }},
        {"confirm", [=](const goro::Context&, const std::string& key) { return call(stock, "confirm " + key); }, {}},
    };
  };
  {
    goro::ErrGroup g;
    g.go_named("process-1", [&]() -> goro::Error {
      auto [ctx, shutdown] = goro::with_cancel(goro::background());
      goro::Error err = dojo::ex12::run_saga(ctx, state, steps(shutdown), new_key);
      shutdown();
      return err ? goro::errorf("process 1: {:w}", err) : goro::Error{};
    });
    (void)g.wait();
  }
  {
    goro::ErrGroup g;
    g.go_named("process-2", [&]() -> goro::Error {
      return dojo::ex12::run_saga(goro::background(), state, steps(nullptr), new_key);
    });
    (void)g.wait();
  }
  stock.close();
  payments.close();
  courier.close();
  services.wait();
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}


// Exercise 13: six records through produce → transform → consume. The old parser in transform
// throws on record 4; the transform task recovers it into a PanicError, the group cancels the
// other two stages, and the caller gets "transform: panic: ..." instead of a crashed program.
void ex13_panic() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    dojo::ex13::Stages stages;
    stages.produce = [](int i) { return i + 1; };
    stages.transform = [](const goro::Context& ctx, int v) {
      (void)work_for(ctx, 10ms, fmt::format("parse record {}", v));
      if (v == 4) throw std::runtime_error(fmt::format("unreadable record {}", v));
      return v * 100;
    };
    stages.consume = [](const goro::Context& ctx, int v) -> goro::Error {
      return work_for(ctx, 20ms, fmt::format("store {}", v));
    };
    if (goro::Error err = dojo::ex13::run_pipeline(goro::background(), 6, stages))
      return goro::errorf("import: {:w}", err);
    return {};
  });
  (void)g.wait();
}


// Exercise 14: three tenants behind their bulkheads. "slow" has 16 jobs of 1 s, "fast" 8 jobs of
// 10 ms listed after slow's, "bad" 12 jobs whose third fails after 50 ms. slow fills its 8 places
// and waits in its own group's go(); fast's jobs start at once and finish at +10ms; bad's failure
// cancels bad's other jobs only. The caller gets "tenant bad: ..." and nothing else.
void ex14_bulkhead() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    std::vector<dojo::ex14::Job> jobs;
    for (int i = 1; i <= 16; ++i) jobs.push_back({"slow", i});
    for (int i = 1; i <= 8; ++i) jobs.push_back({"fast", i});
    for (int i = 1; i <= 12; ++i) jobs.push_back({"bad", i});
    auto handle = [](const goro::Context& ctx, const dojo::ex14::Job& job) -> goro::Error {
      if (job.tenant == "slow") return work_for(ctx, 1s, fmt::format("report {}", job.id));
      if (job.tenant == "fast") return work_for(ctx, 10ms, fmt::format("lookup {}", job.id));
      if (job.id == 3) {
        if (goro::Error err = work_for(ctx, 50ms, "export 3")) return err;
        return goro::errorf("export 3: {:w}", ErrQuota);
      }
      return work_for(ctx, 200ms, fmt::format("export {}", job.id));
    };
    if (goro::Error err = dojo::ex14::run_tenants(goro::background(), jobs, handle))
      return goro::errorf("nightly jobs: {:w}", err);
    return {};
  });
  (void)g.wait();
}


// Exercise 15: the reference stage in front of a payment provider that fails its first 6 calls.
// One order a second, and a 10 s cooldown (the exercise's default is 30 s) to keep the run short.
// Orders 0-4 fail and open the breaker at +4s; the orders of the next 10 s get ErrCircuitOpen
// without reaching the provider; the first trial fails and reopens it; the second succeeds and
// closes it, and the last orders go through.
void ex15_breaker() {
  auto orders = goro::make_chan<int>();
  auto outcomes = goro::make_chan<dojo::ex15::Outcome>();
  goro::ErrGroup g;
  g.go_named("feeder", [orders]() -> goro::Error {
    for (int i = 0; i < 32; ++i) {
      orders.send(i);
      goro::sleep(1s);
    }
    orders.close();
    return {};
  });
  g.go_named("order-service", [orders, outcomes]() -> goro::Error {
    dojo::ex15::Breaker breaker(5, 10s);  // 5 consecutive failures, 10 s cooldown
    int calls = 0;
    auto pay = [&calls](const goro::Context& ctx, int order) -> goro::Error {
      if (goro::Error err = work_for(ctx, 100ms, fmt::format("pay order {}", order))) return err;
      return ++calls <= 6 ? ErrProvider : goro::Error{};
    };
    return dojo::ex15::stage(goro::background(), orders, outcomes, breaker, pay);
  });
  g.go_named("caller", [outcomes]() -> goro::Error {
    int refused = 0, failed = 0, placed = 0;
    for (const dojo::ex15::Outcome& o : outcomes) {
      if (goro::is(o.err, dojo::ex15::ErrCircuitOpen)) ++refused;
      else if (o.err) ++failed;
      else ++placed;
    }
    if (refused + failed > 0)
      return goro::errorf("checkout: {} orders placed, {} failed at the provider, {} refused: {:w}", placed, failed,
                          refused, dojo::ex15::ErrCircuitOpen);
    return {};
  });
  (void)g.wait();
}


// Exercise 18, on the simulated HTTP client (src/sim_http.cpp): three replicas and a 50 ms hedge
// delay. Replica a is slow (300 ms); at +50ms the hedge asks b, which fails at +70ms and makes
// the fetch ask c at once; c answers at +110ms and wins, and a's request is cancelled. Then a
// second fetch whose replicas all fail: every error joined, each naming its replica.
void ex18_hedged() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    auto prices = dojo::ex18::hedged_fetch(
        goro::background(),
        {"http://a.test/prices?ms=300", "http://b.test/prices?ms=20&status=503", "http://c.test/prices?ms=40"}, 50ms);
    if (!prices) return goro::errorf("render product page: prices: {:w}", prices.error());
    auto reviews = dojo::ex18::hedged_fetch(
        goro::background(), {"http://a.test/reviews?ms=30&status=500", "http://b.test/reviews?ms=20&status=503"},
        50ms);
    if (!reviews) return goro::errorf("render product page: reviews: {:w}", reviews.error());
    return {};
  });
  (void)g.wait();
}


// Exercise 17: a stream of 8 orders consumed with a cursor file saved every 3 events. Process 1
// handles 0..2, saves "3", handles 3 and 4, and is shut down while it handles 5. Process 2 opens
// the same file, resumes where the cursor says, handles what was not saved again (at least once,
// at most 3 twice) and finishes the stream, leaving "8" in the file.
void ex17_cursor() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "dojo-viz-cursor-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return;
  const std::string cursor = tmpl + "/cursor";
  const dojo::ex17::Subscribe subscribe = [](const goro::Context& ctx, std::int64_t from) {
    auto events = goro::make_chan<dojo::ex17::Event>();
    goro::go_named("stream", [ctx, events, from] {
      for (std::int64_t i = from; i < 8; ++i)
        if (goro::select(goro::on_send(events, dojo::ex17::Event{i, fmt::format("order {}", 1000 + i)}),
                         goro::on_recv(ctx.done())) == 1)
          break;
      events.close();
    });
    return events;
  };
  auto handle = [](const goro::CancelFunc& shutdown) {
    return [shutdown](const goro::Context& ctx, const dojo::ex17::Event& e) -> goro::Error {
      if (goro::Error err = work_for(ctx, 10ms, "store " + e.payload)) return err;
      if (shutdown && e.offset == 5) shutdown();  // the process is told to stop
      return {};
    };
  };
  {
    goro::ErrGroup g;
    g.go_named("process-1", [&]() -> goro::Error {
      auto [ctx, shutdown] = goro::with_cancel(goro::background());
      goro::Error err = dojo::ex17::consume(ctx, cursor, subscribe, handle(shutdown), 3);
      shutdown();
      if (err) return goro::errorf("process 1: stopped: {:w}", err);
      return {};
    });
    (void)g.wait();
  }
  {
    goro::ErrGroup g;
    g.go_named("process-2", [&]() -> goro::Error {
      return dojo::ex17::consume(goro::background(), cursor, subscribe, handle(nullptr), 3);
    });
    (void)g.wait();
  }
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}


// Exercise 19: a burst of 120 events, then single events at +400ms and +1.7s, and the input
// closed at +3s. The batcher flushes 100 at once for size; event 100 opens a new window, so
// batch 2 is flushed by time at +1s — and the warehouse rejects it three times, 100 ms apart, so
// it goes to the dead-letter queue. The last event is flushed at its window's end.
void ex19_batcher() {
  auto events = goro::make_chan<dojo::ex19::Event>(128);  // room for the whole burst
  auto dlq = goro::make_chan<dojo::ex19::FailedBatch>();
  goro::ErrGroup g;
  g.go_named("producer", [events]() -> goro::Error {
    for (int i = 0; i < 120; ++i) events.send({i});
    goro::sleep(400ms);
    events.send({120});
    goro::sleep(1300ms);
    events.send({121});
    goro::sleep(1300ms);
    events.close();
    return {};
  });
  g.go_named("caller", [events, dlq]() -> goro::Error {
    goro::Error dead;
    int dead_batches = 0;
    goro::WaitGroup reader;
    reader.add(1);
    goro::go_named("dlq-reader", [dlq, &dead, &dead_batches, &reader] {
      for (const dojo::ex19::FailedBatch& f : dlq) {
        ++dead_batches;
        if (!dead) dead = f.reason;
      }
      reader.done();
    });
    auto flush = [](const goro::Context& ctx, const dojo::ex19::Batch& batch) -> goro::Error {
      if (goro::Error err = work_for(ctx, 20ms, fmt::format("store {} events", batch.size()))) return err;
      if (batch.front().id == 100) return ErrWarehouse;  // this batch is always refused
      return {};
    };
    goro::Error err = dojo::ex19::run_batcher(goro::background(), events, flush, dlq);
    dlq.close();  // run_batcher never closes it: its owner does, once the batcher has returned
    reader.wait();
    if (err) return goro::errorf("ingest: {:w}", err);
    if (dead) return goro::errorf("ingest: {} batch dead-lettered: {:w}", dead_batches, dead);
    return {};
  });
  (void)g.wait();
}


// Exercise 16: eight orders through the reference stage, with a slow dead-letter reader. Order 2
// fails twice and succeeds on its third attempt (+0, +100ms, +300ms); order 3 is poison and is
// dead-lettered at once; order 5 fails every attempt and is dead-lettered with its last error.
// Each dead letter waits for the slow reader: backpressure, nothing dropped.
void ex16_dlq() {
  auto in = goro::make_chan<dojo::ex16::Item>();
  auto done = goro::make_chan<dojo::ex16::Item>();
  auto dlq = goro::make_chan<dojo::ex16::DeadLetter>();
  goro::ErrGroup g;
  g.go_named("upstream", [in]() -> goro::Error {
    for (int id = 1; id <= 8; ++id) in.send({id, fmt::format("order {}", id)});
    in.close();
    return {};
  });
  g.go_named("stage", [in, done, dlq]() -> goro::Error {
    auto attempts = std::make_shared<std::map<int, int>>();
    auto process = [attempts](const goro::Context& ctx, const dojo::ex16::Item& item) -> goro::Error {
      const int n = ++(*attempts)[item.id];
      if (goro::Error err = work_for(ctx, 10ms, "mail " + item.payload)) return err;
      if (item.id == 3) return goro::errorf("order 3 has no address: {:w}", dojo::ex16::ErrPoison);
      if (item.id == 5 || (item.id == 2 && n < 3)) return goro::errorf("attempt {}: {:w}", n, ErrMailer);
      return {};
    };
    return dojo::ex16::run_stage(goro::background(), in, done, dlq, process);
  });
  g.go_named("done-reader", [done]() -> goro::Error {
    for (const dojo::ex16::Item& item : done) (void)item;
    return {};
  });
  g.go_named("dlq-reader", [dlq]() -> goro::Error {
    std::vector<goro::Error> dead;
    for (;;) {
      goro::sleep(30ms);  // a slow reader: every dead letter waits for it
      auto [letter, ok] = dlq.recv();
      if (!ok) break;
      dead.push_back(letter.reason);
    }
    if (dead.empty()) return {};
    return goro::errorf("mailing: {} orders dead-lettered: {:w}", dead.size(), goro::join(dead));
  });
  (void)g.wait();
}


// Exercise 20: six orders of two tenants, each a saga of reserve, charge and ship, behind per-tenant
// limits. Order 3's charge is declined: its stock is released and it is compensated, while the
// other orders go on. Order 6's shipment fails and its refund throws: the panic is recovered,
// the rollback still releases the stock, and order 6 is reported. The caller gets every outcome.
void ex20_integration() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    using dojo::ex20::Order;
    auto svc = [](const char* what, goro::Duration d, int fails_for, goro::Error err) {
      return [=](const goro::Context& ctx, const Order& o) -> goro::Error {
        if (goro::Error e = work_for(ctx, d, fmt::format("{} order {}", what, o.id))) return e;
        return o.id == fails_for ? err : goro::Error{};
      };
    };
    std::vector<dojo::ex20::Step> saga{
        {"reserve", svc("reserve", 20ms, 0, {}), svc("release", 10ms, 0, {})},
        {"charge", svc("charge", 30ms, 3, ErrDeclinedCard),
         [](const goro::Context& ctx, const Order& o) -> goro::Error {
           if (goro::Error e = work_for(ctx, 10ms, fmt::format("refund order {}", o.id))) return e;
           if (o.id == 6) throw std::runtime_error("refund service crashed");
           return {};
         }},
        {"ship", svc("ship", 40ms, 6, ErrNoCourier), {}},
    };
    const std::vector<Order> orders{{"north", 1}, {"south", 2}, {"north", 3},
                                    {"south", 4}, {"north", 5}, {"south", 6}};
    dojo::ex20::Report r = dojo::ex20::run_orders(goro::background(), orders, saga);
    if (r.errors)
      return goro::errorf("orders: {} succeeded, {} compensated, {} reported: {:w}", r.succeeded.size(),
                          r.compensated.size(), r.reported.size(), r.errors);
    return {};
  });
  (void)g.wait();
}

}  // namespace dojo::viz::bodies
