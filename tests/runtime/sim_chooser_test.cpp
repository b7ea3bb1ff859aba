// SimOptions::chooser (a caller picks the next task at each decision), the trace's event
// count goro::trace::events_written(), and ErrGroup::go_named. The chooser exists for the
// visualizer's "You are the scheduler" game; unset, it changes nothing.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "goro/goro.hpp"
#include "goro/sim.hpp"
#include "goro/trace.hpp"
#include "support/helpers.hpp"

namespace {

using goro_test::slurp;

// Two producers race to send on one channel; the receive order shows who ran first.
std::vector<int>* g_order = nullptr;
void race() {
  auto ch = goro::make_chan<int>();
  goro::go_named("one", [ch] { ch.send(1); });
  goro::go_named("two", [ch] { ch.send(2); });
  for (int i = 0; i < 2; ++i) g_order->push_back(ch.recv().value);
}

std::string chooser_temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("goro_sim_chooser_" + name)).string();
}

}  // namespace

TEST_CASE("sim chooser: a chooser that always defers changes nothing", "[sim][chooser]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<int> a, b;
    goro::SimOptions o;
    o.seed = seed;
    g_order = &a;
    auto plain = goro::simulate(o, race);
    int calls = 0;
    o.chooser = [&](const goro::SimDecision& d) -> std::uint64_t {
      ++calls;
      REQUIRE(!d.runnable.empty());
      return 0;
    };
    g_order = &b;
    auto deferred = goro::simulate(o, race);
    REQUIRE(plain.ok());
    REQUIRE(deferred.schedule == plain.schedule);
    REQUIRE(deferred.replay == plain.replay);
    REQUIRE(a == b);
    REQUIRE(calls == static_cast<int>(plain.steps));
  }
}

TEST_CASE("sim chooser: the chosen task runs, and the replay reproduces the choices", "[sim][chooser]") {
  for (const char* first : {"one", "two"}) {
    std::vector<int> order;
    g_order = &order;
    goro::SimOptions o;
    o.seed = 3;
    std::vector<goro::SimDecision> seen;
    // Keep the named producer ahead whenever it can run, and the other one back while
    // anything else can.
    o.chooser = [&](const goro::SimDecision& d) -> std::uint64_t {
      seen.push_back(d);
      for (const auto& t : d.runnable)
        if (t.name == first) return t.id;
      for (const auto& t : d.runnable)
        if (t.name == "main") return t.id;
      return 0;
    };
    auto run = goro::simulate(o, race);
    REQUIRE(run.ok());
    REQUIRE(order == std::vector<int>{std::string(first) == "one" ? 1 : 2, std::string(first) == "one" ? 2 : 1});
    // Decisions are numbered, and the runnable tasks come ordered by id and marked runnable.
    for (std::size_t i = 0; i < seen.size(); ++i) {
      REQUIRE(seen[i].step == i + 1);
      for (std::size_t k = 0; k < seen[i].runnable.size(); ++k) {
        REQUIRE(seen[i].runnable[k].state == goro::detail::TaskState::runnable);
        if (k > 0) REQUIRE(seen[i].runnable[k - 1].id < seen[i].runnable[k].id);
      }
    }
    // Replaying without the chooser gives the same run.
    std::vector<int> again;
    g_order = &again;
    goro::SimOptions r;
    r.seed = 3;
    r.replay = run.replay;
    auto replayed = goro::simulate(r, race);
    REQUIRE(replayed.schedule == run.schedule);
    REQUIRE(again == order);
  }
}

TEST_CASE("sim chooser: a woken task says what it was blocked on; unknown ids defer", "[sim][chooser]") {
  bool saw_woken_receiver = false;
  goro::SimOptions o;
  o.chooser = [&](const goro::SimDecision& d) -> std::uint64_t {
    for (const auto& t : d.runnable)
      if (t.name == "main" && t.reason == goro::detail::WaitReason::chan_receive) {
        saw_woken_receiver = true;
        REQUIRE(t.blocked_on.find("chan int") != std::string::npos);
        REQUIRE(t.blocked_at.line() > 0);
      }
    return 999'999;  // not a runnable task: the strategy decides
  };
  std::vector<int> order;
  g_order = &order;
  auto run = goro::simulate(o, [] {
    auto ch = goro::make_chan<int>();
    goro::go_named("late", [ch] {
      goro::sleep(std::chrono::milliseconds(1));
      ch.send(7);
    });
    (void)ch.recv();
  });
  REQUIRE(run.ok());
  REQUIRE(saw_woken_receiver);
}

TEST_CASE("sim chooser: not consulted while a stopped scope unwinds", "[sim][chooser]") {
  std::uint64_t last_step = 0;
  goro::SimOptions o;
  o.chooser = [&](const goro::SimDecision& d) -> std::uint64_t {
    last_step = d.step;
    return 0;
  };
  auto run = goro::simulate(o, [] {
    auto ch = goro::make_chan<int>();
    goro::go_named("stuck", [ch] { ch.send(1); });
  });
  REQUIRE(run.outcome == goro::SimResult::Outcome::leak);
  REQUIRE(last_step < run.steps);  // the unwinding decisions came after the last consultation
}

TEST_CASE("trace: events_written counts the events of the active recording", "[trace][chooser]") {
  REQUIRE(goro::trace::events_written() == 0);
  const std::string path = chooser_temp_path("count.jsonl");
  std::vector<std::uint64_t> counts;
  {
    goro::trace::Recording rec(path);
    REQUIRE(goro::trace::events_written() == 0);  // not bound to a run yet
    goro::SimOptions o;
    o.chooser = [&](const goro::SimDecision&) -> std::uint64_t {
      counts.push_back(goro::trace::events_written());
      return 0;
    };
    std::vector<int> order;
    g_order = &order;
    (void)goro::simulate(o, race);
  }
  REQUIRE(goro::trace::events_written() == 0);
  REQUIRE(!counts.empty());
  for (std::size_t i = 1; i < counts.size(); ++i) REQUIRE(counts[i - 1] <= counts[i]);
  // Every count is a number of whole event lines already in the file (meta line excluded).
  std::string text = slurp(path);
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  REQUIRE(counts.back() < lines);
  std::filesystem::remove(path);
}

TEST_CASE("errgroup: go_named labels the task in traces", "[errgroup][trace]") {
  const std::string path = chooser_temp_path("named.jsonl");
  {
    goro::trace::Recording rec(path);
    auto run = goro::simulate(1, [] {
      goro::ErrGroup g;
      g.go_named("fetcher", [] { return goro::errorf("fetch: {:w}", goro::new_error("boom")); });
      REQUIRE(g.wait().message() == "fetch: boom");
    });
    REQUIRE(run.ok());
  }
  std::string text = slurp(path);
  REQUIRE(text.find("\"name\":\"fetcher\"") != std::string::npos);
  REQUIRE(text.find("\"type\":\"task_error\"") != std::string::npos);
  std::filesystem::remove(path);
}
