// Exercise 17 — cursor: a stream consumer that keeps its place in a file, so that a process
// killed at any moment starts again where it left off: every event is handled at least once,
// none is skipped, and a crash makes it handle again at most the last few.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "goro/goro.hpp"

namespace dojo::ex17 {

/// One event of the stream. Offsets count the events from the start of the stream: 0, 1, 2, ...
struct Event {
  std::int64_t offset = 0;
  std::string payload;
};

/// Subscribes to the stream from offset `from` on: the channel carries the events `from`,
/// `from + 1`, ... in order, and is closed after the last event of the stream. A task of the
/// stream feeds it; that task stops once `ctx` ends, and closes the channel then too — so a
/// closed channel alone does not say that the stream is over: look at ctx.err().
using Subscribe = std::function<goro::Chan<Event>(const goro::Context& ctx, std::int64_t from)>;

/// Handles one event (stores it, sends a mail, ...): nil once its effect has taken place.
/// It may be called again for an event it already handled, after a crash (at-least-once).
using Handle = std::function<goro::Error(const goro::Context& ctx, const Event& event)>;

/// The cursor file holds something that is not a cursor: load_cursor's and consume's errors
/// wrap it (goro::is finds it).
inline const goro::Error ErrBadCursor = goro::new_error("bad cursor file");

/// The cursor saved in the file `path`: the offset of the next event to handle.
///   * No file at `path` (nothing saved yet): 0.
///   * A file holding one or more decimal digits followed by "\n" and nothing else ("42\n"):
///     that number.
///   * Anything else — empty, no final newline ("42" could be what is left of "421\n"), a sign,
///     spaces, other bytes, a number too large for int64: an error wrapping ErrBadCursor whose
///     message names `path`. The file is left exactly as it is.
///   * A file that exists but cannot be read: an error wrapping its FileError (file.hpp).
[[nodiscard]] goro::Result<std::int64_t> load_cursor(const std::string& path);

/// Saves `offset` in the file `path` so that, whenever the process dies, `path` holds either
/// the cursor saved before or this one — complete — and never a mix or an empty file:
/// writes "<offset>\n" to the file `path + ".tmp"`, syncs it (fsync), closes it, and renames it
/// over `path`. Returns nil once the rename is done; a failing step's error wrapped (goro::as
/// finds the FileError), and `path` is then unchanged.
[[nodiscard]] goro::Error save_cursor(const std::string& path, std::int64_t offset);

/// Consumes the stream from the cursor saved in `cursor_path`, at least once:
///   * loads the cursor (load_cursor) and subscribes from it;
///   * calls `handle(ctx, event)` on each event, one at a time, in order;
///   * once `every` events (every >= 1) have been handled since the last save, saves the cursor
///     — the offset of the next event — before handling another; and saves it when the stream
///     ends, so that the file then holds the stream's end. A cursor is never saved past an event
///     that was not handled.
///
/// So a process killed at any moment and started again handles every event at least once, in
/// order, and at most `every` events a second time.
///
/// Returns
///   * nil when the stream has ended and the cursor is saved;
///   * the error of load_cursor (ErrBadCursor, ...) when the cursor cannot be loaded, without
///     subscribing or handling anything (never start over from 0 instead: the file may be all
///     that says which events already took effect);
///   * an error wrapping handle's error, whose message names the event's offset
///     ("handle event 17: ..."), when handle fails; no further event is handled, and the cursor
///     is not saved past the failed event (a restart handles it again);
///   * an error wrapping the FileError when saving fails; no further event is handled;
///   * ctx.err() (Canceled or DeadlineExceeded) once ctx ends, promptly: no event is handled
///     after it noticed (check ctx.err() before each handle); it may save the cursor of the
///     events it handled before returning.
[[nodiscard]] goro::Error consume(const goro::Context& ctx, const std::string& cursor_path, const Subscribe& subscribe,
                                  const Handle& handle, int every);

}  // namespace dojo::ex17
