// The grader kit: what hidden checks are written with besides the harness (grader.hpp).
//
//   kit/concurrency.hpp   Concurrency: calls in progress, their peak, each call's number
//   kit/process.hpp       run_subprocess, DOJO_SUBPROCESS: a child process to SIGKILL and restart
//   kit/progress.hpp      progress_now, steps_of, with_steps, cancel_after_events: judging by events
//   kit/canceller.hpp     Canceller: cancel after a duration on the runtime's clock
//   kit/contexts.hpp      CountingParent: were the derived contexts released?
//   kit/show.hpp          range, list, offset(s): the texts of a check
//   kit/run_view.hpp      RunView: the run's tasks, from any thread
//
// Checks do not reach into goro::detail: what they need of the runtime's insides is here.
#pragma once

#include "kit/canceller.hpp"
#include "kit/concurrency.hpp"
#include "kit/contexts.hpp"
#include "kit/process.hpp"
#include "kit/progress.hpp"
#include "kit/run_view.hpp"
#include "kit/show.hpp"
