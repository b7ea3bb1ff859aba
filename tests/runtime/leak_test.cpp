// goro::LeakCheck (goro/leak.hpp): tasks that outlive the code that started them are named
// with their start site and blocking operation, and can be released so the next test starts
// clean.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <string>

#include "goro/goro.hpp"
#include "support/dual.hpp"
#include "support/settle.hpp"

GORO_TEST("LK_01_no_leak_gives_an_empty_report", "[leak]") {
  goro::LeakCheck leaks;
  auto c = goro::make_chan<int>();
  goro::go([c] { c.send(7); });
  CHECK(c.recv().value == 7);
  goro::LeakReport r = leaks.check();
  CHECK_FALSE(r);
  CHECK(r.leaked.empty());
}

GORO_TEST("LK_02_a_leaked_sender_is_named_with_its_sites_and_released", "[leak]") {
  const int base = dojo::test::Settle::settled();  // an earlier test's task may still be exiting
  bool unwound = false;
  struct SetOnExit {
    bool* flag;
    ~SetOnExit() { *flag = true; }
  };
  goro::LeakCheck leaks;
  auto out = goro::make_chan<int>();
  goro::go_named("producer", [out, &unwound] {
    SetOnExit guard{&unwound};
    out.send(1);  // nobody receives: blocked forever
  });
  goro::LeakReport r = leaks.check();
  REQUIRE(r.leaked.size() == 1);
  const goro::TaskInfo& t = r.leaked[0];
  CHECK(t.name == "producer");
  CHECK(t.reason == goro::detail::WaitReason::chan_send);
  CHECK_THAT(t.blocked_on, Catch::Contains("chan int"));
  CHECK_THAT(std::string(t.started_at.file_name()), Catch::Contains("leak_test.cpp"));
  CHECK_THAT(std::string(t.blocked_at.file_name()), Catch::Contains("leak_test.cpp"));
  const std::string text = r.format();
  INFO(text);
  CHECK_THAT(text, Catch::Contains("found unexpected goroutines"));
  CHECK_THAT(text, Catch::Contains("chan send"));
  CHECK_THAT(text, Catch::Contains("producer"));

  CHECK(leaks.release() == 1);
  CHECK(unwound);  // its destructors ran
  CHECK(goro::num_tasks() == base);
  CHECK_FALSE(leaks.check());
}

GORO_TEST("LK_03_tasks_alive_before_the_check_are_not_reported", "[leak]") {
  auto stop = goro::make_chan<goro::Unit>();
  auto done = goro::make_chan<goro::Unit>();
  goro::go_named("long-lived", [stop, done] {
    (void)stop.recv();
    done.close();
  });
  {
    goro::LeakCheck leaks;  // started after "long-lived": it is part of the baseline
    auto c = goro::make_chan<int>(1);
    goro::go([c] { c.send(1); });
    CHECK(c.recv().value == 1);
    CHECK_FALSE(leaks.check());
  }
  stop.close();
  (void)done.recv();
}

GORO_TEST("LK_04_several_leaks_each_name_their_operation", "[leak]") {
  goro::LeakCheck leaks;
  auto never = goro::make_chan<int>();
  goro::Mutex mu;
  mu.lock();
  goro::go_named("receiver", [never] { (void)never.recv(); });
  goro::go_named("locker", [&mu] { mu.lock(); });
  goro::LeakReport r = leaks.check();
  REQUIRE(r.leaked.size() == 2);
  std::string reasons;
  for (const auto& t : r.leaked) reasons += fmt::format("{}={};", t.name, goro::detail::wait_reason_name(t.reason));
  CHECK_THAT(reasons, Catch::Contains("receiver=chan receive;"));
  CHECK_THAT(reasons, Catch::Contains("locker=sync.Mutex.Lock;"));
  CHECK(leaks.release() == 2);
  mu.unlock();
}
