// Task groups: golang.org/x/sync/errgroup (x/sync >= v0.16), and a conc-style recovering group.
//
//   auto [g, ctx] = goro::ErrGroup::with_context(parent);
//   for (const auto& url : urls)
//     g.go([ctx, url] { return fetch(ctx, url); });   // capture by value (Go 1.22 loop vars)
//   if (auto err = g.wait()) return err;               // the first error any task returned
//
// ErrGroup
//   * `go(f)` runs `f` in a new task. The first non-nil Error a task *returns* (in real time,
//     not in start order) is kept; later errors are dropped, not joined.
//   * `wait()` blocks until every task started with go/try_go has returned, then returns that
//     first error (nil if none).
//   * A group made by `with_context` cancels its context the moment the first error is
//     returned, with that error as the cause (`goro::cause(ctx)`), and in any case when
//     `wait()` returns (cause `Canceled`).
//   * `set_limit(n)` caps the number of active tasks: `go` blocks while n are active,
//     `try_go` returns false. A limit of 0 admits nobody: `go` blocks forever.
//   * A panic (exception) in `f` is NOT recovered: it ends the process like any task's panic.
//     Use RecoveringGroup, or goro::catch_panic inside `f`, to turn panics into errors.
//   * The first `go` must happen before `wait`. A group should not be reused for unrelated work.
//
// ErrGroup and RecoveringGroup are handles: copies share one group, so lambdas may capture them
// by value (no `mutable` needed: the operations are const, like Chan's).
//
// RecoveringGroup (in the style of sourcegraph/conc's ErrorPool with panic catching) runs tasks
// the same way but recovers a panic in a task into a goro::PanicError, and its `wait()` returns
// *all* the errors joined, panics included. It exists to contrast with ErrGroup: prefer ErrGroup
// (and letting bugs crash) unless a panic in one task really must not end the program.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "goro/context.hpp"
#include "goro/detail/sched.hpp"
#include "goro/error.hpp"
#include "goro/recover.hpp"

namespace goro {

namespace detail {
class ErrGroupState;
class RecoveringGroupState;
}  // namespace detail

class ErrGroup {
 public:
  /// The zero group: no limit, no context.
  ErrGroup();

  /// A group and a context derived from `parent`, cancelled with the first error as cause,
  /// or with Canceled when `wait()` returns.
  [[nodiscard]] static std::pair<ErrGroup, Context> with_context(const Context& parent);

  /// Runs `f` in a new task. Blocks (shown as [errgroup go (limit reached)]) while the limit is
  /// reached, until an active task returns.
  void go(std::function<Error()> f, std::source_location loc = std::source_location::current()) const;

  /// go(f), with the task labelled `name` in diagnostics and traces (like goro::go_named).
  void go_named(std::string name, std::function<Error()> f,
                std::source_location loc = std::source_location::current()) const;

  /// Runs `f` in a new task if the limit allows it now; returns false (and does not run `f`)
  /// otherwise. Never blocks.
  [[nodiscard]] bool try_go(std::function<Error()> f, std::source_location loc = std::source_location::current()) const;

  /// Limits the number of active tasks to `n`; a negative `n` removes the limit. Panics with
  /// "errgroup: modify limit while N goroutines in the group are still active" if a limit is
  /// in force and tasks started under it are still active. Tasks blocked in `go` are
  /// re-admitted against the new limit.
  void set_limit(int n) const;

  /// Blocks until every task has returned; returns the first error any of them returned.
  /// Then cancels the group's context (if any).
  [[nodiscard]] Error wait(std::source_location loc = std::source_location::current()) const;

 private:
  std::shared_ptr<detail::ErrGroupState> s_;
};

class RecoveringGroup {
 public:
  RecoveringGroup();

  /// Runs `f` in a new task. An Error it returns, or a panic it raises (as a PanicError), is
  /// recorded.
  void go(std::function<Error()> f, std::source_location loc = std::source_location::current()) const;

  /// Blocks until every task has returned; returns every recorded error in the order they
  /// were recorded, joined with goro::join (nil if none). Find panics with
  /// `goro::as<goro::PanicError>(err)`.
  [[nodiscard]] Error wait(std::source_location loc = std::source_location::current()) const;

 private:
  std::shared_ptr<detail::RecoveringGroupState> s_;
};

}  // namespace goro
