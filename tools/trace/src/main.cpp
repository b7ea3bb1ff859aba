// dojo-trace: work with goro traces (docs/trace-format.md).
//
//   dojo-trace export --perfetto IN OUT   goro trace -> Chrome JSON for ui.perfetto.dev
//   dojo-trace check-perfetto FILE        check a Chrome JSON file against Perfetto's rules
//   dojo-trace summary IN                 what a trace holds: run, tasks, channels, outcome
//
// Exit codes: 0 success; 1 the export or the checked file breaks Perfetto's rules; 2 bad
// usage, or an input that is missing or malformed. OUT is written to a temporary file and
// renamed into place, so a failed export never overwrites an existing OUT.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dojo/trace/perfetto.hpp"
#include "dojo/trace/perfetto_check.hpp"
#include "dojo/trace/reader.hpp"

namespace fs = std::filesystem;
namespace dt = dojo::trace;

namespace {

constexpr int kOk = 0, kRuleViolation = 1, kBadInput = 2;

/// Writes `text` to `out` through a temporary file in the same directory and a rename.
bool write_atomically(const std::string& out, const std::string& text, std::string& error) {
  fs::path target(out);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::path tmp = dir / fmt::format(".{}.tmp{}", target.filename().string(), ::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      error = fmt::format("cannot write to directory '{}'", dir.string());
      return false;
    }
    f << text;
    f.flush();
    if (!f) {
      error = fmt::format("writing '{}' failed", tmp.string());
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    error = fmt::format("cannot replace '{}': {}", out, ec.message());
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

int do_export(const std::string& in, const std::string& out, const dt::ExportOptions& opts, bool quiet) {
  dt::Trace t;
  try {
    t = dt::read_trace_file(in);
  } catch (const dt::ReadError& e) {
    std::cerr << "dojo-trace: " << e.what() << "\n";
    return kBadInput;
  }
  dt::ExportStats stats;
  nlohmann::json doc = dt::to_perfetto(t, opts, &stats);
  if (auto vs = dt::check_perfetto(doc); !vs.empty()) {
    std::cerr << "dojo-trace: internal error: the export breaks Perfetto's rules (nothing written):\n"
              << dt::format_violations(vs);
    return kRuleViolation;
  }
  std::string error;
  if (!write_atomically(out, doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", error)) {
    std::cerr << "dojo-trace: " << error << "\n";
    return kBadInput;
  }
  if (!quiet) {
    std::cout << fmt::format("wrote {}: {} task track(s), {} slice(s), {} arrow(s), {} instant(s)\n", out, stats.tasks,
                             stats.slices, stats.flows, stats.instants);
    for (const auto& w : t.warnings) std::cout << "note: " << w << "\n";
    std::cout << "open it at https://ui.perfetto.dev (Open trace file), or chrome://tracing\n";
  }
  return kOk;
}

int do_check(const std::string& file) {
  std::ifstream f(file, std::ios::binary);
  if (!f) {
    std::cerr << "dojo-trace: " << file << ": cannot open the file (does it exist?)\n";
    return kBadInput;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  auto vs = dt::check_perfetto_text(ss.str());
  if (vs.size() == 1 && vs[0].rule == "json") {
    std::cerr << "dojo-trace: " << file << ": not valid JSON\n";
    return kBadInput;
  }
  if (!vs.empty()) {
    std::cout << dt::format_violations(vs);
    std::cout << fmt::format("{}: {} violation(s)\n", file, vs.size());
    return kRuleViolation;
  }
  std::cout << file << ": ok\n";
  return kOk;
}

int do_summary(const std::string& in) {
  dt::Trace t;
  try {
    t = dt::read_trace_file(in);
  } catch (const dt::ReadError& e) {
    std::cerr << "dojo-trace: " << e.what() << "\n";
    return kBadInput;
  }
  std::cout << fmt::format("{} v{}: {} mode, {} clock", t.meta.schema, t.meta.version, t.meta.mode, t.meta.clock);
  if (t.meta.seed) std::cout << fmt::format(", seed {} ({})", *t.meta.seed, t.meta.strategy);
  std::cout << fmt::format(", started {}\n", t.meta.start);
  std::cout << fmt::format("{} event(s), {} task(s), {} channel(s), {} context(s)\n", t.events.size(), t.tasks.size(),
                           t.channels.size(), t.contexts.size());
  for (const auto& [id, task] : t.tasks) {
    std::cout << fmt::format("  g{} {}{}{}\n", id, task.name, task.exit_ts ? "" : " (not exited)",
                             task.panic ? " panicked: " + *task.panic : "");
  }
  if (t.end) std::cout << "outcome: " << t.events[*t.end].outcome << "\n";
  for (const auto& w : t.warnings) std::cout << "note: " << w << "\n";
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dojo-trace: read goro traces (JSON Lines, docs/trace-format.md) and export them for Perfetto."};
  app.require_subcommand(1);

  std::string in, out, check_file, summary_in;
  bool perfetto = false, quiet = false;
  dt::ExportOptions opts;
  auto* exp = app.add_subcommand("export", "Convert a goro trace for another viewer.");
  exp->add_flag("--perfetto", perfetto, "Chrome Trace Event JSON, for ui.perfetto.dev and chrome://tracing")->required();
  exp->add_option("IN", in, "the goro trace (.jsonl)")->required();
  exp->add_option("OUT", out, "the file to write (.json); replaced only on success")->required();
  exp->add_option("--step-us", opts.step_us, "minimum distance between events on the timeline, µs (>= 4)")
      ->default_val(opts.step_us);
  exp->add_option("--title", opts.title, "process name shown in Perfetto");
  exp->add_flag("-q,--quiet", quiet, "print nothing on success");

  auto* chk = app.add_subcommand("check-perfetto", "Check a Chrome Trace Event JSON file against Perfetto's import rules.");
  chk->add_option("FILE", check_file, "the JSON file")->required();

  auto* sum = app.add_subcommand("summary", "Print what a goro trace holds.");
  sum->add_option("IN", summary_in, "the goro trace (.jsonl)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    return kBadInput;
  }
  if (*exp) return do_export(in, out, opts, quiet);
  if (*chk) return do_check(check_file);
  if (*sum) return do_summary(summary_in);
  return kBadInput;
}
