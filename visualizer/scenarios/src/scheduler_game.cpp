// "You are the scheduler": every state of the game is one complete deterministic run whose
// offered decisions follow the player's picks (see scheduler_game.hpp).
#include "dojo/viz/scheduler_game.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string_view>

#include "goro/trace.hpp"
#include "run_internal.hpp"

namespace dojo::viz {

namespace {

std::string_view base_name(const char* path) {
  std::string_view p = path != nullptr ? path : "";
  auto slash = p.find_last_of('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

/// What a runnable task is about to do, from what the scheduler knows of it.
std::string describe(const goro::TaskInfo& t, bool has_run) {
  if (!has_run)
    return fmt::format("starts (go at {}:{})", base_name(t.started_at.file_name()), t.started_at.line());
  if (t.reason != goro::detail::WaitReason::none) {
    std::string what = goro::detail::wait_reason_name(t.reason);
    if (!t.blocked_on.empty()) what += fmt::format(" on {}", t.blocked_on);
    return fmt::format("completes its {} at {}:{}", what, base_name(t.blocked_at.file_name()), t.blocked_at.line());
  }
  return "continues after its last goro operation";
}

}  // namespace

SchedulerGame::SchedulerGame(const Scenario& s, std::uint64_t seed, std::string trace_path)
    : scenario_(&s), seed_(seed), trace_path_(std::move(trace_path)) {
  rerun();
}

void SchedulerGame::rerun() {
  options_.clear();
  events_at_decision_ = 0;
  goro::SimOptions o = scenario_options(seed_, "");
  std::size_t offered = 0;     // decisions with a choice seen so far in this run
  bool at_decision = false;    // the current decision was reached: the strategy takes over
  std::set<std::uint64_t> ran; // tasks known to have run (every choice up to now is known)
  o.chooser = [&](const goro::SimDecision& d) -> std::uint64_t {
    if (at_decision) return 0;
    if (d.runnable.size() == 1) {  // no choice: not offered
      ran.insert(d.runnable.front().id);
      return 0;
    }
    if (offered < picks_.size()) {
      std::uint64_t id = picks_[offered++];
      ran.insert(id);
      return id;
    }
    at_decision = true;
    events_at_decision_ = goro::trace::events_written();
    for (const auto& t : d.runnable)
      options_.push_back(Option{t.id, t.name.empty() ? fmt::format("task {}", t.id) : t.name,
                                describe(t, ran.count(t.id) != 0)});
    return 0;
  };
  result_ = run_with(*scenario_, o, trace_path_).result;
  if (!at_decision) {
    // The whole run: every event (the recording has stopped, so count the file's lines).
    events_at_decision_ = 0;
    std::FILE* f = std::fopen(trace_path_.c_str(), "rb");
    if (f != nullptr) {
      std::size_t lines = 0;
      for (int c; (c = std::fgetc(f)) != EOF;) lines += c == '\n';
      std::fclose(f);
      events_at_decision_ = lines > 0 ? lines - 1 : 0;  // minus the meta line
    }
  }
}

const std::vector<SchedulerGame::Option>& SchedulerGame::options() const { return options_; }

void SchedulerGame::pick(std::uint64_t task) {
  if (finished()) throw std::logic_error("SchedulerGame::pick: the run is finished");
  if (std::none_of(options_.begin(), options_.end(), [&](const Option& o) { return o.task == task; }))
    throw std::invalid_argument(fmt::format("SchedulerGame::pick: task {} is not runnable here", task));
  picks_.push_back(task);
  rerun();
}

bool SchedulerGame::undo() {
  if (picks_.empty()) return false;
  picks_.pop_back();
  rerun();
  return true;
}

bool SchedulerGame::finished() const { return options_.empty(); }
goro::SimResult::Outcome SchedulerGame::outcome() const { return result_.outcome; }
std::size_t SchedulerGame::decisions() const { return picks_.size(); }
const std::string& SchedulerGame::trace_path() const { return trace_path_; }
std::size_t SchedulerGame::events_at_decision() const { return events_at_decision_; }
std::string SchedulerGame::replay() const { return result_.replay; }
const std::string& SchedulerGame::report() const { return result_.report; }

}  // namespace dojo::viz
