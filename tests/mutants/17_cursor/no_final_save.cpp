// Mutant of exercise 17: the cursor is saved every `every` events but not when the stream
// ends. The last events (fewer than `every`) are handled again by every later start, and the
// cursor file never reaches the stream's end.
// mistake: duplicate
// expect: when the stream has ended, the cursor file holds
#include "cursor.hpp"

#include <string>

#include "file.hpp"

namespace dojo::ex17 {

namespace {

goro::Error bad_cursor(const std::string& path, const std::string& why) {
  return goro::errorf("{:w}: {}: {}", ErrBadCursor, path, why);
}

// Calls `f` when it goes out of scope (Go's defer).
template <class F>
struct Defer {
  F f;
  ~Defer() { f(); }
};
template <class F>
Defer(F) -> Defer<F>;

}  // namespace

goro::Result<std::int64_t> load_cursor(const std::string& path) {
  auto read = read_file(path);
  if (!read) return goro::errorf("load cursor: {:w}", read.error());
  if (!read.value()) return std::int64_t{0};  // nothing saved yet: start at the beginning
  const std::string& text = *read.value();

  // Exactly "<digits>\n". A file without its final newline may be a torn write ("12" of
  // "123\n"): never guess, report it.
  if (text.size() < 2 || text.back() != '\n')
    return bad_cursor(path, fmt::format("not one line ending in a newline ({} bytes)", text.size()));
  std::int64_t offset = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return bad_cursor(path, fmt::format("byte {} is not a digit", i));
    if (offset > (INT64_MAX - (c - '0')) / 10) return bad_cursor(path, "the number is too large");
    offset = offset * 10 + (c - '0');
  }
  return offset;
}

goro::Error save_cursor(const std::string& path, std::int64_t offset) {
  const std::string tmp = path + ".tmp";
  auto created = File::create(tmp);
  if (!created) return goro::errorf("save cursor {}: {:w}", offset, created.error());
  File& f = created.value();
  if (auto err = f.write_all(fmt::format("{}\n", offset))) return goro::errorf("save cursor {}: {:w}", offset, err);
  // Sync before the rename: otherwise the rename may reach the disk before the bytes do, and a
  // power cut leaves an empty cursor file under the real name.
  if (auto err = f.sync()) return goro::errorf("save cursor {}: {:w}", offset, err);
  if (auto err = f.close()) return goro::errorf("save cursor {}: {:w}", offset, err);
  if (auto err = rename_file(tmp, path)) return goro::errorf("save cursor {}: {:w}", offset, err);
  return {};
}

goro::Error consume(const goro::Context& ctx, const std::string& cursor_path, const Subscribe& subscribe,
                    const Handle& handle, int every) {
  auto loaded = load_cursor(cursor_path);
  if (!loaded) return loaded.error();  // a bad cursor stops us: starting over would redo everything
  std::int64_t next = loaded.value();  // the offset of the next event to handle
  if (auto err = ctx.err()) return err;

  // The subscription lives as long as this call: stopping it releases the stream's task.
  auto [sub_ctx, stop] = goro::with_cancel(ctx);
  Defer stop_subscription{stop};
  goro::Chan<Event> events = subscribe(sub_ctx, next);

  int unsaved = 0;  // events handled since the last save
  for (;;) {
    Event event;
    bool ok = false;
    if (goro::select(goro::on_recv(events, &event, &ok), goro::on_recv(ctx.done())) == 1) return ctx.err();
    if (!ok) break;                        // closed: the stream ended, or ctx did (checked below)
    if (auto err = ctx.err()) return err;  // select picks at random when both are ready
    if (auto err = handle(ctx, event)) return goro::errorf("handle event {}: {:w}", event.offset, err);
    next = event.offset + 1;  // only now may the cursor move past this event
    if (++unsaved == every) {
      if (auto err = save_cursor(cursor_path, next)) return err;
      unsaved = 0;
    }
  }
  if (auto err = ctx.err()) return err;  // the channel closed because we were cancelled
  (void)unsaved;  // the periodic saves are enough, it assumes
  return {};
}

}  // namespace dojo::ex17
