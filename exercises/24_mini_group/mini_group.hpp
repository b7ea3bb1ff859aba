// Exercise 24 — mini_group: build a small errgroup yourself, from WaitGroup, Once (or Mutex)
// and a context with a cancel cause.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "goro/goro.hpp"

namespace dojo::ex24 {

/// A group of tasks working on one job, with the semantics of Go's errgroup.Group (and of
/// goro::ErrGroup without set_limit, try_go and go_named), built from the runtime's lower-level
/// pieces. goro::ErrGroup and goro::RecoveringGroup are off limits here.
///
///   auto [g, ctx] = MiniGroup::with_context(parent);
///   for (const auto& shard : shards)
///     g.go([ctx, shard] { return index(ctx, shard); });   // capture by value
///   if (goro::Error err = g.wait()) return err;           // the first error, as it was returned
///
/// A MiniGroup is a handle: copies share one group (the state lives in a shared State that you
/// define in mini_group.cpp), so a task may capture the group by value and call go() on it.
/// The operations are const, like goro::ErrGroup's.
///
///   * go(f) runs f in a new task and returns at once. Every task started by go() is waited for
///     by wait(), including a task started by another task of the group while the group is still
///     running (before wait() has returned). go() after wait() has returned is not supported.
///   * wait() blocks until every task started with go() has returned (at once when there is
///     none), then returns the FIRST non-nil error a task returned — the first in time, not the
///     task started first — as it was returned (not wrapped, not joined). Later errors are
///     dropped. Nil when no task failed.
///   * A group made by with_context(parent) also owns a context derived from parent. It is
///     cancelled the moment the first error is returned, with that error as the cause
///     (goro::cause(ctx) is that very error, ctx.err() is goro::Canceled), so that the other
///     tasks can stop; and it is cancelled in any case when wait() returns (then, if nothing
///     failed, its cause is goro::Canceled). The cancellation by an error happens before the
///     failing task counts as finished: when wait() returns, the context is already cancelled.
///   * The default-constructed group has no context: it runs tasks, waits and keeps the first
///     error, and cancels nothing.
///   * As in goro::ErrGroup, an exception escaping f is not caught: it is a panic and ends the
///     program.
class MiniGroup {
 public:
  /// The zero group: no context.
  MiniGroup();

  /// A group and the context derived from `parent` that the group cancels (see above).
  [[nodiscard]] static std::pair<MiniGroup, goro::Context> with_context(const goro::Context& parent);

  /// Runs `f` in a new task. Never blocks.
  void go(std::function<goro::Error()> f) const;

  /// Blocks until every task has returned; returns the first error any of them returned. Then
  /// cancels the group's context, if it has one.
  [[nodiscard]] goro::Error wait() const;

 private:
  struct State;  // yours: define it in mini_group.cpp
  std::shared_ptr<State> s_;
};

}  // namespace dojo::ex24
