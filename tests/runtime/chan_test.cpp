// Conformance: channels and select (the conformance checklist of docs/go-to-cpp.md, CH-01 .. CH-22).
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "goro/goro.hpp"
#include "support/dual.hpp"
#include "support/helpers.hpp"
#include "support/probe.hpp"

using goro::detail::WaitReason;
using dojo::test::await_blocked;
using dojo::test::await_tasks_at_most;

namespace {

using goro_test::panic_message;

}  // namespace

GORO_TEST("CH_01_unbuffered_send_and_receive_block", "[chan]") {
  const int base = goro::num_tasks();
  auto c = goro::make_chan<int>();
  auto got = goro::make_chan<int>(1);
  goro::go([=] { got.send(c.recv().value); });
  await_blocked(1, WaitReason::chan_receive);
  // The receiver is parked on c and has produced nothing.
  REQUIRE(got.len() == 0);
  c.send(7);
  REQUIRE(got.recv().value == 7);

  // And a sender blocks until a receiver arrives.
  auto sent = goro::make_chan<bool>(1);
  goro::go([=] {
    c.send(8);
    sent.send(true);
  });
  await_blocked(1, WaitReason::chan_send);
  REQUIRE(sent.len() == 0);
  REQUIRE(c.recv().value == 8);
  REQUIRE(sent.recv().value);
  await_tasks_at_most(base);
}

GORO_TEST("CH_02_buffered_capacity_then_block_and_nonblocking_select", "[chan]") {
  for (std::size_t cap : {1u, 2u, 10u, 200u}) {
    auto c = goro::make_chan<int>(cap);
    for (std::size_t i = 0; i < cap; ++i) c.send(static_cast<int>(i));  // never blocks
    REQUIRE(c.len() == cap);
    // Full: a non-blocking send takes default.
    REQUIRE(goro::select(goro::on_send(c, 0), goro::on_default()) == 1);
    for (std::size_t i = 0; i < cap; ++i) (void)c.recv();
    // Empty: a non-blocking receive takes default.
    REQUIRE(goro::select(goro::on_recv(c), goro::on_default()) == 1);
  }
  // Send number C+1 blocks.
  auto c = goro::make_chan<int>(2);
  c.send(1);
  c.send(2);
  goro::go([=] { c.send(3); });
  await_blocked(1, WaitReason::chan_send);
  REQUIRE(c.len() == 2);
  REQUIRE(c.recv().value == 1);
  REQUIRE(c.recv().value == 2);
  REQUIRE(c.recv().value == 3);
}

GORO_TEST("CH_03_fifo_for_every_capacity", "[chan]") {
  for (std::size_t cap : {0u, 1u, 2u, 7u, 50u, 100u}) {
    auto c = goro::make_chan<int>(cap);
    goro::go([=] {
      for (int i = 0; i < 100; ++i) c.send(i);
    });
    for (int i = 0; i < 100; ++i) {
      auto [v, ok] = c.recv();
      REQUIRE(ok);
      REQUIRE(v == i);
    }
  }
}

GORO_TEST("CH_04_multi_producer_multi_consumer_no_loss", "[chan]") {
  SECTION("4 senders x 1000 values, 4 receivers") {
    for (std::size_t cap : {0u, 10u}) {
      auto c = goro::make_chan<int>(cap);
      auto counts = goro::make_chan<std::map<int, int>>(4);
      goro::WaitGroup senders;
      for (int p = 0; p < 4; ++p) {
        senders.add(1);
        goro::go([&senders, c] {
          for (int i = 0; i < 1000; ++i) c.send(i);
          senders.done();
        });
      }
      for (int r = 0; r < 4; ++r)
        goro::go([=] {
          std::map<int, int> seen;
          for (int v : c) ++seen[v];
          counts.send(std::move(seen));
        });
      senders.wait();
      c.close();
      std::map<int, int> total;
      for (int r = 0; r < 4; ++r)
        for (auto [v, n] : counts.recv().value) total[v] += n;
      REQUIRE(total.size() == 1000);
      for (auto [v, n] : total) REQUIRE(n == 4);
    }
  }
  SECTION("23 workers range over q and forward to r") {
    const int n_values = 27183;  // Go's test sends 271828; a tenth keeps the TSan run short
    auto q = goro::make_chan<int>(69);
    auto r = goro::make_chan<int>(69);
    goro::WaitGroup wg;
    for (int w = 0; w < 23; ++w) {
      wg.add(1);
      goro::go([&wg, q, r] {
        for (int v : q) r.send(v);
        wg.done();
      });
    }
    long long sent_sum = 0;
    goro::go([=] {
      for (int i = 0; i < n_values; ++i) q.send(i);
      q.close();
    });
    for (int i = 0; i < n_values; ++i) sent_sum += i;
    goro::go([&wg, r] {
      wg.wait();
      r.close();
    });
    long long count = 0, sum = 0;
    for (int v : r) {
      ++count;
      sum += v;
    }
    REQUIRE(count == n_values);
    REQUIRE(sum == sent_sum);
  }
}

GORO_TEST("CH_05_len_and_cap", "[chan]") {
  auto c = goro::make_chan<int>(3);
  REQUIRE(c.len() == 0);
  REQUIRE(c.cap() == 3);
  for (int i = 0; i < 3; ++i) c.send(i);
  REQUIRE(c.len() == 3);
  c.close();
  while (c.recv().ok) {
  }
  REQUIRE(c.len() == 0);
  REQUIRE(c.cap() == 3);
  goro::Chan<int> nil;
  REQUIRE(nil.len() == 0);
  REQUIRE(nil.cap() == 0);
  REQUIRE(goro::make_chan<int>().cap() == 0);
}

GORO_TEST("CH_06_close_with_buffered_values", "[chan]") {
  auto c = goro::make_chan<int>(2);
  c.send(1);
  c.send(2);
  c.close();
  auto a = c.recv(), b = c.recv(), d = c.recv(), e = c.recv();
  CHECK((a.value == 1 && a.ok));
  CHECK((b.value == 2 && b.ok));
  CHECK((d.value == 0 && !d.ok));
  CHECK((e.value == 0 && !e.ok));
}

GORO_TEST("CH_07_close_wakes_every_blocked_receiver", "[chan]") {
  auto c = goro::make_chan<int>();
  auto results = goro::make_chan<bool>(10);
  for (int i = 0; i < 10; ++i) goro::go([=] { results.send(c.recv().ok); });
  await_blocked(10, WaitReason::chan_receive);
  c.close();
  for (int i = 0; i < 10; ++i) REQUIRE_FALSE(results.recv().value);
}

GORO_TEST("CH_08_close_and_send_panics_with_go_strings", "[chan]") {
  goro::Chan<int> nil;
  CHECK(panic_message([&] { nil.close(); }) == "close of nil channel");
  auto c = goro::make_chan<int>(1);
  c.close();
  CHECK(panic_message([&] { c.close(); }) == "close of closed channel");
  CHECK(panic_message([&] { c.send(1); }) == "send on closed channel");
  // The same through a select send case.
  CHECK(panic_message([&] { (void)goro::select(goro::on_send(c, 1)); }) == "send on closed channel");
}

GORO_TEST("CH_09_blocked_sender_panics_when_channel_closed", "[chan]") {
  auto c = goro::make_chan<int>();
  auto msg = goro::make_chan<std::string>(2);
  goro::go([=] { msg.send(panic_message([&] { c.send(1); })); });
  goro::go([=] { msg.send(panic_message([&] { (void)goro::select(goro::on_send(c, 2)); })); });
  await_blocked(1, WaitReason::chan_send);
  await_blocked(1, WaitReason::select);
  c.close();
  REQUIRE(msg.recv().value == "send on closed channel");
  REQUIRE(msg.recv().value == "send on closed channel");
}

GORO_TEST("CH_10_nil_channel_blocks_forever_and_disables_select_cases", "[chan]") {
  const int base = goro::num_tasks();
  goro::Chan<int> nil;
  goro::go([=] { (void)nil.recv(); });
  goro::go([=] { nil.send(1); });
  await_blocked(1, WaitReason::chan_receive_nil);
  await_blocked(1, WaitReason::chan_send_nil);
  // Only nil cases plus default: default.
  REQUIRE(goro::select(goro::on_recv(nil), goro::on_send(nil, 1), goro::on_default()) == 2);
  // A nil case is never chosen even when the other case is ready.
  auto ready = goro::make_chan<int>(1);
  for (int i = 0; i < 50; ++i) {
    ready.send(i);
    REQUIRE(goro::select(goro::on_recv(nil), goro::on_recv(ready)) == 1);
  }
  auto report = goro::format_tasks(goro::tasks());
  CHECK_THAT(report, Catch::Contains("chan receive (nil chan)"));
  CHECK_THAT(report, Catch::Contains("chan send (nil chan)"));
  dojo::test::release_leftovers(base);
}

GORO_TEST("CH_11_empty_select_blocks_forever", "[chan]") {
  const int base = goro::num_tasks();
  goro::go([] { (void)goro::select(); });
  await_blocked(1, WaitReason::select_no_cases);
  CHECK_THAT(goro::format_tasks(goro::tasks()), Catch::Contains("[select (no cases)]"));
  dojo::test::release_leftovers(base);
}

GORO_TEST("CH_12_select_fairness_uniform_among_ready_cases", "[chan]") {
  const int n = 10000;
  auto c1 = goro::make_chan<int>(n + 1), c2 = goro::make_chan<int>(n + 1);
  auto c3 = goro::make_chan<int>(), c4 = goro::make_chan<int>();  // never ready
  for (int i = 0; i < n + 1; ++i) {
    c1.send(i);
    c2.send(i);
  }
  int cnt1 = 0, cnt2 = 0;
  for (int i = 0; i < n; ++i) {
    switch (goro::select(goro::on_recv(c3), goro::on_recv(c4), goro::on_recv(c1), goro::on_recv(c2))) {
      case 2: ++cnt1; break;
      case 3: ++cnt2; break;
      default: FAIL("a never-ready case was chosen");
    }
  }
  // Binomial(10000, 0.5): sigma = 50; Go's test allows 10 sigma.
  CHECK(std::abs(cnt1 - n / 2) <= 500);
  CHECK(cnt1 + cnt2 == n);
}

GORO_TEST("CH_13_select_chooses_randomly_among_ready_sends", "[chan]") {
  for (std::size_t cap : {0u, 100u}) {
    const int n = 100;
    auto c = goro::make_chan<int>(cap);
    auto done = goro::make_chan<std::vector<int>>(1);
    goro::go([=] {
      std::vector<int> got;
      for (int i = 0; i < n; ++i) got.push_back(c.recv().value);
      done.send(got);
    });
    for (int i = 0; i < n; ++i) (void)goro::select(goro::on_send(c, 1), goro::on_send(c, 0));
    auto got = done.recv().value;
    int ones = 0;
    for (int v : got) ones += v;
    CHECK(ones > n / 10);
    CHECK(n - ones > n / 10);
  }
}

GORO_TEST("CH_14_nonblocking_select_sees_a_consistent_snapshot", "[chan]") {
  for (bool close_c2 : {false, true}) {
    for (int iter = 0; iter < 200; ++iter) {
      auto c1 = goro::make_chan<int>(1), c2 = goro::make_chan<int>(1);
      c1.send(1);
      auto took_default = goro::make_chan<bool>(1);
      auto go_b = goro::make_chan<goro::Unit>();
      goro::go([=] {
        go_b.send({});
        bool def = goro::select(goro::on_recv(c1), goro::on_recv(c2), goro::on_default()) == 2;
        took_default.send(def);
      });
      (void)go_b.recv();
      // A: make c2 ready, then drain c1 — at every instant one case is ready.
      if (close_c2)
        c2.close();
      else
        c2.send(1);
      (void)goro::select(goro::on_recv(c1), goro::on_default());
      REQUIRE_FALSE(took_default.recv().value);
    }
  }
}

GORO_TEST("CH_15_nonblocking_receive_of_buffered_value_on_closed_channel", "[chan]") {
  for (int iter = 0; iter < 200; ++iter) {
    auto c = goro::make_chan<int>(1);
    auto result = goro::make_chan<bool>(1);
    goro::go([=] { result.send(goro::select(goro::on_recv(c), goro::on_default()) == 0); });
    c.send(1);
    c.close();
    // The receiver may run before the send (then default is right), so retry until it
    // observes the value; what must never happen is default after the value is buffered.
    (void)result.recv();
    REQUIRE(goro::select(goro::on_recv(c), goro::on_default()) == 0);
  }
}

GORO_TEST("CH_16_closed_channel_is_always_ready", "[chan]") {
  auto c = goro::make_chan<int>();
  c.close();
  int v = 42;
  bool ok = true;
  REQUIRE(goro::select(goro::on_recv(c, &v, &ok), goro::on_default()) == 0);
  CHECK(v == 0);
  CHECK_FALSE(ok);
}

GORO_TEST("CH_17_select_operands_evaluated_once_including_unchosen_cases", "[chan]") {
  int chan_evals = 0, value_evals = 0;
  auto ready = goro::make_chan<int>(1);
  ready.send(5);
  auto never = goro::make_chan<int>();
  auto chan_of = [&](goro::Chan<int> c) {
    ++chan_evals;
    return c;
  };
  auto value_of = [&](int v) {
    ++value_evals;
    return v;
  };
  int got = 0;
  auto i = goro::select(goro::on_send(chan_of(never), value_of(1)), goro::on_recv(chan_of(ready), &got));
  CHECK(i == 1);
  CHECK(got == 5);
  CHECK(chan_evals == 2);
  CHECK(value_evals == 1);  // the unchosen send's value was still evaluated, once
}

GORO_TEST("CH_18_same_channel_in_several_cases", "[chan]") {
  auto c = goro::make_chan<int>(), d = goro::make_chan<int>();
  auto a_done = goro::make_chan<std::size_t>(1);
  auto b_got = goro::make_chan<int>(1);
  goro::go([=] { a_done.send(goro::select(goro::on_recv(c), goro::on_recv(c), goro::on_recv(d))); });
  await_blocked(1, WaitReason::select);
  goro::go([=] { b_got.send(c.recv().value); });
  await_blocked(1, WaitReason::chan_receive);
  d.send(7);
  REQUIRE(a_done.recv().value == 2);
  c.send(8);  // A left both c queues: this must reach B
  REQUIRE(b_got.recv().value == 8);
}

GORO_TEST("CH_19_send_and_receive_same_channel_in_one_select", "[chan]") {
  for (std::size_t cap : {0u, 10u}) {
    auto c = goro::make_chan<int>(cap);
    goro::WaitGroup wg;
    std::atomic<bool> self_receive{false};
    for (int p = 0; p < 2; ++p) {
      wg.add(1);
      goro::go([&, p, c] {
        for (int i = 0; i < 1000; ++i) {
          if ((p == 0 || i % 2 == 0) && i != 999) {
            int v = -1;
            if (goro::select(goro::on_send(c, p), goro::on_recv(c, &v)) == 1 && cap == 0 && v == p)
              self_receive = true;
          } else {
            int v = -1;
            if (goro::select(goro::on_recv(c, &v), goro::on_send(c, p)) == 0 && cap == 0 && v == p)
              self_receive = true;
          }
        }
        wg.done();
      });
    }
    // Drain so neither side is stuck at the end with cap 10.
    auto stop = goro::make_chan<goro::Unit>();
    goro::go([&wg, stop] {
      wg.wait();
      stop.close();
    });
    bool running = true;
    while (running)
      (void)goro::select(goro::on_recv(stop, [&](goro::Unit, bool) { running = false; }), goro::on_recv(c));
    CHECK_FALSE(self_receive);
  }
}

GORO_TEST("CH_20_select_stress_with_nil_disabled_cases", "[chan]") {
  const int n = 2000;
  std::array<goro::Chan<int>, 4> c{goro::make_chan<int>(), goro::make_chan<int>(), goro::make_chan<int>(2),
                                   goro::make_chan<int>(3)};
  goro::WaitGroup wg;
  for (int k = 0; k < 4; ++k) {
    wg.add(2);
    goro::go([&wg, ch = c[k]] {
      for (int i = 0; i < n; ++i) ch.send(i);
      wg.done();
    });
    goro::go([&wg, ch = c[k]] {
      for (int i = 0; i < n; ++i) (void)ch.recv();
      wg.done();
    });
  }
  wg.add(2);
  goro::go([&wg, c]() mutable {
    std::array<int, 4> cnt{};
    for (int done = 0; done < 4;) {
      auto i = goro::select(goro::on_send(c[0], 0), goro::on_send(c[1], 0), goro::on_send(c[2], 0),
                            goro::on_send(c[3], 0));
      if (++cnt[i] == n) {
        c[i] = {};  // nil: disables the case
        ++done;
      }
    }
    wg.done();
  });
  goro::go([&wg, c]() mutable {
    std::array<int, 4> cnt{};
    for (int done = 0; done < 4;) {
      auto i = goro::select(goro::on_recv(c[0]), goro::on_recv(c[1]), goro::on_recv(c[2]), goro::on_recv(c[3]));
      if (++cnt[i] == n) {
        c[i] = {};
        ++done;
      }
    }
    wg.done();
  });
  wg.wait();
  SUCCEED("all senders, receivers and the two selects completed");
}

GORO_TEST("CH_21_range_until_closed_and_drained", "[chan]") {
  auto c = goro::make_chan<int>(5);
  for (int i = 1; i <= 3; ++i) c.send(i);
  c.close();
  std::vector<int> got;
  for (int v : c) got.push_back(v);
  CHECK(got == std::vector<int>{1, 2, 3});
  int iterations = 0;
  for ([[maybe_unused]] int v : c) ++iterations;
  CHECK(iterations == 0);

  const int base = goro::num_tasks();
  goro::Chan<int> nil;
  goro::go([=] {
    for ([[maybe_unused]] int v : nil) {
    }
  });
  await_blocked(1, WaitReason::chan_receive_nil);
  dojo::test::release_leftovers(base);
}

// The memory-model rules are checked by ThreadSanitizer: each case writes plain data in one
// task and reads it in another, ordered only by the channel rule under test.
GORO_TEST("CH_22_channel_operations_synchronize_memory", "[chan]") {
  SECTION("a: send happens before the matching receive completes") {
    int data = 0;
    auto c = goro::make_chan<int>(1);
    goro::go([&data, c] {
      data = 42;
      c.send(0);
    });
    (void)c.recv();
    REQUIRE(data == 42);
  }
  SECTION("b: close happens before a receive that returns because of it") {
    int data = 0;
    auto c = goro::make_chan<int>();
    goro::go([&data, c] {
      data = 43;
      c.close();
    });
    REQUIRE_FALSE(c.recv().ok);
    REQUIRE(data == 43);
  }
  SECTION("c: an unbuffered receive happens before the send completes") {
    int data = 0;
    auto c = goro::make_chan<int>();
    auto done = goro::make_chan<int>(1);
    goro::go([&data, c, done] {
      data = 44;
      (void)c.recv();
      done.send(0);
    });
    c.send(0);
    REQUIRE(data == 44);
    (void)done.recv();
  }
  SECTION("d: the k-th receive happens before the (k+C)-th send completes (semaphore idiom)") {
    const int cap = 3, workers = 12;
    auto limit = goro::make_chan<int>(cap);
    std::atomic<int> active{0}, peak{0};
    goro::WaitGroup wg;
    for (int i = 0; i < workers; ++i) {
      wg.add(1);
      goro::go([&, limit] {
        limit.send(0);
        int a = ++active;
        int p = peak.load();
        while (a > p && !peak.compare_exchange_weak(p, a)) {
        }
        goro::yield();
        --active;
        (void)limit.recv();
        wg.done();
      });
    }
    wg.wait();
    REQUIRE(peak.load() <= cap);
  }
}
