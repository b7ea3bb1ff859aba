// The dojo-trace command line: help, exit codes, OUT never overwritten on failure.
#include <catch2/catch.hpp>

#include "dojo/trace/perfetto_check.hpp"
#include "programs.hpp"
#include "trace_support.hpp"

using namespace dojo::trace;
using namespace dojo::trace::test;

namespace {

const std::string kCli = DOJO_TRACE_CLI;

int cli(const std::string& args, std::string* output = nullptr) {
  TempFile log(".log");
  int code = run(fmt::format("{} {} >{} 2>&1", quote(kCli), args, quote(log.path())));
  if (output != nullptr) *output = slurp(log.path());
  return code;
}

}  // namespace

TEST_CASE("CLI_01_help", "[trace-cli]") {
  std::string out;
  CHECK(cli("--help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("export"));
  CHECK_THAT(out, Catch::Contains("check-perfetto"));
  CHECK(cli("export --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("--perfetto"));
  CHECK(cli("", &out) == 2);
  CHECK(cli("frobnicate", &out) == 2);
}

TEST_CASE("CLI_02_export_writes_a_valid_perfetto_file", "[trace-cli]") {
  TempFile in, out(".json");
  write_file(in.path(), record_sim(6, pipeline));
  std::string log;
  REQUIRE(cli(fmt::format("export --perfetto {} {}", quote(in.path()), quote(out.path())), &log) == 0);
  CHECK_THAT(log, Catch::Contains("wrote"));
  CHECK_THAT(log, Catch::Contains("ui.perfetto.dev"));
  auto vs = check_perfetto_text(slurp(out.path()));
  INFO(format_violations(vs));
  CHECK(vs.empty());
  CHECK(cli(fmt::format("check-perfetto {}", quote(out.path())), &log) == 0);
  CHECK(cli(fmt::format("summary {}", quote(in.path())), &log) == 0);
  CHECK_THAT(log, Catch::Contains("seed 6"));
  CHECK_THAT(log, Catch::Contains("outcome: ok"));
}

TEST_CASE("CLI_03_bad_input_exits_2_and_keeps_OUT", "[trace-cli]") {
  TempFile in, out(".json");
  write_file(out.path(), "previous contents");
  std::string log;
  // Missing input.
  CHECK(cli(fmt::format("export --perfetto /nonexistent/in.jsonl {}", quote(out.path())), &log) == 2);
  CHECK_THAT(log, Catch::Contains("cannot open"));
  CHECK(slurp(out.path()) == "previous contents");
  // Malformed input: the message names the line.
  write_file(in.path(), record_sim(1, pipeline).substr(0, 400) + "\n{broken\n");
  CHECK(cli(fmt::format("export --perfetto {} {}", quote(in.path()), quote(out.path())), &log) == 2);
  CHECK_THAT(log, Catch::Contains(in.path() + ":"));
  CHECK_THAT(log, Catch::Contains("invalid JSON"));
  CHECK(slurp(out.path()) == "previous contents");
  // A newer format version.
  write_file(in.path(), R"({"type":"meta","schema":"goro-trace","version":9,"mode":"free"})" "\n");
  CHECK(cli(fmt::format("export --perfetto {} {}", quote(in.path()), quote(out.path())), &log) == 2);
  CHECK_THAT(log, Catch::Contains("newer than this reader supports"));
  CHECK(slurp(out.path()) == "previous contents");
  // Missing arguments, missing format flag.
  CHECK(cli(fmt::format("export --perfetto {}", quote(in.path())), &log) == 2);
  CHECK(cli(fmt::format("export {} {}", quote(in.path()), quote(out.path())), &log) == 2);
  CHECK(slurp(out.path()) == "previous contents");
  // An unwritable destination.
  write_file(in.path(), record_sim(1, pipeline));
  CHECK(cli(fmt::format("export --perfetto {} /nonexistent/dir/out.json", quote(in.path())), &log) == 2);
  CHECK_THAT(log, Catch::Contains("cannot write"));
}

TEST_CASE("CLI_04_check_perfetto_reports_violations", "[trace-cli]") {
  TempFile bad(".json");
  write_file(bad.path(), R"({"traceEvents":[{"ph":"X","pid":"1","tid":1,"ts":1,"dur":1,"name":"x"}]})");
  std::string log;
  CHECK(cli(fmt::format("check-perfetto {}", quote(bad.path())), &log) == 1);
  CHECK_THAT(log, Catch::Contains("pid"));
  write_file(bad.path(), "not json");
  CHECK(cli(fmt::format("check-perfetto {}", quote(bad.path())), &log) == 2);
  CHECK(cli("check-perfetto /nonexistent.json", &log) == 2);
}
