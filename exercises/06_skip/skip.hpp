// Exercise 06 — skip: a sentinel error that means "leave this item out", handled where it belongs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex06 {

/// The sentinel a transform returns (itself, or wrapped in a more detailed error) for an item
/// that should be left out of the output. It is not a failure: it must never reach the caller
/// of `process`. Recognise it with goro::is(err, ErrSkip), never with ==.
inline const goro::Error ErrSkip = goro::new_error("skip this item");

/// Turns one input item into one output string. It may also return
///   * ErrSkip, or an error wrapping it: leave this item out;
///   * any other error: the item is broken and the whole pipeline fails.
/// The transform decides what is skipped (the examples skip empty strings); your code only
/// looks at the error it returns.
using Transform = std::function<goro::Result<std::string>(const std::string& item)>;

/// What the transform stage sends to the collecting stage for one item: the transform's output,
/// or the error it returned (then `text` is empty). Use it as the channel's element type:
/// goro::make_chan<Transformed>().
struct Transformed {
  std::string text;
  goro::Error err;
};

/// A two-stage pipeline, both stages started by one goro::ErrGroup made with `with_context`:
///   * the transform stage calls `transform` on each item, in order, and sends a Transformed for
///     it into a channel, then closes the channel;
///   * the collecting stage receives them, leaves out every item whose error is ErrSkip, fails on
///     any other error, and collects the texts.
///
/// Returns the texts of the items that were not skipped, in input order. Skipped items never
/// make the pipeline fail. Any other error from `transform` does: `process` returns an error that
/// goro::is / goro::as find the transform's error in, and the transform stage stops soon after.
/// If `ctx` is cancelled — before the call or while the stages work — `process` returns the
/// context's error (goro::is(err, goro::Canceled) holds), promptly; an already-cancelled `ctx`
/// means `transform` is never called. In every case no task is left behind.
[[nodiscard]] goro::Result<std::vector<std::string>> process(const goro::Context& ctx,
                                                             const std::vector<std::string>& items,
                                                             Transform transform);

}  // namespace dojo::ex06
