// Small goro programs the model tests record. The channel variable names matter: the tests
// check that ChannelNames reads them back from these source lines.
#pragma once

#include <chrono>

#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/time.hpp"

namespace dojo::viz::test {

/// producer -> nums (cap 2) -> square -> out (unbuffered) -> main.
inline void pipeline() {
  auto nums = goro::make_chan<int>(2);
  auto out = goro::make_chan<int>();
  goro::go_named("producer", [=] {
    for (int i = 1; i <= 5; ++i) nums.send(i);
    nums.close();
  });
  goro::go_named("square", [=] {
    for (int v : nums) out.send(v * v);
    out.close();
  });
  int sum = 0;
  for (int v : out) sum += v;
  if (sum != 55) goro::panic("wrong sum");
}

/// A producer nobody receives from: leaked when main returns.
inline void leak() {
  auto results = goro::make_chan<int>();
  goro::go_named("forgotten", [results] { results.send(42); });
}

/// main waits for a value nobody sends.
inline void deadlock() {
  auto never = goro::make_chan<int>();
  (void)never.recv();
}

/// An errgroup whose first error cancels the context; a sibling waits on ctx.done().
inline void cancellation() {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto results = goro::make_chan<int>();
  const goro::Error refused = goro::new_error("connection refused");
  g.go([ctx = ctx, results]() -> goro::Error {
    switch (goro::select(goro::on_send(results, 1), goro::on_recv(ctx.done()))) {
      case 0: return {};
      default: return ctx.err();
    }
  });
  g.go([=]() -> goro::Error {
    goro::sleep(std::chrono::milliseconds(5));
    return goro::errorf("fetch {}: {:w}", "a", refused);
  });
  goro::Error err = g.wait();
  if (!goro::is(err, refused)) goro::panic("expected the first error");
}

}  // namespace dojo::viz::test
