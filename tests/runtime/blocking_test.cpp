// Calls that block outside goro (goro/blocking.hpp): in a deterministic scope they are not
// "durably blocked" — the virtual clock does not jump and no deadlock is reported while one
// is in flight; the scheduler waits for it in real time. Nothing here sleeps: the outside
// work waits for a plain thread that answers as soon as it is asked.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "goro/goro.hpp"

using namespace std::chrono_literals;

namespace {

// A stand-in for a server outside goro: ask() blocks the calling OS thread until the server
// thread has answered. The answer does not depend on goro's clock or scheduler.
class OutsideServer {
 public:
  OutsideServer()
      : thread_([this](std::stop_token st) {
          std::unique_lock lk(mu_);
          while (!st.stop_requested()) {
            cv_.wait(lk, st, [&] { return asked_ > answered_; });
            if (asked_ > answered_) {
              ++answered_;
              cv_.notify_all();
            }
          }
        }) {}
  int ask() {
    std::unique_lock lk(mu_);
    const int ticket = ++asked_;
    cv_.notify_all();
    cv_.wait(lk, [&] { return answered_ >= ticket; });
    return ticket * 10;
  }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  int asked_ = 0, answered_ = 0;
  std::jthread thread_;  // last: stopped and joined before the members above go away
};

}  // namespace

TEST_CASE("BK_01_external_wait_is_not_durably_blocked: no clock jump, no deadlock", "[blocking][sim-mode]") {
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    OutsideServer server;
    goro::Time start{}, after_call{}, after_sleep{};
    int answer = 0;
    goro::SimResult r = goro::simulate(seed, [&] {
      start = goro::now();
      auto got = goro::make_chan<int>();
      goro::go_named("caller", [&, got] {
        int v = goro::blocking([&] { return server.ask(); });
        after_call = goro::now();
        got.send(v);
      });
      // A sleeper with a long timer: while the call is in flight the clock must not jump to it.
      auto slept = goro::make_chan<goro::Unit>();
      goro::go_named("sleeper", [&, slept] {
        goro::sleep(1h);
        after_sleep = goro::now();
        slept.close();
      });
      answer = got.recv().value;  // main is blocked here: only the outside call can end this
      (void)slept.recv();
    });
    INFO("seed " << seed << ": " << r.report);
    REQUIRE(r.ok());
    CHECK(answer == 10);
    CHECK(after_call - start == goro::Duration::zero());
    CHECK(after_sleep - start == goro::Duration(1h));
  }
}

TEST_CASE("BK_02_external_call_exception_is_rethrown_in_the_task", "[blocking]") {
  auto run = [] {
    try {
      goro::blocking([]() -> int { throw std::runtime_error("disk on fire"); });
      return std::string("no exception");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
  };
  SECTION("free mode") { CHECK(run() == "disk on fire"); }
  SECTION("deterministic mode") {
    std::string got;
    goro::SimResult r = goro::simulate(1, [&] { got = run(); });
    REQUIRE(r.ok());
    CHECK(got == "disk on fire");
  }
}

TEST_CASE("BK_03_free_mode_blocking_runs_on_the_callers_thread", "[blocking]") {
  const auto caller = std::this_thread::get_id();
  auto ran_on = goro::blocking([] { return std::this_thread::get_id(); });
  CHECK(ran_on == caller);
  goro::blocking([] {});  // void results work too
}

TEST_CASE("BK_04_a_task_in_an_external_call_is_reported_as_IO_wait", "[blocking][sim-mode]") {
  for (std::uint64_t seed : {1, 2, 3}) {
    std::mutex mu;
    std::condition_variable cv;
    bool released = false;  // the outside call returns only after main has looked at the caller
    goro::detail::WaitReason seen = goro::detail::WaitReason::none;
    std::string blocked_at;
    goro::SimResult r = goro::simulate(seed, [&] {
      auto started = goro::make_chan<goro::Unit>();
      auto finished = goro::make_chan<goro::Unit>();
      goro::go_named("caller", [&, started, finished] {
        started.close();
        goro::blocking([&] {
          std::unique_lock lk(mu);
          cv.wait(lk, [&] { return released; });
        });
        finished.close();
      });
      (void)started.recv();
      // The caller may not have reached blocking() yet: let it run until it is parked there.
      for (int i = 0; i < 1000 && seen != goro::detail::WaitReason::external; ++i) {
        for (const goro::TaskInfo& t : goro::tasks())
          if (t.name == "caller" && t.state == goro::detail::TaskState::blocked) {
            seen = t.reason;
            blocked_at = fmt::format("{}", t.blocked_at.file_name());
          }
        goro::yield();
      }
      {
        std::lock_guard lk(mu);
        released = true;
      }
      cv.notify_all();
      (void)finished.recv();
    });
    INFO("seed " << seed << ": " << r.report);
    REQUIRE(r.ok());
    CHECK(seen == goro::detail::WaitReason::external);
    CHECK(std::string(goro::detail::wait_reason_name(seen)) == "IO wait");
    CHECK_THAT(blocked_at, Catch::Contains("blocking_test.cpp"));
  }
}
