// Subprocess: a program of the grader's own, run as a separate OS process that the grader can
// SIGKILL and start again (exercise 12's crash-and-restart checks).
//
//   // in the grader: the program the child runs
//   DOJO_SUBPROCESS(saga_child) { ...args...; return 0; }
//
//   // in a check: run it and look at how it ended
//   auto p = dojo::grader::run_subprocess("saga_child", {"--state", path});
//   if (p.killed_by == SIGKILL) ...
//
// The child is this grader's own binary started again (`<grader> --subprocess NAME ARGS...`),
// so it shares none of the parent's tasks, threads or memory; it starts with a fresh goro.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace dojo::grader {

/// The entry point of a subprocess: its arguments (after NAME); returns the exit code.
using SubprocessMain = int (*)(const std::vector<std::string>& args);

struct SubprocessRegistrar {
  SubprocessRegistrar(const char* name, SubprocessMain fn);
};

/// How a subprocess ended.
struct ProcessResult {
  int exit_code = -1;      // its exit code, or -1 if a signal ended it
  int killed_by = 0;       // the signal that ended it (SIGKILL, SIGSEGV, ...), or 0
  bool timed_out = false;  // still running after the limit: the grader killed it
  std::string output;      // what it wrote to stdout and stderr
};

/// Runs subprocess `name` with `args` and waits until it ends, at most `limit` of real time
/// (then kills it: a hang is reported, never waited for). Blocks the calling task through
/// goro::blocking, so a deterministic scope's virtual clock stands still meanwhile.
[[nodiscard]] ProcessResult run_subprocess(const std::string& name, const std::vector<std::string>& args,
                                           std::chrono::seconds limit = std::chrono::seconds(60));

/// A fresh folder under $TMPDIR (or /tmp), removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// path() + "/" + name.
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// For the harness's main: if argv is `--subprocess NAME ARGS...`, runs it and returns its exit
/// code; otherwise returns -1.
[[nodiscard]] int dispatch_subprocess(int argc, char** argv);

}  // namespace dojo::grader

#define DOJO_SUBPROCESS_IMPL(fn, name)                                                        \
  static int fn(const std::vector<std::string>& args);                                        \
  static const ::dojo::grader::SubprocessRegistrar fn##_reg{#name, &fn};                     \
  static int fn([[maybe_unused]] const std::vector<std::string>& args)
/// DOJO_SUBPROCESS(name) { body using `args`; return exit code; }
#define DOJO_SUBPROCESS(name) DOJO_SUBPROCESS_IMPL(dojo_subprocess_##name, name)
