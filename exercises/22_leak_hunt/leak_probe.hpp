// Exercise 22 — the probe that the examples and the grader call search through (do not edit).
//
//   auto call = dojo::ex22::probe::call_search(check, request);
//
// runs search(...) in a task of its own ("grader: caller") and waits for it to return. Then it
// looks at the tasks started since the call (goro::LeakCheck, the goleak of goro): any that is
// still alive once the others have settled is a goroutine leak, and the check fails with the
// path that leaked (request.path: "the early-stop path", ...), each task left behind, where it
// was started, where it is blocked, and what that usually means. If search never returns (the
// pipeline is stuck: on the virtual clock every task is blocked for a whole minute), the check
// fails the same way, with the tasks that are stuck. The tasks found are released (unwound)
// before the check goes on, so that one check's leak does not spill into the next.
//
// This is what Go's goleak.VerifyNone(t) does at the end of a test; goro::num_tasks() is
// runtime.NumGoroutine().
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "goro/goro.hpp"
#include "grader.hpp"
#include "leak_hunt.hpp"

namespace dojo::ex22::probe {

/// One call of search, and the path of the pipeline it takes.
struct Request {
  std::string path;                        // named in every failure: "the early-stop path"
  goro::Context ctx = goro::background();
  std::vector<Doc> docs;
  Match match;
  int limit = 0;
  Progress progress;
  std::function<void()> on_return;         // run by the caller task as soon as search returns
  bool check_leaks = true;                 // false: the check counts the tasks itself
};

/// What the call returned, and when (on the runtime's clock).
struct Call {
  goro::Result<std::vector<int>> result;
  goro::Time started{}, returned{};
  std::shared_ptr<void> keep;              // the request's data: alive while a task may use it
};

/// "exercises/22_leak_hunt/leak_hunt.cpp" rather than the absolute path.
inline std::string short_file(std::string_view file) {
  for (std::string_view root : {"exercises/", "solutions/", "tests/"})
    if (auto at = file.find(root); at != std::string_view::npos) return std::string(file.substr(at));
  return std::string(file);
}

/// "chan std::chrono::time_point<...> #6" reads "chan goro::Time #6".
inline std::string readable(std::string text) {
  constexpr std::string_view tp = "std::chrono::time_point<";
  for (auto at = text.find(tp); at != std::string::npos; at = text.find(tp, at)) {
    std::size_t end = at + tp.size();
    for (int depth = 1; end < text.size() && depth > 0; ++end) depth += text[end] == '<' ? 1 : text[end] == '>' ? -1 : 0;
    text.replace(at, end - at, "goro::Time");
  }
  return text;
}

/// True when the task is blocked in code of the grader's (its match function, say).
inline bool in_grader_code(const goro::TaskInfo& t) {
  const std::string file = short_file(t.blocked_at.file_name());
  return file.starts_with("tests/graders/") || file.ends_with("examples.cpp") || file.ends_with("leak_probe.hpp");
}

/// What a task blocked this way is usually waiting for, in a learner's words.
inline std::string meaning(const goro::TaskInfo& t) {
  using R = goro::detail::WaitReason;
  if (t.state != goro::detail::TaskState::blocked) return "still running";
  if (t.name == "grader: caller") {
    goro::TaskInfo inside = t;
    inside.name.clear();
    return "this is search itself, the call that never returned, stuck here: " + meaning(inside);
  }
  if (in_grader_code(t))
    return "still inside the grader's match, busy with a doc: search returned without stopping this task and "
           "waiting for it";
  switch (t.reason) {
    case R::chan_send:
      return "a plain send: once the task that receives has stopped, nobody will ever take the value "
             "(a send that may be abandoned needs a select with ctx.done())";
    case R::chan_receive:
      if (readable(t.blocked_on).starts_with("chan goro::Time"))
        return "waits for a tick: a ticker ticks until it is stopped and its channel is never closed, "
               "so this loop never ends by itself (it needs a way out and someone who waits for it)";
      return "a receive or a range-for on a channel that nobody closes on this path";
    case R::select:
      return "a select none of whose cases will ever be ready: is the context it watches ever cancelled "
             "on this path, and is somebody still on the other side of its channel?";
    case R::group_wait:
    case R::semacquire:
      return "wait() for tasks that never finish";
    case R::sleep:
      return "still at work (sleeping in match): search returned without waiting for it";
    default:
      return fmt::format("blocked in {}", goro::detail::wait_reason_name(t.reason));
  }
}

/// The tasks, one block each: name, state, where started, where blocked, what it means.
inline std::string describe(const std::vector<goro::TaskInfo>& tasks) {
  std::string out;
  for (const goro::TaskInfo& t : tasks) {
    const char* state = t.state == goro::detail::TaskState::blocked ? goro::detail::wait_reason_name(t.reason)
                        : t.state == goro::detail::TaskState::runnable ? "runnable"
                                                                       : "running";
    out += fmt::format("goroutine {}{} [{}]\n", t.id, t.name.empty() ? "" : fmt::format(" \"{}\"", t.name), state);
    out += fmt::format("  started at {}:{}\n", short_file(t.started_at.file_name()), t.started_at.line());
    if (t.state == goro::detail::TaskState::blocked && t.blocked_at.line() != 0)
      out += fmt::format("  blocked at {}:{}{}\n", short_file(t.blocked_at.file_name()), t.blocked_at.line(),
                         t.blocked_on.empty() ? "" : fmt::format(" (on {})", readable(t.blocked_on)));
    out += fmt::format("  -> {}\n", meaning(t));
  }
  return out;
}

inline constexpr std::string_view kUsualCauses =
    "Every task that search starts must have exited when it returns, on every path. The usual causes: "
    "a send with no select on ctx.done(), whose reader stopped early; a channel that is not closed on this "
    "path, so a range-for over it never ends; a helper (a ticker) started with goro::go that nobody stops "
    "or waits for; a return that skips cancel() and wait(). The task's \"started at\" line tells you which "
    "of your tasks it is.";

/// The failure class of tasks left blocked (mistakes.hpp): a plain send whose receiver is gone;
/// else a receive that no close will end (a ticker's channel is never closed: waiting on it is a
/// helper nobody stopped, a leak); else `otherwise` (a leak, or a deadlock).
inline const grader::Mistake& classify(const std::vector<goro::TaskInfo>& tasks, const grader::Mistake& otherwise) {
  using R = goro::detail::WaitReason;
  bool send = false, receive = false, other = false;
  for (const goro::TaskInfo& t : tasks) {
    if (t.state != goro::detail::TaskState::blocked) {
      other = true;
      continue;
    }
    switch (t.reason) {
      case R::chan_send: send = true; break;
      case R::chan_receive:
        if (readable(t.blocked_on).starts_with("chan goro::Time")) other = true;
        else receive = true;
        break;
      case R::select: case R::semacquire: case R::group_wait: case R::none: break;
      default: other = true; break;
    }
  }
  if (send) return grader::mistake::blocked_send;
  if (receive && !other) return grader::mistake::missing_close;
  return otherwise;
}

/// Calls search as `req` says; fails the check (naming req.path) when search never returns, or
/// when it returns and tasks it started are still alive (unless req.check_leaks is false).
inline Call call_search(grader::Check& check, Request req) {
  struct State {
    Request req;
    std::optional<goro::Result<std::vector<int>>> result;
    goro::Time started{}, returned{};
    goro::Chan<goro::Unit> done = goro::make_chan<goro::Unit>();
  };
  auto s = std::make_shared<State>();
  s->req = std::move(req);
  const std::string& path = s->req.path;

  goro::LeakCheck since_call;
  goro::go_named("grader: caller", [s] {
    s->started = goro::now();
    goro::Result<std::vector<int>> r = search(s->req.ctx, s->req.docs, s->req.match, s->req.limit, s->req.progress);
    s->returned = goro::now();
    if (s->req.on_return) s->req.on_return();
    s->result.emplace(std::move(r));
    s->done.close();
  });

  // A correct search returns long before this; the limit only turns a stuck pipeline into a report.
  const goro::Duration limit = check.deterministic() ? goro::Duration(std::chrono::minutes(1))
                                                     : goro::Duration(std::chrono::seconds(30));
  goro::Timer timer = goro::new_timer(limit);
  const bool returned = goro::select(goro::on_recv(s->done), goro::on_recv(timer.c())) == 0;
  (void)timer.stop();
  if (!returned) {
    goro::LeakReport stuck = since_call.check();
    const std::string text = describe(stuck.leaked);
    const grader::Mistake& m = classify(stuck.leaked, grader::mistake::deadlock);
    (void)since_call.release();
    check.fail(fmt::format("search returns (on {})", path),
               fmt::format("search never returned on {}: after {} on the runtime's clock it is still waiting. "
                           "Where it is stuck, and the tasks it started that are still alive:\n\n{}",
                           path, goro::format_duration(limit), text),
               {m, "A stuck pipeline is a leak of the caller's task too. Look at what search waits for, then at "
                   "what that task waits for: a send nobody receives, a channel nobody closes on this path, a "
                   "wait() before the cancel() that would let the tasks stop."});
  }
  if (s->req.check_leaks) {
    goro::LeakReport left = since_call.check();
    if (left) {
      const std::size_t n = left.leaked.size();
      const std::string text = describe(left.leaked);
      const grader::Mistake& m = classify(left.leaked, grader::mistake::leak);
      (void)since_call.release();
      check.fail(fmt::format("every task that search started has exited once it returns (on {})", path),
                 fmt::format("search returned, but {} task{} it started {} still alive — a goroutine leak on {}:\n\n{}",
                             n, n == 1 ? "" : "s", n == 1 ? "is" : "are", path, text),
                 {m, kUsualCauses});
    }
  }
  return Call{std::move(*s->result), s->started, s->returned, s};
}

}  // namespace dojo::ex22::probe
