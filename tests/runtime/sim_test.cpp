// The deterministic mode: reproducible schedules, exploration, virtual time, diagnosis.
#include <catch2/catch.hpp>
#include <set>
#include <vector>

#include "goro/goro.hpp"
#include "goro/sim.hpp"
#include "goro/time.hpp"

using namespace std::chrono_literals;

namespace {

// A small pipeline with fan-out, a select and a close: enough choices to tell schedules apart.
void sim_pipeline() {
  auto in = goro::make_chan<int>(2);
  auto out = goro::make_chan<int>();
  goro::WaitGroup wg;
  for (int w = 0; w < 3; ++w)
    wg.go([=] {
      for (int v : in) out.send(v * 10);
    });
  goro::go([=] {
    for (int i = 0; i < 10; ++i) in.send(i);
    in.close();
  });
  goro::go([&wg, out] {
    wg.wait();
    out.close();
  });
  int sum = 0;
  for (int v : out) sum += v;
  if (sum != 450) goro::panic("wrong sum");
}

}  // namespace

TEST_CASE("sim: the same seed gives the same schedule, 100 times", "[sim]") {
  for (auto strategy : {goro::Strategy::pct, goro::Strategy::random}) {
    goro::SimOptions o;
    o.seed = 7;
    o.strategy = strategy;
    auto first = goro::simulate(o, sim_pipeline);
    REQUIRE(first.ok());
    REQUIRE(first.schedule.size() > 20);
    for (int i = 0; i < 100; ++i) {
      auto again = goro::simulate(o, sim_pipeline);
      REQUIRE(again.ok());
      REQUIRE(again.schedule == first.schedule);
    }
  }
}

TEST_CASE("sim: different seeds explore different schedules", "[sim]") {
  std::set<std::vector<std::uint64_t>> distinct;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    auto r = goro::simulate(seed, sim_pipeline);
    REQUIRE(r.ok());
    distinct.insert(r.schedule);
  }
  CHECK(distinct.size() >= 10);
}

TEST_CASE("sim: a lost update without a mutex is found within 100 seeds", "[sim]") {
  // Two tasks increment a shared counter with a goro operation between read and write.
  auto run_once = [](std::uint64_t seed) {
    int counter = 0;
    auto r = goro::simulate(seed, [&counter] {
      auto log = goro::make_chan<int>(16);
      goro::WaitGroup wg;
      for (int t = 0; t < 2; ++t)
        wg.go([&counter, log] {
          int v = counter;  // read
          log.send(v);      // any goro operation is a point where another task may run
          counter = v + 1;  // write: may overwrite the other task's increment
        });
      wg.wait();
    });
    REQUIRE(r.ok());
    return counter;
  };
  std::uint64_t found = 0, correct = 0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    if (run_once(seed) != 2) {
      if (found == 0) found = seed;
    } else {
      ++correct;
    }
  }
  CHECK(found != 0);   // the bug shows up
  CHECK(correct > 0);  // and it really depends on the interleaving
  // The failing seed reproduces it every time.
  for (int i = 0; i < 5; ++i) CHECK(run_once(found) != 2);
}

TEST_CASE("sim: a result read before wait is found within 100 seeds", "[sim]") {
  int found = 0;
  for (std::uint64_t seed = 1; seed <= 100 && found == 0; ++seed) {
    std::vector<int> results;
    std::size_t seen_before_wait = 0;
    auto r = goro::simulate(seed, [&] {
      goro::WaitGroup wg;
      for (int i = 0; i < 3; ++i) wg.go([&results, i] { results.push_back(i); });
      seen_before_wait = results.size();  // the bug: read before wait
      wg.wait();
    });
    REQUIRE(r.ok());
    REQUIRE(results.size() == 3);
    if (seen_before_wait != 3) found = static_cast<int>(seed);
  }
  CHECK(found != 0);
}

TEST_CASE("sim: virtual time jumps to the next timer", "[sim][time]") {
  goro::Time start{}, end{};
  auto r = goro::simulate(1, [&] {
    start = goro::now();
    goro::sleep(30s);  // a breaker cool-down: costs no real time
    auto t = goro::after(1500ms);
    (void)t.recv();
    end = goro::now();
  });
  REQUIRE(r.ok());
  CHECK(end - start == 31500ms);
  // Scopes start at 2000-01-01T00:00:00Z.
  CHECK(start == goro::Time{std::chrono::sys_days{std::chrono::year{2000} / 1 / 1}.time_since_epoch()});
}

TEST_CASE("RT_02_deadlock_is_reported_with_every_blocked_task", "[sim][runtime]") {
  auto r = goro::simulate(3, [] {
    auto a = goro::make_chan<int>();
    auto b = goro::make_chan<std::string>(1);
    goro::go_named("waits-for-b", [=] {
      (void)b.recv();
      a.send(1);
    });
    (void)a.recv();  // main waits for a, which waits for b: nobody sends on b
  });
  REQUIRE(r.outcome == goro::SimResult::Outcome::deadlock);
  INFO(r.report);
  CHECK_THAT(r.report, Catch::StartsWith("fatal error: all goroutines are asleep - deadlock! (seed 3)"));
  CHECK_THAT(r.report, Catch::Contains("goroutine 1 \"main\" [chan receive]"));
  CHECK_THAT(r.report, Catch::Contains("goroutine 2 \"waits-for-b\" [chan receive]"));
  CHECK_THAT(r.report, Catch::Contains("chan int #1 (cap 0, len 0)"));
  CHECK_THAT(r.report, Catch::Contains("chan std::string #2 (cap 1, len 0)"));
  CHECK_THAT(r.report, Catch::Contains("sim_test.cpp"));
  CHECK(r.stuck.size() == 2);
}

TEST_CASE("RT_03_a_pending_timer_delays_deadlock_detection", "[sim][runtime]") {
  bool fired = false;
  auto r = goro::simulate(1, [&] {
    auto c = goro::make_chan<int>();
    auto t = goro::after_func(200ms, [&fired] { fired = true; });
    (void)c.recv();
  });
  CHECK(fired);
  CHECK(r.outcome == goro::SimResult::Outcome::deadlock);
}

TEST_CASE("sim: tasks left blocked after main returns are a leak, and are released", "[sim]") {
  bool unwound = false;
  struct Guard {
    bool* flag;
    ~Guard() { *flag = true; }
  };
  auto r = goro::simulate(1, [&] {
    auto never = goro::make_chan<int>();
    goro::go_named("forgotten", [never, &unwound] {
      Guard g{&unwound};
      never.send(1);
    });
  });
  REQUIRE(r.outcome == goro::SimResult::Outcome::leak);
  CHECK_THAT(r.report, Catch::Contains("\"forgotten\" [chan send]"));
  CHECK(unwound);  // the leaked task's stack was unwound: its destructors ran
}

TEST_CASE("sim: a panic in a task ends the scope with the panic", "[sim]") {
  auto r = goro::simulate(1, [] {
    auto c = goro::make_chan<int>();
    goro::go([=] { c.close(); c.close(); });
    (void)c.recv();
    goro::Chan<int> forever;
    (void)forever.recv();
  });
  REQUIRE(r.outcome == goro::SimResult::Outcome::panic);
  CHECK(r.panic_value == "close of closed channel");
  CHECK_THAT(r.report, Catch::StartsWith("panic: close of closed channel"));
}

TEST_CASE("sim: a replay string reproduces the run's choices", "[sim]") {
  goro::SimOptions o;
  o.seed = 11;
  auto first = goro::simulate(o, sim_pipeline);
  REQUIRE(first.ok());
  goro::SimOptions replay;
  replay.seed = 99;  // a different seed: the recorded choices decide
  replay.strategy = goro::Strategy::random;
  replay.replay = first.replay;
  auto again = goro::simulate(replay, sim_pipeline);
  REQUIRE(again.ok());
  // Scheduling choices follow the replay; select choices use the seed's PRNG, so replay with
  // the same seed to get the run bit for bit.
  replay.seed = 11;
  auto exact = goro::simulate(replay, sim_pipeline);
  CHECK(exact.schedule == first.schedule);
}

TEST_CASE("sim: a livelock stops at the step limit", "[sim]") {
  goro::SimOptions o;
  o.max_steps = 1000;
  auto r = goro::simulate(o, [] {
    auto c = goro::make_chan<int>(1);
    goro::go([=] {
      for (;;) {
        c.send(1);
        (void)c.recv();
      }
    });
    for (;;) goro::yield();
  });
  CHECK(r.outcome == goro::SimResult::Outcome::step_limit);
}

// Many tasks blocked at once. The default build takes ten thousand (fast: a fiber each). A
// sanitizer makes every fiber far dearer — ThreadSanitizer keeps a thread's state for each and
// counts them against its limit of 8,128 at once, AddressSanitizer poisons and clears each
// stack — so there the case is sized to what it checks under them (a scope with many tasks
// blocked at once and woken together), not to a capacity claim: the 100,000-task capacity is
// a benchmark (`./dojo bench`).
TEST_CASE("sim: ten thousand blocked tasks", "[sim]") {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr int n = 1000;
#else
  constexpr int n = 10000;
#endif
  auto r = goro::simulate(1, [] {
    auto gate = goro::make_chan<goro::Unit>();
    goro::WaitGroup wg;
    for (int i = 0; i < n; ++i)
      wg.go([=] { (void)gate.recv(); });
    while (goro::num_tasks() < n) goro::yield();
    gate.close();
    wg.wait();
  });
  CHECK(r.ok());
}
