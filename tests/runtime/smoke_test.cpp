#include <catch2/catch.hpp>

#include "goro/goro.hpp"

TEST_CASE("smoke: unbuffered ping pong", "[chan]") {
  auto ping = goro::make_chan<int>();
  auto pong = goro::make_chan<int>();
  goro::go([=] {
    for (int v : ping) pong.send(v + 1);
    pong.close();
  });
  for (int i = 0; i < 100; ++i) {
    ping.send(i);
    REQUIRE(pong.recv().value == i + 1);
  }
  ping.close();
  auto [v, ok] = pong.recv();
  REQUIRE_FALSE(ok);
  REQUIRE(v == 0);
}
