// The reference solutions of exercises 01–05, each driven on a small input that shows the
// exercise's idea. The code under test is the solution itself (solutions/NN_slug/*.cpp,
// compiled into dojo_viz_solutions); the drivers here only call it from named tasks and
// supply the inputs and callbacks. The solutions start their own tasks with g.go(), so those
// appear in the visualizer unnamed, with their start site in solutions/NN_slug/.
#include <string>
#include <vector>

#include "exercises/01_sum/sum.hpp"
#include "exercises/02_negative/negative.hpp"
#include "exercises/03_fetch_all/fetch_all.hpp"
#include "exercises/04_drain/drain.hpp"
#include "exercises/05_retry/retry.hpp"
#include "goro/goro.hpp"
#include "driver_support.hpp"
#include "scenario_bodies.hpp"

using namespace std::chrono_literals;

namespace dojo::viz::bodies {

namespace {
inline const goro::Error ErrHungUp = goro::new_error("client hung up");
inline const goro::Error ErrDiskFull = goro::new_error("disk full");
}  // namespace

// Exercise 01: the clean path (close, drain, nil, the total after wait), then a request whose
// client hangs up while it is in progress. Where the cancel lands depends on the schedule
// (the gallery's seed puts it after three values); wherever it lands, nothing leaks.
void ex01_sum() {
  auto results = goro::make_chan<std::string>(2);
  const std::vector<int> nums{3, 1, 4, 1, 5, 9};
  {
    goro::ErrGroup g;
    g.go_named("caller-1", [&nums, results]() -> goro::Error {
      auto total = dojo::ex01::sum(goro::background(), nums);
      if (!total) return goro::errorf("request 1: {:w}", total.error());
      results.send(fmt::format("request 1: sum = {}", *total));
      return {};
    });
    (void)g.wait();
  }
  auto [ctx, hang_up] = goro::with_cancel_cause(goro::background());
  goro::ErrGroup g;
  g.go_named("caller-2", [&nums, results, ctx = ctx]() -> goro::Error {
    auto total = dojo::ex01::sum(ctx, nums);
    if (!total) return goro::errorf("request 2: {:w}", total.error());
    results.send(fmt::format("request 2: sum = {}", *total));
    return {};
  });
  g.go_named("client-2", [hang_up = hang_up]() -> goro::Error {
    hang_up(goro::errorf("client 2: tab closed: {:w}", ErrHungUp));
    return {};
  });
  (void)g.wait();
  results.close();
  for (const auto& r : results) (void)r;
}

// Exercise 02: the producer meets -16, stops sending and fails with a wrapped ErrNegative;
// the group cancels the consumer, and the caller gets the producer's error, not a total.
void ex02_negative() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    const std::vector<int> nums{4, 8, 15, -16, 23, 42};
    auto total = dojo::ex02::sum(goro::background(), nums);
    if (!total) return goro::errorf("checkout: {:w}", total.error());
    return {};
  });
  (void)g.wait();
}

// Exercise 03: ten GETs, at most 8 in flight. /orders answers 500 after 30 ms: the group
// cancels its context and every request still in flight is aborted at that instant. The HTTP
// client is the simulated one of sim_http.cpp (virtual clock, no sockets).
void ex03_fetch_all() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    const std::vector<std::string> urls{
        "http://shop.test/users?ms=20",   "http://shop.test/cart?ms=60",
        "http://shop.test/orders?ms=30&status=500",
        "http://shop.test/stock?ms=80",   "http://shop.test/prices?ms=25",
        "http://shop.test/reviews?ms=70", "http://shop.test/images?ms=90",
        "http://shop.test/search?ms=50",  "http://shop.test/profile?ms=40",
        "http://shop.test/wishlist?ms=40",
    };
    auto bodies = dojo::ex03::fetch_all(goro::background(), urls);
    if (!bodies) return goro::errorf("render product page: {:w}", bodies.error());
    return {};
  });
  (void)g.wait();
}

// Exercise 04: stage 2 fails on item 40 (the disk is full); stage 1, blocked on sending 50,
// sees the group's context cancelled, closes its channel and stops — no item after that.
void ex04_drain() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    auto produce = [](int n) { return n * 10; };
    auto consume = [](const goro::Context& ctx, int item) -> goro::Error {
      if (goro::Error err = work_for(ctx, 10ms, fmt::format("store {}", item))) return err;
      if (item == 40) return goro::errorf("write row: {:w}", ErrDiskFull);
      return {};
    };
    if (goro::Error err = dojo::ex04::run(goro::background(), 8, produce, consume))
      return goro::errorf("import batch: {:w}", err);
    return {};
  });
  (void)g.wait();
}

// Exercise 05: four items, retried inside their tasks with backoffs of 100 ms and 200 ms.
// Item 2 succeeds on its second attempt; item 3 stays busy and gives up after 3 attempts at
// +330 ms, which cancels the group — item 4 is stopped in the middle of its backoff.
void ex05_retry() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    std::vector<int> attempts(5, 0);  // item -> attempts so far (each task touches its own)
    auto process = [&attempts](const goro::Context& ctx, int item) -> goro::Error {
      const int attempt = ++attempts[static_cast<std::size_t>(item)];
      const goro::Duration took = item == 4 ? 30ms : item == 1 ? 20ms : 10ms;
      if (goro::Error err = work_for(ctx, took, fmt::format("call {}", item))) return err;
      const bool busy = item >= 3 || (item == 2 && attempt == 1);
      if (busy) return goro::errorf("attempt {}: 503 busy: {:w}", attempt, dojo::ex05::ErrTransient);
      return {};
    };
    if (goro::Error err = dojo::ex05::process_items(goro::background(), {1, 2, 3, 4}, process))
      return goro::errorf("sync inventory: {:w}", err);
    return {};
  });
  (void)g.wait();
}

}  // namespace dojo::viz::bodies
