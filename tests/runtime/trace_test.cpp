// The trace recorder: goro/trace.hpp, docs/trace-format.md.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "goro/detail/trace_hooks.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/error.hpp"
#include "goro/goro.hpp"
#include "goro/sim.hpp"
#include "goro/trace.hpp"
#include "support/helpers.hpp"
#include "support/probe.hpp"
#include "support/settle.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using goro_test::slurp;

std::string trace_temp_path(const std::string& stem) {
  static std::atomic<int> n{0};
  return (fs::temp_directory_path() / fmt::format("goro_trace_test_{}_{}_{}.jsonl", ::getpid(), stem, ++n)).string();
}


/// Every line of a trace, parsed (fails the test on a line that is not JSON).
std::vector<json> lines_of(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    INFO(line);
    REQUIRE_NOTHROW(out.push_back(json::parse(line)));
  }
  return out;
}

std::vector<json> events_of(const std::vector<json>& lines, const std::string& type) {
  std::vector<json> out;
  for (const auto& l : lines)
    if (l.value("type", "") == type) out.push_back(l);
  return out;
}

/// Runs `f` under simulate(seed) while recording; returns the trace text.
template <class F>
std::string record_sim(std::uint64_t seed, F f, goro::SimResult* result = nullptr) {
  std::string path = trace_temp_path("sim");
  goro::SimResult r;
  {
    goro::trace::Recording rec(path);
    r = goro::simulate(seed, f);
  }
  if (result != nullptr) *result = r;
  std::string text = slurp(path);
  fs::remove(path);
  return text;
}

// A small pipeline: one producer, three workers (fan-out), a collector using select, closes.
void traced_pipeline() {
  auto in = goro::make_chan<int>(2);
  auto out = goro::make_chan<int>();
  auto quit = goro::make_chan<goro::Unit>();
  goro::WaitGroup wg;
  for (int w = 0; w < 3; ++w)
    wg.go([=] {
      for (int v : in) out.send(v * 10);
    });
  goro::go_named("producer", [=] {
    for (int i = 0; i < 8; ++i) in.send(i);
    in.close();
  });
  goro::go_named("closer", [&wg, out] {
    wg.wait();
    out.close();
  });
  int sum = 0;
  for (bool open = true; open;) {
    int v = 0;
    bool ok = false;
    switch (goro::select(goro::on_recv(out, &v, &ok), goro::on_recv(quit))) {
      case 0:
        if (ok)
          sum += v;
        else
          open = false;
        break;
      default: open = false;
    }
  }
  if (sum != 280) goro::panic("wrong sum");
}

}  // namespace

TEST_CASE("TR_01_off_by_default", "[trace]") {
  CHECK_FALSE(goro::trace::active());
  CHECK_FALSE(goro::detail::tracing());
  CHECK(goro::detail::next_msg_id() == 0);
  CHECK(goro::trace::path().empty());
}

TEST_CASE("TR_02_same_seed_gives_byte_identical_traces_100_times", "[trace]") {
  goro::SimResult first_result;
  const std::string first = record_sim(7, traced_pipeline, &first_result);
  REQUIRE(first_result.ok());
  auto lines = lines_of(first);
  REQUIRE(lines.size() > 50);
  const json& meta = lines.front();
  CHECK(meta["type"] == "meta");
  CHECK(meta["schema"] == "goro-trace");
  CHECK(meta["version"] == 1);
  CHECK(meta["mode"] == "deterministic");
  CHECK(meta["clock"] == "virtual");
  CHECK(meta["seed"] == 7);
  CHECK(meta["start"] == "2000-01-01T00:00:00.000000000Z");
  // seq increases by one from 1; ts never goes back; the last event is the outcome.
  for (std::size_t i = 1; i < lines.size(); ++i) {
    CHECK(lines[i]["seq"] == i);
    if (i > 1) CHECK(lines[i]["ts"].get<std::int64_t>() >= lines[i - 1]["ts"].get<std::int64_t>());
  }
  CHECK(lines.back()["type"] == "end");
  CHECK(lines.back()["outcome"] == "ok");
  for (int i = 0; i < 100; ++i) {
    std::string again = record_sim(7, traced_pipeline);
    REQUIRE(again == first);
  }
}

TEST_CASE("TR_03_different_seeds_give_different_traces", "[trace]") {
  std::set<std::string> distinct;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    std::string t = record_sim(seed, traced_pipeline);
    // Drop the meta line (it names the seed) so that only the events are compared.
    distinct.insert(t.substr(t.find('\n') + 1));
  }
  CHECK(distinct.size() > 1);
}

TEST_CASE("TR_04_pipeline_events_have_their_fields", "[trace]") {
  auto lines = lines_of(record_sim(3, traced_pipeline));
  std::set<std::string> types;
  for (const auto& l : lines) types.insert(l["type"].get<std::string>());
  for (const char* t : {"meta", "task_start", "task_exit", "block", "unblock", "chan_make", "chan_send", "chan_recv",
                        "chan_close", "select", "end"})
    CHECK(types.count(t) == 1);

  auto starts = events_of(lines, "task_start");
  REQUIRE(starts.size() == 6);  // main, 3 workers, producer, closer
  CHECK(starts[0]["task"] == 1);
  CHECK(starts[0]["name"] == "main");
  CHECK(starts[0]["parent"] == 0);
  bool producer = false;
  for (const auto& s : starts)
    if (s["name"] == "producer") {
      producer = true;
      CHECK(s["parent"] == 1);
      CHECK_THAT(s["site"]["file"].get<std::string>(), Catch::EndsWith("trace_test.cpp"));
      CHECK(s["site"]["line"].get<int>() > 0);
      CHECK_FALSE(s["site"]["function"].get<std::string>().empty());
    }
  CHECK(producer);
  CHECK(events_of(lines, "task_exit").size() == 6);

  auto makes = events_of(lines, "chan_make");
  REQUIRE(makes.size() == 3);
  CHECK(makes[0]["elem"] == "int");
  CHECK(makes[0]["cap"] == 2);
  CHECK(makes[2]["elem"] == "goro::Unit");

  // Every value sent is received once, with the same message id and preview.
  std::map<std::uint64_t, std::string> sent;
  for (const auto& s : events_of(lines, "chan_send")) {
    CHECK(s["msg"].get<std::uint64_t>() > 0);
    CHECK(sent.emplace(s["msg"].get<std::uint64_t>(), s["value"].get<std::string>()).second);
  }
  CHECK(sent.size() == 16);  // 8 into `in`, 8 into `out`
  int received = 0;
  for (const auto& r : events_of(lines, "chan_recv")) {
    if (!r["ok"].get<bool>()) {
      CHECK(r["msg"] == 0);
      continue;
    }
    ++received;
    auto it = sent.find(r["msg"].get<std::uint64_t>());
    REQUIRE(it != sent.end());
    CHECK(it->second == r["value"]);
  }
  CHECK(received == 16);
  CHECK(events_of(lines, "chan_close").size() == 2);

  auto selects = events_of(lines, "select");
  REQUIRE(selects.size() == 9);  // 8 values and the close
  for (const auto& s : selects) {
    CHECK(s["cases"] == 2);
    CHECK(s["chosen"] == 0);
    CHECK(s["default"] == false);
  }
  // Blocks name Go's wait reason and the object; every block is followed by an unblock.
  std::set<std::string> reasons;
  std::map<std::uint64_t, int> open;
  for (const auto& l : lines) {
    if (l["type"] == "block") {
      reasons.insert(l["reason"].get<std::string>());
      CHECK(++open[l["task"].get<std::uint64_t>()] == 1);
      CHECK_FALSE(l["site"]["file"].get<std::string>().empty());
    } else if (l["type"] == "unblock") {
      CHECK(--open[l["task"].get<std::uint64_t>()] == 0);
    }
  }
  CHECK(reasons.count("select") == 1);
  CHECK(reasons.count("semacquire") == 1);
}

TEST_CASE("TR_05_every_hook_writes_its_event", "[trace]") {
  // The runtime calls the context, errgroup, timer and task-error hooks from their own
  // modules; here each hook is called directly to pin down what it writes.
  auto lines = lines_of(record_sim(1, [] {
    const goro::Error base = goro::new_error("connection refused");
    const goro::Error wrapped = goro::errorf("fetch {}: {:w}", "a", base);
    goro::detail::Lock lk(goro::detail::big_lock());
    goro::detail::trace_ctx_new(10, 0, "with_cancel");
    goro::detail::trace_ctx_cancel(10, goro::new_error("context canceled"), wrapped);
    goro::detail::trace_group_first_error(11, wrapped);
    goro::detail::trace_timer("fire", 12, goro::detail::current_scheduler().now() + std::chrono::seconds(2));
    lk.unlock();
    goro::detail::trace_task_error(*goro::detail::current_task(), goro::join({wrapped, base}));
  }));
  auto ctx = events_of(lines, "ctx_new");
  REQUIRE(ctx.size() == 1);
  CHECK(ctx[0]["ctx"] == 10);
  CHECK(ctx[0]["parent"] == 0);
  CHECK(ctx[0]["kind"] == "with_cancel");
  auto cancel = events_of(lines, "ctx_cancel");
  REQUIRE(cancel.size() == 1);
  CHECK(cancel[0]["err"]["message"] == "context canceled");
  CHECK(cancel[0]["err"]["children"].empty());
  const json& cause = cancel[0]["cause"];
  CHECK(cause["message"] == "fetch a: connection refused");
  CHECK(cause["type"] == "wrap");
  REQUIRE(cause["children"].size() == 1);
  CHECK(cause["children"][0]["message"] == "connection refused");
  CHECK(cause["children"][0]["type"] == "text");
  auto group = events_of(lines, "group_error");
  REQUIRE(group.size() == 1);
  CHECK(group[0]["group"] == 11);
  CHECK(group[0]["err"] == cause);
  auto timer = events_of(lines, "timer");
  REQUIRE(timer.size() == 1);
  CHECK(timer[0]["action"] == "fire");
  CHECK(timer[0]["timer"] == 12);
  CHECK(timer[0]["when"] == 2'000'000'000);
  auto err = events_of(lines, "task_error");
  REQUIRE(err.size() == 1);
  CHECK(err[0]["task"] == 1);
  CHECK(err[0]["err"]["type"] == "join");
  REQUIRE(err[0]["err"]["children"].size() == 2);
  CHECK(err[0]["err"]["children"][0] == cause);
}

namespace {
struct HttpError {
  int code;
  goro::Error inner;
  [[nodiscard]] std::string message() const { return fmt::format("http {}: {}", code, inner.message()); }
  [[nodiscard]] goro::Error unwrap() const { return inner; }
};
}  // namespace

TEST_CASE("TR_06_typed_errors_name_their_type", "[trace]") {
  auto lines = lines_of(record_sim(1, [] {
    auto e = goro::make_error(HttpError{503, goro::new_error("unavailable")});
    goro::detail::trace_task_error(*goro::detail::current_task(), e);
    goro::detail::trace_task_error(*goro::detail::current_task(), goro::Error{});
  }));
  auto err = events_of(lines, "task_error");
  REQUIRE(err.size() == 2);
  CHECK_THAT(err[0]["err"]["type"].get<std::string>(), Catch::Contains("HttpError"));
  CHECK(err[0]["err"]["message"] == "http 503: unavailable");
  CHECK(err[0]["err"]["children"][0]["message"] == "unavailable");
  CHECK(err[1]["err"].is_null());
}

TEST_CASE("TR_07_deadlock_report_lands_in_the_trace", "[trace]") {
  goro::SimResult r;
  auto lines = lines_of(record_sim(
      3,
      [] {
        auto a = goro::make_chan<int>();
        auto b = goro::make_chan<std::string>(1);
        goro::go_named("waits-for-b", [=] {
          (void)b.recv();
          a.send(1);
        });
        (void)a.recv();
      },
      &r));
  REQUIRE(r.outcome == goro::SimResult::Outcome::deadlock);
  auto reports = events_of(lines, "report");
  REQUIRE(reports.size() == 1);
  const json& rep = reports[0];
  CHECK(rep["kind"] == "deadlock");
  CHECK(rep["text"] == r.report);
  REQUIRE(rep["tasks"].size() == 2);
  CHECK(rep["tasks"][0]["task"] == 1);
  CHECK(rep["tasks"][0]["state"] == "blocked");
  CHECK(rep["tasks"][0]["reason"] == "chan receive");
  CHECK(rep["tasks"][1]["name"] == "waits-for-b");
  CHECK(rep["tasks"][1]["object"] == "chan std::string #2 (cap 1, len 0)");
  CHECK_THAT(rep["tasks"][1]["site"]["file"].get<std::string>(), Catch::EndsWith("trace_test.cpp"));
  CHECK_THAT(rep["tasks"][1]["started"]["file"].get<std::string>(), Catch::EndsWith("trace_test.cpp"));
  // The report comes before the stuck tasks are released; the trace ends with the outcome.
  std::size_t report_at = 0;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i]["type"] == "report") report_at = i;
  for (std::size_t i = report_at; i < lines.size(); ++i) CHECK(lines[i]["type"] != "block");
  CHECK(lines.back()["type"] == "end");
  CHECK(lines.back()["outcome"] == "deadlock");
  CHECK(lines.back()["report"] == r.report);
}

TEST_CASE("TR_08_leak_and_panic_outcomes", "[trace]") {
  goro::SimResult r;
  auto leak = lines_of(record_sim(
      1,
      [] {
        auto never = goro::make_chan<int>();
        goro::go_named("forgotten", [never] { never.send(1); });
      },
      &r));
  REQUIRE(r.outcome == goro::SimResult::Outcome::leak);
  auto reports = events_of(leak, "report");
  REQUIRE(reports.size() == 1);
  CHECK(reports[0]["kind"] == "leak");
  CHECK(reports[0]["tasks"][0]["name"] == "forgotten");
  CHECK(reports[0]["tasks"][0]["reason"] == "chan send");
  CHECK(leak.back()["outcome"] == "leak");

  auto panic = lines_of(record_sim(
      1,
      [] {
        auto c = goro::make_chan<int>();
        goro::go([=] {
          c.close();
          c.close();
        });
        (void)c.recv();
        goro::Chan<int> forever;
        (void)forever.recv();
      },
      &r));
  REQUIRE(r.outcome == goro::SimResult::Outcome::panic);
  auto panics = events_of(panic, "panic");
  REQUIRE(panics.size() == 1);
  CHECK(panics[0]["task"] == 2);
  CHECK(panics[0]["value"] == "close of closed channel");
  CHECK(panics[0]["stack"].is_array());
  CHECK(panic.back()["outcome"] == "panic");
}

TEST_CASE("TR_09_strings_are_escaped", "[trace]") {
  CHECK(goro::trace::json_escape("plain") == "plain");
  CHECK(goro::trace::json_escape("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(goro::trace::json_escape("l1\nl2\t\r") == "l1\\nl2\\t\\r");
  CHECK(goro::trace::json_escape(std::string("\x01\x1f\x7f", 3)) == "\\u0001\\u001f\\u007f");
  CHECK(goro::trace::json_escape(std::string("nul\0x", 5)) == "nul\\u0000x");
  CHECK(goro::trace::json_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb9") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb9");
  CHECK(goro::trace::json_escape("bad\xff") == "bad\\ufffd");
  CHECK(goro::trace::json_escape("\xc3") == "\\ufffd");                  // truncated sequence
  CHECK(goro::trace::json_escape("\xc0\xaf") == "\\ufffd\\ufffd");        // overlong
  CHECK(goro::trace::json_escape("\xed\xa0\x80") == "\\ufffd\\ufffd\\ufffd");  // surrogate

  // Values sent on channels, task names and panic values go through the escaper.
  auto lines = lines_of(record_sim(1, [] {
    auto c = goro::make_chan<std::string>(1);
    goro::go_named("name \"quoted\"\n", [] {});
    c.send(std::string("q\"\\\n\x02\xfe"));
    (void)c.recv();
  }));
  auto sends = events_of(lines, "chan_send");
  REQUIRE(sends.size() == 1);
  CHECK(sends[0]["value"] == "q\"\\\n\x02\xef\xbf\xbd");
  CHECK(events_of(lines, "task_start")[1]["name"] == "name \"quoted\"\n");
}

TEST_CASE("TR_10_free_mode_recording", "[trace]") {
  // A free-mode recording takes every task's events: an earlier test's task that is still
  // exiting would add its own. Start once those are gone.
  const int baseline = dojo::test::Settle::settled();
  std::string path = trace_temp_path("free");
  {
    goro::trace::Recording rec(path);
    CHECK(goro::trace::active());
    CHECK(goro::trace::path() == path);
    auto c = goro::make_chan<int>();
    auto done = goro::make_chan<goro::Unit>();
    goro::go_named("sender", [=] {
      for (int i = 0; i < 5; ++i) c.send(i);
      c.close();
    });
    goro::go_named("receiver", [=] {
      for (int v : c) (void)v;
      done.close();
    });
    (void)done.recv();
    dojo::test::await_tasks_at_most(baseline);
  }
  CHECK_FALSE(goro::trace::active());
  auto lines = lines_of(slurp(path));
  fs::remove(path);
  REQUIRE(lines.size() > 10);
  CHECK(lines[0]["mode"] == "free");
  CHECK(lines[0]["clock"] == "real");
  CHECK_FALSE(lines[0].contains("seed"));
  for (std::size_t i = 1; i < lines.size(); ++i) CHECK(lines[i]["seq"] == i);
  CHECK(events_of(lines, "task_start").size() == 2);
  CHECK(events_of(lines, "task_exit").size() == 2);
  CHECK(events_of(lines, "chan_send").size() == 5);
  CHECK(events_of(lines, "chan_recv").size() == 6 + 1);  // 5 values, the close, and done
  CHECK(lines.back()["type"] == "end");
  CHECK(lines.back()["outcome"] == "stopped");
}

TEST_CASE("TR_11_a_recording_takes_one_run_and_restarts_ids", "[trace]") {
  std::string path = trace_temp_path("two");
  {
    goro::trace::Recording rec(path);
    REQUIRE(goro::simulate(1, traced_pipeline).ok());
    REQUIRE(goro::simulate(2, traced_pipeline).ok());  // not recorded: the recording holds one run
    CHECK_FALSE(goro::detail::tracing());        // no more hooks once its scope has ended
  }
  auto lines = lines_of(slurp(path));
  fs::remove(path);
  CHECK(lines[0]["seed"] == 1);
  CHECK(events_of(lines, "meta").size() == 1);
  CHECK(events_of(lines, "end").size() == 1);

  // msg ids restart with every recording.
  auto a = lines_of(record_sim(5, traced_pipeline));
  auto b = lines_of(record_sim(5, traced_pipeline));
  CHECK(events_of(a, "chan_send")[0]["msg"] == 1);
  CHECK(events_of(b, "chan_send")[0]["msg"] == 1);
}

TEST_CASE("TR_12_start_errors", "[trace]") {
  CHECK_THROWS_AS(goro::trace::start("/nonexistent-dir/x/trace.jsonl"), std::runtime_error);
  CHECK_FALSE(goro::trace::active());
  std::string path = trace_temp_path("twice");
  goro::trace::Recording rec(path);
  CHECK_THROWS_AS(goro::trace::start(trace_temp_path("other")), std::logic_error);
  rec.stop();
  CHECK_FALSE(goro::trace::active());
  // A recording stopped before any event still has its meta line and end.
  auto lines = lines_of(slurp(path));
  fs::remove(path);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["type"] == "meta");
  CHECK(lines[1]["type"] == "end");
}

TEST_CASE("TR_13_started_inside_a_scope", "[trace]") {
  std::string path = trace_temp_path("inside");
  auto r = goro::simulate(9, [&] {
    auto c = goro::make_chan<int>(1);
    goro::trace::start(path);
    c.send(1);
    (void)c.recv();
    goro::trace::stop();
  });
  REQUIRE(r.ok());
  auto lines = lines_of(slurp(path));
  fs::remove(path);
  CHECK(lines[0]["mode"] == "deterministic");
  CHECK(lines[0]["seed"] == 9);
  CHECK(events_of(lines, "chan_send").size() == 1);
  CHECK(events_of(lines, "chan_recv").size() == 1);
  CHECK(lines.back()["outcome"] == "stopped");
}

TEST_CASE("TR_14_runtime_emits_context_errgroup_and_timer_events", "[trace]") {
  auto lines = lines_of(record_sim(1, [] {
    using namespace std::chrono_literals;
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    g.go([]() -> goro::Error { return goro::new_error("boom"); });
    g.go([ctx = ctx]() -> goro::Error {
      (void)goro::select(goro::on_recv(ctx.done()));
      return ctx.err();
    });
    (void)g.wait();
    auto [tctx, cancel] = goro::with_timeout(goro::background(), 10ms);
    (void)goro::select(goro::on_recv(tctx.done()));
    cancel();
  }));
  CHECK_FALSE(events_of(lines, "ctx_new").empty());
  CHECK(events_of(lines, "ctx_cancel").size() >= 2);
  CHECK(events_of(lines, "group_error").size() == 1);
  CHECK_FALSE(events_of(lines, "timer").empty());
}
