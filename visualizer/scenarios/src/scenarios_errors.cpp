// Scenarios about contexts, cancellation and how errors travel out of a group.
#include <string>
#include <vector>

#include "goro/goro.hpp"
#include "scenario_bodies.hpp"

using namespace std::chrono_literals;

namespace dojo::viz::bodies {

namespace {
inline const goro::Error ErrEnough = goro::new_error("enough results");
inline const goro::Error ErrRefused = goro::new_error("connection refused");
inline const goro::Error ErrNotFound = goro::new_error("404 not found");

/// Sleeps `d` unless ctx is cancelled first; returns ctx's cause then (nil after the sleep).
goro::Error sleep_ctx(const goro::Context& ctx, goro::Duration d) {
  if (goro::select(goro::on_recv(goro::after(d)), goro::on_recv(ctx.done())) == 1) return goro::cause(ctx);
  return {};
}
}  // namespace

// main cancels after three results. `careful` notices and returns; `careless` never looks at
// ctx, keeps working, and blocks forever on its next send.
void ignored_cancellation() {
  auto [ctx, cancel] = goro::with_cancel_cause(goro::background());
  auto results = goro::make_chan<int>();
  goro::ErrGroup g;
  g.go_named("careful", [ctx, results]() -> goro::Error {
    for (int i = 1;; ++i) {
      if (auto err = sleep_ctx(ctx, 10ms)) return goro::errorf("careful: stopping after {} jobs: {:w}", i - 1, err);
      if (goro::select(goro::on_send(results, i), goro::on_recv(ctx.done())) == 1)
        return goro::errorf("careful: result {} not delivered: {:w}", i, goro::cause(ctx));
    }
  });
  goro::go_named("careless", [results] {
    for (int i = 100;; ++i) {
      goro::sleep(15ms);  // BUG: never checks ctx
      results.send(i);    // blocks forever once main stops receiving
    }
  });
  for (int got = 0; got < 3; ++got) (void)results.recv();
  cancel(goro::errorf("main: got 3 results: {:w}", ErrEnough));
  (void)g.wait();  // careful returns; careless is still running — main returns anyway
}

// The worker checks ctx.err() and then sends without a select: when main's cancel slips in
// between the check and the send, the send blocks forever. Whether it does depends on the
// schedule — a scenario for "You are the scheduler".
void check_then_send() {
  auto [ctx, cancel] = goro::with_cancel_cause(goro::background());
  auto results = goro::make_chan<int>();
  goro::go_named("worker", [ctx, results] {
    for (int i = 1; i <= 5; ++i) {
      goro::sleep(5ms);       // some work
      if (ctx.err()) return;  // checked here...
      results.send(i * i);    // BUG: ...but not while blocked here
    }
  });
  for (int k = 0; k < 2; ++k) (void)results.recv();  // two results are all main needs
  goro::sleep(5ms);  // wrapping up
  cancel(goro::errorf("main: two results are enough: {:w}", ErrEnough));
}

// Three fetches. An errgroup with a context returns the first error and cancels the rest;
// collecting every error and joining them keeps all of them.
void first_error_vs_join() {
  auto fetch = [](const goro::Context& ctx, const std::string& name, goro::Duration took,
                  goro::Error fails_with) -> goro::Error {
    if (auto err = sleep_ctx(ctx, took)) return goro::errorf("fetch {}: {:w}", name, err);
    if (fails_with) return goro::errorf("fetch {}: {:w}", name, fails_with);
    return {};
  };
  // 1. errgroup: the first error wins and cancels the siblings.
  {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    g.go_named("first:users", [=] { return fetch(ctx, "users", 10ms, {}); });
    g.go_named("first:orders", [=] { return fetch(ctx, "orders", 20ms, goro::errorf("dial db:5432: {:w}", ErrRefused)); });
    g.go_named("first:stock", [=] { return fetch(ctx, "stock", 40ms, goro::errorf("GET /stock: {:w}", ErrNotFound)); });
    (void)g.wait();  // "fetch orders: dial db:5432: connection refused"; stock was cancelled
  }
  // 2. every error: each fetch runs to the end; the errors are joined.
  goro::ErrGroup all;
  all.go_named("join:collect", [fetch]() -> goro::Error {
    auto ctx = goro::background();
    std::vector<goro::Error> errs(3);
    goro::WaitGroup wg;
    auto start = [&](std::size_t i, const char* name, goro::Duration took, goro::Error fails_with) {
      wg.add(1);
      goro::go_named(fmt::format("join:{}", name), [&, i, name, took, fails_with] {
        errs[i] = fetch(ctx, name, took, fails_with);
        wg.done();
      });
    };
    start(0, "users", 10ms, {});
    start(1, "orders", 20ms, goro::errorf("dial db:5432: {:w}", ErrRefused));
    start(2, "stock", 40ms, goro::errorf("GET /stock: {:w}", ErrNotFound));
    wg.wait();
    if (auto err = goro::join(errs)) return goro::errorf("fetch all: {:w}", err);
    return {};
  });
  (void)all.wait();
}

// A request with a 100 ms budget; workers under derived contexts (one with a child of its
// own). The deadline cancels the whole tree at once, and every worker reports it.
void deadline_cascade() {
  auto [req, cancel] = goro::with_timeout(goro::background(), 100ms);
  auto [g, ctx] = goro::ErrGroup::with_context(req);
  for (int w = 1; w <= 3; ++w) {
    g.go_named(fmt::format("worker-{}", w), [ctx, w]() -> goro::Error {
      auto [mine, done] = goro::with_cancel(ctx);
      goro::ErrGroup sub;
      if (w == 2) {
        // A child with its own, longer budget: the parent's deadline still wins.
        auto [idx, idx_done] = goro::with_timeout(mine, 1s);
        sub.go_named("worker-2/index", [idx, idx_done]() -> goro::Error {
          auto err = sleep_ctx(idx, 300ms);
          idx_done();
          return err ? goro::errorf("rebuild index: {:w}", err) : goro::Error{};
        });
      }
      goro::Error err;
      for (int step = 1; step <= 4 && !err; ++step)
        if (auto e = sleep_ctx(mine, std::chrono::milliseconds(20 + 10 * w)))
          err = goro::errorf("worker {}: step {}: {:w}", w, step, e);
      if (w == 2)
        if (auto e = sub.wait()) err = goro::join(err, e);
      done();
      return err;
    });
  }
  (void)g.wait();
  cancel();
}

}  // namespace dojo::viz::bodies
