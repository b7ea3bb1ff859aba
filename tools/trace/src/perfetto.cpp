// goro trace -> Chrome Trace Event JSON for Perfetto (see perfetto.hpp for the layout).
#include "dojo/trace/perfetto.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace dojo::trace {

using nlohmann::json;

namespace {

constexpr int kPid = 1;

struct Slice {
  std::int64_t start = 0, end = 0;  // µs positions, end exclusive
  std::string name;
  std::string cat;
  json args = json::object();
};

/// One track: its slices (state slices are siblings, op slices nest in them).
struct Lane {
  std::int64_t tid = 0;
  std::string name;
  std::int64_t sort = 0;
  std::vector<Slice> states;
  std::vector<Slice> ops;

  /// True when some slice of this lane has start < t < end.
  [[nodiscard]] bool encloses(std::int64_t t) const {
    for (const auto* v : {&states, &ops})
      for (const Slice& s : *v)
        if (s.start < t && t < s.end) return true;
    return false;
  }
};

std::string site_text(const Site& s) {
  if (s.empty()) return {};
  std::string file = s.file;
  if (auto slash = file.find_last_of('/'); slash != std::string::npos) file = file.substr(slash + 1);
  return fmt::format("{}:{}", file, s.line);
}

json error_json(const ErrorTree& e) {
  json children = json::array();
  for (const auto& c : e.children) children.push_back(error_json(c));
  return json{{"message", e.message}, {"type", e.type}, {"children", children}};
}

/// "fetch a: 503 <- 503" style chain along first children, for names.
std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  std::string out = nl == std::string::npos ? s : s.substr(0, nl) + " ...";
  if (out.size() > 80) out = out.substr(0, 77) + "...";
  return out;
}

class Exporter {
 public:
  Exporter(const Trace& t, const ExportOptions& o) : t_(t), step_(std::max<std::int64_t>(o.step_us, 4)), opt_(o) {}

  json run(ExportStats* stats) {
    positions();
    lanes();
    states();
    mark_reported();
    ops();
    flows();
    instants();
    counters();
    json out = json::object();
    out["traceEvents"] = std::move(events_);
    out["displayTimeUnit"] = "ns";
    out["otherData"] = other_data();
    if (stats != nullptr) *stats = stats_;
    return out;
  }

 private:
  // ---- time ----
  void positions() {
    pos_.reserve(t_.events.size());
    std::int64_t prev = 0;
    for (const Event& e : t_.events) {
      std::int64_t us = e.ts <= 0 ? 0 : (e.ts + 999) / 1000;
      std::int64_t p = std::max(us, prev + step_);
      pos_.push_back(p);
      prev = p;
    }
    end_pos_ = prev + step_;
  }

  // ---- tracks ----
  void lanes() {
    std::uint64_t max_id = 0;
    for (const auto& [id, task] : t_.tasks) {
      Lane l;
      l.tid = static_cast<std::int64_t>(id);
      l.sort = static_cast<std::int64_t>(id);
      std::string label = !task.name.empty() && !(task.adopted && task.name == "thread") ? task.name
                          : task.adopted                                                 ? "thread"
                                                                                         : site_text(task.site);
      l.name = fmt::format("g{} {}", id, label);
      lanes_.emplace(id, std::move(l));
      max_id = std::max(max_id, id);
      ++stats_.tasks;
    }
    runtime_.tid = static_cast<std::int64_t>(max_id) + 1;
    runtime_.sort = 0;
    runtime_.name = "runtime: contexts, errgroups, timers, reports";
  }

  Lane& lane(std::uint64_t task) { return lanes_.at(task); }

  void states() {
    for (auto& [id, task] : t_.tasks) {
      Lane& l = lane(id);
      std::optional<std::size_t> first = task.events.empty() ? std::nullopt : std::optional(task.events.front());
      std::int64_t start;
      if (!task.adopted) {
        // task_start is the first event naming the task.
        start = first ? pos_[*first] : 0;
      } else {
        start = first ? pos_[*first] - 2 : 0;  // just before the thread's first event
      }
      if (!first) continue;
      struct Open {
        std::int64_t start;
        std::string name;
        json args;
        std::size_t event;
        bool blocked;
      };
      std::optional<Open> open = Open{start, "running", json::object(), *first, false};
      bool exited = false;
      auto close = [&](std::int64_t at) {
        if (!open) return;
        if (at > open->start) {
          Slice s{open->start, at, open->name, "state", std::move(open->args)};
          l.states.push_back(std::move(s));
        }
        open.reset();
      };
      for (std::size_t idx : task.events) {
        const Event& e = t_.events[idx];
        const std::int64_t p = pos_[idx];
        switch (e.type) {
          case EventType::block: {
            close(p);
            json args = {{"reason", e.reason}, {"ts_ns", e.ts}};
            if (!e.object.empty()) args["object"] = e.object;
            if (!e.site.empty()) args["site"] = site_text(e.site);
            open = Open{p, "blocked: " + e.reason, std::move(args), idx, true};
            break;
          }
          case EventType::unblock:
            if (open && open->blocked) {
              close(p);
              open = Open{p, "running", json{{"ts_ns", e.ts}}, idx, false};
            }
            break;
          case EventType::task_exit:
            close(p);
            exited = true;
            break;
          case EventType::report:
            break;
          default:
            break;
        }
        if (exited) break;
      }
      close(end_pos_);
    }
  }

  /// Marks the state each report finds its stuck tasks in ("DEADLOCK blocked: chan send").
  void mark_reported() {
    for (std::size_t i = 0; i < t_.events.size(); ++i) {
      const Event& e = t_.events[i];
      if (e.type != EventType::report) continue;
      const std::string label = e.kind == "leak" ? "LEAKED" : e.kind == "deadlock" ? "DEADLOCK" : "STUCK";
      for (const auto& rt : e.tasks) {
        if (rt.state != "blocked" || lanes_.count(rt.task) == 0) continue;
        for (Slice& s : lane(rt.task).states)
          if (s.start < pos_[i] && pos_[i] < s.end && s.name.rfind("blocked: ", 0) == 0) {
            s.name = label + " " + s.name;
            s.args["report"] = e.kind;
          }
      }
    }
  }

  // ---- channel operations and selects ----
  std::int64_t op_width() const { return std::max<std::int64_t>(2, step_ / 2); }

  void ops() {
    for (std::size_t i = 0; i < t_.events.size(); ++i) {
      const Event& e = t_.events[i];
      if (e.task == 0 || lanes_.count(e.task) == 0) continue;
      std::string name;
      json args = {{"ts_ns", e.ts}, {"seq", e.seq}};
      switch (e.type) {
        case EventType::chan_send:
          name = e.value.empty() ? fmt::format("send chan#{}", e.chan) : fmt::format("send chan#{} = {}", e.chan, e.value);
          args["msg"] = e.msg;
          break;
        case EventType::chan_recv:
          name = !e.ok ? fmt::format("recv chan#{} (closed)", e.chan)
                 : e.value.empty() ? fmt::format("recv chan#{}", e.chan)
                                   : fmt::format("recv chan#{} = {}", e.chan, e.value);
          args["msg"] = e.msg;
          args["ok"] = e.ok;
          break;
        case EventType::chan_close:
          name = fmt::format("close chan#{}", e.chan);
          break;
        case EventType::select:
          name = e.is_default ? "select: default" : fmt::format("select: case {} of {}", e.chosen, e.cases);
          break;
        default:
          continue;
      }
      if (!e.site.empty()) args["site"] = site_text(e.site);
      if (e.type != EventType::select && e.chan != 0) {
        auto c = t_.channels.find(e.chan);
        if (c != t_.channels.end() && c->second.made)
          args["chan"] = fmt::format("chan {} #{} (cap {})", c->second.elem, e.chan, c->second.cap);
      }
      Lane& l = lane(e.task);
      const std::int64_t p = pos_[i];
      // Only inside a state slice (a malformed trace may have ops after the task's exit).
      bool inside = false;
      for (const Slice& s : l.states)
        if (s.start < p && p + op_width() < s.end) inside = true;
      if (!inside) continue;
      l.ops.push_back(Slice{p, p + op_width(), name, "chan", std::move(args)});
      op_at_[i] = p;
    }
  }

  // ---- send → receive arrows ----
  void flows() {
    for (const auto& [msg, ends] : t_.messages) {
      if (!ends.first || !ends.second) continue;
      const Event& send = t_.events[*ends.first];
      const Event& recv = t_.events[*ends.second];
      if (lanes_.count(send.task) == 0 || lanes_.count(recv.task) == 0) continue;
      Lane& from = lane(send.task);
      Lane& to = lane(recv.task);
      const std::int64_t recv_pos = pos_[*ends.second];
      // The end: inside the receive's op slice.
      std::int64_t f_ts = recv_pos + 1;
      // The start: inside the send's op slice, or, when the send was recorded after the
      // receive (a select's send case is recorded when the select returns), inside whatever
      // slice the sender was in just before the receive.
      std::int64_t s_ts = pos_[*ends.first] + 1;
      if (s_ts >= f_ts) s_ts = recv_pos - 1;
      if (!(s_ts < f_ts) || !from.encloses(s_ts) || !to.encloses(f_ts)) {
        ++stats_.flows_dropped;
        continue;
      }
      std::string name = fmt::format("chan#{} send→recv", send.chan);
      json args = {{"msg", msg}};
      if (!send.value.empty()) args["value"] = send.value;
      events_.push_back({{"ph", "s"}, {"pid", kPid}, {"tid", from.tid}, {"ts", s_ts}, {"id", msg},
                         {"cat", "chan"}, {"name", name}, {"args", args}});
      events_.push_back({{"ph", "f"}, {"bp", "e"}, {"pid", kPid}, {"tid", to.tid}, {"ts", f_ts}, {"id", msg},
                         {"cat", "chan"}, {"name", name}, {"args", args}});
      ++stats_.flows;
    }
  }

  // ---- instants ----
  void instant(const Lane& l, std::int64_t ts, std::string name, std::string cat, json args) {
    events_.push_back({{"ph", "i"}, {"s", "t"}, {"pid", kPid}, {"tid", l.tid}, {"ts", ts}, {"name", std::move(name)},
                       {"cat", std::move(cat)}, {"args", std::move(args)}});
    ++stats_.instants;
  }

  void instants() {
    for (std::size_t i = 0; i < t_.events.size(); ++i) {
      const Event& e = t_.events[i];
      const std::int64_t p = pos_[i];
      json args = {{"ts_ns", e.ts}, {"seq", e.seq}};
      switch (e.type) {
        case EventType::panic:
          if (lanes_.count(e.task) == 0) break;
          args["value"] = e.value;
          args["stack"] = e.stack;
          instant(lane(e.task), p, "panic: " + first_line(e.value), "panic", std::move(args));
          break;
        case EventType::task_error:
          if (lanes_.count(e.task) == 0) break;
          if (e.err) args["error"] = error_json(*e.err);
          instant(lane(e.task), p, "error: " + first_line(e.err ? e.err->message : "<nil>"), "error", std::move(args));
          break;
        case EventType::ctx_new:
          args["parent"] = e.parent;
          args["kind"] = e.kind;
          instant(runtime_, p, fmt::format("ctx#{} {}", e.ctx, e.kind), "ctx", std::move(args));
          break;
        case EventType::ctx_cancel: {
          if (e.err) args["err"] = error_json(*e.err);
          if (e.cause) args["cause"] = error_json(*e.cause);
          std::string why = e.cause ? e.cause->message : e.err ? e.err->message : "";
          instant(runtime_, p, fmt::format("ctx#{} cancelled: {}", e.ctx, first_line(why)), "ctx", std::move(args));
          break;
        }
        case EventType::group_error:
          if (e.err) args["error"] = error_json(*e.err);
          instant(runtime_, p,
                  fmt::format("errgroup#{} first error: {}", e.group, first_line(e.err ? e.err->message : "<nil>")),
                  "errgroup", std::move(args));
          break;
        case EventType::timer:
          args["timer"] = e.timer;
          args["when_ns"] = e.when;
          instant(runtime_, p, fmt::format("timer#{} {}", e.timer, e.action), "timer", std::move(args));
          break;
        case EventType::report: {
          args["text"] = e.text;
          instant(runtime_, p, fmt::format("{}: {} task(s) stuck", e.kind, e.tasks.size()), "report", args);
          for (const auto& rt : e.tasks) {
            if (lanes_.count(rt.task) == 0) continue;
            json a = {{"reason", rt.reason}, {"object", rt.object}, {"site", site_text(rt.site)},
                      {"started", site_text(rt.started)}};
            std::string label = e.kind == "leak" ? "LEAKED" : e.kind == "deadlock" ? "DEADLOCK" : e.kind;
            instant(lane(rt.task), p, fmt::format("{}: {}", label, rt.reason.empty() ? rt.state : rt.reason), "report",
                    std::move(a));
          }
          break;
        }
        case EventType::end:
          args["outcome"] = e.outcome;
          if (e.steps != 0) args["steps"] = e.steps;
          if (!e.report.empty()) args["report"] = e.report;
          instant(runtime_, p, "end: " + e.outcome, "end", std::move(args));
          break;
        default:
          break;
      }
    }
  }

  // ---- counters ----
  void counters() {
    std::int64_t live = 0, blocked = 0;
    std::set<std::uint64_t> is_blocked, alive;
    auto emit = [&](std::int64_t p) {
      events_.push_back({{"ph", "C"}, {"pid", kPid}, {"ts", p}, {"name", "tasks"},
                         {"args", {{"live", live}, {"blocked", blocked}}}});
    };
    emit(pos_.empty() ? 1 : pos_.front() - 1);  // before the first event: nothing live
    for (std::size_t i = 0; i < t_.events.size(); ++i) {
      const Event& e = t_.events[i];
      bool changed = true;
      switch (e.type) {
        case EventType::task_start:
          if (alive.insert(e.task).second) ++live;
          break;
        case EventType::task_exit:
          if (alive.erase(e.task) != 0) --live;
          if (is_blocked.erase(e.task) != 0) --blocked;
          break;
        case EventType::block:
          if (is_blocked.insert(e.task).second) ++blocked;
          break;
        case EventType::unblock:
          if (is_blocked.erase(e.task) != 0) --blocked;
          break;
        default:
          changed = false;
      }
      if (changed) emit(pos_[i]);
    }
  }

  // ---- output ----
  void write_lane(const Lane& l) {
    events_.push_back({{"ph", "M"}, {"pid", kPid}, {"tid", l.tid}, {"name", "thread_name"}, {"args", {{"name", l.name}}}});
    events_.push_back(
        {{"ph", "M"}, {"pid", kPid}, {"tid", l.tid}, {"name", "thread_sort_index"}, {"args", {{"sort_index", l.sort}}}});
    for (const auto* v : {&l.states, &l.ops})
      for (const Slice& s : *v) {
        events_.push_back({{"ph", "X"}, {"pid", kPid}, {"tid", l.tid}, {"ts", s.start}, {"dur", s.end - s.start},
                           {"name", s.name}, {"cat", s.cat}, {"args", s.args}});
        ++stats_.slices;
      }
  }

  json other_data() {
    json d = {{"source", "goro trace"},
              {"schema", t_.meta.schema},
              {"version", t_.meta.version},
              {"mode", t_.meta.mode},
              {"clock", t_.meta.clock},
              {"start", t_.meta.start},
              {"timeline", fmt::format("µs positions: recorded time, events spread at least {} µs apart", step_)}};
    if (t_.meta.seed) d["seed"] = *t_.meta.seed;
    if (!t_.meta.strategy.empty()) d["strategy"] = t_.meta.strategy;
    if (t_.end) d["outcome"] = t_.events[*t_.end].outcome;
    return d;
  }

 public:
  json finish(ExportStats* stats) {
    json doc = run(stats);
    // Metadata and slices go first (after run() filled flows/instants/counters).
    json all = json::array();
    std::string title = opt_.title;
    if (title.empty())
      title = t_.meta.seed ? fmt::format("goro {} run (seed {})", t_.meta.mode, *t_.meta.seed)
                           : fmt::format("goro {} run", t_.meta.mode);
    all.push_back({{"ph", "M"}, {"pid", kPid}, {"name", "process_name"}, {"args", {{"name", title}}}});
    events_ = json::array();
    write_lane(runtime_);
    for (const auto& [id, l] : lanes_) write_lane(l);
    if (stats != nullptr) stats->slices = stats_.slices;
    for (auto& e : events_) all.push_back(std::move(e));
    for (auto& e : doc["traceEvents"]) all.push_back(std::move(e));
    doc["traceEvents"] = std::move(all);
    return doc;
  }

 private:
  const Trace& t_;
  const std::int64_t step_;
  const ExportOptions& opt_;
  std::vector<std::int64_t> pos_;
  std::int64_t end_pos_ = 0;
  std::map<std::uint64_t, Lane> lanes_;
  Lane runtime_;
  std::map<std::size_t, std::int64_t> op_at_;
  json events_ = json::array();
  ExportStats stats_;
};

}  // namespace

json to_perfetto(const Trace& trace, const ExportOptions& options, ExportStats* stats) {
  Exporter x(trace, options);
  return x.finish(stats);
}

}  // namespace dojo::trace
