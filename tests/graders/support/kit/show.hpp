// Small helpers for the texts of a check: ranges of items and how to print them.
#pragma once

#include <fmt/format.h>
#include <goro/detail/fmt.hpp>
#include <fmt/ranges.h>

#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::grader {

/// from, from+1, ..., to (empty if to < from).
[[nodiscard]] std::vector<int> range(int from, int to);

/// "{1, 2, 3}", or the first ten and the last one with the count for long lists.
template <class T>
[[nodiscard]] std::string list(const std::vector<T>& v) {
  if (v.size() > 12)
    return fmt::format("{{{}, ... , {}}} ({} values)", fmt::join(v.begin(), v.begin() + 10, ", "), v.back(), v.size());
  return fmt::format("{{{}}}", fmt::join(v, ", "));
}

/// A moment relative to the start of a check: "+250ms".
[[nodiscard]] std::string offset(goro::Duration d);
/// "+0s, +100ms, +300ms", or "none" when empty.
[[nodiscard]] std::string offsets(const std::vector<goro::Duration>& v);

}  // namespace dojo::grader
