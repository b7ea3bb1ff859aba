// Resilience patterns on the virtual clock: retries without jitter, a circuit breaker.
#include <string>

#include "goro/goro.hpp"
#include "scenario_bodies.hpp"

using namespace std::chrono_literals;

namespace dojo::viz::bodies {

namespace {
inline const goro::Error ErrOverloaded = goro::new_error("server overloaded (503)");
inline const goro::Error ErrUnavailable = goro::new_error("backend unavailable");
inline const goro::Error ErrBreakerOpen = goro::new_error("circuit breaker is open");

struct Request {
  int client = 0;
  int attempt = 0;
  goro::Chan<int> reply;
};
}  // namespace

}  // namespace dojo::viz::bodies

template <>
struct fmt::formatter<dojo::viz::bodies::Request> : fmt::formatter<std::string> {
  template <class Ctx>
  auto format(const dojo::viz::bodies::Request& r, Ctx& ctx) const {
    return fmt::formatter<std::string>::format(fmt::format("client {} try {}", r.client, r.attempt), ctx);
  }
};

namespace dojo::viz::bodies {

// Six clients, a server with a one-slot queue that takes 30 ms a request. A rejected client
// waits exactly 50 ms (no jitter) and tries again — at the same instant as the others.
void retry_storm() {
  auto queue = goro::make_chan<Request>(1);
  goro::go_named("server", [queue] {
    for (const Request& r : queue) {
      goro::sleep(30ms);
      r.reply.send(r.attempt);
    }
  });
  goro::ErrGroup g;
  for (int c = 1; c <= 6; ++c) {
    g.go_named(fmt::format("client-{}", c), [queue, c]() -> goro::Error {
      goro::Error last;
      for (int attempt = 1; attempt <= 3; ++attempt) {
        Request r{c, attempt, goro::make_chan<int>(1)};
        bool queued = goro::select(goro::on_send(queue, r), goro::on_default()) == 0;
        if (queued) {
          (void)r.reply.recv();
          return {};
        }
        last = goro::errorf("attempt {}: {:w}", attempt, ErrOverloaded);
        goro::sleep(50ms);  // BUG: the same backoff for everyone, no jitter
      }
      return goro::errorf("client {}: gave up after 3 attempts: {:w}", c, last);
    });
  }
  (void)g.wait();
  queue.close();
}

// A breaker around calls to a backend that is down for its first 80 ms. Closed -> (3
// failures) -> open -> (50 ms) -> half-open -> (probe succeeds) -> closed. Each call runs as
// its own task so that its error (wrap chain) is in the trace; state changes are sent on
// `breaker` to a logger.
void breaker_opening() {
  auto breaker = goro::make_chan<std::string>(8);
  goro::go_named("breaker-log", [breaker] {
    for (const auto& state : breaker) (void)state;
  });
  auto requests = goro::make_chan<goro::Chan<bool>>();
  const goro::Time up_at = goro::now() + 80ms;
  goro::go_named("backend", [requests, up_at] {
    for (const auto& reply : requests) {
      goro::sleep(5ms);
      reply.send(goro::now() >= up_at);
    }
  });

  enum class State { closed, open, half_open } state = State::closed;
  int failures = 0;
  goro::Time opened_at{};
  for (int i = 1; i <= 10; ++i) {
    if (state == State::open && goro::since(opened_at) >= 50ms) {
      state = State::half_open;
      breaker.send("half-open: one probe");
    }
    const bool short_circuit = state == State::open;
    goro::ErrGroup call;
    call.go_named(fmt::format("call-{}", i), [i, short_circuit, requests]() -> goro::Error {
      if (short_circuit) return goro::errorf("call {}: {:w}", i, ErrBreakerOpen);
      auto reply = goro::make_chan<bool>();
      requests.send(reply);
      if (!reply.recv().value) return goro::errorf("call {}: {:w}", i, goro::errorf("GET /price: {:w}", ErrUnavailable));
      return {};
    });
    goro::Error err = call.wait();
    if (!short_circuit) {
      if (err && state == State::half_open) {
        state = State::open;
        opened_at = goro::now();
        breaker.send("open again: probe failed");
      } else if (err && ++failures == 3) {
        state = State::open;
        opened_at = goro::now();
        breaker.send("open: 3 failures in a row");
      } else if (!err) {
        if (state == State::half_open) breaker.send("closed: probe succeeded");
        state = State::closed;
        failures = 0;
      }
    }
    goro::sleep(10ms);
  }
  requests.close();
  breaker.close();
}

}  // namespace dojo::viz::bodies
