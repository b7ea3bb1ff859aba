// Conformance: crashes, exits and task introspection (the conformance checklist of docs/go-to-cpp.md, RT-*).
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <string>

#include "support/dual.hpp"
#include "goro/goro.hpp"
#include "support/probe.hpp"

using goro::detail::WaitReason;
using dojo::test::await_blocked;

namespace {

struct ChildResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs the crash probe with `arg` as a child process and collects its output and exit code.
ChildResult run_probe(const std::string& arg) {
  ChildResult r;
  std::string cmd = fmt::format("{} {} 2>&1", GORO_CRASH_PROBE, arg);
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

TEST_CASE("RT_01_unrecovered_panic_in_a_task_exits_2_with_stacks", "[runtime]") {
  auto r = run_probe("panic-in-task");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::StartsWith("panic: boom 42\n\ngoroutine "));
  CHECK_THAT(r.output, Catch::Contains("[running]:"));
  CHECK_THAT(r.output, Catch::Contains("created by "));
  CHECK_THAT(r.output, Catch::Contains("crash_probe.cpp"));
  // The other goroutine (main, blocked on its receive) is listed with its wait reason.
  CHECK_THAT(r.output, Catch::Contains("[chan receive]"));
}

TEST_CASE("RT_01_any_exception_escaping_a_task_is_a_panic", "[runtime]") {
  auto r = run_probe("exception-in-task");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::StartsWith("panic: disk on fire (std::runtime_error)"));
}

TEST_CASE("RT_04_leaked_task_does_not_stop_process_exit", "[runtime]") {
  auto r = run_probe("leak-then-exit");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("main returns"));
}

GORO_TEST("RT_05_wait_states_use_go_words", "[runtime]") {
  const int base = goro::num_tasks();
  auto in = goro::make_chan<int>(), out = goro::make_chan<int>();
  goro::Chan<int> nil;
  goro::go([=] { (void)in.recv(); });
  goro::go([=] { out.send(1); });
  goro::go([=] { (void)goro::select(goro::on_recv(in), goro::on_recv(goro::make_chan<int>())); });
  goro::go([=] { (void)nil.recv(); });
  goro::go([] { (void)goro::select(); });
  await_blocked(5);
  auto report = goro::format_tasks(goro::tasks());
  INFO(report);
  CHECK_THAT(report, Catch::Contains("[chan receive]"));
  CHECK_THAT(report, Catch::Contains("[chan send]"));
  CHECK_THAT(report, Catch::Contains("[select]"));
  CHECK_THAT(report, Catch::Contains("[chan receive (nil chan)]"));
  CHECK_THAT(report, Catch::Contains("[select (no cases)]"));
  CHECK_THAT(report, Catch::Contains("blocked on chan int"));
  CHECK_THAT(report, Catch::Contains("runtime_test.cpp"));
  dojo::test::release_leftovers(base);
}

GORO_TEST("RT_06_task_ids_and_parent_lineage", "[runtime]") {
  const auto me = goro::current_task_id();
  auto ids = goro::make_chan<std::pair<std::uint64_t, std::uint64_t>>(2);
  auto hold = goro::make_chan<int>();
  goro::go([=] {
    ids.send({goro::current_task_id(), 0});
    goro::go([=] {
      ids.send({goro::current_task_id(), 0});
      (void)hold.recv();
    });
    (void)hold.recv();
  });
  auto child = ids.recv().value.first;
  auto grandchild = ids.recv().value.first;
  CHECK(child != me);
  CHECK(grandchild != child);
  bool found = false;
  for (const auto& t : goro::tasks()) {
    if (t.id == child) CHECK(t.parent_id == me);
    if (t.id == grandchild) {
      CHECK(t.parent_id == child);
      found = true;
    }
  }
  CHECK(found);
  auto report = goro::format_tasks(goro::tasks());
  CHECK_THAT(report, Catch::Contains(fmt::format("in goroutine {}", child)));
  hold.close();
}

TEST_CASE("tasks() records the start site and the blocking site", "[runtime]") {
  auto c = goro::make_chan<int>();
  const int start_line = __LINE__ + 1;
  goro::go_named("waiter", [=] { (void)c.recv(); });
  await_blocked(1, WaitReason::chan_receive);
  bool seen = false;
  for (const auto& t : goro::tasks()) {
    if (t.name != "waiter") continue;
    seen = true;
    CHECK(t.started_at.line() == static_cast<unsigned>(start_line));
    CHECK(t.blocked_at.line() == static_cast<unsigned>(start_line));
    CHECK_THAT(t.blocked_on, Catch::StartsWith("chan int #"));
    CHECK_THAT(t.blocked_on, Catch::Contains("(cap 0, len 0)"));
  }
  CHECK(seen);
  c.send(1);
}
