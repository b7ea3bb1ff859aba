#include "dojo/viz/model/wait_graph.hpp"

#include <algorithm>
#include <functional>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace dojo::viz {

using dojo::trace::EventType;
using dojo::trace::Snapshot;
using dojo::trace::TaskState;
using Phase = TaskState::Phase;

namespace {

/// What events [0, n) say about channels and task ends.
struct History {
  std::map<std::uint64_t, std::vector<std::uint64_t>> senders, receivers, closers;  // chan -> tasks, first use first
  std::map<std::uint64_t, std::size_t> exit_at, error_at, panic_at;                // task -> event

  History(const dojo::trace::Trace& t, std::size_t n) {
    auto add = [](std::vector<std::uint64_t>& v, std::uint64_t task) {
      if (task != 0 && std::find(v.begin(), v.end(), task) == v.end()) v.push_back(task);
    };
    for (std::size_t i = 0; i < std::min(n, t.events.size()); ++i) {
      const auto& e = t.events[i];
      switch (e.type) {
        case EventType::chan_send: add(senders[e.chan], e.task); break;
        case EventType::chan_recv: add(receivers[e.chan], e.task); break;
        case EventType::chan_close: add(closers[e.chan], e.task); break;
        case EventType::task_exit: exit_at.try_emplace(e.task, i); break;
        case EventType::task_error: error_at.try_emplace(e.task, i); break;
        case EventType::panic: panic_at.try_emplace(e.task, i); break;
        default: break;
      }
    }
  }
};

struct Node {
  std::string op;                       // "receive on `a`"
  std::vector<std::uint64_t> partners;  // live tasks that could complete it
  std::vector<std::string> missing;     // why nobody can, per object
  std::string lead;                     // group wait: "waits for the group's tasks g3, g4"
  bool opaque = false;                  // the trace does not say who could wake it
};

class Explainer {
 public:
  Explainer(const dojo::trace::Trace& t, std::size_t n, const Snapshot& s, const ChannelNames& names)
      : h_(t, n), s_(s), names_(names) {}

  std::string label(std::uint64_t id) const {
    const auto* t = s_.task(id);
    return t ? task_label(*t) : fmt::format("g{}", id);
  }
  bool alive(std::uint64_t id) const {
    const auto* t = s_.task(id);
    return t != nullptr && t->phase != Phase::exited;
  }
  std::string chan(std::uint64_t id) const {
    if (s_.context(id) != nullptr) return fmt::format("ctx#{} done", id);
    if (const auto* c = s_.channel(id)) return channel_text(*c, names_.get(id));
    return fmt::format("#{}", id);
  }
  std::string short_chan(std::uint64_t id) const {
    if (s_.context(id) != nullptr) return fmt::format("ctx#{} done", id);
    return fmt::format("`{}`", names_.get(id));
  }
  /// "exited at event 31", "returned an error at event 14", "panicked at event 9".
  std::string end_of(std::uint64_t id) const {
    auto at = [](const std::map<std::uint64_t, std::size_t>& m, std::uint64_t k) {
      auto it = m.find(k);
      return it != m.end() ? std::optional<std::size_t>(it->second) : std::nullopt;
    };
    if (auto p = at(h_.panic_at, id)) return fmt::format("panicked at event {}", *p);
    if (auto e = at(h_.error_at, id)) return fmt::format("returned an error at event {}", *e);
    if (auto x = at(h_.exit_at, id)) return fmt::format("exited at event {}", *x);
    return "exited";
  }
  std::vector<std::uint64_t> others_alive(std::uint64_t self) const {
    std::vector<std::uint64_t> v;
    for (const auto& t : s_.tasks)
      if (t.id != self && t.phase != Phase::exited) v.push_back(t.id);
    return v;
  }
  std::string list(const std::vector<std::uint64_t>& ids) const {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + label(ids[i]);
    return out;
  }
  static std::vector<std::uint64_t> without(std::vector<std::uint64_t> v, std::uint64_t self) {
    v.erase(std::remove(v.begin(), v.end(), self), v.end());
    return v;
  }

  /// Why nobody is left to use channel `c` the way `self` needs: `past` used it that way before.
  std::string gone(std::uint64_t self, const std::vector<std::uint64_t>& past, const std::string& role,
                   const std::string& never) const {
    if (past.empty()) {
      const auto others = others_alive(self);
      if (others.empty()) return "no other task is alive";
      return fmt::format("{}; the other live tasks ({}) never touched it", never, list(others));
    }
    if (past.size() == 1) return fmt::format("its only {} {} {}", role, label(past[0]), end_of(past[0]));
    std::string out = fmt::format("its {}s", role);
    for (std::size_t i = 0; i < past.size(); ++i)
      out += fmt::format("{} {} {}", i ? "," : "", label(past[i]), end_of(past[i]));
    return out;
  }

  Node node(const TaskState& x) const {
    Node nd;
    std::vector<std::uint64_t> ids = object_ids(x.blocked_on);
    if (ids.empty() && x.sending_chan != 0) ids.push_back(x.sending_chan);
    auto live = [&](const std::vector<std::uint64_t>& v) {
      std::vector<std::uint64_t> out;
      for (auto id : without(v, x.id))
        if (alive(id)) out.push_back(id);
      return out;
    };
    auto get = [](const std::map<std::uint64_t, std::vector<std::uint64_t>>& m, std::uint64_t k) {
      auto it = m.find(k);
      return it != m.end() ? it->second : std::vector<std::uint64_t>{};
    };
    if ((x.op == "chan send" || x.op == "chan receive") && !ids.empty()) {
      const auto c = ids.front();
      const bool send = x.op == "chan send";
      nd.op = fmt::format("{} on {}", send ? "send" : "receive", short_chan(c));
      if (send) {
        const auto past = without(get(h_.receivers, c), x.id);
        nd.partners = live(past);
        if (nd.partners.empty())
          nd.missing.push_back(fmt::format("nobody will ever receive from {}: {}", chan(c),
                                           gone(x.id, past, "receiver", "no task ever received from it")));
      } else {
        auto past = without(get(h_.senders, c), x.id);
        for (auto k : get(h_.closers, c))
          if (std::find(past.begin(), past.end(), k) == past.end()) past.push_back(k);
        past = without(past, x.id);
        nd.partners = live(past);
        if (nd.partners.empty()) {
          if (past.empty())
            nd.missing.push_back(fmt::format("nobody will ever send on or close {}: {}", chan(c),
                                             gone(x.id, past, "sender", "no task ever sent on it")));
          else
            nd.missing.push_back(fmt::format("nobody closes {}: {} without closing it", short_chan(c),
                                             gone(x.id, past, "sender", "")));
        }
      }
    } else if (x.op.starts_with("select") && !ids.empty()) {
      std::string names;
      for (std::size_t i = 0; i < ids.size(); ++i) names += (i ? ", " : "") + short_chan(ids[i]);
      nd.op = "select on " + names;
      for (auto c : ids) {
        if (s_.context(c) != nullptr) {
          nd.missing.push_back(fmt::format("ctx#{} is not cancelled (the trace does not record who could cancel it)", c));
          continue;
        }
        std::vector<std::uint64_t> past;
        for (const auto* m : {&h_.senders, &h_.receivers, &h_.closers})
          for (auto k : get(*m, c))
            if (std::find(past.begin(), past.end(), k) == past.end()) past.push_back(k);
        past = without(past, x.id);
        auto p = live(past);
        if (p.empty())
          nd.missing.push_back(fmt::format("nobody else uses {}: {}", short_chan(c),
                                           gone(x.id, past, "user", "no other task ever used it")));
        for (auto k : p)
          if (std::find(nd.partners.begin(), nd.partners.end(), k) == nd.partners.end()) nd.partners.push_back(k);
      }
    } else if (x.op == "errgroup wait") {
      nd.op = "errgroup wait";
      for (const auto& t : s_.tasks)
        if (t.parent == x.id && t.phase != Phase::exited) nd.partners.push_back(t.id);
      if (nd.partners.empty()) nd.missing.push_back("its group has no live task, yet wait() did not return");
      else nd.lead = fmt::format("waits for the group's tasks {}", list(nd.partners));
    } else if (x.op.starts_with("sync.Mutex")) {
      nd.op = x.op;
      static const std::regex re(R"(locked by goroutine (\d+))");
      std::smatch m;
      if (std::regex_search(x.blocked_on, m, re)) {
        const auto holder = std::stoull(m[1].str());
        if (alive(holder) && holder != x.id) nd.partners.push_back(holder);
        else if (holder == x.id) nd.missing.push_back("it already holds this mutex itself");
        else nd.missing.push_back(fmt::format("the mutex is held by {}, which {} without unlocking it",
                                              label(holder), end_of(holder)));
      } else {
        nd.opaque = true;
      }
    } else {
      nd.op = x.op.empty() ? std::string("waiting") : x.op;
      nd.opaque = true;
    }
    return nd;
  }

  std::map<std::uint64_t, StuckWhy> run() const {
    std::map<std::uint64_t, Node> nodes;
    for (const auto& t : s_.tasks)
      if (t.phase == Phase::blocked) nodes.emplace(t.id, node(t));
    auto blocked = [&](std::uint64_t id) { return nodes.count(id) != 0; };

    std::map<std::uint64_t, StuckWhy> out;
    for (const auto& [id, nd] : nodes) {
      StuckWhy w;
      w.task = id;
      w.waits_for = nd.partners;
      if (nd.partners.empty()) {
        w.missing_party = !nd.missing.empty();
        std::string text;
        for (const auto& m : nd.missing) text += (text.empty() ? "" : "; ") + m;
        if (nd.opaque) text = fmt::format("{}: the trace does not record who could wake it", nd.op);
        w.text = text;
        out.emplace(id, std::move(w));
        continue;
      }
      std::vector<std::string> parts;
      if (!nd.lead.empty()) parts.push_back(nd.lead);
      std::vector<std::uint64_t> free;
      for (auto p : nd.partners)
        if (!blocked(p)) free.push_back(p);
      if (!free.empty()) {
        parts.push_back(fmt::format("{} could still complete it (not blocked)", list(free)));
      } else {
        // A wait-for cycle back to `id`: depth-first over stuck partners.
        std::vector<std::uint64_t> path{id};
        std::set<std::uint64_t> seen{id};
        std::function<bool(std::uint64_t)> dfs = [&](std::uint64_t at) {
          for (auto p : nodes.at(at).partners) {
            if (p == id) return true;
            if (!blocked(p) || !seen.insert(p).second) continue;
            path.push_back(p);
            if (dfs(p)) return true;
            path.pop_back();
          }
          return false;
        };
        if (dfs(id)) {
          w.cycle = true;
          std::string c = "wait-for cycle: ";
          for (std::size_t i = 0; i < path.size(); ++i) {
            const auto next = i + 1 < path.size() ? path[i + 1] : id;
            c += fmt::format("{}{} waits for {} ({})", i ? ", " : "", label(path[i]), label(next),
                             nodes.at(path[i]).op);
          }
          parts.push_back(c);
        } else {
          std::string c;
          for (auto p : nd.partners) {
            const auto& pn = nodes.at(p);
            c += fmt::format("{}{} is stuck on {}", c.empty() ? "" : "; ", label(p), pn.op);
          }
          parts.push_back(nd.lead.empty() ? fmt::format("only {} could complete it, and {}", list(nd.partners), c) : c);
        }
      }
      if (!nd.lead.empty() && parts.size() == 2 && !w.cycle) w.text = parts[0] + " — " + parts[1];
      else {
        for (const auto& p : parts) w.text += (w.text.empty() ? "" : " — ") + p;
      }
      out.emplace(id, std::move(w));
    }
    return out;
  }

 private:
  History h_;
  const Snapshot& s_;
  const ChannelNames& names_;
};

}  // namespace

std::map<std::uint64_t, StuckWhy> explain_stuck(const dojo::trace::Trace& t, std::size_t n, const Snapshot& s,
                                                 const ChannelNames& names) {
  return Explainer(t, n, s, names).run();
}

}  // namespace dojo::viz
