// "What happens next?" quizzes, derived from a trace alone. Each kind of decisive event has
// its own question builder; all of them are pure functions of the trace.
#include "dojo/viz/quiz.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "dojo/trace/state.hpp"

namespace dojo::viz {

namespace {

using dojo::trace::Event;
using dojo::trace::EventType;
using dojo::trace::Trace;

std::string task_label(const Trace& t, std::uint64_t id) {
  auto it = t.tasks.find(id);
  if (it != t.tasks.end() && !it->second.name.empty()) return fmt::format("`{}`", it->second.name);
  return fmt::format("task {}", id);
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string site_text(const dojo::trace::Site& s) {
  return s.empty() ? std::string("?") : fmt::format("{}:{}", base_name(s.file), s.line);
}

/// A quiz whose correct choice is `choices[0]`: the choices are rotated by a deterministic
/// amount (so the answer is not always first) and duplicates dropped. Nullopt when fewer
/// than three distinct choices remain.
std::optional<Quiz> make(std::size_t pause_at, std::string question, std::vector<std::string> choices,
                         std::string explanation) {
  std::vector<std::string> unique;
  for (auto& c : choices)
    if (!c.empty() && std::find(unique.begin(), unique.end(), c) == unique.end()) unique.push_back(std::move(c));
  if (unique.size() < 3) return std::nullopt;
  if (unique.size() > 4) unique.resize(4);
  std::size_t shift = (pause_at * 7 + unique.size()) % unique.size();
  std::rotate(unique.begin(), unique.begin() + static_cast<std::ptrdiff_t>(shift), unique.end());
  std::size_t answer = (unique.size() - shift) % unique.size();
  return Quiz{pause_at, std::move(question), std::move(unique), answer, std::move(explanation)};
}

// ---- a report: each stuck task blocked on a channel, before its final block ----

void stuck_tasks(const Trace& t, std::size_t report_at, std::vector<Quiz>& out) {
  const Event& rep = t.events[report_at];
  for (const auto& rt : rep.tasks) {
    if (rt.state != "blocked") continue;
    auto it = t.tasks.find(rt.task);
    if (it == t.tasks.end()) continue;
    // Its last block before the report.
    std::optional<std::size_t> block;
    for (std::size_t i : it->second.events)
      if (i < report_at && t.events[i].type == EventType::block) block = i;
    if (!block) continue;
    const std::string who = task_label(t, rt.task);
    const std::string where = site_text(rt.site);
    if (rt.reason == "chan receive") {
      auto q = make(*block, fmt::format("What does {} do next, at {}?", who, where),
                    {"blocks forever: nobody will send to or close the channel",
                     "receives one more value and carries on",
                     "sees the channel closed (ok == false) and finishes",
                     "panics: receive on a closed channel"},
                    fmt::format("{} waits on {}: every task that could send has returned without closing it, so "
                                "the receive never completes ({}).",
                                who, rt.object, rep.kind));
      if (q) out.push_back(std::move(*q));
    } else if (rt.reason == "chan send") {
      auto q = make(*block, fmt::format("What does {} do next, at {}?", who, where),
                    {"blocks forever: nobody will receive from the channel again",
                     "hands the value to a receiver and carries on",
                     "notices the cancellation and returns",
                     "panics: send on closed channel"},
                    fmt::format("{} sends on {}, but its receiver has stopped receiving and {} has no way "
                                "to give up: it stays blocked ({}).",
                                who, rt.object, who, rep.kind));
      if (q) out.push_back(std::move(*q));
    }
  }
  // The report itself.
  const bool deadlock = rep.kind == "deadlock";
  std::size_t blocked = std::count_if(rep.tasks.begin(), rep.tasks.end(), [](const auto& rt) { return rt.state == "blocked"; });
  std::string names;
  for (const auto& rt : rep.tasks) {
    if (rt.state != "blocked") continue;
    names += fmt::format("{}{} ({} at {})", names.empty() ? "" : ", ", task_label(t, rt.task), rt.reason, site_text(rt.site));
  }
  auto q = make(report_at, "No task can run any more. How does the run end?",
                {deadlock ? fmt::format("deadlock: all {} tasks are blocked, main among them", blocked)
                          : fmt::format("leak: main returned, {} task(s) stay blocked forever", blocked),
                 deadlock ? fmt::format("leak: main returned, {} task(s) stay blocked forever", blocked)
                          : fmt::format("deadlock: all {} tasks are blocked, main among them", blocked),
                 "it ends normally: every task has returned",
                 "a panic ends it"},
                fmt::format("goro finds no runnable task and no pending timer{}: {}.",
                            deadlock ? " while main is still blocked" : " after main returned", names));
  if (q && (deadlock || rep.kind == "leak")) out.push_back(std::move(*q));
}

// ---- a cancellation wave: before its first ctx_cancel ----

void cancel_wave(const Trace& t, std::size_t at, std::vector<Quiz>& out) {
  const Event& e = t.events[at];
  // Descendants of e.ctx in the context tree, not already cancelled before `at`.
  std::map<std::uint64_t, std::vector<std::uint64_t>> children;
  for (const auto& [id, c] : t.contexts) children[c.parent].push_back(id);
  std::set<std::uint64_t> cancelled_before;
  for (std::size_t i = 0; i < at; ++i)
    if (t.events[i].type == EventType::ctx_cancel) cancelled_before.insert(t.events[i].ctx);
  std::vector<std::uint64_t> desc, stack = children[e.ctx];
  while (!stack.empty()) {
    std::uint64_t c = stack.back();
    stack.pop_back();
    if (!cancelled_before.count(c)) desc.push_back(c);
    for (auto k : children[c]) stack.push_back(k);
  }
  std::sort(desc.begin(), desc.end());
  auto ctx_name = [&](std::uint64_t id) {
    auto it = t.contexts.find(id);
    return fmt::format("ctx #{}{}", id, it != t.contexts.end() && !it->second.kind.empty() ? " (" + it->second.kind + ")" : "");
  };
  const std::string cause = e.cause ? e.cause->message : (e.err ? e.err->message : "?");
  if (desc.empty()) {
    // Nothing below it: ask about the cause instead, which is what the tasks will see.
    const std::string err = e.err ? e.err->message : "context canceled";
    auto q = make(at, fmt::format("{} is about to be cancelled. What will cause(ctx) say?", ctx_name(e.ctx)),
                  {fmt::format("\"{}\"", cause), "nil: cancellation has no cause",
                   cause != "context canceled" ? "\"context canceled\"" : "\"context deadline exceeded\"",
                   cause != "context deadline exceeded" && err != "context deadline exceeded"
                       ? "\"context deadline exceeded\"" : "the error of the last task to return"},
                  fmt::format("err() says \"{}\"; cause() keeps why: \"{}\" (an errgroup cancels its context with "
                              "the first error as the cause).",
                              err, cause));
    if (q) out.push_back(std::move(*q));
    return;
  }
  const std::size_t direct = children[e.ctx].size();
  std::vector<std::string> choices{
      fmt::format("{} and the {} context(s) derived from it", ctx_name(e.ctx), desc.size()),
      fmt::format("only {}", ctx_name(e.ctx))};
  if (direct < desc.size())
    choices.push_back(fmt::format("{} and its {} direct child(ren), not theirs", ctx_name(e.ctx), direct));
  auto self = t.contexts.find(e.ctx);
  if (self != t.contexts.end() && self->second.parent != 0)
    choices.push_back(fmt::format("{} and its parent {}", ctx_name(e.ctx), ctx_name(self->second.parent)));
  if (desc.size() + 1 < t.contexts.size())
    choices.push_back(fmt::format("all {} contexts of the run", t.contexts.size()));
  std::size_t later = 0;  // contexts made after it, not cancelled yet
  for (const auto& [id, c] : t.contexts) later += id > e.ctx && !cancelled_before.count(id);
  if (later != desc.size()) choices.push_back(fmt::format("{} and the contexts made after it", ctx_name(e.ctx)));
  auto q = make(at, fmt::format("{} is about to be cancelled. Which contexts does this cancel reach?", ctx_name(e.ctx)),
                std::move(choices),
                fmt::format("Cancellation flows down the tree, never up: {} and everything derived from it end, "
                            "with the cause \"{}\".",
                            ctx_name(e.ctx), cause));
  if (q) out.push_back(std::move(*q));
}

// ---- a group's first error: before the task_error that becomes it ----

void first_error(const Trace& t, std::size_t group_at, std::vector<Quiz>& out) {
  // The task_error just before the group_error is the task whose error wait() returns.
  std::optional<std::size_t> te;
  for (std::size_t i = group_at; i-- > 0;)
    if (t.events[i].type == EventType::task_error) {
      te = i;
      break;
    }
  if (!te) return;
  const std::uint64_t winner = t.events[*te].task;
  auto w = t.tasks.find(winner);
  if (w == t.tasks.end()) return;
  // Candidates: the winner's siblings (same parent) alive at that point, in id order.
  std::vector<std::string> choices{task_label(t, winner)};
  for (const auto& [id, task] : t.tasks) {
    if (id == winner || task.parent != w->second.parent || task.start_ts > t.events[*te].ts) continue;
    bool exited_before = false;
    for (std::size_t i : task.events)
      if (i < *te && t.events[i].type == EventType::task_exit) exited_before = true;
    if (!exited_before) choices.push_back(task_label(t, id));
  }
  choices.push_back("none: wait() returns nil");
  auto q = make(*te, "Which task returns the error that wait() will report?", std::move(choices),
                fmt::format("{} returns \"{}\" first; an errgroup keeps only the first error (and cancels its "
                            "context with it as the cause).",
                            task_label(t, winner), t.events[*te].err ? t.events[*te].err->message : "?"));
  if (q) out.push_back(std::move(*q));
}

// ---- a close: what the receiver does next ----

void after_close(const Trace& t, std::size_t at, std::vector<Quiz>& out) {
  const Event& e = t.events[at];
  // The next receive on this channel.
  for (std::size_t i = at + 1; i < t.events.size(); ++i) {
    const Event& r = t.events[i];
    if (r.type != EventType::chan_recv || r.chan != e.chan) continue;
    const std::string who = task_label(t, r.task);
    std::string value_choice = r.ok ? fmt::format("receives {}", r.value.empty() ? "a value" : r.value)
                                    : "receives one more value";
    std::string closed_choice = "sees the channel closed (ok == false) and stops receiving";
    auto q = make(at,
                  fmt::format("{} closes chan #{}. What does {} do next on it?", task_label(t, e.task), e.chan, who),
                  {r.ok ? value_choice : closed_choice, r.ok ? closed_choice : value_choice,
                   "blocks forever", "panics: receive on a closed channel"},
                  r.ok ? fmt::format("A close does not discard buffered values: {} still receives {} before it sees the close.",
                                     who, r.value)
                       : fmt::format("A receive on a closed, drained channel returns at once with ok == false: "
                                     "{}'s range-for ends.",
                                     who));
    if (q) out.push_back(std::move(*q));
    return;
  }
}

// ---- a task returning an error caused by a cancellation ----

bool mentions(const dojo::trace::ErrorTree& e, const std::string& needle) {
  if (e.message.find(needle) != std::string::npos) return true;
  return std::any_of(e.children.begin(), e.children.end(), [&](const auto& c) { return mentions(c, needle); });
}

void cancelled_task_error(const Trace& t, std::size_t at, std::vector<Quiz>& out) {
  const Event& e = t.events[at];
  if (!e.err) return;
  // A group's first error gets the first_error question instead.
  if (at + 1 < t.events.size() && t.events[at + 1].type == EventType::group_error) return;
  // Only errors that carry a context's cancellation: the interesting "what does it return?".
  std::optional<std::string> cause;
  for (std::size_t i = 0; i < at; ++i)
    if (t.events[i].type == EventType::ctx_cancel && t.events[i].cause && mentions(*e.err, t.events[i].cause->message))
      cause = t.events[i].cause->message;
  if (!cause) return;
  const std::string who = task_label(t, e.task);
  auto q = make(at, fmt::format("The context of {} was cancelled. What does {} return?", who, who),
                {fmt::format("\"{}\"", e.err->message), "nil: it finished its work anyway",
                 fmt::format("just \"{}\", without saying what it was doing", *cause),
                 *cause != "context deadline exceeded" ? "\"context deadline exceeded\"" : "\"context canceled\""},
                fmt::format("{} notices ctx.done(), stops, and wraps the cause with what it was doing ({{:w}}), so "
                            "errors.Is still finds \"{}\".",
                            who, *cause));
  if (q) out.push_back(std::move(*q));
}

// ---- a task returning several errors joined (goro::join): all of them, not the first ----

const dojo::trace::ErrorTree* find_join(const dojo::trace::ErrorTree& e) {
  if (e.type == "join" && e.children.size() >= 2) return &e;
  for (const auto& c : e.children)
    if (const auto* j = find_join(c)) return j;
  return nullptr;
}

void joined_task_error(const Trace& t, std::size_t at, std::vector<Quiz>& out) {
  const Event& e = t.events[at];
  if (!e.err) return;
  const auto* j = find_join(*e.err);
  if (j == nullptr) return;
  const std::string who = task_label(t, e.task);
  std::string each;
  for (const auto& c : j->children) each += fmt::format("{}\"{}\"", each.empty() ? "" : ", ", c.message);
  auto q = make(at, fmt::format("{} is about to return. Which failures does its error hold?", who),
                {fmt::format("all {} of them, joined", j->children.size()),
                 fmt::format("only the first: \"{}\"", j->children.front().message),
                 fmt::format("only the last: \"{}\"", j->children.back().message),
                 "none: nil, because the other items succeeded"},
                fmt::format("{} let every item run and collected each failure; goro::join keeps them all ({}), and "
                            "goro::is / goro::as still find each one. A first-error group would have kept one and "
                            "cancelled the rest.",
                            who, each));
  if (q) out.push_back(std::move(*q));
}

// ---- a panic ----

void before_panic(const Trace& t, std::size_t at, std::vector<Quiz>& out) {
  const Event& e = t.events[at];
  const std::string who = task_label(t, e.task);
  auto q = make(at, fmt::format("What happens to {} next?", who),
                {fmt::format("it panics: {}", e.value), "it returns an error instead", "it blocks forever",
                 "it carries on as if nothing happened"},
                fmt::format("{} raises a panic (\"{}\"): unrecovered, it ends the whole run.", who, e.value));
  if (q) out.push_back(std::move(*q));
}

}  // namespace

std::vector<Quiz> make_quizzes(const Trace& t) {
  std::vector<Quiz> out;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    switch (e.type) {
      case EventType::report:
        if (e.kind == "deadlock" || e.kind == "leak") stuck_tasks(t, i, out);
        break;
      case EventType::ctx_cancel:
        // The first cancel of a wave (the previous event is not a cancel of the same instant).
        if (i == 0 || t.events[i - 1].type != EventType::ctx_cancel) cancel_wave(t, i, out);
        break;
      case EventType::group_error: first_error(t, i, out); break;
      case EventType::chan_close: after_close(t, i, out); break;
      case EventType::task_error:
        joined_task_error(t, i, out);
        cancelled_task_error(t, i, out);
        break;
      case EventType::panic: before_panic(t, i, out); break;
      default: break;
    }
  }
  // Event order; one quiz per pause point (the first made for it wins).
  std::stable_sort(out.begin(), out.end(), [](const Quiz& a, const Quiz& b) { return a.pause_at < b.pause_at; });
  out.erase(std::unique(out.begin(), out.end(), [](const Quiz& a, const Quiz& b) { return a.pause_at == b.pause_at; }),
            out.end());
  return out;
}

}  // namespace dojo::viz
