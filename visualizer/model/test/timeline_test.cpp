// The timeline viewmodel: lanes, slices, arrows, marks; culling and folding at scale.
#include <catch2/catch.hpp>

#include "dojo/viz/model/synth.hpp"
#include "dojo/viz/model/timeline.hpp"
#include "programs.hpp"
#include "support.hpp"

using namespace dojo::viz;

TEST_CASE("a lane per task in spawn order with contiguous slices and send->recv arrows", "[viz][timeline]") {
  auto t = test::record(7, test::pipeline);
  Timeline tl(t);
  REQUIRE(tl.lanes().size() == t.tasks.size());
  CHECK(tl.lanes()[0].label == "g1 main");
  CHECK(tl.lanes()[1].depth == 1);
  for (const auto& l : tl.lanes()) {
    REQUIRE_FALSE(l.slices.empty());
    for (std::size_t i = 1; i < l.slices.size(); ++i) CHECK(l.slices[i].begin == l.slices[i - 1].end);
  }
  std::size_t paired = 0;
  for (const auto& [msg, se] : t.messages)
    if (se.first && se.second) ++paired;
  CHECK(tl.arrows().size() == paired);
  for (const auto& a : tl.arrows()) CHECK(t.events[a.from].msg == t.events[a.to].msg);
}

TEST_CASE("stuck tasks get a stuck slice and a mark at the report", "[viz][timeline]") {
  auto t = test::record(1, test::leak);
  Timeline tl(t);
  const int lane = tl.lane_of(2);
  REQUIRE(lane >= 0);
  const auto& l = tl.lanes()[static_cast<std::size_t>(lane)];
  bool stuck = false;
  for (const auto& s : l.slices) stuck = stuck || s.state == VisState::stuck;
  CHECK(stuck);
  REQUIRE_FALSE(l.marks.empty());
  CHECK(l.marks.back().kind == Mark::Kind::report);
  bool runtime_report = false;
  for (const auto& m : tl.runtime_marks()) runtime_report = runtime_report || m.kind == Mark::Kind::report;
  CHECK(runtime_report);
}

TEST_CASE("culling by binary search and folding of slices under 3 px", "[viz][timeline]") {
  auto t = dojo::trace::read_trace_string(synth_trace(50, 20000, 3));
  Timeline tl(t);
  REQUIRE(tl.lanes().size() == 50);
  std::size_t lane = 0;
  for (std::size_t i = 0; i < tl.lanes().size(); ++i)
    if (tl.lanes()[i].slices.size() > tl.lanes()[lane].slices.size()) lane = i;
  const auto& slices = tl.lanes()[lane].slices;
  REQUIRE(slices.size() > 100);

  // Zoomed in (10 px per event): nothing folds; the items are exactly the overlapping slices.
  std::vector<DrawItem> items;
  tl.visible(lane, 5000, 5100, 10, items);
  std::size_t brute = 0;
  for (const auto& s : slices)
    if (static_cast<double>(s.end) > 5000 && static_cast<double>(s.begin) < 5100) ++brute;
  std::size_t counted = 0;
  for (const auto& it : items) counted += it.count;
  CHECK(counted == brute);

  // Zoomed out (the whole trace in 100 px): folds keep the item count within the pixel budget.
  items.clear();
  const double px = 100.0 / static_cast<double>(tl.length());
  tl.visible(lane, 0, static_cast<double>(tl.length()), px, items);
  counted = 0;
  for (const auto& it : items) counted += it.count;
  CHECK(counted == slices.size());
  CHECK(items.size() <= 100 / 3 + 1);
  bool folded = false;
  for (const auto& it : items) folded = folded || it.count > 1;
  CHECK(folded);

  std::vector<const Arrow*> arrows;
  CHECK(tl.visible_arrows(5000, 5100, 0, 49, 100000, arrows));
  for (const auto* a : arrows) CHECK((std::max(a->from, a->to) + 1 >= 5000 && std::min(a->from, a->to) < 5100));
  arrows.clear();
  CHECK_FALSE(tl.visible_arrows(0, static_cast<double>(tl.length()), 0, 49, 10, arrows));
  CHECK(arrows.size() == 10);
}

TEST_CASE("1,000 tasks and 100,000 events: the viewmodel is built and a frame's query is culled", "[viz][timeline][scale]") {
  const std::string text = synth_trace(1000, 100000, 1);
  auto t = dojo::trace::read_trace_string(text);
  CHECK(t.tasks.size() == 1000);
  CHECK(t.events.size() >= 99000);
  CHECK(t.warnings.empty());
  Timeline tl(t);
  std::vector<DrawItem> items;
  const double px = 1200.0 / static_cast<double>(tl.length());
  for (std::size_t lane = 0; lane < 60; ++lane) tl.visible(lane, 0, static_cast<double>(tl.length()), px, items);
  CHECK(items.size() < 60 * 1200);  // at most about one item per pixel and lane, however many events
}

// How long that frame's query takes depends on the machine and on what else runs on it: a
// benchmark, not a test. Hidden; run it with: dojo_viz_model_tests "[!benchmark]"
TEST_CASE("timeline: a frame's query over 60 lanes of a 100,000-event trace", "[viz][timeline][!benchmark]") {
  auto t = dojo::trace::read_trace_string(synth_trace(1000, 100000, 1));
  Timeline tl(t);
  const double px = 1200.0 / static_cast<double>(tl.length());
  BENCHMARK("60 lanes, full range, 1200 px") {
    std::vector<DrawItem> items;
    for (std::size_t lane = 0; lane < 60; ++lane) tl.visible(lane, 0, static_cast<double>(tl.length()), px, items);
    return items.size();
  };
}
