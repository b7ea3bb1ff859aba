// Deterministic mode promises byte-identical traces for the same seed, also for several runs
// in one process (the visualizer re-runs scenarios live): nothing may depend on heap
// addresses. Regression: a context used to cancel its children in the order of a hash map
// keyed by pointers.
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

using namespace std::chrono_literals;

namespace {

using goro_test::slurp;

// A context tree: a deadline parent with many derived children, each watched by a task.
void cascade() {
  auto [root, cancel] = goro::with_timeout(goro::background(), 10ms);
  goro::WaitGroup wg;
  for (int i = 0; i < 24; ++i) {
    auto [child, done] = goro::with_cancel(root);
    wg.add(1);
    goro::go([child, done, &wg]() mutable {
      (void)child.done().recv();
      done();
      wg.done();
    });
    // Interleave unrelated allocations so that the children's addresses vary between runs.
    if (i % 3 == 0) (void)std::make_shared<std::vector<char>>(static_cast<std::size_t>(64 * i));
  }
  wg.wait();
  cancel();
}

}  // namespace

TEST_CASE("sim: a cancellation wave is recorded in the same order on every run", "[sim][trace][context]") {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string a = (dir / "goro_sim_determinism_a.jsonl").string();
  const std::string b = (dir / "goro_sim_determinism_b.jsonl").string();
  std::string first;
  // Heap garbage between runs shifts the addresses of the next run's contexts.
  std::vector<std::shared_ptr<std::vector<char>>> garbage;
  for (int run = 0; run < 8; ++run) {
    const std::string& path = run % 2 == 0 ? a : b;
    {
      goro::trace::Recording rec(path);
      auto r = goro::simulate(3, cascade);
      REQUIRE(r.ok());
    }
    std::string text = slurp(path);
    REQUIRE(text.find("ctx_cancel") != std::string::npos);
    if (run == 0)
      first = text;
    else
      REQUIRE(text == first);
    for (int k = 0; k < 5 * (run + 1); ++k) garbage.push_back(std::make_shared<std::vector<char>>(48 + 16 * k));
  }
  std::filesystem::remove(a);
  std::filesystem::remove(b);
}
