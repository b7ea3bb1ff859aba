// Texts: channel names from source, hover texts, error trees, errors so far, stuck reports.
#include <catch2/catch.hpp>

#include "dojo/trace/state.hpp"
#include "dojo/viz/model/describe.hpp"
#include "programs.hpp"
#include "support.hpp"

using namespace dojo::viz;
using dojo::trace::ErrorTree;
using Phase = dojo::trace::TaskState::Phase;

TEST_CASE("channel variable names are read from the make_chan line", "[viz][describe]") {
  CHECK(chan_var_on_line("  auto out = goro::make_chan<int>();") == "out");
  CHECK(chan_var_on_line("auto jobs = make_chan<Job>(8);") == "jobs");
  CHECK(chan_var_on_line("    results_(goro::make_chan<std::string>(4)),") == "results_");
  CHECK(chan_var_on_line("goro::Chan<int> c{goro::make_chan<int>()};") == "c");
  CHECK(chan_var_on_line("return goro::make_chan<int>();").empty());
  CHECK(object_ids("select over chan int #3 (cap 0, len 0) | chan Unit #12 (cap 0, len 0, closed)") ==
        std::vector<std::uint64_t>{3, 12});
  CHECK(object_ids("").empty());
}

TEST_CASE("a blocked sender's hover text names the channel, its type and the line", "[viz][describe]") {
  auto t = test::record(1, test::leak);
  ChannelNames names;
  names.load(t);
  // Just before the leak report: the producer is blocked in its send.
  std::size_t report = 0;
  for (std::size_t i = 0; i < t.events.size(); ++i)
    if (t.events[i].type == dojo::trace::EventType::report) report = i;
  REQUIRE(report > 0);
  auto s = dojo::trace::state_after(t, report);
  const dojo::trace::TaskState* forgotten = nullptr;
  for (const auto& task : s.tasks)
    if (task.name == "forgotten") forgotten = &task;
  REQUIRE(forgotten != nullptr);
  REQUIRE(forgotten->phase == Phase::blocked);
  const std::string status = task_status(*forgotten, s, names);
  CHECK_THAT(status, Catch::Matches("blocked: send on `results` \\(chan int, cap 0\\) at programs\\.hpp:\\d+"));
  const std::string hover = task_hover(*forgotten, s, names);
  CHECK_THAT(hover, Catch::Contains("g2 forgotten"));
  CHECK_THAT(hover, Catch::Contains("started at programs.hpp:"));
  CHECK_THAT(hover, Catch::Contains("by g1 main"));

  auto r = stuck_report(t, t.events.size(), names);
  REQUIRE(r.has_value());
  CHECK(r->kind == "leak");
  REQUIRE(r->tasks.size() == 1);
  CHECK(r->tasks[0].label == "g2 forgotten");
  CHECK_THAT(r->tasks[0].what, Catch::StartsWith("blocked: send on `results` (chan int, cap 0)"));
  CHECK_THAT(r->tasks[0].blocked_at, Catch::StartsWith("programs.hpp:"));
  CHECK_THAT(r->tasks[0].started_at, Catch::StartsWith("programs.hpp:"));
  CHECK_FALSE(stuck_report(t, report, names).has_value());  // not yet
}

TEST_CASE("a deadlock report lists every blocked task", "[viz][describe]") {
  auto t = test::record(1, test::deadlock);
  ChannelNames names;
  names.load(t);
  auto r = stuck_report(t, t.events.size(), names);
  REQUIRE(r.has_value());
  CHECK(r->kind == "deadlock");
  REQUIRE(r->tasks.size() == 1);
  CHECK_THAT(r->tasks[0].what, Catch::Contains("receive on `never`"));
}

TEST_CASE("error trees show the wrap chain and joined errors as siblings", "[viz][describe]") {
  ErrorTree leaf1{"connection refused", "text", {}};
  ErrorTree leaf2{"timeout", "text", {}};
  ErrorTree join{"a\nb", "join", {ErrorTree{"fetch a: connection refused", "wrap", {leaf1}}, leaf2}};
  ErrorTree top{"stage 2: ...", "wrap", {join}};
  auto lines = error_lines(top);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].prefix.empty());
  CHECK(lines[0].message == "stage 2: ...");
  CHECK(lines[1].prefix == "`- ");
  CHECK(lines[1].type == "join");
  CHECK(lines[2].prefix == "   |- ");
  CHECK(lines[3].prefix == "   |  `- ");
  CHECK(lines[3].message == "connection refused");
  CHECK(lines[4].prefix == "   `- ");
  CHECK(lines[4].depth == 2);
}

TEST_CASE("errors so far: the group's first error is the task error wait() returns", "[viz][describe]") {
  auto t = test::record(3, test::cancellation);
  auto errs = errors_until(t, t.events.size());
  const ErrorEntry* first = nullptr;
  const ErrorEntry* group = nullptr;
  std::size_t cancels = 0;
  for (const auto& e : errs) {
    if (e.kind == ErrorEntry::Kind::task_error && e.is_group_first) first = &e;
    if (e.kind == ErrorEntry::Kind::group_first) group = &e;
    if (e.kind == ErrorEntry::Kind::ctx_cancel) ++cancels;
  }
  REQUIRE(group != nullptr);
  REQUIRE(first != nullptr);
  CHECK(first->err.message == "fetch a: connection refused");
  CHECK(first->err.children.size() == 1);
  CHECK(group->err == first->err);
  CHECK(cancels >= 1);
  CHECK(errors_until(t, 0).empty());
}
