// Exercise 01 — sum: a producer and a consumer, coordinated by an ErrGroup.
#pragma once

#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex01 {

/// Adds up `nums` with two tasks started by one goro::ErrGroup:
///   * a producer sends every number into a channel, then closes the channel;
///   * a consumer receives until the channel is closed and keeps the running total.
///
/// Returns the total. If `ctx` is cancelled — before the call or while the tasks work — it
/// returns the context's error instead (goro::is(err, goro::Canceled) holds), promptly, and
/// without leaving any task behind.
[[nodiscard]] goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums);

}  // namespace dojo::ex01
