// The reference solutions of the bonus exercises (21 and later), each driven on a small input
// that shows the exercise's idea (see scenarios_solutions_a.cpp for how they are built and driven).
#include <string>
#include <vector>

#include "exercises/21_typed_errors/typed_errors.hpp"
#include "exercises/22_leak_hunt/leak_hunt.hpp"
#include "exercises/23_stress/stress.hpp"
#include "exercises/24_mini_group/mini_group.hpp"
#include "exercises/25_cancel_timing/cancel_timing.hpp"
#include "goro/goro.hpp"
#include "driver_support.hpp"
#include "scenario_bodies.hpp"

using namespace std::chrono_literals;

namespace dojo::viz::bodies {

namespace {
inline const goro::Error ErrShardC = goro::new_error("shard C: index corrupt");
inline const goro::Error ErrUnreadable = goro::new_error("unreadable document");
inline const goro::Error ErrSwallowed = goro::new_error("a stage swallowed an injected fault");
inline const goro::Error ErrShardA = goro::new_error("shard A: disk full");
/// The storage layer's own error for a missing row: its text is its own, and it unwraps to the
/// sentinel, which is all that classify looks at.
struct MissingRow {
  std::string table, key;
  [[nodiscard]] std::string message() const { return fmt::format("no row in {} for id '{}'", table, key); }
  [[nodiscard]] goro::Error unwrap() const { return dojo::ex21::ErrNotFound; }
};
}  // namespace

// Exercise 21: five keys looked up under a 300 ms deadline by a backend that answers in 20 ms.
// "nobody" has no row (a MissingRow, worded its own way, unwrapping to ErrNotFound): left out;
// "a b" is refused with an InvalidKeyError: reported; grace is found; "linus" waits on a database
// that never answers until the deadline passes, and lookup_all stops with the deadline, classified
// cancelled through three layers of wrapping.
void ex21_typed_errors() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    dojo::ex21::Backend backend = [](const goro::Context& ctx, const std::string& key) -> goro::Result<std::string> {
      if (key == "linus") {
        (void)ctx.done().recv();  // the database does not answer: only the deadline ends the wait
        return goro::errorf("query users: {:w}", ctx.err());
      }
      if (goro::Error err = work_for(ctx, 20ms, "query users")) return err;
      if (key == "nobody") return goro::make_error(MissingRow{"users", key});
      if (key.find(' ') != std::string::npos)
        return goro::make_error(dojo::ex21::InvalidKeyError{key, "a key has no spaces"});
      return "user " + key;
    };
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 300ms);
    goro::Result<dojo::ex21::Report> r =
        dojo::ex21::lookup_all(ctx, {"ada", "nobody", "a b", "grace", "linus"}, backend);
    cancel();
    if (!r)
      return goro::errorf("directory ({}): {:w}", dojo::ex21::to_string(dojo::ex21::classify(r.error())), r.error());
    return {};
  });
  (void)g.wait();
}

// Exercise 22: the reference search over 24 documents, every 4th a match, with a limit of 3 and a
// progress report every 100 ms. When the collector has its third hit it cancels: the matchers
// blocked on a fourth hit and the producer blocked on the next document leave by ctx.done() at
// that instant, the ticker stops, the nested group closes the hits channel, and search returns
// with no task left behind. A second search meets an unreadable document (10) and stops on it.
void ex22_leak_hunt() {
  goro::ErrGroup outer;
  outer.go_named("caller", []() -> goro::Error {
    std::vector<dojo::ex22::Doc> docs;
    for (int id = 1; id <= 24; ++id) docs.push_back({id, fmt::format("doc {}", id)});
    dojo::ex22::Match match = [](const goro::Context& ctx, const dojo::ex22::Doc& d) -> goro::Result<bool> {
      if (goro::Error err = work_for(ctx, 10ms, "match " + d.text)) return err;
      return d.id % 4 == 0;
    };
    int last = 0;
    auto progress = [&last](int scanned) { last = scanned; };
    goro::Result<std::vector<int>> r = dojo::ex22::search(goro::background(), docs, match, 3, progress);
    if (!r) return goro::errorf("first search: {:w}", r.error());
    // A second search meets a document it cannot read: the error stops it just as promptly.
    docs[9].text.clear();
    dojo::ex22::Match strict = [match](const goro::Context& ctx, const dojo::ex22::Doc& d) -> goro::Result<bool> {
      if (d.text.empty()) return ErrUnreadable;
      return match(ctx, d);
    };
    r = dojo::ex22::search(goro::background(), docs, strict, 10, progress);
    if (!r) return goro::errorf("second search: {:w}", r.error());
    return {};
  });
  (void)outer.wait();
}

// Exercise 23: the reference stress runner, 10 runs of a two-stage pipeline at a 20% fault rate.
// "read" returns its faults, so those runs fail as they should; "write" logs a fault and goes on
// (the bug the runner exists to find), so a run whose only fault hit write returns nil: the
// report names it as swallowed, with its run number and the seed that replays it.
void ex23_stress() {
  goro::ErrGroup outer;
  outer.go_named("caller", []() -> goro::Error {
    dojo::ex23::Pipeline pipeline = [](const goro::Context& parent, dojo::ex23::FaultInjector& faults) -> goro::Error {
      auto [g, ctx] = goro::ErrGroup::with_context(parent);
      auto items = goro::make_chan<int>();
      g.go_named("read", [ctx = ctx, items, &faults]() -> goro::Error {
        for (int i = 0; i < 3; ++i) {
          if (goro::Error err = faults.maybe_fail("read")) {
            items.close();
            return goro::errorf("read item {}: {:w}", i, err);
          }
          if (goro::select(goro::on_send(items, i), goro::on_recv(ctx.done())) == 1) break;
        }
        items.close();
        return {};
      });
      g.go_named("write", [items, &faults]() -> goro::Error {
        for (int item : items) {
          goro::sleep(5ms);
          (void)item;
          (void)faults.maybe_fail("write");  // the bug: the fault is dropped on the floor
        }
        return {};
      });
      return g.wait();
    };
    dojo::ex23::StressOptions opts;
    opts.runs = 10;
    opts.rate = 0.2;
    opts.seed = 7;
    dojo::ex23::StressReport r = dojo::ex23::stress(pipeline, opts);
    if (!r.problems.empty()) {
      const dojo::ex23::Problem& p = r.problems.front();
      return goro::errorf("stress report: {} runs, {} failed, {} swallowed; first: run {} (seed {}): {}: {:w}", r.runs,
                          r.failed_runs, r.swallowed, p.run, p.seed, p.detail, ErrSwallowed);
    }
    return {};
  });
  (void)outer.wait();
}

// Exercise 24: the reference MiniGroup with three shards and a watcher. Shard A starts first and
// fails at +300ms, shard B succeeds at +400ms, shard C starts last and fails first, at +100ms: its
// error cancels the group's context with itself as the cause. The watcher wakes then and cleans
// up for 1 s; wait() waits for it, and returns shard C's error — A's later one is dropped.
void ex24_mini_group() {
  goro::ErrGroup outer;
  outer.go_named("caller", []() -> goro::Error {
    auto [g, ctx] = dojo::ex24::MiniGroup::with_context(goro::background());
    g.go([] { goro::sleep(300ms); return ErrShardA; });
    g.go([] { goro::sleep(400ms); return goro::Error{}; });
    g.go([] { goro::sleep(100ms); return ErrShardC; });
    g.go([ctx = ctx]() -> goro::Error {
      (void)ctx.done().recv();
      goro::sleep(1s);  // cleaning up takes a while, and wait() waits for it
      return {};
    });
    if (goro::Error err = g.wait()) return goro::errorf("search: {:w}", err);
    return {};
  });
  (void)outer.wait();
}

// Exercise 25: the reference check_prompt on an image pipeline of three stages. At +1s the tool
// cancels: decode and upload return at once, resize finishes the 300 ms image it holds first. At
// +1.1s the limit passes with resize still alive; at +1.2s the pipeline returns and the tool
// reports the latency and names the stage.
void ex25_cancel_timing() {
  goro::ErrGroup outer;
  outer.go_named("caller", []() -> goro::Error {
    dojo::ex25::Pipeline pipeline = [](const goro::Context& parent) -> goro::Error {
      auto [g, ctx] = goro::ErrGroup::with_context(parent);
      auto stage = [ctx = ctx](goro::Duration chunk, bool cooperative) {
        return [=]() -> goro::Error {
          for (;;) {
            if (cooperative) {
              if (goro::Error err = work_for(ctx, chunk, "image")) return err;
            } else {
              goro::sleep(chunk);  // the image in hand is finished before ctx is looked at
              if (goro::Error err = ctx.err()) return err;
            }
          }
        };
      };
      g.go_named("decode", stage(40ms, true));
      g.go_named("resize", stage(300ms, false));  // mid-image at the cancel: 200 ms to go
      g.go_named("upload", stage(60ms, true));
      return g.wait();
    };
    if (goro::Error err = dojo::ex25::check_prompt(goro::background(), pipeline))
      return goro::errorf("image pipeline: {:w}", err);
    return {};
  });
  (void)outer.wait();
}

}  // namespace dojo::viz::bodies
