// Why stuck tasks stay stuck: missing parties and wait-for cycles, from recorded runs.
#include <catch2/catch.hpp>

#include <string>

#include "dojo/trace/state.hpp"
#include "dojo/viz/model/describe.hpp"
#include "dojo/viz/model/wait_graph.hpp"
#include "goro/errgroup.hpp"
#include "support.hpp"

using namespace dojo::viz;

namespace {

/// The explanations at the run's last report (state just before it), by task name.
std::map<std::string, StuckWhy> whys(const dojo::trace::Trace& t) {
  std::size_t report = t.events.size();
  for (std::size_t i = 0; i < t.events.size(); ++i)
    if (t.events[i].type == dojo::trace::EventType::report) report = i;
  ChannelNames names;
  names.load(t);
  const auto s = dojo::trace::state_after(t, report);
  std::map<std::string, StuckWhy> out;
  for (auto& [id, w] : explain_stuck(t, report, s, names)) out[s.task(id)->name] = w;
  return out;
}

void lonely_send() {
  auto report = goro::make_chan<std::string>();
  report.send("done");
}

void receiver_left() {
  auto results = goro::make_chan<int>();
  goro::go_named("consumer", [results] { (void)results.recv(); });
  results.send(1);
  results.send(2);
}

void missing_close() {
  auto lines = goro::make_chan<std::string>();
  goro::ErrGroup g;
  g.go([lines]() -> goro::Error {
    lines.send("first");
    return goro::new_error("read failed");
  });
  for (;;) (void)lines.recv();
}

void crossed() {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  goro::go_named("left", [a, b] {
    a.send(1);
    (void)b.recv();
    (void)b.recv();
  });
  goro::go_named("right", [a, b] {
    (void)a.recv();
    b.send(2);
    (void)a.recv();
  });
}

void group_waits() {
  auto never = goro::make_chan<int>();
  goro::ErrGroup g;
  g.go([never]() -> goro::Error {
    (void)never.recv();
    return {};
  });
  (void)g.wait();
}

}  // namespace

TEST_CASE("a send nobody can receive names the missing party", "[viz][wait_graph]") {
  auto w = whys(test::record(1, lonely_send));
  REQUIRE(w.count("main") == 1);
  CHECK(w["main"].missing_party);
  CHECK(w["main"].text == "nobody will ever receive from `report` (chan std::string, cap 0): no other task is alive");
}

TEST_CASE("a send whose only receiver exited says when it left", "[viz][wait_graph]") {
  auto w = whys(test::record(1, receiver_left));
  REQUIRE(w.count("main") == 1);
  CHECK(w["main"].missing_party);
  CHECK_THAT(w["main"].text, Catch::Matches("nobody will ever receive from `results` \\(chan int, cap 0\\): its only "
                                            "receiver g2 consumer exited at event \\d+"));
}

TEST_CASE("a receive nobody closes names the sender that returned without closing", "[viz][wait_graph]") {
  auto w = whys(test::record(1, missing_close));
  REQUIRE(w.count("main") == 1);
  CHECK(w["main"].missing_party);
  CHECK_THAT(w["main"].text, Catch::Matches("nobody closes `lines`: its only sender g2 returned an error at event \\d+ "
                                            "without closing it"));
}

TEST_CASE("two tasks waiting on each other form a wait-for cycle", "[viz][wait_graph]") {
  auto w = whys(test::record(1, crossed));
  REQUIRE(w.count("left") == 1);
  REQUIRE(w.count("right") == 1);
  CHECK(w["left"].cycle);
  CHECK(w["right"].cycle);
  CHECK(w["left"].text == "wait-for cycle: g2 left waits for g3 right (receive on `b`), g3 right waits for g2 left "
                          "(receive on `a`)");
}

TEST_CASE("an errgroup wait names the group's tasks and what they are stuck on", "[viz][wait_graph]") {
  auto w = whys(test::record(1, group_waits));
  REQUIRE(w.count("main") == 1);
  CHECK_FALSE(w["main"].missing_party);
  CHECK_THAT(w["main"].text, Catch::StartsWith("waits for the group's tasks g2 — g2 is stuck on receive on `never`"));
}

TEST_CASE("the stuck report carries the explanation and the root task's starter", "[viz][wait_graph]") {
  auto t = test::record(1, lonely_send);
  ChannelNames names;
  names.load(t);
  auto r = stuck_report(t, t.events.size(), names);
  REQUIRE(r.has_value());
  REQUIRE(r->tasks.size() == 1);
  CHECK_THAT(r->tasks[0].why, Catch::StartsWith("nobody will ever receive from `report`"));
  CHECK(r->tasks[0].started == "started by goro::simulate");
  CHECK(r->tasks[0].started_at.empty());
}
