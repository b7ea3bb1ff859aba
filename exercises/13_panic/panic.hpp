// Exercise 13 — panic: a stage that throws must not take the program down.
#pragma once

#include <functional>

#include "goro/goro.hpp"

namespace dojo::ex13 {

/// The work of each stage, for one item. Any of them may throw — a C++ exception escaping a task
/// is a panic, and an unrecovered panic ends the whole program, as in Go.
struct Stages {
  /// The item at position `index` (0, 1, 2, ...) of the input.
  std::function<int(int index)> produce;
  /// The item, changed; handed the pipeline's context.
  std::function<int(const goro::Context& ctx, int item)> transform;
  /// Takes one transformed item; may also fail the ordinary way, by returning an error.
  std::function<goro::Error(const goro::Context& ctx, int item)> consume;
};

/// Runs the pipeline produce → transform → consume over `count` items: one task per stage,
/// started with one goro::ErrGroup::with_context(ctx), connected by two unbuffered channels, so
/// that every item is produced, transformed and consumed, in order.
///
///   * Each stage recovers its own panics, in its own task, with goro::catch_panic: an exception
///     thrown by its function (any type, goro::Panic included) becomes an error holding a
///     goro::PanicError — the panic's value and the stack where it was thrown — wrapped as
///     "<stage>: {:w}" ("produce", "transform" or "consume"). That error fails the group, which
///     cancels the other stages; they stop promptly and return the context's error.
///   * An error that consume returns is wrapped as "consume: {:w}" the same way; it is not a panic.
///   * The channel between two stages is closed by the stage that sends on it, on every path —
///     after a panic too.
///   * Returns the first failure (goro::as<goro::PanicError> finds a recovered panic in it), the
///     context's error if the caller cancelled, or nil when every item was consumed. If `ctx` is
///     already cancelled, returns ctx.err() and calls no stage function.
///   * Never throws, and when it returns no task it started is still alive.
[[nodiscard]] goro::Error run_pipeline(const goro::Context& ctx, int count, const Stages& stages);

}  // namespace dojo::ex13
