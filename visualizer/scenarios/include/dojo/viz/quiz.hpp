// "What happens next?": the animation pauses before a decisive event and asks the viewer to
// predict it. make_quizzes is a pure function of a trace (no UI, no runtime).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dojo/trace/reader.hpp"

namespace dojo::viz {

/// "What happens next?": a pause before a decisive event with a multiple-choice question.
/// `pause_at` is a count of events: show the state after events [0, pause_at) — the decisive
/// event is events[pause_at]. `answer` indexes `choices`.
struct Quiz { std::size_t pause_at; std::string question; std::vector<std::string> choices; std::size_t answer; std::string explanation; };

/// Quizzes for a trace, in event order: before decisive events (a deadlock or leak report, a context cancellation, a group's first error, a channel close, a panic, a task returning an error).
std::vector<Quiz> make_quizzes(const dojo::trace::Trace& t);

}  // namespace dojo::viz
