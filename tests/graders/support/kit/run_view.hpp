// RunView: the tasks of the run a check is in, readable from any thread — a grader's own plain
// thread included (a referee that must not be a goro task on real threads, so that it moves no
// progress counter and is never mistaken for the learner's).
//
//   dojo::grader::RunView run;              // made on the check's task
//   for (const goro::TaskInfo& t : run.tasks()) if (t.state == dojo::grader::TaskState::blocked) ...
#pragma once

#include <cstdint>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::grader {

using TaskState = goro::detail::TaskState;
using WaitReason = goro::detail::WaitReason;

class RunView {
 public:
  /// The scheduler of the calling task: goro::simulate's in a deterministic run, the free one
  /// on real threads.
  RunView();
  /// Every live task of that scheduler (adopted threads included), ordered by id.
  [[nodiscard]] std::vector<goro::TaskInfo> tasks() const;
  /// True in a deterministic run.
  [[nodiscard]] bool deterministic() const noexcept { return deterministic_; }

 private:
  goro::detail::Scheduler* sched_;
  bool deterministic_;
};

}  // namespace dojo::grader
