// Exercise 17 — cursor. Edit this file, then run: ./dojo grade 17
//
// Your task (the full statement is in README.md):
//   1. load_cursor: read the file with read_file (file.hpp). No file: 0. Otherwise accept only
//      digits followed by one "\n"; anything else is an error wrapping ErrBadCursor that names
//      the path (and the file is left alone).
//   2. save_cursor: never write the cursor file itself. Write "<offset>\n" to path + ".tmp",
//      sync it, close it, then rename_file it over path: a reader sees the old cursor or the
//      new one, whole.
//   3. consume: load the cursor (an error: return it, handle nothing), subscribe from it, and
//      handle each event in order, watching ctx. After every `every` handled events save the
//      cursor — the offset of the NEXT event — and save it once more when the stream ends.
//   4. When handle fails, return its error wrapped, naming the offset, without saving past
//      that event. When a save fails, return its error. When ctx ends, return ctx.err().
// The grader kills your process (SIGKILL) in the middle of handling and in the middle of
// saving, and starts it again: whatever you have not saved is handled again, and an event
// you saved as done before handling it is lost.
#include "cursor.hpp"

#include "file.hpp"

namespace dojo::ex17 {

goro::Result<std::int64_t> load_cursor(const std::string& path) {
  (void)path;
  return goro::new_error("load_cursor: not implemented yet");  // replace this line
}

goro::Error save_cursor(const std::string& path, std::int64_t offset) {
  (void)path;
  (void)offset;
  return goro::new_error("save_cursor: not implemented yet");  // replace this line
}

goro::Error consume(const goro::Context& ctx, const std::string& cursor_path, const Subscribe& subscribe,
                    const Handle& handle, int every) {
  (void)ctx;
  (void)cursor_path;
  (void)subscribe;
  (void)handle;
  (void)every;
  return goro::new_error("consume: not implemented yet");  // replace this line with your consumer
}

}  // namespace dojo::ex17
