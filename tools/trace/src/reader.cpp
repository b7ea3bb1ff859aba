// Parses goro's JSON Lines traces into the model of reader.hpp.
#include "dojo/trace/reader.hpp"

#include <fmt/format.h>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace dojo::trace {

using nlohmann::json;

ReadError::ReadError(std::string source, std::size_t line, const std::string& what)
    : std::runtime_error(line > 0 ? fmt::format("{}:{}: {}", source, line, what) : fmt::format("{}: {}", source, what)),
      source_(std::move(source)),
      line_(line) {}

namespace {

constexpr std::pair<EventType, std::string_view> kNames[] = {
    {EventType::task_start, "task_start"}, {EventType::task_exit, "task_exit"},
    {EventType::block, "block"},           {EventType::unblock, "unblock"},
    {EventType::chan_make, "chan_make"},   {EventType::chan_send, "chan_send"},
    {EventType::chan_recv, "chan_recv"},   {EventType::chan_close, "chan_close"},
    {EventType::select, "select"},         {EventType::ctx_new, "ctx_new"},
    {EventType::ctx_cancel, "ctx_cancel"}, {EventType::group_error, "group_error"},
    {EventType::task_error, "task_error"}, {EventType::panic, "panic"},
    {EventType::timer, "timer"},           {EventType::report, "report"},
    {EventType::end, "end"},
};

const char* json_kind(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a floating-point number";
    default: return "something else";
  }
}

/// Reads typed fields of one line's object, throwing ReadError with the line number.
class Fields {
 public:
  Fields(const json& obj, std::string_view source, std::size_t line) : obj_(obj), source_(source), line_(line) {}

  [[noreturn]] void fail(const std::string& what) const { throw ReadError(std::string(source_), line_, what); }

  const json* find(std::string_view key) const {
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }
  const json& need(std::string_view key) const {
    const json* v = find(key);
    if (v == nullptr) fail(fmt::format("missing field '{}'", key));
    return *v;
  }

  std::uint64_t u64(std::string_view key, bool required = false) const {
    const json* v = required ? &need(key) : find(key);
    if (v == nullptr) return 0;
    return to_u64(*v, key);
  }
  std::uint64_t to_u64(const json& v, std::string_view key) const {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
    fail(fmt::format("field '{}' must be a non-negative integer, not {}", key, json_kind(v)));
  }
  std::int64_t i64(std::string_view key, bool required = false) const {
    const json* v = required ? &need(key) : find(key);
    if (v == nullptr) return 0;
    if (v->is_number_integer() && !v->is_number_unsigned()) return v->get<std::int64_t>();
    if (v->is_number_unsigned() &&
        v->get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(v->get<std::uint64_t>());
    fail(fmt::format("field '{}' must be an integer, not {}", key, json_kind(*v)));
  }
  std::string str(std::string_view key, bool required = false) const {
    const json* v = required ? &need(key) : find(key);
    if (v == nullptr || v->is_null()) return {};
    if (!v->is_string()) fail(fmt::format("field '{}' must be a string, not {}", key, json_kind(*v)));
    return v->get<std::string>();
  }
  bool boolean(std::string_view key) const {
    const json* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) fail(fmt::format("field '{}' must be true or false, not {}", key, json_kind(*v)));
    return v->get<bool>();
  }
  Site site(std::string_view key) const {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return {};
    return site_of(*v, key);
  }
  Site site_of(const json& v, std::string_view key) const {
    if (!v.is_object()) fail(fmt::format("field '{}' must be an object with file, line and function, not {}", key, json_kind(v)));
    Fields f(v, source_, line_);
    Site s;
    s.file = f.str("file");
    s.line = f.i64("line");
    s.function = f.str("function");
    return s;
  }
  std::optional<ErrorTree> error(std::string_view key) const {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return error_of(*v, key, 0);
  }
  ErrorTree error_of(const json& v, std::string_view key, int depth) const {
    if (depth > 200) fail(fmt::format("field '{}': error tree nested deeper than 200 levels", key));
    if (!v.is_object()) fail(fmt::format("field '{}' must be an error object (message, type, children), not {}", key, json_kind(v)));
    Fields f(v, source_, line_);
    ErrorTree e;
    e.message = f.str("message");
    e.type = f.str("type");
    if (const json* c = f.find("children"); c != nullptr && !c->is_null()) {
      if (!c->is_array()) fail(fmt::format("field '{}': 'children' must be an array, not {}", key, json_kind(*c)));
      for (const json& child : *c) e.children.push_back(error_of(child, key, depth + 1));
    }
    return e;
  }
  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return out;
    if (!v->is_array()) fail(fmt::format("field '{}' must be an array of strings, not {}", key, json_kind(*v)));
    for (const json& s : *v) {
      if (!s.is_string()) fail(fmt::format("field '{}' must hold only strings, not {}", key, json_kind(s)));
      out.push_back(s.get<std::string>());
    }
    return out;
  }
  std::vector<ReportedTask> reported(std::string_view key) const {
    std::vector<ReportedTask> out;
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return out;
    if (!v->is_array()) fail(fmt::format("field '{}' must be an array of tasks, not {}", key, json_kind(*v)));
    for (const json& t : *v) {
      if (!t.is_object()) fail(fmt::format("field '{}' must hold task objects, not {}", key, json_kind(t)));
      Fields f(t, source_, line_);
      ReportedTask r;
      r.task = f.u64("task", true);
      r.parent = f.u64("parent");
      r.name = f.str("name");
      r.state = f.str("state");
      r.adopted = f.boolean("adopted");
      r.reason = f.str("reason");
      r.object = f.str("object");
      r.site = f.site("site");
      r.started = f.site("started");
      out.push_back(std::move(r));
    }
    return out;
  }

 private:
  const json& obj_;
  std::string_view source_;
  std::size_t line_;
};

json parse_line(const std::string& text, std::string_view source, std::size_t line) {
  try {
    json v = json::parse(text);
    if (!v.is_object()) throw ReadError(std::string(source), line, fmt::format("expected a JSON object, found {}", json_kind(v)));
    return v;
  } catch (const json::parse_error& e) {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw ReadError(std::string(source), line, fmt::format("invalid JSON ({}; byte {})", what, e.byte));
  } catch (const json::exception& e) {
    // Valid syntax the parser still refuses, e.g. "[json.exception.out_of_range.406] number
    // overflow parsing '946e684800000000000'".
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw ReadError(std::string(source), line, fmt::format("invalid JSON ({})", what));
  }
}

Meta read_meta(const json& v, std::string_view source, std::size_t line) {
  Fields f(v, source, line);
  if (f.str("type") != "meta")
    f.fail("the first line must be the meta line ({\"type\":\"meta\",\"schema\":\"goro-trace\",...}); is this a goro trace?");
  Meta m;
  m.schema = f.str("schema", true);
  if (m.schema != kSchema) f.fail(fmt::format("not a goro trace: schema is '{}', expected '{}'", m.schema, kSchema));
  const json& ver = f.need("version");
  if (!ver.is_number_integer()) f.fail(fmt::format("field 'version' must be an integer, not {}", json_kind(ver)));
  std::int64_t version = ver.get<std::int64_t>();
  if (version > kSupportedVersion)
    f.fail(fmt::format("trace format version {} is newer than this reader supports (version {}); "
                       "update dojo-trace to read it",
                       version, kSupportedVersion));
  if (version < 1) f.fail(fmt::format("invalid trace format version {}", version));
  m.version = static_cast<int>(version);
  m.mode = f.str("mode", true);
  if (m.mode != "deterministic" && m.mode != "free") f.fail(fmt::format("field 'mode' must be \"deterministic\" or \"free\", not \"{}\"", m.mode));
  m.clock = f.str("clock");
  if (f.find("seed") != nullptr) m.seed = f.u64("seed");
  m.strategy = f.str("strategy");
  m.start_ns = f.i64("start_ns");
  m.start = f.str("start");
  m.producer = f.str("producer");
  return m;
}

class Builder {
 public:
  Builder(Trace& t, std::string_view source) : t_(t), source_(source) {}

  void add(const json& v, std::size_t line) {
    Fields f(v, source_, line);
    Event e;
    e.line = line;
    e.type_name = f.str("type", true);
    if (e.type_name == "meta") f.fail("a second meta line: a trace holds exactly one run");
    e.type = event_type_from_name(e.type_name);
    e.seq = f.u64("seq", true);
    e.ts = f.i64("ts", true);
    if (e.seq <= last_seq_) f.fail(fmt::format("seq {} does not increase (the previous event had seq {})", e.seq, last_seq_));
    last_seq_ = e.seq;
    if (e.ts < last_ts_ && !ts_warned_) {
      t_.warnings.push_back(fmt::format("line {}: ts goes back in time ({} < {})", line, e.ts, last_ts_));
      ts_warned_ = true;
    }
    last_ts_ = std::max(last_ts_, e.ts);
    if (t_.end) f.fail("an event after the end event");

    e.task = f.u64("task");
    switch (e.type) {
      case EventType::task_start:
        e.task = f.u64("task", true);
        e.parent = f.u64("parent");
        e.name = f.str("name");
        e.site = f.site("site");
        break;
      case EventType::task_exit:
      case EventType::unblock:
        e.task = f.u64("task", true);
        break;
      case EventType::block:
        e.task = f.u64("task", true);
        e.reason = f.str("reason", true);
        e.object = f.str("object");
        e.site = f.site("site");
        break;
      case EventType::chan_make:
        e.chan = f.u64("chan", true);
        e.elem = f.str("elem");
        e.cap = f.u64("cap");
        e.site = f.site("site");
        break;
      case EventType::chan_send:
      case EventType::chan_recv:
        e.task = f.u64("task", true);
        e.chan = f.u64("chan", true);
        e.msg = f.u64("msg");
        e.value = f.str("value");
        e.ok = e.type == EventType::chan_recv ? f.boolean("ok") : true;
        e.site = f.site("site");
        break;
      case EventType::chan_close:
        e.task = f.u64("task", true);
        e.chan = f.u64("chan", true);
        e.site = f.site("site");
        break;
      case EventType::select:
        e.task = f.u64("task", true);
        e.chosen = f.u64("chosen", true);
        e.cases = f.u64("cases", true);
        e.is_default = f.boolean("default");
        e.site = f.site("site");
        break;
      case EventType::ctx_new:
        e.ctx = f.u64("ctx", true);
        e.parent = f.u64("parent");
        e.kind = f.str("kind");
        break;
      case EventType::ctx_cancel:
        e.ctx = f.u64("ctx", true);
        e.err = f.error("err");
        e.cause = f.error("cause");
        break;
      case EventType::group_error:
        e.group = f.u64("group", true);
        e.err = f.error("err");
        break;
      case EventType::task_error:
        e.task = f.u64("task", true);
        e.err = f.error("err");
        break;
      case EventType::panic:
        e.task = f.u64("task", true);
        e.value = f.str("value");
        e.stack = f.strings("stack");
        break;
      case EventType::timer:
        e.action = f.str("action", true);
        e.timer = f.u64("timer");
        e.when = f.i64("when");
        break;
      case EventType::report:
        e.kind = f.str("kind", true);
        e.text = f.str("text");
        e.tasks = f.reported("tasks");
        break;
      case EventType::end:
        e.outcome = f.str("outcome", true);
        e.steps = f.u64("steps");
        e.report = f.str("report");
        break;
      case EventType::unknown:
        ++t_.unknown_events;
        break;
    }
    link(e);
    t_.events.push_back(std::move(e));
  }

 private:
  TaskModel& task(std::uint64_t id, std::int64_t ts) {
    auto [it, fresh] = t_.tasks.try_emplace(id);
    if (fresh) {
      it->second.id = id;
      it->second.adopted = true;
      it->second.name = "thread";
      it->second.start_ts = ts;
    }
    return it->second;
  }
  ChannelModel& chan(std::uint64_t id) {
    auto [it, fresh] = t_.channels.try_emplace(id);
    if (fresh) it->second.id = id;
    return it->second;
  }

  void link(const Event& e) {
    const std::size_t index = t_.events.size();
    if (e.type == EventType::task_start) {
      auto [it, fresh] = t_.tasks.try_emplace(e.task);
      TaskModel& m = it->second;
      if (!fresh) t_.warnings.push_back(fmt::format("line {}: task {} started twice", e.line, e.task));
      m.id = e.task;
      m.parent = e.parent;
      m.name = e.name;
      m.site = e.site;
      m.adopted = false;
      m.start_ts = e.ts;
    }
    if (e.task != 0) {
      if (e.type == EventType::task_exit && t_.tasks.count(e.task) == 0)
        t_.warnings.push_back(fmt::format("line {}: exit of task {}, which was never seen before", e.line, e.task));
      TaskModel& m = task(e.task, e.ts);
      m.events.push_back(index);
      if (e.type == EventType::task_exit) m.exit_ts = e.ts;
      if (e.type == EventType::panic) m.panic = e.value;
    }
    switch (e.type) {
      case EventType::chan_make: {
        ChannelModel& c = chan(e.chan);
        c.elem = e.elem;
        c.cap = e.cap;
        c.site = e.site;
        c.made = true;
        c.make_ts = e.ts;
        break;
      }
      case EventType::chan_send:
        ++chan(e.chan).sends;
        if (e.msg != 0) t_.messages[e.msg].first = index;
        break;
      case EventType::chan_recv:
        ++chan(e.chan).recvs;
        if (e.msg != 0) t_.messages[e.msg].second = index;
        break;
      case EventType::chan_close:
        chan(e.chan).close_ts = e.ts;
        break;
      case EventType::ctx_new: {
        ContextModel& c = t_.contexts[e.ctx];
        c.id = e.ctx;
        c.parent = e.parent;
        c.kind = e.kind;
        c.new_ts = e.ts;
        break;
      }
      case EventType::ctx_cancel: {
        ContextModel& c = t_.contexts[e.ctx];
        c.id = e.ctx;
        if (!c.cancel_ts) {
          c.cancel_ts = e.ts;
          c.err = e.err;
          c.cause = e.cause;
        }
        break;
      }
      case EventType::end:
        t_.end = index;
        break;
      default:
        break;
    }
  }

  Trace& t_;
  std::string_view source_;
  std::uint64_t last_seq_ = 0;
  std::int64_t last_ts_ = std::numeric_limits<std::int64_t>::min();
  bool ts_warned_ = false;
};

}  // namespace

std::string_view event_type_name(EventType t) noexcept {
  for (const auto& [type, name] : kNames)
    if (type == t) return name;
  return "unknown";
}

EventType event_type_from_name(std::string_view name) noexcept {
  for (const auto& [type, n] : kNames)
    if (n == name) return type;
  return EventType::unknown;
}

Trace read_trace(std::istream& in, std::string_view source) {
  Trace t;
  Builder b(t, source);
  std::string text;
  std::size_t line = 0;
  bool have_meta = false;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines are allowed
    json v = parse_line(text, source, line);
    if (!have_meta) {
      t.meta = read_meta(v, source, line);
      have_meta = true;
      continue;
    }
    b.add(v, line);
  }
  if (in.bad()) throw ReadError(std::string(source), line, "read error");
  if (!have_meta) throw ReadError(std::string(source), 0, "empty input: a goro trace starts with a meta line");
  if (!t.end) t.warnings.push_back("the trace has no end event: the recording was cut short (crash or still running)");
  return t;
}

Trace read_trace_string(std::string_view text, std::string_view source) {
  std::istringstream in{std::string(text)};
  return read_trace(in, source);
}

Trace read_trace_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReadError(path, 0, "cannot open the file (does it exist?)");
  return read_trace(in, path);
}

}  // namespace dojo::trace
