// Exercise 02 — negative: a producer that fails, and an error that keeps its identity.
#pragma once

#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex02 {

/// The sentinel for "a negative number was found". Compare with goro::is(err, ErrNegative),
/// never with ==: the error `sum` returns wraps this one, it is not this one.
inline const goro::Error ErrNegative = goro::new_error("negative number");

/// Adds up `nums` like exercise 01 — a producer task sends every number into a channel, a consumer
/// task adds them up, one goro::ErrGroup made with `with_context` starts and waits for both — with
/// one difference: negative numbers are not allowed.
///
/// When the producer meets the first negative number it stops sending and fails with an error that
///   * wraps ErrNegative (goro::is(err, ErrNegative) holds), and
///   * names the index and the value: its message contains "nums[2] = -1" for nums = {1, 2, -1, 4}.
/// The consumer then stops too, and `sum` returns that error (no total).
///
/// If `ctx` is cancelled — before the call or while the tasks work — `sum` returns the context's
/// error (goro::is(err, goro::Canceled) holds), promptly. In every case no task is left behind.
[[nodiscard]] goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums);

}  // namespace dojo::ex02
