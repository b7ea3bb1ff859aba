// Helpers for the scenario tests: temporary trace paths and whole-file reads.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

namespace dojo::viz::test {

/// A path in the temp directory, unique per process and name; removed by the caller. The
/// directory (one per process: ctest runs this binary's cases in parallel processes) is
/// removed when the process exits.
inline std::string temp_trace(const std::string& name) {
  struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("dojo_viz_scenarios_tests-" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return (dir.path / (name + ".jsonl")).string();
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace dojo::viz::test
