// goro programs whose traces the tool tests read and export.
#pragma once

#include <chrono>
#include <string>

#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/time.hpp"

namespace dojo::trace::test {

using namespace std::chrono_literals;

/// Fan-out pipeline: a producer, three workers, a closer, and a collector using select.
inline void pipeline() {
  auto in = goro::make_chan<int>(2);
  auto out = goro::make_chan<int>();
  auto quit = goro::make_chan<goro::Unit>();
  goro::WaitGroup wg;
  for (int w = 0; w < 3; ++w)
    wg.go([=] {
      for (int v : in) out.send(v * 10);
    });
  goro::go_named("producer", [=] {
    for (int i = 0; i < 8; ++i) in.send(i);
    in.close();
  });
  goro::go_named("closer", [&wg, out] {
    wg.wait();
    out.close();
  });
  int sum = 0;
  for (bool open = true; open;) {
    int v = 0;
    bool ok = false;
    switch (goro::select(goro::on_recv(out, &v, &ok), goro::on_recv(quit))) {
      case 0:
        if (ok)
          sum += v;
        else
          open = false;
        break;
      default: open = false;
    }
  }
  if (sum != 280) goro::panic("wrong sum");
}

/// Values handed over by select send cases (recorded when the select returns, which can be
/// after the receiver recorded its receive).
inline void select_sends() {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<std::string>();
  goro::go_named("sender", [=] {
    for (int i = 0; i < 4; ++i) {
      if (goro::select(goro::on_send(a, i), goro::on_send(b, std::to_string(i))) == 1) {
      }
    }
    a.close();
    b.close();
  });
  int got = 0;
  while (got < 4) {
    if (goro::select(goro::on_recv(a), goro::on_recv(b)) <= 1) ++got;
  }
}

/// main waits for a, which waits for b: nobody sends on b.
inline void deadlock() {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<std::string>(1);
  goro::go_named("waits-for-b", [=] {
    (void)b.recv();
    a.send(1);
  });
  (void)a.recv();
}

/// A task left blocked after main returns.
inline void leak() {
  auto never = goro::make_chan<int>();
  goro::go_named("forgotten", [never] { never.send(1); });
}

/// A task panics (close of closed channel) while main waits.
inline void panics() {
  auto c = goro::make_chan<int>();
  goro::go_named("closes-twice", [=] {
    c.close();
    c.close();
  });
  (void)c.recv();
  goro::Chan<int> forever;
  (void)forever.recv();
}

/// An errgroup whose first error cancels its context; a sibling waits on ctx.done().
inline void cancellation() {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto results = goro::make_chan<int>();
  const goro::Error refused = goro::new_error("connection refused");
  g.go([=]() -> goro::Error {
    return goro::errorf("fetch {}: {:w}", "a", refused);
  });
  g.go([ctx = ctx, results]() -> goro::Error {
    switch (goro::select(goro::on_send(results, 1), goro::on_recv(ctx.done()))) {
      case 0: return {};
      default: return ctx.err();
    }
  });
  goro::Error err = g.wait();
  if (!goro::is(err, refused)) goro::panic("expected the first error");
}

/// Timers: a sleep and a timeout.
inline void timers() {
  auto [ctx, cancel] = goro::with_timeout(goro::background(), 50ms);
  goro::go_named("sleeper", [] { goro::sleep(10ms); });
  (void)goro::select(goro::on_recv(ctx.done()));
  cancel();
}

}  // namespace dojo::trace::test
