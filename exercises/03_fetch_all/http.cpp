// Exercise 03 — the HTTP client the exercise gives you (do not edit). See http.hpp.
//
// How it works: one libcurl "multi" handle drives one transfer. Instead of letting libcurl
// block until the response is complete (curl_easy_perform), the loop below waits for socket
// activity at most kPoll at a time and looks at ctx.err() in between. A cancelled context
// ends the loop; the cleanup then closes the connection, and the server sees it dropped.
//
// Threads: goro::blocking runs the transfer on the task's own thread (real threads) or on a
// helper thread (deterministic schedules). Context::err() takes the runtime's lock, so it may
// be called from either; nothing else here touches goro while the transfer runs.
//
// The grader: every call in flight is listed (testing::requests_in_flight) with the context it
// watches, so that the grader can tell a request about to be aborted from one that will wait
// for as long as the server makes it wait.
#include "http.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace dojo::ex03 {

std::string HttpStatus::message() const { return fmt::format("unexpected HTTP status {}", code); }

namespace {

using namespace std::chrono_literals;

constexpr auto kPoll = 5ms;             // how often a waiting transfer looks at ctx.err()
constexpr auto kConnectTimeout = 2s;    // a server that does not even accept the connection

void init_curl_once() {
  // curl_global_init is not safe to race with other libcurl calls; a function-local static is
  // initialised exactly once, even when many tasks call http_get at the same time.
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)rc;
}

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct Handles {
  CURLM* multi = curl_multi_init();
  CURL* easy = curl_easy_init();
  bool added = false;
  Handles() = default;
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
  ~Handles() {  // an unfinished transfer's connection is closed here
    if (added) curl_multi_remove_handle(multi, easy);
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
  }
};

goro::Error net_error(CURLcode code, const char* errbuf) {
  std::string detail = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(code));
  return goro::make_error(NetError{static_cast<int>(code), std::move(detail)});
}

goro::Error aborted(const goro::Error& ctx_err) { return goro::errorf("request aborted: {:w}", ctx_err); }

// Runs outside goro (see the comment at the top): only ctx.err() is used.
goro::Result<std::string> transfer(const goro::Context& ctx, const std::string& url) {
  init_curl_once();
  Handles h;
  if (h.multi == nullptr || h.easy == nullptr) return goro::make_error(NetError{CURLE_FAILED_INIT, "curl: out of memory"});

  std::string body;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h.easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.easy, CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(h.easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h.easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h.easy, CURLOPT_NOSIGNAL, 1L);  // no signals: we run on many threads
  curl_easy_setopt(h.easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(kConnectTimeout).count()));
  curl_easy_setopt(h.easy, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");  // loopback never via a proxy
  if (curl_multi_add_handle(h.multi, h.easy) != CURLM_OK)
    return goro::make_error(NetError{CURLE_FAILED_INIT, "curl: cannot start the transfer"});
  h.added = true;

  for (;;) {
    int running = 0;
    if (CURLMcode mc = curl_multi_perform(h.multi, &running); mc != CURLM_OK)
      return goro::make_error(NetError{CURLE_FAILED_INIT, curl_multi_strerror(mc)});
    if (running == 0) break;
    // Go's http client notices ctx.Done() at once; polling every few ms is as good here.
    if (goro::Error err = ctx.err()) return aborted(err);
    const int timeout_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(kPoll).count());
    if (CURLMcode mc = curl_multi_poll(h.multi, nullptr, 0, timeout_ms, nullptr); mc != CURLM_OK)
      return goro::make_error(NetError{CURLE_FAILED_INIT, curl_multi_strerror(mc)});
  }

  CURLcode result = CURLE_OK;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(h.multi, &queued))
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == h.easy) result = msg->data.result;
  if (result != CURLE_OK) return net_error(result, errbuf);

  long status = 0;
  curl_easy_getinfo(h.easy, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) return goro::make_error(HttpStatus{static_cast<int>(status)});
  return body;
}

// The calls in flight, for testing::requests_in_flight. Its mutex is never held while
// calling into goro (ctx.err() takes the runtime's lock, which a caller may already hold).
struct Registry {
  struct Entry {
    std::uint64_t id;
    std::string url;
    std::uint64_t task;
    goro::Context ctx;
  };
  std::mutex mu;
  std::uint64_t next_id = 0;
  std::uint64_t changes = 0;
  std::vector<Entry> entries;
};

Registry& registry() {
  static auto* r = new Registry;  // never destroyed: calls may still end during exit
  return *r;
}

// Registers one call for its lifetime.
class InFlight {
 public:
  InFlight(const goro::Context& ctx, const std::string& url, std::uint64_t task) {
    Registry& r = registry();
    std::lock_guard lk(r.mu);
    id_ = ++r.next_id;
    ++r.changes;
    r.entries.push_back({id_, url, task, ctx});
  }
  ~InFlight() {
    Registry& r = registry();
    goro::Context ctx;  // released after the lock: a context's destructor may take the runtime's lock
    std::lock_guard lk(r.mu);
    auto it = std::find_if(r.entries.begin(), r.entries.end(), [&](const Registry::Entry& e) { return e.id == id_; });
    ctx = std::move(it->ctx);
    r.entries.erase(it);
    ++r.changes;
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::uint64_t id_ = 0;
};

}  // namespace

goro::Result<std::string> http_get(const goro::Context& ctx, const std::string& url) {
  // A cancelled caller sends nothing (Go: Do returns the context's error at once).
  if (goro::Error err = ctx.err()) return aborted(err);
  const std::uint64_t task = goro::current_task_id();
  return goro::blocking([&]() -> goro::Result<std::string> {
    InFlight in_flight(ctx, url, task);  // for the grader (see http.hpp), while the transfer runs
    return transfer(ctx, url);
  });
}

namespace testing {

std::vector<RequestInFlight> requests_in_flight(std::uint64_t* changes) {
  std::vector<Registry::Entry> copy;
  {
    Registry& r = registry();
    std::lock_guard lk(r.mu);
    copy = r.entries;
    if (changes != nullptr) *changes = r.changes;
  }
  std::vector<RequestInFlight> out;
  out.reserve(copy.size());
  for (const auto& e : copy) out.push_back({e.url, e.task, static_cast<bool>(e.ctx.err())});
  return out;
}

}  // namespace testing

}  // namespace dojo::ex03
