// Layout of the pipeline view and the context tree; animation state as a function of position.
#include <catch2/catch.hpp>

#include "dojo/trace/state.hpp"
#include "dojo/viz/model/animation.hpp"
#include "dojo/viz/model/describe.hpp"
#include "dojo/viz/model/layout.hpp"
#include "programs.hpp"
#include "support.hpp"

using namespace dojo::viz;
using dojo::trace::EventType;

namespace {
std::uint64_t task_named(const dojo::trace::Trace& t, const std::string& name) {
  for (const auto& [id, task] : t.tasks)
    if (task.name == name) return id;
  return 0;
}
std::uint64_t chan_named(const dojo::trace::Trace& t, const std::string& name) {
  ChannelNames names;
  for (const auto& [id, c] : t.channels)
    if (names.name(id, c.site) == name) return id;
  return 0;
}
}  // namespace

TEST_CASE("the pipeline layout puts data flow left to right", "[viz][layout]") {
  auto t = test::record(7, test::pipeline);
  auto L = layout_pipeline(t);
  const auto* producer = L.task(task_named(t, "producer"));
  const auto* square = L.task(task_named(t, "square"));
  const auto* main = L.task(task_named(t, "main"));
  const auto* nums = L.chan(chan_named(t, "nums"));
  const auto* out = L.chan(chan_named(t, "out"));
  REQUIRE(producer);
  REQUIRE(square);
  REQUIRE(main);
  REQUIRE(nums);
  REQUIRE(out);
  CHECK(producer->column < nums->column);
  CHECK(nums->column < square->column);
  CHECK(square->column < out->column);
  CHECK(out->column < main->column);
  CHECK(nums->cap == 2);
  // Every pipe joins nodes of the layout.
  for (const auto& p : L.pipes) {
    CHECK(L.task(p.task) != nullptr);
    CHECK(L.chan(p.chan) != nullptr);
  }
  // No two nodes overlap.
  std::vector<Box> boxes;
  for (const auto& n : L.tasks) boxes.push_back(n.box);
  for (const auto& c : L.chans) boxes.push_back(c.box);
  for (std::size_t i = 0; i < boxes.size(); ++i)
    for (std::size_t j = i + 1; j < boxes.size(); ++j) {
      const bool apart = boxes[i].right() <= boxes[j].x || boxes[j].right() <= boxes[i].x ||
                         boxes[i].bottom() <= boxes[j].y || boxes[j].bottom() <= boxes[i].y;
      CHECK(apart);
    }
  // Stable: the same trace gives the same layout.
  auto again = layout_pipeline(t);
  REQUIRE(again.tasks.size() == L.tasks.size());
  for (std::size_t i = 0; i < L.tasks.size(); ++i) {
    CHECK(again.tasks[i].box.x == L.tasks[i].box.x);
    CHECK(again.tasks[i].box.y == L.tasks[i].box.y);
  }
  // Tasks started by main are grouped.
  bool grouped = false;
  for (const auto& g : L.groups)
    if (g.label == "started by g1 main" && g.box.contains(producer->box.cx(), producer->box.cy())) grouped = true;
  CHECK(grouped);
}

TEST_CASE("values move along pipes: into the channel on send, out on receive", "[viz][animation]") {
  auto t = test::record(7, test::pipeline);
  auto L = layout_pipeline(t);
  std::size_t send = t.events.size();
  for (std::size_t i = 0; i < t.events.size(); ++i)
    if (t.events[i].type == EventType::chan_send) {
      send = i;
      break;
    }
  REQUIRE(send < t.events.size());
  const auto& e = t.events[send];
  auto before = dojo::trace::state_after(t, send);
  const TaskNode* from = L.task(e.task);
  const ChanNode* to = L.chan(e.chan);
  REQUIRE(from);
  REQUIRE(to);
  auto at0 = message_sprites(t, L, before, 0);
  CHECK(at0.empty());
  auto mid = message_sprites(t, L, before, 0.5);
  REQUIRE(mid.size() == 1);
  CHECK(mid[0].where == MessageSprite::Where::entering);
  CHECK(mid[0].value == e.value);
  CHECK(mid[0].at.x > task_out(*from).x);
  CHECK(mid[0].at.x < cell_center(*to, 0).x);
  auto after = dojo::trace::state_after(t, send + 1);
  auto settled = message_sprites(t, L, after, 0);
  REQUIRE(settled.size() == 1);
  CHECK(settled[0].at.x == Approx(cell_center(*to, 0).x));
  // Its receive: leaving toward the receiver.
  const auto recv = t.messages.at(e.msg).second;
  REQUIRE(recv.has_value());
  auto s = dojo::trace::state_after(t, *recv);
  auto leaving = message_sprites(t, L, s, 0.5);
  bool found = false;
  for (const auto& sp : leaving)
    if (sp.msg == e.msg) {
      found = true;
      CHECK(sp.where == MessageSprite::Where::leaving);
    }
  CHECK(found);
}

TEST_CASE("exited tasks fade; the cancellation wave travels down the context tree", "[viz][animation]") {
  CHECK(exit_alpha(std::nullopt, 100) == 1);
  CHECK(exit_alpha(10, 5) == 1);
  CHECK(exit_alpha(10, 11) < 1);
  CHECK(exit_alpha(10, 11 + kFadeEvents) == Approx(kExitedAlpha));
  CHECK(exit_alpha(10, 200) == Approx(kExitedAlpha));
  CHECK(wave_intensity(5, 4) == 0);
  CHECK(wave_intensity(5, 5) == 1);
  CHECK(wave_intensity(5, 9) > 0);
  CHECK(wave_intensity(5, 5 + kWaveEvents + 1) == 0);
  CHECK_FALSE(wave_on_edge(5, 7, 4).has_value());
  CHECK(*wave_on_edge(5, 7, 6) == Approx(0.5));
  CHECK(*wave_on_edge(5, 5, 5.5) == Approx(0.5));

  auto t = test::record(3, test::cancellation);
  AnimationIndex idx(t);
  auto C = layout_contexts(t);
  REQUIRE_FALSE(C.nodes.empty());
  bool cancelled = false, watched = false;
  for (const auto& n : C.nodes) {
    if (idx.cancel_event(n.id)) {
      cancelled = true;
      CHECK_THAT(idx.cancel_label(n.id), Catch::Contains("connection refused"));
    }
    if (!n.watchers.empty()) watched = true;
    if (n.parent != 0) CHECK(C.node(n.parent)->depth == n.depth - 1);
  }
  CHECK(cancelled);
  CHECK(watched);  // the sibling selecting on ctx.done()
}

TEST_CASE("boxes are sized to their labels", "[viz][layout]") {
  // A task with a long name, under a wide font: its column, its group box and the context
  // boxes grow so that every label fits; nothing overlaps.
  auto t = test::record(5, [] {
    auto nums = goro::make_chan<int>(1);
    goro::go_named("a-producer-with-a-really-long-name", [=] {
      nums.send(1);
      nums.close();
    });
    for (int v : nums) (void)v;
    test::cancellation();
  });
  const TextWidth wide = [](std::string_view s) { return 11.0f * static_cast<float>(s.size()); };
  for (const TextWidth& w : {TextWidth(), wide}) {
    const auto L = layout_pipeline(t, w);
    REQUIRE(L.column_x.size() == static_cast<std::size_t>(L.columns));
    for (const auto& n : L.tasks) {
      const auto label = task_label(t.tasks.at(n.id));
      CHECK(n.box.w >= task_box_width(w, label, false));
      CHECK(n.box.w >= kTaskW);
      CHECK(n.box.w == L.column_w[static_cast<std::size_t>(n.column)]);
    }
    for (const auto& g : L.groups) CHECK(g.box.w >= text_width(w, g.label) + 10);
    // Columns do not overlap: each starts after the previous one and its gap.
    for (std::size_t c = 1; c < L.column_x.size(); ++c)
      CHECK(L.column_x[c] >= L.column_x[c - 1] + L.column_w[c - 1] + kColumnGap);
    for (const auto& c : L.chans) CHECK(L.bounds.contains(c.box.x, c.box.y));

    const auto C = layout_contexts(t, w);
    REQUIRE_FALSE(C.nodes.empty());
    for (const auto& n : C.nodes) {
      CHECK(n.box.w >= text_width(w, context_label(n.id, n.kind, true)) + 2 * kTextPad);
      CHECK(C.watchers_x >= n.box.right());  // watchers start right of every node
      for (std::uint64_t id : n.watchers)
        CHECK(C.watcher_w >= task_box_width(w, task_label(t.tasks.at(id)), true));
    }
  }
  // The wide font makes the long-named task's column wider than the default estimate.
  const auto narrow = layout_pipeline(t), widened = layout_pipeline(t, wide);
  const auto id = task_named(t, "a-producer-with-a-really-long-name");
  CHECK(widened.task(id)->box.w > narrow.task(id)->box.w);
}

TEST_CASE("the pipeline leaves out channels the runtime makes for timers", "[viz][layout]") {
  auto t = test::record(1, [] {
    auto ticks = goro::make_chan<int>(1);
    ticks.send(1);
    (void)ticks.recv();
    (void)goro::after(std::chrono::milliseconds(5)).recv();
  });
  std::size_t runtime_made = 0;
  for (const auto& [id, c] : t.channels)
    if (is_runtime_site(c.site) && t.contexts.count(id) == 0) ++runtime_made;
  REQUIRE(runtime_made >= 1);  // the after() channel
  auto L = layout_pipeline(t);
  REQUIRE(L.chans.size() == 1);
  CHECK(L.chans[0].id == chan_named(t, "ticks"));
  for (const auto& p : L.pipes) CHECK(p.chan == L.chans[0].id);
}
