// The trace reader: model of recorded runs, and clear errors for bad input.
#include <catch2/catch.hpp>

#include <random>

#include "dojo/trace/reader.hpp"
#include "programs.hpp"
#include "trace_support.hpp"

using namespace dojo::trace;
using namespace dojo::trace::test;

namespace {

const std::string kMeta =
    R"({"type":"meta","schema":"goro-trace","version":1,"mode":"deterministic","clock":"virtual","seed":4,"strategy":"pct","start_ns":0,"start":"2000-01-01T00:00:00.000000000Z","producer":"test"})";

/// The ReadError message for `text`, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    (void)read_trace_string(text, "t.jsonl");
  } catch (const ReadError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("RD_01_reads_a_recorded_pipeline", "[trace-reader]") {
  goro::SimResult r;
  Trace t = read_trace_string(record_sim(5, pipeline, &r));
  REQUIRE(r.ok());
  CHECK(t.meta.schema == "goro-trace");
  CHECK(t.meta.version == 1);
  CHECK(t.meta.deterministic());
  CHECK(t.meta.clock == "virtual");
  CHECK(t.meta.seed == 5u);
  CHECK(t.meta.strategy == "pct");
  CHECK(t.meta.start == "2000-01-01T00:00:00.000000000Z");
  CHECK(t.warnings.empty());
  CHECK(t.unknown_events == 0);
  REQUIRE(t.end);
  CHECK(t.events[*t.end].outcome == "ok");

  REQUIRE(t.tasks.size() == 6);
  CHECK(t.tasks.at(1).name == "main");
  CHECK_FALSE(t.tasks.at(1).adopted);
  std::size_t named = 0;
  for (const auto& [id, task] : t.tasks) {
    CHECK(task.exit_ts.has_value());
    CHECK_FALSE(task.events.empty());
    CHECK(t.events[task.events.front()].type == EventType::task_start);
    CHECK(t.events[task.events.back()].type == EventType::task_exit);
    if (task.name == "producer" || task.name == "closer") {
      ++named;
      CHECK(task.parent == 1);
      CHECK_THAT(task.site.file, Catch::EndsWith("programs.hpp"));
    }
  }
  CHECK(named == 2);

  REQUIRE(t.channels.size() == 3);
  const ChannelModel& in = t.channels.begin()->second;
  CHECK(in.made);
  CHECK(in.elem == "int");
  CHECK(in.cap == 2);
  CHECK(in.sends == 8);
  CHECK(in.recvs == 8 + 3);  // 8 values, then each worker sees the close
  CHECK(in.close_ts.has_value());

  // 16 messages, each with its send and its receive.
  CHECK(t.messages.size() == 16);
  for (const auto& [msg, ends] : t.messages) {
    REQUIRE(ends.first);
    REQUIRE(ends.second);
    const Event& s = t.events[*ends.first];
    const Event& rcv = t.events[*ends.second];
    CHECK(s.type == EventType::chan_send);
    CHECK(rcv.type == EventType::chan_recv);
    CHECK(s.chan == rcv.chan);
    CHECK(s.value == rcv.value);
    CHECK(rcv.ok);
  }
  // seq in order, events typed.
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    CHECK(t.events[i].seq == i + 1);
    CHECK(t.events[i].type != EventType::unknown);
    CHECK(event_type_name(t.events[i].type) == t.events[i].type_name);
  }
}

TEST_CASE("RD_02_reads_reports_panics_and_error_trees", "[trace-reader]") {
  Trace dl = read_trace_string(record_sim(3, deadlock));
  REQUIRE(dl.end);
  CHECK(dl.events[*dl.end].outcome == "deadlock");
  CHECK_THAT(dl.events[*dl.end].report, Catch::StartsWith("fatal error: all goroutines are asleep"));
  const Event* report = nullptr;
  for (const auto& e : dl.events)
    if (e.type == EventType::report) report = &e;
  REQUIRE(report != nullptr);
  CHECK(report->kind == "deadlock");
  REQUIRE(report->tasks.size() == 2);
  CHECK(report->tasks[1].name == "waits-for-b");
  CHECK(report->tasks[1].state == "blocked");
  CHECK(report->tasks[1].reason == "chan receive");
  CHECK(report->tasks[1].site.line > 0);
  CHECK_THAT(report->tasks[1].started.file, Catch::EndsWith("programs.hpp"));

  Trace p = read_trace_string(record_sim(1, panics));
  bool found = false;
  for (const auto& [id, task] : p.tasks)
    if (task.name == "closes-twice") {
      found = true;
      REQUIRE(task.panic);
      CHECK(*task.panic == "close of closed channel");
    }
  CHECK(found);

  // Error trees, read back as recorded (hooks called directly).
  Trace e = read_trace_string(record_sim(1, [] {
    goro::Error base = goro::new_error("refused");
    goro::detail::trace_task_error(*goro::detail::current_task(), goro::errorf("fetch: {:w}", goro::join(base, base)));
  }));
  const Event* te = nullptr;
  for (const auto& ev : e.events)
    if (ev.type == EventType::task_error) te = &ev;
  REQUIRE(te != nullptr);
  REQUIRE(te->err);
  CHECK(te->err->message == "fetch: refused\nrefused");
  CHECK(te->err->type == "wrap");
  REQUIRE(te->err->children.size() == 1);
  CHECK(te->err->children[0].type == "join");
  CHECK(te->err->children[0].children.size() == 2);
}

TEST_CASE("RD_03_reads_a_free_mode_run", "[trace-reader]") {
  Trace t = read_trace_string(record_free([] {
    auto c = goro::make_chan<int>();
    auto done = goro::make_chan<goro::Unit>();
    goro::go_named("sender", [=] {
      c.send(1);
      c.send(2);
      c.close();
    });
    goro::go_named("receiver", [=] {
      for (int v : c) (void)v;
      done.close();
    });
    (void)done.recv();
  }));
  CHECK(t.meta.mode == "free");
  CHECK(t.meta.clock == "real");
  CHECK_FALSE(t.meta.seed);
  // The test thread is an adopted task: it has no task_start.
  std::size_t adopted = 0, started = 0;
  for (const auto& [id, task] : t.tasks) (task.adopted ? adopted : started)++;
  CHECK(adopted == 1);
  CHECK(started == 2);
  CHECK(t.messages.size() == 2);
  REQUIRE(t.end);
  CHECK(t.events[*t.end].outcome == "stopped");
}

TEST_CASE("RD_04_schema_and_version_are_checked", "[trace-reader]") {
  CHECK(error_of(kMeta + "\n").empty());
  CHECK_THAT(error_of(R"({"type":"meta","schema":"other","version":1,"mode":"free"})"),
             Catch::Contains("t.jsonl:1: not a goro trace: schema is 'other'"));
  CHECK_THAT(error_of(R"({"type":"meta","schema":"goro-trace","version":2,"mode":"free"})"),
             Catch::Contains("t.jsonl:1: trace format version 2 is newer than this reader supports (version 1)"));
  CHECK_THAT(error_of(R"({"type":"meta","schema":"goro-trace","version":0,"mode":"free"})"),
             Catch::Contains("invalid trace format version 0"));
  CHECK_THAT(error_of(R"({"type":"meta","schema":"goro-trace","version":"1","mode":"free"})"),
             Catch::Contains("field 'version' must be an integer, not a string"));
  CHECK_THAT(error_of(R"({"type":"meta","schema":"goro-trace","mode":"free"})"),
             Catch::Contains("missing field 'version'"));
  CHECK_THAT(error_of(R"({"type":"meta","schema":"goro-trace","version":1,"mode":"weird"})"),
             Catch::Contains("field 'mode' must be"));
  CHECK_THAT(error_of(R"({"seq":1,"ts":0,"type":"task_start","task":1})"),
             Catch::Contains("t.jsonl:1: the first line must be the meta line"));
  CHECK_THAT(error_of(""), Catch::Contains("empty input"));
  CHECK_THAT(error_of("\n\n"), Catch::Contains("empty input"));
}

TEST_CASE("RD_05_malformed_lines_name_the_line_and_the_problem", "[trace-reader]") {
  const std::string ok = R"({"seq":1,"ts":0,"type":"task_start","task":1,"parent":0,"name":"main"})";
  CHECK(error_of(kMeta + "\n" + ok + "\n").empty());
  CHECK_THAT(error_of(kMeta + "\n" + ok + "\n{\"seq\":2,"), Catch::Contains("t.jsonl:3: invalid JSON"));
  CHECK_THAT(error_of(kMeta + "\nnot json\n"), Catch::Contains("t.jsonl:2: invalid JSON"));
  // Valid JSON syntax that no number type holds: still a clear error, not an exception.
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":946e684800000000000}\n"),
             Catch::Contains("t.jsonl:2: invalid JSON (number overflow"));
  CHECK_THAT(error_of(kMeta + "\n[1,2]\n"), Catch::Contains("t.jsonl:2: expected a JSON object, found an array"));
  CHECK_THAT(error_of(kMeta + "\n{\"ts\":0,\"type\":\"unblock\",\"task\":1}\n"),
             Catch::Contains("t.jsonl:2: missing field 'seq'"));
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":\"0\",\"type\":\"unblock\",\"task\":1}\n"),
             Catch::Contains("t.jsonl:2: field 'ts' must be an integer, not a string"));
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":0,\"type\":\"unblock\"}\n"),
             Catch::Contains("t.jsonl:2: missing field 'task'"));
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":0,\"type\":\"unblock\",\"task\":-3}\n"),
             Catch::Contains("field 'task' must be a non-negative integer"));
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":0,\"type\":\"chan_recv\",\"task\":1,\"chan\":2,\"ok\":1}\n"),
             Catch::Contains("field 'ok' must be true or false"));
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":0,\"type\":\"block\",\"task\":1,\"reason\":\"x\",\"site\":3}\n"),
             Catch::Contains("field 'site' must be an object"));
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":0,\"type\":\"task_error\",\"task\":1,\"err\":{\"children\":5}}\n"),
             Catch::Contains("'children' must be an array"));
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":0,\"type\":\"panic\",\"task\":1,\"stack\":[1]}\n"),
             Catch::Contains("field 'stack' must hold only strings"));
  CHECK_THAT(error_of(kMeta + "\n" + ok + "\n" + ok + "\n"),
             Catch::Contains("t.jsonl:3: seq 1 does not increase (the previous event had seq 1)"));
  CHECK_THAT(error_of(kMeta + "\n" + kMeta + "\n"), Catch::Contains("t.jsonl:2: a second meta line"));
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":0,\"type\":\"end\",\"outcome\":\"ok\"}\n" +
                      R"({"seq":2,"ts":0,"type":"unblock","task":1})"),
             Catch::Contains("t.jsonl:3: an event after the end event"));
  // Deeply nested error trees are refused, not recursed into without limit.
  std::string deep = "null";
  for (int i = 0; i < 300; ++i) deep = "{\"message\":\"m\",\"type\":\"wrap\",\"children\":[" + deep + "]}";
  CHECK_THAT(error_of(kMeta + "\n{\"seq\":1,\"ts\":0,\"type\":\"task_error\",\"task\":1,\"err\":" + deep + "}\n"),
             Catch::Contains("nested deeper than 200"));
}

TEST_CASE("RD_06_unknown_events_are_kept_and_ignored", "[trace-reader]") {
  Trace t = read_trace_string(kMeta + "\n" +
                              R"({"seq":1,"ts":5,"type":"task_start","task":1,"parent":0,"name":"main","extra":[1,2]})" +
                              "\n\n" + R"({"seq":2,"ts":6,"type":"hologram","task":1,"color":"blue"})" + "\n" +
                              R"({"seq":3,"ts":7,"type":"task_exit","task":1})" + "\n");
  REQUIRE(t.events.size() == 3);
  CHECK(t.unknown_events == 1);
  CHECK(t.events[1].type == EventType::unknown);
  CHECK(t.events[1].type_name == "hologram");
  CHECK(t.events[1].line == 4);  // blank lines count
  CHECK(t.tasks.at(1).events.size() == 3);
  // No end event: the trace was cut short.
  REQUIRE(t.warnings.size() == 1);
  CHECK_THAT(t.warnings[0], Catch::Contains("no end event"));
}

TEST_CASE("RD_07_missing_file_is_a_clear_error", "[trace-reader]") {
  try {
    (void)read_trace_file("/nonexistent/trace.jsonl");
    FAIL("no error");
  } catch (const ReadError& e) {
    CHECK(e.line() == 0);
    CHECK_THAT(std::string(e.what()), Catch::Contains("/nonexistent/trace.jsonl: cannot open the file"));
  }
}

TEST_CASE("RD_08_mutated_traces_never_crash_the_reader", "[trace-reader]") {
  const std::string good = record_sim(2, pipeline);
  std::mt19937 rng(12345);
  int parsed = 0, refused = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bad = good;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      std::size_t at = rng() % bad.size();
      switch (rng() % 4) {
        case 0: bad[at] = static_cast<char>(rng() % 256); break;
        case 1: bad.erase(at, 1 + rng() % 20); break;
        case 2: bad.insert(at, 1, "{}[]\",:0-9en\\"[rng() % 13]); break;
        default: bad = bad.substr(0, at); break;
      }
      if (bad.empty()) bad = "x";
    }
    try {
      (void)read_trace_string(bad);
      ++parsed;
    } catch (const ReadError& e) {
      ++refused;
      CHECK(std::string(e.what()).size() > 0);
    }
  }
  CHECK(parsed + refused == 300);
  CHECK(refused > 0);
}
