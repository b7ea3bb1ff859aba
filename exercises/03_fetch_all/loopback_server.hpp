// Exercise 03 — the HTTP server that the examples and the grader talk to (do not edit).
//
// A cpp-httplib server on 127.0.0.1, on a free port, run by its own threads (not goro tasks).
// It answers:
//
//   /ok/NAME?ms=M            200 "page NAME", after M ms (default 0)
//   /ok/NAME?hold=1          200 "page NAME", when the grader lets it go (answer, release_all)
//   /status/CODE/NAME        status CODE (500, 503, 404, ...) at once
//   /status/CODE/NAME?hold=1 status CODE, when the grader lets it go
//   /hang/NAME               200, but the body never ends on its own: one byte every 2 ms until
//                            the client drops the connection (the server notices that, and
//                            when) or the grader releases it (then the body ends: the request
//                            ran to its end)
//   /ready                   200 "ready": the server asks itself once, to know that it serves
//
// and records every other request: when it arrived, when it ended, whether the client dropped it or
// the grader released it, and the most requests it ever had in flight at once.
//
// The requests held for the grader are how the grader waits without a clock: it lets a held
// request go only once fetch_all has nothing left to do but wait for the server (see
// tests/graders/03_fetch_all/grader.cpp). A correct fetch_all never waits for a /hang: it
// drops the connection as soon as it knows that the request is no longer needed.
#pragma once

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace dojo::ex03::testing {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Milliseconds from `a` to `b`, for messages.
inline long long ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

enum class Kind { ok, status, hang };

/// What the server saw of one request.
struct Seen {
  std::string target;                      // "/hang/slow0"
  std::string name;                        // "slow0"
  Kind kind = Kind::ok;
  bool held = false;                       // it waited for the grader (a /hang, or ?hold=1)
  Clock::time_point arrived;               // its handler started
  std::optional<Clock::time_point> let_go;  // the grader let it go (answer, release_all)
  std::optional<Clock::time_point> ended;  // the response was complete, or the client dropped it
  bool dropped = false;                    // the client closed the connection before the end
  bool released = false;                   // a /hang that the grader ended: it ran to its end
};

/// A request the server is holding for the grader right now.
struct Held {
  std::size_t index = 0;  // in seen()
  std::string target;
  std::string name;
  Kind kind = Kind::ok;
};

class LoopbackServer {
 public:
  /// The body of /ok/NAME.
  static std::string page(std::string_view name) { return fmt::format("page {}", name); }

  LoopbackServer() {
    // A write to a connection the client has closed must fail with EPIPE (that is how the
    // server notices a dropped request), not end the process with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    // One thread per open connection: enough for a client that (wrongly) opens dozens at once.
    svr_.new_task_queue = [] { return new httplib::ThreadPool(40); };
    svr_.set_keep_alive_max_count(1);  // one request per connection, then close
    // How long a server thread waits for a client that has connected to send its request, or
    // to take the bytes it writes: the library's 5 s would be the only clock left that a
    // correct client on a busy machine could miss. A client that stalls this long has long
    // been reported as stuck by the grader's watchdog.
    svr_.set_keep_alive_timeout(30);
    svr_.set_read_timeout(30);
    svr_.set_write_timeout(30);
    svr_.set_socket_options([this](int s) {
      httplib::default_socket_options(s);
      listen_fd_ = s;
    });
    svr_.Get(R"(/ok/([\w-]+))", [this](const httplib::Request& req, httplib::Response& res) { on_ok(req, res); });
    svr_.Get(R"(/hang/([\w-]+))", [this](const httplib::Request& req, httplib::Response& res) { on_hang(req, res); });
    svr_.Get(R"(/status/(\d+)/([\w-]+))",
             [this](const httplib::Request& req, httplib::Response& res) { on_status(req, res); });
    svr_.Get("/ready", [](const httplib::Request&, httplib::Response& res) { res.set_content("ready", "text/plain"); });
    port_ = svr_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("loopback server: cannot bind 127.0.0.1");
    // The library listens with a backlog of 5; 8 clients connecting at the same moment on a
    // busy machine could overflow it and wait a second for a SYN retry. Linux lets a
    // listening socket deepen its backlog by calling listen again.
    if (listen_fd_ != -1) ::listen(listen_fd_, 128);
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    // stop() only works once the accept loop runs: ask the server something and wait for its
    // answer, which it gives only from there.
    ask_ready();
    refused_fd_ = bound_but_not_listening(refused_port_);
  }

  ~LoopbackServer() {
    {
      std::lock_guard lk(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    svr_.stop();
    thread_.join();
    if (refused_fd_ != -1) ::close(refused_fd_);
  }

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  [[nodiscard]] std::string url(std::string_view target) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, target);
  }
  [[nodiscard]] std::string ok_url(std::string_view name, int ms = 0) const {
    return url(fmt::format("/ok/{}?ms={}", name, ms));
  }
  /// An /ok request that is answered only when the grader lets it go.
  [[nodiscard]] std::string held_ok_url(std::string_view name) const { return url(fmt::format("/ok/{}?hold=1", name)); }
  [[nodiscard]] std::string hang_url(std::string_view name) const { return url(fmt::format("/hang/{}", name)); }
  [[nodiscard]] std::string status_url(int code, std::string_view name) const {
    return url(fmt::format("/status/{}/{}", code, name));
  }
  /// A /status request that sends its status only when the grader lets it go.
  [[nodiscard]] std::string held_status_url(int code, std::string_view name) const {
    return url(fmt::format("/status/{}/{}?hold=1", code, name));
  }
  /// A URL on a port where nothing listens: connecting to it is refused at once.
  [[nodiscard]] std::string refused_url(std::string_view name) const {
    return fmt::format("http://127.0.0.1:{}/{}", refused_port_, name);
  }

  /// Every request so far, in the order they arrived.
  [[nodiscard]] std::vector<Seen> seen() const {
    std::lock_guard lk(mu_);
    return seen_;
  }
  /// The most requests in flight at the same moment.
  [[nodiscard]] int peak() const {
    std::lock_guard lk(mu_);
    return peak_;
  }
  /// When the first /status request sent its error status.
  [[nodiscard]] std::optional<Clock::time_point> failed_at() const {
    std::lock_guard lk(mu_);
    return failed_at_;
  }
  /// How many /hang requests were open when the first /status request sent its error.
  [[nodiscard]] int hangs_open_at_failure() const {
    std::lock_guard lk(mu_);
    return hangs_open_at_failure_;
  }

  // ---- for the grader: holding requests, and knowing when nothing is left to happen ----

  /// The requests held right now: arrived, waiting for the grader, not ended.
  [[nodiscard]] std::vector<Held> held() const {
    std::lock_guard lk(mu_);
    std::vector<Held> out;
    for (std::size_t i = 0; i < seen_.size(); ++i) {
      const Seen& s = seen_[i];
      if (s.held && !s.let_go && !s.ended) out.push_back({i, s.target, s.name, s.kind});
    }
    return out;
  }
  /// Lets held request `index` go: an /ok or /status answers, a /hang ends (released).
  void answer(std::size_t index) {
    {
      std::lock_guard lk(mu_);
      if (index >= seen_.size() || seen_[index].let_go || seen_[index].ended) return;
      seen_[index].let_go = Clock::now();
      ++version_;
    }
    cv_.notify_all();
  }
  /// From now on nothing is held: every held request is let go, and so is every later one.
  void release_all() {
    {
      std::lock_guard lk(mu_);
      release_all_ = true;
      for (Seen& s : seen_)
        if (s.held && !s.let_go && !s.ended) s.let_go = Clock::now();
      ++version_;
    }
    cv_.notify_all();
  }
  /// A counter that moves whenever a request arrives, is let go or ends.
  [[nodiscard]] std::uint64_t version() const {
    std::lock_guard lk(mu_);
    return version_;
  }
  /// Blocks (real time, at most `bound`) until version() differs from `since`.
  void wait_change(std::uint64_t since, Clock::duration bound) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, bound, [&] { return version_ != since || stopping_; });
  }
  /// True once the server has finished with every connection a client opened to it: no
  /// request in flight, and no connection still waiting to be accepted or read.
  ///
  /// "No request in flight" alone is not enough. A client can connect, send its request and
  /// close the connection again (a request cancelled at once) before the server's threads have
  /// even accepted it: the kernel completes the connection and keeps the request, and on a
  /// busy machine the server handles it milliseconds later, after the client is long gone.
  /// Until then the server knows nothing of it. The kernel's table of sockets does: every
  /// connection to our port that the server has not closed yet is listed there.
  [[nodiscard]] bool settled() const {
    const int open = open_connections();  // read before in_flight_: see open_connections()
    std::lock_guard lk(mu_);
    return open <= 0 && in_flight_ == 0;
  }
  /// How many connections to our port the server has not closed yet: waiting in the kernel's
  /// accept queue, being read, or being answered (states ESTABLISHED, SYN_RECV and CLOSE_WAIT
  /// of /proc/net/tcp; a connection the server has closed is in another state, or gone). -1 if
  /// the table cannot be read. A request's handler has ended before its connection is closed,
  /// so "no open connection" read first and "nothing in flight" read after mean every request
  /// that reached us has been recorded, and has ended.
  [[nodiscard]] int open_connections() const {
    std::FILE* f = std::fopen("/proc/net/tcp", "r");
    if (f == nullptr) return -1;
    int n = 0;
    char line[512];
    if (std::fgets(line, sizeof line, f) != nullptr) {  // the header line
      while (std::fgets(line, sizeof line, f) != nullptr) {
        unsigned port = 0, state = 0;
        // "  12: 0100007F:A3F1 0100007F:C350 01 ...": local address:port, remote, state (hex)
        if (std::sscanf(line, " %*d: %*8X:%4X %*8X:%*4X %2X", &port, &state) != 2) continue;
        if (static_cast<int>(port) != port_) continue;
        if (state == 0x01 || state == 0x03 || state == 0x08) ++n;  // ESTABLISHED, SYN_RECV, CLOSE_WAIT
      }
    }
    std::fclose(f);
    return n;
  }

 private:
  static int param(const httplib::Request& req, const char* key, int fallback) {
    return req.has_param(key) ? std::stoi(req.get_param_value(key)) : fallback;
  }

  // GET /ready on a plain socket, read until the server closes the connection. Not recorded.
  void ask_ready() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("loopback server: socket() failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    const std::string_view req = "GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    for (std::size_t sent = 0; ok && sent < req.size();) {
      const ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      ok = n > 0;
      if (ok) sent += static_cast<std::size_t>(n);
    }
    char buf[256];
    while (ok && ::read(fd, buf, sizeof buf) > 0) {
    }
    ::close(fd);
    if (!ok) throw std::runtime_error("loopback server: cannot reach itself on 127.0.0.1");
  }

  static int bound_but_not_listening(int& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("loopback server: socket() failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ::close(fd);
      throw std::runtime_error("loopback server: cannot reserve a port");
    }
    port = ntohs(a.sin_port);
    return fd;  // kept open (and never listening) so that no one else gets the port
  }

  // mu_ held.
  std::size_t arrive(const httplib::Request& req, Kind kind, std::string name, bool wants_hold) {
    Seen s;
    s.target = req.target;
    s.name = std::move(name);
    s.kind = kind;
    s.held = wants_hold;
    s.arrived = Clock::now();
    if (wants_hold && release_all_) s.let_go = s.arrived;
    seen_.push_back(std::move(s));
    peak_ = std::max(peak_, ++in_flight_);
    if (kind == Kind::hang) ++hangs_open_;
    ++version_;
    cv_.notify_all();
    return seen_.size() - 1;
  }
  // mu_ held. Idempotent: the first end of a request counts.
  void end(std::size_t i, bool dropped) {
    Seen& s = seen_[i];
    if (s.ended) return;
    s.ended = Clock::now();
    s.dropped = dropped;
    s.released = !dropped && s.kind == Kind::hang;
    --in_flight_;
    if (s.kind == Kind::hang) --hangs_open_;
    ++version_;
    cv_.notify_all();
  }
  // mu_ held: waits until the grader lets held request i go (or the server stops).
  void wait_let_go(std::unique_lock<std::mutex>& lk, std::size_t i) {
    cv_.wait(lk, [&] { return seen_[i].let_go.has_value() || stopping_; });
  }

  void on_ok(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lk(mu_);
    const std::size_t i = arrive(req, Kind::ok, req.matches[1].str(), param(req, "hold", 0) != 0);
    if (seen_[i].held) {
      wait_let_go(lk, i);
    } else {
      cv_.wait_for(lk, std::chrono::milliseconds(param(req, "ms", 0)), [&] { return stopping_; });
    }
    res.set_content(page(seen_[i].name), "text/plain");
    end(i, false);
  }

  void on_status(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lk(mu_);
    const std::size_t i = arrive(req, Kind::status, req.matches[2].str(), param(req, "hold", 0) != 0);
    if (seen_[i].held) wait_let_go(lk, i);
    const int code = std::stoi(req.matches[1].str());
    if (!failed_at_ && (code < 200 || code > 299)) {
      failed_at_ = Clock::now();
      hangs_open_at_failure_ = hangs_open_;
    }
    res.status = code;
    res.set_content(fmt::format("failure {}", seen_[i].name), "text/plain");
    end(i, false);
  }

  void on_hang(const httplib::Request& req, httplib::Response& res) {
    std::size_t i = 0;
    {
      std::lock_guard lk(mu_);
      i = arrive(req, Kind::hang, req.matches[1].str(), true);
    }
    res.set_chunked_content_provider(
        "text/plain",
        [this, i](std::size_t, httplib::DataSink& sink) {
          std::unique_lock lk(mu_);
          // Every 2 ms a byte: writing is how the server notices that the client has gone
          // (the write fails). Released by the grader, the body ends: the request is complete.
          cv_.wait_for(lk, 2ms, [&] { return stopping_ || seen_[i].let_go.has_value(); });
          if (stopping_ || seen_[i].let_go) {
            end(i, false);
            lk.unlock();
            sink.done();
            return true;
          }
          lk.unlock();
          if (sink.write(".", 1)) return true;
          lk.lock();
          end(i, true);  // the write failed: the client has closed the connection
          return false;
        },
        [this, i](bool success) {  // also called when the library itself gave up on the socket
          std::lock_guard lk(mu_);
          end(i, !success);
        });
  }

  httplib::Server svr_;
  std::thread thread_;
  int port_ = 0;
  int listen_fd_ = -1;
  int refused_port_ = 0;
  int refused_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Seen> seen_;
  int in_flight_ = 0;
  int peak_ = 0;
  int hangs_open_ = 0;
  std::uint64_t version_ = 0;
  bool release_all_ = false;
  std::optional<Clock::time_point> failed_at_;
  int hangs_open_at_failure_ = 0;
  bool stopping_ = false;
};

}  // namespace dojo::ex03::testing
