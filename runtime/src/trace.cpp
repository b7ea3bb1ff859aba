// The trace recorder (see goro/trace.hpp and docs/trace-format.md).
//
// One process-wide recorder with its own mutex. Hooks are mostly called with big_lock()
// held (lock order: big_lock, then the recorder's mutex; the recorder never takes big_lock),
// so events are written in the order the runtime makes them happen; `seq` numbers them in
// file order. Lines are built in a buffer and written to a buffered std::FILE.
#include "goro/trace.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "goro/detail/trace_hooks.hpp"
#include "goro/error.hpp"
#include "goro/task.hpp"
#include "sched_internal.hpp"

namespace goro::trace {

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7f)
            out += fmt::format("\\u{:04x}", c);
          else
            out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // A multi-byte UTF-8 sequence: copy it when well-formed (no overlongs, no surrogates,
    // at most U+10FFFF), else write U+FFFD for the first byte and resynchronize.
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    }
    bool valid = len != 0 && i + len <= n;
    for (std::size_t k = 1; valid && k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80)
        valid = false;
      else
        cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (valid) {
      if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
          (cp >= 0xd800 && cp <= 0xdfff))
        valid = false;
    }
    if (valid) {
      out.append(reinterpret_cast<const char*>(p + i), len);
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  return out;
}

}  // namespace goro::trace

namespace goro::detail {

std::atomic<bool> g_tracing{false};

namespace {

std::atomic<std::uint64_t> g_msg_ids{0};

/// The deterministic scope running on this thread (its tasks are fibers of this thread).
struct SimScopeInfo {
  Scheduler* scope = nullptr;
  std::uint64_t seed = 0;
  std::string strategy;
};
thread_local SimScopeInfo tl_sim;

std::string iso_time(Time t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  auto ns = (t - day).count();
  long long secs = ns / 1'000'000'000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), secs / 3600,
                     secs / 60 % 60, secs % 60, ns % 1'000'000'000);
}

std::string error_type(const Error& err) {
  std::string t = demangle(typeid(*err.node()).name());
  if (auto pos = t.find("TypedNode<"); pos != std::string::npos) {
    std::string inner = t.substr(pos + 10);
    if (!inner.empty() && inner.back() == '>') inner.pop_back();
    return inner;
  }
  auto ends_with = [&](std::string_view suffix) {
    return t.size() >= suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("::TextNode")) return "text";
  if (ends_with("::MultiWrapNode") || ends_with("::WrapNode")) return "wrap";
  if (ends_with("::JoinNode")) return "join";
  return t;
}

enum class State { off, armed, bound, done };

/// One JSON Lines writer. Everything is guarded by `mu`.
class Recorder {
 public:
  Recorder() {
    if (const char* p = std::getenv("GORO_TRACE"); p != nullptr && *p != '\0') {
      env_path_ = p;
      arm_auto();
    }
  }

  std::mutex mu;

  // ---- API ----
  void start(const std::string& path) {
    std::lock_guard g(mu);
    if (state_ != State::off && !is_auto_) throw std::logic_error("goro::trace::start: a recording is already active");
    if (state_ == State::bound) {  // an environment recording in progress gives way, for good
      write_end("stopped", 0, nullptr);
      close_file();
      env_path_.clear();
    }
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr)
      throw std::runtime_error(fmt::format("goro::trace::start: cannot open '{}': {}", path, std::strerror(errno)));
    reset();
    file_ = f;
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 16);
    path_ = path;
    is_auto_ = false;
    owner_ = std::this_thread::get_id();
    state_ = State::armed;
    g_msg_ids.store(0, std::memory_order_relaxed);
    if (tl_sim.scope != nullptr) bind(*tl_sim.scope);  // started inside a deterministic scope
    publish();
  }

  void stop() noexcept {
    std::lock_guard g(mu);
    if (state_ == State::off) return;
    if (is_auto_) {
      // Stopping an environment recording ends it for good.
      if (state_ == State::bound) write_end("stopped", 0, nullptr);
      close_file();
      env_path_.clear();
      state_ = State::off;
      publish();
      return;
    }
    if (state_ == State::armed) bind(tl_sim.scope != nullptr ? *tl_sim.scope : free_scheduler());
    if (state_ == State::bound) write_end("stopped", 0, nullptr);
    close_file();
    state_ = State::off;
    if (!env_path_.empty()) arm_auto();
    publish();
  }

  bool active() {
    std::lock_guard g(mu);
    return state_ != State::off;
  }
  std::uint64_t events_written() {
    std::lock_guard g(mu);
    return state_ == State::bound ? seq_ : 0;
  }
  std::string path() {
    std::lock_guard g(mu);
    return state_ == State::off ? std::string() : path_;
  }

  // ---- deterministic scopes ----
  void sim_begin(Scheduler& scope) {
    std::lock_guard g(mu);
    if (state_ == State::armed && is_auto_) {
      std::string p = env_path_;
      for (auto pos = p.find("{seed}"); pos != std::string::npos; pos = p.find("{seed}", pos))
        p.replace(pos, 6, fmt::format("{}", tl_sim.seed));
      std::FILE* f = std::fopen(p.c_str(), "wb");
      if (f == nullptr) {
        std::fprintf(stderr, "goro: GORO_TRACE: cannot open '%s': %s\n", p.c_str(), std::strerror(errno));
        return;
      }
      reset();
      file_ = f;
      std::setvbuf(file_, nullptr, _IOFBF, 1 << 16);
      path_ = p;
      g_msg_ids.store(0, std::memory_order_relaxed);
      bind(scope);
    } else if (state_ == State::armed && owner_ == std::this_thread::get_id()) {
      bind(scope);
    }
    publish();
  }

  void sim_end(Scheduler& scope, std::string_view outcome, std::uint64_t steps, const std::string& report) {
    std::lock_guard g(mu);
    if (state_ != State::bound || scope_ != &scope) return;
    write_end(outcome, steps, &report);
    if (is_auto_) {
      close_file();
      auto_sim_seen_ = true;
      state_ = State::armed;
    } else {
      std::fflush(file_);
      state_ = State::done;
    }
    publish();
  }

  void flush_at_exit() {
    std::lock_guard g(mu);
    if (file_ == nullptr) return;
    if (state_ == State::bound && !deterministic_) write_end("exit", 0, nullptr);
    close_file();
    state_ = State::off;
    publish();
  }

  // ---- events ----
  /// Opens an event line for an event of scheduler `src`; false when it is not recorded.
  bool begin(Scheduler& src, std::string_view type) {
    if (!accepts(src)) return false;
    buf_.clear();
    Time now = src.now();
    fmt::format_to(std::back_inserter(buf_), "{{\"seq\":{},\"ts\":{},\"type\":\"{}\"", ++seq_,
                   (now - start_).count(), type);
    return true;
  }
  /// Closes the line and writes it.
  void end(bool flush = false) {
    buf_.append(std::string_view("}\n"));
    std::fwrite(buf_.data(), 1, buf_.size(), file_);
    if (flush) std::fflush(file_);
  }

  // Field writers (a comma precedes every field).
  void key(std::string_view k) {
    buf_.push_back(',');
    buf_.push_back('"');
    buf_.append(k);
    buf_.append(std::string_view("\":"));
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    raw_str(v);
  }
  void raw(std::string_view v) { buf_.append(v); }
  /// A time as nanoseconds since the recording started.
  [[nodiscard]] std::int64_t rel(Time t) const noexcept { return (t - start_).count(); }
  void raw_str(std::string_view v) {
    buf_.push_back('"');
    buf_.append(trace::json_escape(v));
    buf_.push_back('"');
  }
  template <class N>
  void num(std::string_view k, N v) {
    key(k);
    fmt::format_to(std::back_inserter(buf_), "{}", v);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    buf_.append(std::string_view(v ? "true" : "false"));
  }
  void site(std::string_view k, const std::source_location& l) {
    key(k);
    raw_site(l);
  }
  void raw_site(const std::source_location& l) {
    buf_.append(std::string_view("{\"file\":"));
    raw_str(l.file_name() != nullptr ? l.file_name() : "");
    fmt::format_to(std::back_inserter(buf_), ",\"line\":{},\"function\":", l.line());
    raw_str(l.function_name() != nullptr ? l.function_name() : "");
    buf_.push_back('}');
  }
  void error(std::string_view k, const Error& err) {
    key(k);
    if (!err) {
      buf_.append(std::string_view("null"));
      return;
    }
    int budget = 256;
    raw_error(err, 0, budget);
  }
  void raw_error(const Error& err, int depth, int& budget) {
    --budget;
    buf_.append(std::string_view("{\"message\":"));
    raw_str(err.message());
    buf_.append(std::string_view(",\"type\":"));
    raw_str(error_type(err));
    buf_.append(std::string_view(",\"children\":["));
    bool first = true;
    for (const Error& child : unwrap_all(err)) {
      if (!first) buf_.push_back(',');
      first = false;
      if (depth >= 64 || budget <= 0) {
        buf_.append(std::string_view("{\"message\":\"...\",\"type\":\"truncated\",\"children\":[]}"));
        break;
      }
      raw_error(child, depth + 1, budget);
    }
    buf_.append(std::string_view("]}"));
  }
  void task_infos(std::string_view k, const std::vector<TaskInfo>& ts) {
    key(k);
    buf_.push_back('[');
    bool first = true;
    for (const auto& t : ts) {
      if (!first) buf_.push_back(',');
      first = false;
      fmt::format_to(std::back_inserter(buf_), "{{\"task\":{},\"parent\":{},\"name\":", t.id, t.parent_id);
      raw_str(t.name);
      const char* state = t.state == TaskState::blocked    ? "blocked"
                          : t.state == TaskState::runnable ? "runnable"
                          : t.state == TaskState::exited   ? "exited"
                                                           : "running";
      fmt::format_to(std::back_inserter(buf_), ",\"state\":\"{}\",\"adopted\":{}", state, t.adopted);
      if (t.state == TaskState::blocked) {
        str("reason", wait_reason_name(t.reason));
        str("object", t.blocked_on);
        site("site", t.blocked_at);
      }
      site("started", t.started_at);
      buf_.push_back('}');
    }
    buf_.push_back(']');
  }

 private:
  void arm_auto() {
    reset();
    is_auto_ = true;
    path_ = env_path_;
    state_ = State::armed;
    publish();
  }
  void reset() {
    scope_ = nullptr;
    deterministic_ = false;
    seq_ = 0;
  }
  void publish() {
    g_tracing.store(state_ == State::armed || state_ == State::bound, std::memory_order_relaxed);
  }
  void close_file() {
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
  }

  /// Whether an event of `src` is written, binding an armed recording to `src` first.
  bool accepts(Scheduler& src) {
    if (state_ == State::bound) return &src == scope_;
    if (state_ != State::armed) return false;
    // Only free mode binds here: deterministic scopes bind in sim_begin.
    if (std::strcmp(src.mode_name(), "free") != 0) return false;
    if (is_auto_) {
      if (auto_sim_seen_) return false;
      std::FILE* f = std::fopen(path_.c_str(), "wb");
      if (f == nullptr) {
        std::fprintf(stderr, "goro: GORO_TRACE: cannot open '%s': %s\n", path_.c_str(), std::strerror(errno));
        env_path_.clear();
        state_ = State::off;
        publish();
        return false;
      }
      file_ = f;
      std::setvbuf(file_, nullptr, _IOFBF, 1 << 16);
      register_exit_flush();
    } else if (owner_ != std::this_thread::get_id()) {
      return false;
    }
    bind(src);
    return true;
  }

  void bind(Scheduler& src) {
    scope_ = &src;
    deterministic_ = std::strcmp(src.mode_name(), "free") != 0;
    start_ = src.now();
    seq_ = 0;
    state_ = State::bound;
    buf_.clear();
    fmt::format_to(std::back_inserter(buf_), "{{\"type\":\"meta\",\"schema\":\"{}\",\"version\":{},\"mode\":\"{}\"",
                   trace::schema_name, trace::format_version, deterministic_ ? "deterministic" : "free");
    str("clock", deterministic_ ? "virtual" : "real");
    if (deterministic_) {
      num("seed", tl_sim.seed);
      str("strategy", tl_sim.strategy);
    }
    num("start_ns", start_.time_since_epoch().count());
    str("start", iso_time(start_));
    str("producer", "goro");
    end(true);
  }

  void write_end(std::string_view outcome, std::uint64_t steps, const std::string* report) {
    if (!begin(*scope_, "end")) return;
    str("outcome", outcome);
    if (deterministic_) num("steps", steps);
    if (report != nullptr && !report->empty()) str("report", *report);
    end(true);
  }

  static void register_exit_flush();

  std::string env_path_;
  State state_ = State::off;
  bool is_auto_ = false;
  bool auto_sim_seen_ = false;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::thread::id owner_{};
  Scheduler* scope_ = nullptr;
  bool deterministic_ = false;
  Time start_{};
  std::uint64_t seq_ = 0;
  fmt::memory_buffer buf_;
};

Recorder& recorder() {
  static NoDestroy<Recorder> r;
  return r.get();
}

void Recorder::register_exit_flush() {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit([] { recorder().flush_at_exit(); }); });
}

// GORO_TRACE is read when the library is loaded.
[[maybe_unused]] const bool g_env_read = (recorder(), true);

/// The scheduler an event without a task belongs to: the deterministic scope running on this
/// thread, else free mode.
Scheduler& source() { return tl_sim.scope != nullptr ? *tl_sim.scope : free_scheduler(); }

/// Locks the recorder and opens an event line; `ok` is false when the event is not recorded.
struct Event {
  Recorder& r = recorder();
  std::lock_guard<std::mutex> g{r.mu};
  bool ok;
  Event(Scheduler& src, std::string_view type) : ok(r.begin(src, type)) {}
  explicit operator bool() const noexcept { return ok; }
  Recorder* operator->() noexcept { return &r; }
};

}  // namespace

std::uint64_t next_msg_id() noexcept { return tracing() ? ++g_msg_ids : 0; }

void trace_task_start(const Task& t) {
  Event e(*t.sched, "task_start");
  if (!e) return;
  e->num("task", t.id);
  e->num("parent", t.parent_id);
  e->str("name", t.name);
  e->site("site", t.started_at);
  e->end();
}

void trace_task_exit(const Task& t) {
  Event e(*t.sched, "task_exit");
  if (!e) return;
  e->num("task", t.id);
  e->end();
}

void trace_block(const Task& t) {
  Event e(*t.sched, "block");
  if (!e) return;
  e->num("task", t.id);
  e->str("reason", wait_reason_name(t.block.reason));
  e->str("object", t.block.object != nullptr ? t.block.object->describe() : std::string());
  e->site("site", t.block.where);
  e->end();
}

void trace_unblock(const Task& t) {
  Event e(*t.sched, "unblock");
  if (!e) return;
  e->num("task", t.id);
  e->end();
}

void trace_panic(const Task& t, const std::string& value, const std::vector<std::string>& stack) {
  Event e(*t.sched, "panic");
  if (!e) return;
  e->num("task", t.id);
  e->str("value", value);
  e->key("stack");
  std::string frames = "[";
  bool first = true;
  for (const auto& f : stack) {
    frames += fmt::format("{}\"{}\"", first ? "" : ",", trace::json_escape(f));
    first = false;
  }
  frames += "]";
  e->raw(frames);
  e->end(true);  // an unrecovered panic in free mode ends the process next
}

void trace_task_error(const Task& t, const Error& err) {
  Event e(*t.sched, "task_error");
  if (!e) return;
  e->num("task", t.id);
  e->error("err", err);
  e->end();
}

void trace_chan_make(std::uint64_t chan, const std::string& elem, std::size_t cap, const std::source_location& loc) {
  Event e(source(), "chan_make");
  if (!e) return;
  e->num("chan", chan);
  e->str("elem", elem);
  e->num("cap", cap);
  e->site("site", loc);
  e->end();
}

void trace_chan_send(const Task& t, std::uint64_t chan, std::uint64_t msg, const std::string& value,
                     const std::source_location& loc) {
  Event e(*t.sched, "chan_send");
  if (!e) return;
  e->num("task", t.id);
  e->num("chan", chan);
  e->num("msg", msg);
  e->str("value", value);
  e->site("site", loc);
  e->end();
}

void trace_chan_recv(const Task& t, std::uint64_t chan, std::uint64_t msg, bool ok, const std::string& value,
                     const std::source_location& loc) {
  Event e(*t.sched, "chan_recv");
  if (!e) return;
  e->num("task", t.id);
  e->num("chan", chan);
  e->num("msg", msg);
  e->boolean("ok", ok);
  e->str("value", value);
  e->site("site", loc);
  e->end();
}

void trace_chan_close(const Task& t, std::uint64_t chan, const std::source_location& loc) {
  Event e(*t.sched, "chan_close");
  if (!e) return;
  e->num("task", t.id);
  e->num("chan", chan);
  e->site("site", loc);
  e->end();
}

void trace_select(const Task& t, std::size_t chosen, std::size_t ncases, bool is_default,
                  const std::source_location& loc) {
  Event e(*t.sched, "select");
  if (!e) return;
  e->num("task", t.id);
  e->num("chosen", chosen);
  e->num("cases", ncases);
  e->boolean("default", is_default);
  e->site("site", loc);
  e->end();
}

void trace_ctx_new(std::uint64_t ctx, std::uint64_t parent, std::string_view kind) {
  Event e(source(), "ctx_new");
  if (!e) return;
  e->num("ctx", ctx);
  e->num("parent", parent);
  e->str("kind", kind);
  e->end();
}

void trace_ctx_cancel(std::uint64_t ctx, const Error& err, const Error& cause) {
  Event e(source(), "ctx_cancel");
  if (!e) return;
  e->num("ctx", ctx);
  e->error("err", err);
  e->error("cause", cause);
  e->end();
}

void trace_group_first_error(std::uint64_t group, const Error& err) {
  Event e(source(), "group_error");
  if (!e) return;
  e->num("group", group);
  e->error("err", err);
  e->end();
}

void trace_timer(std::string_view what, std::uint64_t timer, Time when) {
  Event e(source(), "timer");
  if (!e) return;
  e->str("action", what);
  e->num("timer", timer);
  e->num("when", e->rel(when));
  e->end();
}

void trace_report(std::string_view kind, const std::vector<TaskInfo>& tasks, const std::string& text) {
  Event e(source(), "report");
  if (!e) return;
  e->str("kind", kind);
  e->str("text", text);
  e->task_infos("tasks", tasks);
  e->end(true);
}

void trace_sim_begin(Scheduler& scope, std::uint64_t seed, std::string_view strategy) {
  tl_sim.scope = &scope;
  tl_sim.seed = seed;
  tl_sim.strategy = std::string(strategy);
  recorder().sim_begin(scope);
}

void trace_sim_end(Scheduler& scope, std::string_view outcome, std::uint64_t steps, const std::string& report) {
  recorder().sim_end(scope, outcome, steps, report);
  tl_sim = {};
}

}  // namespace goro::detail

namespace goro::trace {

void start(const std::string& path) { detail::recorder().start(path); }
void stop() noexcept { detail::recorder().stop(); }
bool active() noexcept { return detail::recorder().active(); }
std::string path() { return detail::recorder().path(); }
std::uint64_t events_written() noexcept { return detail::recorder().events_written(); }

}  // namespace goro::trace
