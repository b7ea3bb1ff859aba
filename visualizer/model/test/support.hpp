// Helpers for the model tests: record small goro programs under goro::simulate.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include <fmt/format.h>

#include "dojo/trace/reader.hpp"
#include "goro/goro.hpp"
#include "goro/sim.hpp"
#include "goro/trace.hpp"

namespace dojo::viz::test {

/// Runs `f` under simulate(seed) with a recording and reads the trace back.
inline dojo::trace::Trace record(std::uint64_t seed, std::function<void()> f, goro::SimResult* result = nullptr) {
  static std::atomic<int> n{0};
  const auto path = (std::filesystem::temp_directory_path() /
                     fmt::format("dojo_viz_model_test_{}_{}.jsonl", ::getpid(), ++n)).string();
  goro::SimResult r;
  {
    goro::trace::Recording rec(path);
    r = goro::simulate(seed, std::move(f));
  }
  if (result != nullptr) *result = r;
  auto t = dojo::trace::read_trace_file(path);
  std::filesystem::remove(path);
  return t;
}

}  // namespace dojo::viz::test
