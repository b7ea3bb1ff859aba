// Exercise 09 — stage_error: a typed error that says which stage of a pipeline failed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex09 {

/// A failure attributed to the pipeline stage where it happened. Made into an error with
/// goro::make_error(StageError{"parse", err}); found again with goro::as<StageError>(err).
struct StageError {
  std::string stage;  ///< "parse", "transform" or "store"
  goro::Error cause;  ///< what the stage's function returned

  /// "<stage>: <cause's message>", e.g. "transform: division by zero".
  [[nodiscard]] std::string message() const;
  /// The cause, so that goro::is / goro::as look through a StageError into it.
  [[nodiscard]] goro::Error unwrap() const;
};

/// The work of each stage, for one value. Each may fail; each is handed the context to watch.
struct Stages {
  std::function<goro::Result<int>(const goro::Context& ctx, const std::string& line)> parse;
  std::function<goro::Result<int>(const goro::Context& ctx, int value)> transform;
  std::function<goro::Error(const goro::Context& ctx, int value)> store;
};

/// Runs the three-stage pipeline parse → transform → store over `lines`: one task per stage,
/// started with one goro::ErrGroup::with_context(ctx), connected by two channels, so that every
/// line is parsed, its value transformed, and the result stored, in input order.
///
///   * A stage whose function fails returns goro::make_error(StageError{<its name>, <the error>});
///     the group cancels the other stages, which stop promptly; that StageError is the result.
///   * A stage that stops because the context was cancelled returns the context's error as is
///     (it did not fail itself).
///   * Nil when every line went through. If `ctx` is already cancelled, returns `ctx.err()`
///     and calls no stage function.
///   * When run_pipeline returns, no task it started is still alive.
[[nodiscard]] goro::Error run_pipeline(const goro::Context& ctx, const std::vector<std::string>& lines,
                                       const Stages& stages);

}  // namespace dojo::ex09
