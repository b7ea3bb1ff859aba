// Helpers for the trace tool tests: record real goro runs, run child processes.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "dojo/trace/reader.hpp"
#include "goro/goro.hpp"
#include "goro/sim.hpp"
#include "goro/trace.hpp"
#include "support/probe.hpp"
#include "support/settle.hpp"

namespace dojo::trace::test {

namespace fs = std::filesystem;

/// A fresh path in the temp directory, removed when the object goes away.
class TempFile {
 public:
  explicit TempFile(const std::string& ext = ".jsonl") {
    static std::atomic<int> n{0};
    path_ = (fs::temp_directory_path() / fmt::format("dojo_trace_test_{}_{}{}", ::getpid(), ++n, ext)).string();
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// Records `f` run under simulate(seed) and returns the trace text.
inline std::string record_sim(std::uint64_t seed, std::function<void()> f, goro::SimResult* result = nullptr) {
  TempFile file;
  goro::SimResult r;
  {
    goro::trace::Recording rec(file.path());
    r = goro::simulate(seed, std::move(f));
  }
  if (result != nullptr) *result = std::move(r);
  return slurp(file.path());
}

/// Records `f` run in free mode on the calling thread and returns the trace text. A free-mode
/// recording takes the events of every task, and tasks exit asynchronously: the recording
/// starts once tasks of earlier code have finished and stops once f's own tasks have exited,
/// so that it holds f's run, whole, however slowly the machine runs the threads.
inline std::string record_free(const std::function<void()>& f) {
  TempFile file;
  const int base = dojo::test::Settle::settled();
  {
    goro::trace::Recording rec(file.path());
    f();
    dojo::test::await_tasks_at_most(base);
  }
  return slurp(file.path());
}

/// Runs a shell command line; returns its exit code (-1 if it did not exit normally).
inline int run(const std::string& cmd) {
  int status = std::system(cmd.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace dojo::trace::test
