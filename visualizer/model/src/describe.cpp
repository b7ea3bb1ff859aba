#include "dojo/viz/model/describe.hpp"
#include "dojo/viz/model/wait_graph.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>

#include <fmt/format.h>

namespace dojo::viz {

namespace fs = std::filesystem;
using dojo::trace::ErrorTree;
using dojo::trace::EventType;
using Phase = dojo::trace::TaskState::Phase;

// ---- channel names ---------------------------------------------------------------------------

std::string chan_var_on_line(std::string_view line) {
  // `auto out = goro::make_chan<int>(`, `out = make_chan<T>(`, `Chan<int> out{make_chan...`,
  // `out_(goro::make_chan<...>(` (member initializer).
  static const std::regex re(R"(([A-Za-z_]\w*)\s*(?:=|\(|\{)\s*(?:goro::)?make_chan\b)");
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(line.begin(), line.end(), m, re)) return m[1].str();
  return {};
}

ChannelNames::ChannelNames(std::vector<std::string> roots) : roots_(std::move(roots)) {
  roots_.push_back(".");
#ifdef DOJO_VIZ_SOURCE_ROOT
  roots_.push_back(DOJO_VIZ_SOURCE_ROOT);
#endif
}

const std::vector<std::string>* ChannelNames::lines_of(const std::string& file) {
  auto [it, fresh] = files_.try_emplace(file);
  if (fresh) {
    // Traces name files relative to the repository root (the build maps the source directory
    // away), found from the roots. A trace from elsewhere may hold an absolute path, or one
    // relative to its build directory ("../../visualizer/x.cpp"): leading "../" are dropped.
    std::string_view stripped = file;
    while (stripped.starts_with("../") || stripped.starts_with("./"))
      stripped.remove_prefix(stripped.starts_with("./") ? 2 : 3);
    std::vector<fs::path> tries{fs::path(file)};
    for (const auto& r : roots_) {
      tries.push_back(fs::path(r) / file);
      tries.push_back(fs::path(r) / stripped);
    }
    for (const auto& p : tries) {
      std::ifstream in(p);
      if (!in) continue;
      std::vector<std::string> lines;
      for (std::string l; std::getline(in, l);) lines.push_back(std::move(l));
      it->second = std::move(lines);
      break;
    }
  }
  return it->second ? &*it->second : nullptr;
}

std::string ChannelNames::name(std::uint64_t id, const dojo::trace::Site& site) {
  if (!site.file.empty() && site.line > 0) {
    if (const auto* lines = lines_of(site.file);
        lines != nullptr && static_cast<std::size_t>(site.line) <= lines->size()) {
      std::string n = chan_var_on_line((*lines)[static_cast<std::size_t>(site.line) - 1]);
      if (!n.empty()) return n;
    }
  }
  return fmt::format("chan#{}", id);
}

void ChannelNames::load(const dojo::trace::Trace& t) {
  for (const auto& [id, c] : t.channels) names_[id] = name(id, c.site);
}

std::string ChannelNames::get(std::uint64_t id) const {
  auto it = names_.find(id);
  return it != names_.end() ? it->second : fmt::format("chan#{}", id);
}

// ---- small texts -----------------------------------------------------------------------------

std::string short_site(const dojo::trace::Site& s) {
  if (s.empty()) return {};
  return fmt::format("{}:{}", fs::path(s.file).filename().string(), s.line);
}

bool is_runtime_site(const dojo::trace::Site& s) {
  const std::string f = fs::path(s.file).generic_string();
  return f.find("runtime/src/") != std::string::npos || f.find("runtime/include/goro/") != std::string::npos;
}

std::string start_text(const dojo::trace::Site& site, std::uint64_t parent) {
  if (site.empty()) return {};
  if (parent == 0 && is_runtime_site(site)) {
    const bool sim = site.file.find("sim_") != std::string::npos || site.function.find("Sim") != std::string::npos;
    return sim ? "started by goro::simulate" : "started by the goro runtime";
  }
  return "started at " + short_site(site);
}

std::vector<std::uint64_t> object_ids(std::string_view object) {
  std::vector<std::uint64_t> ids;
  for (std::size_t i = 0; i < object.size(); ++i) {
    if (object[i] != '#') continue;
    std::uint64_t v = 0;
    std::size_t j = i + 1;
    while (j < object.size() && std::isdigit(static_cast<unsigned char>(object[j])) != 0)
      v = v * 10 + static_cast<std::uint64_t>(object[j++] - '0');
    if (j > i + 1) ids.push_back(v);
    i = j - 1;
  }
  return ids;
}

namespace {
std::string label(std::uint64_t id, const std::string& name) {
  return name.empty() ? fmt::format("g{}", id) : fmt::format("g{} {}", id, name);
}
}  // namespace

std::string task_label(const dojo::trace::TaskState& t) { return label(t.id, t.name); }
std::string task_label(const dojo::trace::TaskModel& t) { return label(t.id, t.name); }

std::string channel_text(const dojo::trace::ChannelState& c, const std::string& name) {
  return fmt::format("`{}` (chan {}, cap {})", name, c.elem.empty() ? "?" : c.elem, c.cap);
}

namespace {
/// "`out` (chan int, cap 0)", "ctx#5 done" or "#9" for one object id.
std::string object_text(std::uint64_t id, const dojo::trace::Snapshot& s, const ChannelNames& names) {
  if (s.context(id) != nullptr) return fmt::format("ctx#{} done", id);
  if (const auto* c = s.channel(id)) return channel_text(*c, names.get(id));
  return fmt::format("#{}", id);
}
}  // namespace

std::string task_status(const dojo::trace::TaskState& t, const dojo::trace::Snapshot& s,
                        const ChannelNames& names) {
  switch (t.phase) {
    case Phase::running:
      return "running";
    case Phase::exited:
      if (t.panic) return fmt::format("exited: panicked: {}", *t.panic);
      if (t.error) return fmt::format("exited: returned error \"{}\"", t.error->message);
      return t.stuck ? fmt::format("released after the {} report", *t.stuck) : std::string("exited");
    case Phase::blocked: break;
  }
  std::vector<std::uint64_t> ids = object_ids(t.blocked_on);
  if (ids.empty() && t.sending_chan != 0) ids.push_back(t.sending_chan);
  std::string what;
  if (t.op == "chan send" || t.op == "chan receive") {
    what = fmt::format("{} on {}", t.op == "chan send" ? "send" : "receive",
                       ids.empty() ? (t.blocked_on.empty() ? std::string("a nil channel") : t.blocked_on)
                                   : object_text(ids.front(), s, names));
  } else if (t.op.starts_with("select")) {
    what = "select on ";
    for (std::size_t i = 0; i < ids.size(); ++i) what += (i ? ", " : "") + object_text(ids[i], s, names);
    if (ids.empty()) what = t.op;
  } else {
    what = t.op.empty() ? std::string("waiting") : t.op;
    if (!t.blocked_on.empty()) what += " on " + t.blocked_on;
  }
  std::string out = fmt::format("{}: {}", t.stuck ? fmt::format("{} (stuck)", *t.stuck) : "blocked", what);
  if (!t.blocked_at.empty()) out += " at " + short_site(t.blocked_at);
  return out;
}

std::string task_hover(const dojo::trace::TaskState& t, const dojo::trace::Snapshot& s,
                       const ChannelNames& names) {
  std::string out = fmt::format("{}\n{}", task_label(t), task_status(t, s, names));
  if (t.adopted) out += "\na thread goro did not start";
  else if (!t.site.empty()) {
    const auto* p = s.task(t.parent);
    out += fmt::format("\n{}{}", start_text(t.site, t.parent), p ? " by " + task_label(*p) : std::string());
  }
  if (t.error) out += fmt::format("\nerror: {}", t.error->message);
  return out;
}

std::string channel_hover(const dojo::trace::ChannelState& c, const ChannelNames& names) {
  std::string out = channel_text(c, names.get(c.id));
  if (!c.site.empty()) out += "\nmade at " + short_site(c.site);
  out += fmt::format("\n{} sent, {} received{}", c.sends, c.recvs, c.closed ? ", closed" : "");
  if (!c.buffered.empty()) out += fmt::format("\nbuffer: [{}]", fmt::join(c.buffered, ", "));
  if (!c.pending.empty()) out += fmt::format("\nsenders waiting with: {}", fmt::join(c.pending, ", "));
  return out;
}

// ---- errors ----------------------------------------------------------------------------------

namespace {
void flatten(const ErrorTree& e, int depth, const std::string& lead, bool last, bool root,
             std::vector<ErrorLine>& out) {
  ErrorLine l;
  l.depth = depth;
  l.prefix = root ? std::string() : lead + (last ? "`- " : "|- ");
  l.message = e.message;
  l.type = e.type;
  out.push_back(std::move(l));
  const std::string next = root ? std::string() : lead + (last ? "   " : "|  ");
  for (std::size_t i = 0; i < e.children.size(); ++i)
    flatten(e.children[i], depth + 1, next, i + 1 == e.children.size(), false, out);
}
}  // namespace

std::vector<ErrorLine> error_lines(const ErrorTree& e) {
  std::vector<ErrorLine> out;
  flatten(e, 0, "", true, true, out);
  return out;
}

std::vector<ErrorEntry> errors_until(const dojo::trace::Trace& t, std::size_t n) {
  n = std::min(n, t.events.size());
  std::vector<ErrorEntry> out;
  auto name_of = [&](std::uint64_t id) {
    auto it = t.tasks.find(id);
    return it != t.tasks.end() ? task_label(it->second) : fmt::format("g{}", id);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const auto& e = t.events[i];
    ErrorEntry x;
    x.event = i;
    switch (e.type) {
      case EventType::task_error:
        if (!e.err) continue;
        x.kind = ErrorEntry::Kind::task_error;
        x.task = e.task;
        x.title = fmt::format("{} returned", name_of(e.task));
        x.err = *e.err;
        break;
      case EventType::group_error:
        if (!e.err) continue;
        x.kind = ErrorEntry::Kind::group_first;
        x.object = e.group;
        x.task = e.task;
        x.title = fmt::format("errgroup #{}: first error (wait() returns it)", e.group);
        x.err = *e.err;
        for (auto it = out.rbegin(); it != out.rend(); ++it)
          if (it->kind == ErrorEntry::Kind::task_error && it->err == x.err) {
            it->is_group_first = true;
            break;
          }
        break;
      case EventType::ctx_cancel:
        x.kind = ErrorEntry::Kind::ctx_cancel;
        x.object = e.ctx;
        x.title = fmt::format("ctx#{} cancelled", e.ctx);
        x.err = e.cause ? *e.cause : e.err ? *e.err : ErrorTree{"cancelled", "text", {}};
        break;
      case EventType::panic:
        x.kind = ErrorEntry::Kind::panic;
        x.task = e.task;
        x.title = fmt::format("{} panicked", name_of(e.task));
        x.err = ErrorTree{e.value, "panic", {}};
        break;
      default: continue;
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::optional<StuckReport> stuck_report(const dojo::trace::Trace& t, std::size_t n, const ChannelNames& names) {
  n = std::min(n, t.events.size());
  for (std::size_t i = n; i-- > 0;) {
    const auto& e = t.events[i];
    if (e.type != EventType::report) continue;
    StuckReport r;
    r.kind = e.kind;
    r.event = i;
    r.text = e.text;
    // The state just before the report: channel types for the texts.
    const dojo::trace::Snapshot s = dojo::trace::state_after(t, i);
    const auto whys = explain_stuck(t, i, s, names);
    for (const auto& rt : e.tasks) {
      StuckEntry x;
      x.task = rt.task;
      x.label = label(rt.task, rt.name);
      x.state = rt.state;
      if (rt.state == "blocked") {
        dojo::trace::TaskState ts;
        ts.id = rt.task;
        ts.phase = Phase::blocked;
        ts.op = rt.reason;
        ts.blocked_on = rt.object;
        x.what = task_status(ts, s, names);
      } else {
        x.what = rt.state;
      }
      x.blocked_at = short_site(rt.site);
      const bool root = rt.parent == 0 && is_runtime_site(rt.started);
      x.started_at = root ? std::string() : short_site(rt.started);
      x.started = start_text(rt.started, rt.parent);
      if (auto w = whys.find(rt.task); w != whys.end()) x.why = w->second.text;
      r.tasks.push_back(std::move(x));
    }
    return r;
  }
  return std::nullopt;
}

}  // namespace dojo::viz
