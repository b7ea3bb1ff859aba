// Perfetto JSON rules (see perfetto_check.hpp).
#include "dojo/trace/perfetto_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace dojo::trace {

using nlohmann::json;

namespace {

using LaneKey = std::pair<std::int64_t, std::int64_t>;  // (pid, tid)

struct SliceRef {
  std::int64_t start, end;  // ns
  std::size_t index;
};

struct FlowEnd {
  char ph;
  std::int64_t ts;  // ns
  std::size_t index;
  std::optional<LaneKey> lane;
};

bool is_int(const json& v) { return v.is_number_integer(); }

std::int64_t to_ns(const json& v) { return std::llround(v.get<double>() * 1000.0); }

class Checker {
 public:
  std::vector<Violation> run(const json& doc) {
    const json* events = nullptr;
    if (doc.is_array()) {
      events = &doc;
    } else if (doc.is_object() && doc.contains("traceEvents") && doc["traceEvents"].is_array()) {
      events = &doc["traceEvents"];
    } else {
      add("container", 0, "the root must be {\"traceEvents\":[...]} or an array of events");
      return std::move(out_);
    }
    for (std::size_t i = 0; i < events->size(); ++i) event(i, (*events)[i]);
    be_balance();
    nesting();
    flows();
    lanes_named();
    return std::move(out_);
  }

 private:
  void add(std::string rule, std::size_t index, std::string msg) { out_.push_back({std::move(rule), index, std::move(msg)}); }

  void event(std::size_t i, const json& e) {
    if (!e.is_object()) {
      add("event", i, "an event must be a JSON object");
      return;
    }
    auto ph_it = e.find("ph");
    if (ph_it == e.end() || !ph_it->is_string() || ph_it->get<std::string>().size() != 1) {
      add("ph", i, "missing or invalid \"ph\" (a one-character phase)");
      return;
    }
    const char ph = ph_it->get<std::string>()[0];
    static const std::string known = "BEXiICbenstfMTPOND()RcvV";
    if (known.find(ph) == std::string::npos) {
      add("ph", i, fmt::format("unknown phase '{}'", ph));
      return;
    }
    // pid / tid
    const bool needs_tid = std::string("XBEstf").find(ph) != std::string::npos;
    std::optional<std::int64_t> pid, tid;
    if (auto p = e.find("pid"); p != e.end()) {
      if (!is_int(*p))
        add("pid", i, fmt::format("pid must be an integer, not {}", p->dump()));
      else
        pid = p->get<std::int64_t>();
    } else {
      add("pid", i, "missing pid");
    }
    if (auto t = e.find("tid"); t != e.end()) {
      if (!is_int(*t))
        add("tid", i, fmt::format("tid must be an integer, not {}", t->dump()));
      else
        tid = t->get<std::int64_t>();
    } else if (needs_tid) {
      add("tid", i, fmt::format("'{}' events need a tid", ph));
    }
    // ts
    std::optional<std::int64_t> ts;
    if (ph != 'M') {
      auto t = e.find("ts");
      if (t == e.end() || !t->is_number())
        add("ts", i, "missing or non-numeric ts (µs)");
      else if (t->get<double>() < 0)
        add("ts", i, "negative ts");
      else
        ts = to_ns(*t);
    }
    // name
    const bool needs_name = std::string("XBiICstfM").find(ph) != std::string::npos;
    if (needs_name) {
      auto n = e.find("name");
      if (n == e.end() || !n->is_string() || n->get<std::string>().empty())
        add("name", i, fmt::format("'{}' events need a non-empty string name", ph));
    }
    if (auto a = e.find("args"); a != e.end() && !a->is_object()) add("args", i, "args must be an object");

    std::optional<LaneKey> lane;
    if (pid && tid) lane = LaneKey{*pid, *tid};

    switch (ph) {
      case 'X': {
        auto d = e.find("dur");
        if (d == e.end() || !d->is_number() || d->get<double>() < 0) {
          add("dur", i, "'X' events need a non-negative numeric dur (µs)");
          break;
        }
        if (ts && lane) slices_[*lane].push_back({*ts, *ts + to_ns(*d), i});
        break;
      }
      case 'B':
      case 'E':
        if (ts && lane) be_[*lane].push_back({ph, *ts, i, lane});
        break;
      case 's':
      case 't':
      case 'f': {
        auto id = e.find("id");
        if (id == e.end() || !(id->is_number_integer() || id->is_string())) {
          add("flow-id", i, "flow events need an \"id\" (integer or string)");
          break;
        }
        if (ph == 'f' && e.value("bp", "") != "e")
          add("flow-bp", i, "a flow end without \"bp\":\"e\" binds to the next slice that begins, not its enclosing one");
        if (!ts) break;
        auto key = std::make_tuple(id->dump(), e.value("cat", ""), e.value("name", ""));
        flows_[key].push_back({ph, *ts, i, lane});
        break;
      }
      case 'i':
      case 'I': {
        std::string scope = "t";
        if (auto s = e.find("s"); s != e.end()) scope = s->is_string() ? s->get<std::string>() : "?";
        if (scope != "t" && scope != "p" && scope != "g")
          add("instant-scope", i, fmt::format("instant scope must be \"t\", \"p\" or \"g\", not {}", e["s"].dump()));
        else if (scope == "t" && !tid)
          add("tid", i, "a thread-scoped instant needs a tid");
        break;
      }
      case 'C': {
        auto a = e.find("args");
        bool ok = a != e.end() && a->is_object() && !a->empty();
        if (ok)
          for (const auto& [k, v] : a->items())
            if (!v.is_number()) ok = false;
        if (!ok) add("counter", i, "'C' events need args: a non-empty object of numbers (one track per key)");
        break;
      }
      case 'M': {
        const std::string name = e.value("name", "");
        const json* args = e.contains("args") && e["args"].is_object() ? &e["args"] : nullptr;
        if (name == "process_name" || name == "thread_name") {
          if (args == nullptr || !args->contains("name") || !(*args)["name"].is_string())
            add("metadata", i, fmt::format("{} needs args.name (a string)", name));
          else if (name == "thread_name" && lane)
            named_.insert(*lane);
          if (name == "thread_name" && !tid) add("tid", i, "thread_name needs a tid");
        } else if (name == "process_sort_index" || name == "thread_sort_index") {
          if (args == nullptr || !args->contains("sort_index") || !(*args)["sort_index"].is_number_integer())
            add("metadata", i, fmt::format("{} needs args.sort_index (an integer)", name));
        } else {
          add("metadata", i,
              fmt::format("metadata \"{}\" is ignored by Perfetto (only process_name, thread_name, "
                          "process_sort_index, thread_sort_index)",
                          name));
        }
        break;
      }
      default:
        break;
    }
  }

  void nesting() {
    for (auto& [lane, v] : slices_) {
      std::sort(v.begin(), v.end(), [](const SliceRef& a, const SliceRef& b) {
        return std::tie(a.start, b.end, a.index) < std::tie(b.start, a.end, b.index);
      });
      std::vector<const SliceRef*> stack;
      for (const SliceRef& s : v) {
        while (!stack.empty() && stack.back()->end <= s.start) stack.pop_back();
        if (!stack.empty() && s.end > stack.back()->end) {
          add("nesting", s.index,
              fmt::format("slice [{}, {}) ns on pid {} tid {} partially overlaps event {} [{}, {}) ns", s.start, s.end,
                          lane.first, lane.second, stack.back()->index, stack.back()->start, stack.back()->end));
          continue;
        }
        stack.push_back(&s);
      }
    }
  }

  void be_balance() {
    for (auto& [lane, v] : be_) {
      std::stable_sort(v.begin(), v.end(), [](const FlowEnd& a, const FlowEnd& b) { return a.ts < b.ts; });
      std::vector<const FlowEnd*> open;
      for (const FlowEnd& e : v) {
        if (e.ph == 'B') {
          open.push_back(&e);
        } else if (open.empty()) {
          add("be", e.index, "an 'E' event closes no open 'B' slice");
        } else {
          slices_[lane].push_back({open.back()->ts, e.ts, open.back()->index});
          open.pop_back();
        }
      }
      for (const FlowEnd* b : open) add("be", b->index, "a 'B' event is never closed by an 'E'");
    }
  }

  [[nodiscard]] bool enclosed(const FlowEnd& f) const {
    if (!f.lane) return false;
    auto it = slices_.find(*f.lane);
    if (it == slices_.end()) return false;
    for (const SliceRef& s : it->second)
      if (s.start < f.ts && f.ts < s.end) return true;
    return false;
  }

  void flows() {
    for (const auto& [key, ends] : flows_) {
      const auto& [id, cat, name] = key;
      std::vector<const FlowEnd*> starts, finishes;
      for (const FlowEnd& f : ends) {
        if (f.ph == 's') starts.push_back(&f);
        if (f.ph == 'f') finishes.push_back(&f);
        if (!enclosed(f))
          add("flow-enclosed", f.index,
              fmt::format("flow '{}' ({}) at {} ns is not strictly inside a slice of its own thread: Perfetto drops it "
                          "(flow_no_enclosing_slice)",
                          name, f.ph, f.ts));
      }
      if (starts.size() != 1 || finishes.size() != 1) {
        add("flow-pair", ends.front().index,
            fmt::format("flow id {} cat '{}' name '{}' has {} start(s) and {} end(s); exactly one of each is needed "
                        "(id, cat and name must all match)",
                        id, cat, name, starts.size(), finishes.size()));
        continue;
      }
      if (finishes[0]->ts < starts[0]->ts)
        add("flow-order", finishes[0]->index,
            fmt::format("flow id {} ends ({} ns) before it starts ({} ns)", id, finishes[0]->ts, starts[0]->ts));
    }
  }

  void lanes_named() {
    for (const auto& [lane, v] : slices_)
      if (!v.empty() && named_.count(lane) == 0)
        add("lane-named", v.front().index,
            fmt::format("pid {} tid {} has slices but no thread_name metadata", lane.first, lane.second));
  }

  std::vector<Violation> out_;
  std::map<LaneKey, std::vector<SliceRef>> slices_;
  std::map<LaneKey, std::vector<FlowEnd>> be_;
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<FlowEnd>> flows_;
  std::set<LaneKey> named_;
};

}  // namespace

std::vector<Violation> check_perfetto(const json& doc) { return Checker().run(doc); }

std::vector<Violation> check_perfetto_text(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return {{"json", 0, "not valid JSON"}};
  return check_perfetto(doc);
}

std::string format_violations(const std::vector<Violation>& vs) {
  std::string out;
  for (const auto& v : vs) out += fmt::format("{}: event {}: {}\n", v.rule, v.event, v.message);
  return out;
}

}  // namespace dojo::trace
