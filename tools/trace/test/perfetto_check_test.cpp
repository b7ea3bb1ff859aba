// The Perfetto validator catches each rule on deliberately broken exports.
#include <catch2/catch.hpp>

#include <set>

#include "dojo/trace/perfetto.hpp"
#include "dojo/trace/perfetto_check.hpp"
#include "programs.hpp"
#include "trace_support.hpp"

using namespace dojo::trace;
using namespace dojo::trace::test;
using nlohmann::json;

namespace {

/// A small valid document: one named lane with a slice holding a flow start, a second lane
/// with the flow end, an instant, a counter.
json good() {
  return json::parse(R"({"traceEvents":[
    {"ph":"M","pid":1,"name":"process_name","args":{"name":"run"}},
    {"ph":"M","pid":1,"tid":1,"name":"thread_name","args":{"name":"g1 main"}},
    {"ph":"M","pid":1,"tid":2,"name":"thread_name","args":{"name":"g2 worker"}},
    {"ph":"M","pid":1,"tid":2,"name":"thread_sort_index","args":{"sort_index":2}},
    {"ph":"X","pid":1,"tid":1,"ts":10,"dur":100,"name":"running","cat":"state"},
    {"ph":"X","pid":1,"tid":1,"ts":20,"dur":4,"name":"send chan#1","cat":"chan"},
    {"ph":"s","pid":1,"tid":1,"ts":21,"id":5,"cat":"chan","name":"chan#1 send→recv"},
    {"ph":"X","pid":1,"tid":2,"ts":10,"dur":100,"name":"blocked: chan receive","cat":"state"},
    {"ph":"X","pid":1,"tid":2,"ts":110,"dur":50,"name":"running","cat":"state"},
    {"ph":"X","pid":1,"tid":2,"ts":120,"dur":4,"name":"recv chan#1","cat":"chan"},
    {"ph":"f","bp":"e","pid":1,"tid":2,"ts":121,"id":5,"cat":"chan","name":"chan#1 send→recv"},
    {"ph":"i","s":"t","pid":1,"tid":2,"ts":130,"name":"error: boom","cat":"error"},
    {"ph":"C","pid":1,"ts":10,"name":"tasks","args":{"live":2,"blocked":1}},
    {"ph":"B","pid":1,"tid":1,"ts":200,"name":"b"},
    {"ph":"E","pid":1,"tid":1,"ts":210}
  ],"otherData":{"seed":1}})");
}

/// The rules broken by `doc`.
std::set<std::string> rules(const json& doc) {
  std::set<std::string> out;
  for (const auto& v : check_perfetto(doc)) out.insert(v.rule);
  return out;
}

/// Index of the first event with this ph and name in good().
std::size_t find(const json& doc, const std::string& ph, const std::string& name = "") {
  const auto& evs = doc["traceEvents"];
  for (std::size_t i = 0; i < evs.size(); ++i)
    if (evs[i]["ph"] == ph && (name.empty() || evs[i].value("name", "") == name)) return i;
  FAIL("no such event");
  return 0;
}

}  // namespace

TEST_CASE("PC_00_the_reference_document_is_clean", "[trace-check]") {
  auto vs = check_perfetto(good());
  INFO(format_violations(vs));
  CHECK(vs.empty());
  // A bare array of events is a valid container too.
  CHECK(check_perfetto(good()["traceEvents"]).empty());
}

TEST_CASE("PC_01_container", "[trace-check]") {
  CHECK(rules(json::object()) == std::set<std::string>{"container"});
  CHECK(rules(json{{"traceEvents", 3}}) == std::set<std::string>{"container"});
  CHECK(rules(json(42)) == std::set<std::string>{"container"});
  CHECK(check_perfetto_text("{not json")[0].rule == "json");
}

TEST_CASE("PC_02_events_and_phases", "[trace-check]") {
  json d = good();
  d["traceEvents"].push_back(7);
  CHECK(rules(d).count("event") == 1);
  d = good();
  d["traceEvents"].push_back({{"pid", 1}, {"ts", 1}});
  CHECK(rules(d).count("ph") == 1);
  d = good();
  d["traceEvents"].push_back({{"ph", "XX"}, {"pid", 1}, {"ts", 1}});
  CHECK(rules(d).count("ph") == 1);
  d = good();
  d["traceEvents"].push_back({{"ph", "Q"}, {"pid", 1}, {"ts", 1}});
  CHECK(rules(d).count("ph") == 1);
}

TEST_CASE("PC_03_pid_and_tid_are_integers", "[trace-check]") {
  json d = good();
  d["traceEvents"][find(d, "X", "running")]["pid"] = "1";
  CHECK(rules(d).count("pid") == 1);
  d = good();
  d["traceEvents"][find(d, "X", "running")]["tid"] = "main";
  CHECK(rules(d).count("tid") == 1);
  d = good();
  d["traceEvents"][find(d, "X", "running")]["tid"] = 1.5;
  CHECK(rules(d).count("tid") == 1);
  d = good();
  d["traceEvents"][find(d, "X", "running")].erase("tid");
  CHECK(rules(d).count("tid") == 1);
  d = good();
  d["traceEvents"][find(d, "C")].erase("pid");
  CHECK(rules(d).count("pid") == 1);
  d = good();
  d["traceEvents"][find(d, "i")].erase("tid");  // a thread instant without a thread
  CHECK(rules(d).count("tid") == 1);
}

TEST_CASE("PC_04_ts_and_dur", "[trace-check]") {
  json d = good();
  d["traceEvents"][find(d, "X", "running")]["ts"] = "10";
  CHECK(rules(d).count("ts") == 1);
  d = good();
  d["traceEvents"][find(d, "i")]["ts"] = -1;
  CHECK(rules(d).count("ts") == 1);
  d = good();
  d["traceEvents"][find(d, "C")].erase("ts");
  CHECK(rules(d).count("ts") == 1);
  d = good();
  d["traceEvents"][find(d, "X", "running")].erase("dur");
  CHECK(rules(d).count("dur") == 1);
  d = good();
  d["traceEvents"][find(d, "X", "running")]["dur"] = -5;
  CHECK(rules(d).count("dur") == 1);
}

TEST_CASE("PC_05_names_and_args", "[trace-check]") {
  json d = good();
  d["traceEvents"][find(d, "X", "running")]["name"] = "";
  CHECK(rules(d).count("name") == 1);
  d = good();
  d["traceEvents"][find(d, "i")].erase("name");
  CHECK(rules(d).count("name") == 1);
  d = good();
  d["traceEvents"][find(d, "X", "running")]["args"] = json::array({1, 2});
  CHECK(rules(d).count("args") == 1);
}

TEST_CASE("PC_06_partial_overlap_is_caught", "[trace-check]") {
  json d = good();
  // [10,110) and [100,150) on tid 1: partial overlap.
  d["traceEvents"].push_back(json::parse(R"({"ph":"X","pid":1,"tid":1,"ts":100,"dur":50,"name":"running"})"));
  auto vs = check_perfetto(d);
  REQUIRE(vs.size() == 1);
  CHECK(vs[0].rule == "nesting");
  CHECK(vs[0].event == d["traceEvents"].size() - 1);
  // A child sticking out of its parent by one nanosecond (fractional µs).
  d = good();
  d["traceEvents"].push_back(json::parse(R"({"ph":"X","pid":1,"tid":1,"ts":100,"dur":10.001,"name":"op"})"));
  CHECK(rules(d) == std::set<std::string>{"nesting"});
  // Adjacent siblings and exact nesting are fine; another lane is independent.
  d = good();
  d["traceEvents"].push_back(json::parse(R"({"ph":"X","pid":1,"tid":1,"ts":110,"dur":5,"name":"next"})"));
  d["traceEvents"].push_back(json::parse(R"({"ph":"X","pid":1,"tid":1,"ts":10,"dur":100,"name":"same"})"));
  d["traceEvents"].push_back(json::parse(R"({"ph":"X","pid":2,"tid":1,"ts":50,"dur":100,"name":"other"})"));
  d["traceEvents"].push_back(json::parse(R"({"ph":"M","pid":2,"tid":1,"name":"thread_name","args":{"name":"x"}})"));
  auto ok = check_perfetto(d);
  INFO(format_violations(ok));
  CHECK(ok.empty());
}

TEST_CASE("PC_07_begin_end_balance", "[trace-check]") {
  json d = good();
  d["traceEvents"].erase(find(d, "E"));
  CHECK(rules(d).count("be") == 1);
  d = good();
  d["traceEvents"].push_back(json::parse(R"({"ph":"E","pid":1,"tid":2,"ts":300})"));
  CHECK(rules(d).count("be") == 1);
  // A B/E slice partially overlapping an X slice.
  d = good();
  d["traceEvents"].push_back(json::parse(R"({"ph":"B","pid":1,"tid":1,"ts":50,"name":"b2"})"));
  d["traceEvents"].push_back(json::parse(R"({"ph":"E","pid":1,"tid":1,"ts":150})"));
  CHECK(rules(d).count("nesting") == 1);
}

TEST_CASE("PC_08_flow_rules", "[trace-check]") {
  // Different name: the two ends no longer pair.
  json d = good();
  d["traceEvents"][find(d, "f")]["name"] = "other";
  CHECK(rules(d).count("flow-pair") == 1);
  // Different cat.
  d = good();
  d["traceEvents"][find(d, "f")]["cat"] = "x";
  CHECK(rules(d).count("flow-pair") == 1);
  // Different id.
  d = good();
  d["traceEvents"][find(d, "f")]["id"] = 6;
  CHECK(rules(d).count("flow-pair") == 1);
  // Missing end / duplicated start.
  d = good();
  d["traceEvents"].erase(find(d, "f"));
  CHECK(rules(d).count("flow-pair") == 1);
  d = good();
  d["traceEvents"].push_back(d["traceEvents"][find(d, "s")]);
  CHECK(rules(d).count("flow-pair") == 1);
  // No id.
  d = good();
  d["traceEvents"][find(d, "s")].erase("id");
  CHECK(rules(d).count("flow-id") == 1);
  // Flow end without bp:"e".
  d = good();
  d["traceEvents"][find(d, "f")].erase("bp");
  CHECK(rules(d) == std::set<std::string>{"flow-bp"});
  // Not strictly inside a slice: at a slice start, outside any slice, on a lane without slices.
  d = good();
  d["traceEvents"][find(d, "s")]["ts"] = 10;
  CHECK(rules(d) == std::set<std::string>{"flow-enclosed"});
  d = good();
  d["traceEvents"][find(d, "f")]["ts"] = 500;
  CHECK(rules(d).count("flow-enclosed") == 1);
  d = good();
  d["traceEvents"][find(d, "f")]["tid"] = 9;
  CHECK(rules(d).count("flow-enclosed") == 1);
  // Backwards arrow.
  d = good();
  d["traceEvents"][find(d, "s")]["ts"] = 105;
  d["traceEvents"][find(d, "f")]["ts"] = 50;
  d["traceEvents"][find(d, "f")]["tid"] = 2;
  CHECK(rules(d) == std::set<std::string>{"flow-order"});
}

TEST_CASE("PC_09_instants_counters_metadata_lanes", "[trace-check]") {
  json d = good();
  d["traceEvents"][find(d, "i")]["s"] = "x";
  CHECK(rules(d) == std::set<std::string>{"instant-scope"});
  d = good();
  d["traceEvents"][find(d, "C")]["args"] = json::object();
  CHECK(rules(d) == std::set<std::string>{"counter"});
  d = good();
  d["traceEvents"][find(d, "C")]["args"]["live"] = "2";
  CHECK(rules(d) == std::set<std::string>{"counter"});
  d = good();
  d["traceEvents"][find(d, "M", "process_name")]["args"] = json::object();
  CHECK(rules(d) == std::set<std::string>{"metadata"});
  d = good();
  d["traceEvents"][find(d, "M", "thread_sort_index")]["args"]["sort_index"] = "2";
  CHECK(rules(d) == std::set<std::string>{"metadata"});
  d = good();
  d["traceEvents"].push_back(json::parse(R"({"ph":"M","pid":1,"tid":1,"name":"thread_colour","args":{"name":"red"}})"));
  CHECK(rules(d) == std::set<std::string>{"metadata"});
  d = good();
  d["traceEvents"].erase(find(d, "M", "thread_name"));
  CHECK(rules(d) == std::set<std::string>{"lane-named"});
}

TEST_CASE("PC_10_a_tampered_real_export_is_caught", "[trace-check]") {
  json doc = to_perfetto(read_trace_string(record_sim(4, pipeline)));
  REQUIRE(check_perfetto(doc).empty());
  // Stretch one op slice past its state slice; drop the bp of one flow end.
  json bad = doc;
  bool stretched = false, unbound = false;
  for (auto& e : bad["traceEvents"]) {
    if (!stretched && e["ph"] == "X" && e["cat"] == "chan") {
      e["dur"] = 1'000'000'000;
      stretched = true;
    }
    if (!unbound && e["ph"] == "f") {
      e.erase("bp");
      unbound = true;
    }
  }
  auto r = rules(bad);
  CHECK(r.count("nesting") == 1);
  CHECK(r.count("flow-bp") == 1);
  // String tids, the "quick-and-dirty hack".
  bad = doc;
  for (auto& e : bad["traceEvents"])
    if (e.contains("tid")) e["tid"] = fmt::format("g{}", e["tid"].get<std::int64_t>());
  CHECK(rules(bad).count("tid") == 1);
}
