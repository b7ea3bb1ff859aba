// Perfetto export of real recorded goro runs: every export passes the validator, and shows
// tasks, states, arrows, instants and counters.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "dojo/trace/perfetto.hpp"
#include "dojo/trace/perfetto_check.hpp"
#include "programs.hpp"
#include "trace_support.hpp"

using namespace dojo::trace;
using namespace dojo::trace::test;
using nlohmann::json;

namespace {

struct Exported {
  Trace trace;
  json doc;
  ExportStats stats;
};

Exported export_text(const std::string& text, const ExportOptions& o = {}) {
  Exported x;
  x.trace = read_trace_string(text);
  x.doc = to_perfetto(x.trace, o, &x.stats);
  return x;
}

/// Exports, asserts the validator finds nothing, and returns the export.
Exported export_clean(const std::string& text, const ExportOptions& o = {}) {
  Exported x = export_text(text, o);
  auto vs = check_perfetto(x.doc);
  INFO(format_violations(vs));
  CHECK(vs.empty());
  return x;
}

std::vector<json> with_ph(const json& doc, const std::string& ph) {
  std::vector<json> out;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == ph) out.push_back(e);
  return out;
}

std::map<std::int64_t, std::string> thread_names(const json& doc) {
  std::map<std::int64_t, std::string> out;
  for (const auto& e : with_ph(doc, "M"))
    if (e["name"] == "thread_name") out[e["tid"].get<std::int64_t>()] = e["args"]["name"].get<std::string>();
  return out;
}

bool any_name(const std::vector<json>& evs, const std::string& needle) {
  for (const auto& e : evs)
    if (e["name"].get<std::string>().find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("PF_01_deterministic_pipeline_exports_cleanly", "[trace-perfetto]") {
  bool blocked_in_select = false;
  for (std::uint64_t seed : {1, 2, 3, 4, 5, 6, 7, 8}) {
    INFO("seed " << seed);
    Exported x = export_clean(record_sim(seed, pipeline));
    // One named track per task plus the runtime track; integer pid/tid everywhere.
    auto names = thread_names(x.doc);
    CHECK(names.size() == x.trace.tasks.size() + 1);
    CHECK(names.at(1) == "g1 main");
    CHECK(any_name(with_ph(x.doc, "M"), "process_name"));
    bool producer = false;
    for (const auto& [tid, name] : names) producer = producer || name.find("producer") != std::string::npos;
    CHECK(producer);
    // States are in slice names.
    auto slices = with_ph(x.doc, "X");
    CHECK(any_name(slices, "running"));
    CHECK(any_name(slices, "blocked: chan receive"));
    blocked_in_select = blocked_in_select || any_name(slices, "blocked: select");
    CHECK(any_name(slices, "send chan#"));
    CHECK(any_name(slices, "select: case 0 of 2"));
    // Every message got its arrow.
    CHECK(x.stats.flows == 16);
    CHECK(x.stats.flows_dropped == 0);
    CHECK(with_ph(x.doc, "s").size() == 16);
    CHECK(with_ph(x.doc, "f").size() == 16);
    // Counters of live and blocked tasks.
    auto counters = with_ph(x.doc, "C");
    REQUIRE(counters.size() > 10);
    std::int64_t max_live = 0;
    for (const auto& c : counters) max_live = std::max(max_live, c["args"]["live"].get<std::int64_t>());
    CHECK(max_live >= 4);
    CHECK(counters.back()["args"]["live"] == 0);
    // otherData names the run.
    CHECK(x.doc["otherData"]["seed"] == seed);
    CHECK(x.doc["otherData"]["clock"] == "virtual");
    CHECK(x.doc["otherData"]["outcome"] == "ok");
    // Timestamps are whole microseconds, strictly after 0.
    for (const auto& e : x.doc["traceEvents"])
      if (e.contains("ts")) {
        CHECK(e["ts"].is_number_integer());
        CHECK(e["ts"].get<std::int64_t>() > 0);
      }
  }
  CHECK(blocked_in_select);  // in some schedules the collector waits in its select
}

TEST_CASE("PF_02_select_sends_recorded_late_still_get_forward_arrows", "[trace-perfetto]") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    INFO("seed " << seed);
    Exported x = export_clean(record_sim(seed, select_sends));
    CHECK(x.stats.flows == 4);
    CHECK(x.stats.flows_dropped == 0);
  }
}

TEST_CASE("PF_03_deadlock_and_leak_mark_the_stuck_tasks", "[trace-perfetto]") {
  Exported dl = export_clean(record_sim(3, deadlock));
  auto slices = with_ph(dl.doc, "X");
  CHECK(any_name(slices, "DEADLOCK blocked: chan receive"));
  auto instants = with_ph(dl.doc, "i");
  CHECK(any_name(instants, "deadlock: 2 task(s) stuck"));
  CHECK(any_name(instants, "DEADLOCK: chan receive"));
  CHECK(any_name(instants, "end: deadlock"));
  for (const auto& i : instants) CHECK(i["s"] == "t");

  Exported lk = export_clean(record_sim(1, leak));
  CHECK(any_name(with_ph(lk.doc, "X"), "LEAKED blocked: chan send"));
  CHECK(any_name(with_ph(lk.doc, "i"), "LEAKED: chan send"));
}

TEST_CASE("PF_04_panic_is_an_instant_on_its_task", "[trace-perfetto]") {
  Exported x = export_clean(record_sim(1, panics));
  auto instants = with_ph(x.doc, "i");
  bool found = false;
  auto names = thread_names(x.doc);
  for (const auto& i : instants)
    if (i["name"] == "panic: close of closed channel") {
      found = true;
      CHECK(names.at(i["tid"].get<std::int64_t>()).find("closes-twice") != std::string::npos);
      CHECK(i["args"]["stack"].is_array());
    }
  CHECK(found);
  CHECK(x.doc["otherData"]["outcome"] == "panic");
}

TEST_CASE("PF_05_cancellation_run_exports_cleanly", "[trace-perfetto]") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    goro::SimResult r;
    Exported x = export_clean(record_sim(seed, cancellation, &r));
    INFO(r.report);
    CHECK(r.ok());
    CHECK(any_name(with_ph(x.doc, "X"), "select: case"));
  }
}

TEST_CASE("PF_06_errors_timers_and_contexts_become_instants", "[trace-perfetto]") {
  Exported x = export_clean(record_sim(1, [] {
    goro::Error base = goro::new_error("503");
    goro::Error err = goro::errorf("fetch a: {:w}", base);
    {
      goro::detail::Lock lk(goro::detail::big_lock());
      goro::detail::trace_ctx_new(7, 0, "with_cancel");
      goro::detail::trace_group_first_error(8, err);
      goro::detail::trace_ctx_cancel(7, goro::new_error("context canceled"), err);
      goro::detail::trace_timer("fire", 9, goro::detail::current_scheduler().now());
    }
    goro::detail::trace_task_error(*goro::detail::current_task(), err);
  }));
  auto instants = with_ph(x.doc, "i");
  CHECK(any_name(instants, "ctx#7 with_cancel"));
  CHECK(any_name(instants, "ctx#7 cancelled: fetch a: 503"));
  CHECK(any_name(instants, "errgroup#8 first error: fetch a: 503"));
  CHECK(any_name(instants, "timer#9 fire"));
  bool chain = false;
  for (const auto& i : instants)
    if (i["name"] == "error: fetch a: 503") {
      chain = true;
      CHECK(i["tid"] == 1);
      CHECK(i["args"]["error"]["children"][0]["message"] == "503");
    }
  CHECK(chain);
}

TEST_CASE("PF_07_free_mode_runs_export_cleanly", "[trace-perfetto]") {
  for (int round = 0; round < 5; ++round) {
    Exported x = export_clean(record_free([] {
      auto in = goro::make_chan<int>(1);
      auto out = goro::make_chan<int>();
      goro::WaitGroup wg;
      for (int w = 0; w < 3; ++w)
        wg.go([=] {
          for (int v : in) out.send(v);
        });
      goro::go_named("producer", [=] {
        for (int i = 0; i < 20; ++i) in.send(i);
        in.close();
      });
      goro::go_named("closer", [&wg, out] {
        wg.wait();
        out.close();
      });
      int n = 0;
      for (int v : out) n += v >= 0;
      if (n != 20) goro::panic("lost values");
    }));
    CHECK(x.trace.meta.mode == "free");
    CHECK(x.stats.flows == 40);
    CHECK(x.stats.flows_dropped == 0);
    CHECK(x.doc["otherData"]["clock"] == "real");
  }
}

TEST_CASE("PF_08_free_mode_panic_in_a_child_process_exports_cleanly", "[trace-perfetto]") {
  TempFile file;
  int code = run(fmt::format("GORO_TRACE={} {} free-panic 2>/dev/null", quote(file.path()), quote(DOJO_TRACE_PROBE)));
  CHECK(code == 2);  // Go's exit code for an unrecovered panic
  Exported x = export_clean(slurp(file.path()));
  CHECK(x.trace.meta.mode == "free");
  CHECK_FALSE(x.trace.end);  // the process ended before the recording did
  bool found = false;
  for (const auto& [id, task] : x.trace.tasks)
    if (task.name == "doomed") {
      found = true;
      REQUIRE(task.panic);
      CHECK(*task.panic == "boom: \"quoted\"");
    }
  CHECK(found);
  CHECK(any_name(with_ph(x.doc, "i"), "panic: boom: \"quoted\""));
}

TEST_CASE("PF_09_goro_trace_env_records_each_simulation", "[trace-perfetto]") {
  TempFile base("");
  const std::string pattern = base.path() + ".{seed}.jsonl";
  const std::string p1 = base.path() + ".1.jsonl", p2 = base.path() + ".2.jsonl";
  int code = run(fmt::format("GORO_TRACE={} {} sim 1 2", quote(pattern), quote(DOJO_TRACE_PROBE)));
  REQUIRE(code == 0);
  const std::string t1 = slurp(p1), t2 = slurp(p2);
  std::filesystem::remove(p1);
  std::filesystem::remove(p2);
  Exported x1 = export_clean(t1);
  Exported x2 = export_clean(t2);
  CHECK(x1.trace.meta.seed == 1u);
  CHECK(x2.trace.meta.seed == 2u);
  CHECK(x1.stats.flows == 8);

  // Free mode: recorded from the first event until the process exits.
  TempFile f;
  REQUIRE(run(fmt::format("GORO_TRACE={} {} free", quote(f.path()), quote(DOJO_TRACE_PROBE))) == 0);
  Exported xf = export_clean(slurp(f.path()));
  CHECK(xf.trace.meta.mode == "free");
  REQUIRE(xf.trace.end);
  CHECK(xf.trace.events[*xf.trace.end].outcome == "exit");
  CHECK(xf.stats.flows == 8);
}

TEST_CASE("PF_10_step_option_and_title", "[trace-perfetto]") {
  ExportOptions o;
  o.step_us = 1000;
  o.title = "ex07 fan-out";
  Exported x = export_clean(record_sim(2, pipeline), o);
  bool titled = false;
  for (const auto& m : with_ph(x.doc, "M"))
    if (m["name"] == "process_name") titled = m["args"]["name"] == "ex07 fan-out";
  CHECK(titled);
  std::set<std::int64_t> ts;
  for (const auto& c : with_ph(x.doc, "C")) ts.insert(c["ts"].get<std::int64_t>());
  REQUIRE(ts.size() > 2);
  ts.erase(ts.begin());  // the initial counter sits just before the first event
  std::int64_t prev = -1000;
  for (auto t : ts) {
    CHECK(t - prev >= 1000);
    prev = t;
  }
}
