// Visible examples for exercise 17. The grader runs these first, then its hidden checks, which
// run your consumer in a process of its own and kill it (SIGKILL) in the middle of handling
// an event and in the middle of every step of a save.
//
// The story: a stream of orders, offsets 0, 1, 2, ...; the handler notes each offset it is
// given. Here everything runs in one process, in a fresh folder.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cursor.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex17::Event;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows
using dojo::grader::Why;

namespace {

// The stream: events 0 .. length-1, sent by a task of its own that stops when its context
// ends (and closes the channel then, as after the last event).
struct Stream {
  std::int64_t length = 0;
  goro::WaitGroup feeders;

  explicit Stream(std::int64_t n) : length(n) {}

  dojo::ex17::Subscribe subscribe() {
    return [this](const goro::Context& ctx, std::int64_t from) {
      auto ch = goro::make_chan<Event>();
      feeders.add(1);
      goro::go_named("stream", [this, ctx, ch, from] {
        for (std::int64_t o = from; o < length; ++o)
          if (goro::select(goro::on_send(ch, Event{o, fmt::format("order #{}", o)}), goro::on_recv(ctx.done())) == 1) break;
        ch.close();
        feeders.done();
      });
      return ch;
    };
  }
};

// Runs consume over a stream of `length` events; returns its error, and the offsets handled.
goro::Error run(const std::string& cursor, std::int64_t length, int every, std::vector<std::int64_t>& handled) {
  Stream stream(length);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  goro::Error err = dojo::ex17::consume(
      ctx, cursor, stream.subscribe(),
      [&handled](const goro::Context&, const Event& e) {
        handled.push_back(e.offset);
        return goro::Error{};
      },
      every);
  cancel();
  stream.feeders.wait();
  return err;
}

std::string content(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "(no file)";
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

DOJO_CHECK("example: a new cursor: events 0..5 handled once, in order; the cursor file ends as \"6\\n\"",
           "Load the cursor (no file: 0), subscribe from it, handle each event, save every `every` events and at the end.") {
  dojo::grader::TempDir dir;
  std::vector<std::int64_t> handled;
  check.say("calling consume(ctx, \"cursor\", subscribe, handle, every = 2) on a stream of 6 events, no cursor file yet");
  check.expect_ok(run(dir.file("cursor"), 6, 2, handled), "consume");
  check.expect_eq(handled, std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}, "the offsets handled");
  // A cursor file short of the end (or none): the last events are recorded as not done, and the next start
  // handles them again.
  const std::string saved = content(dir.file("cursor"));
  const bool short_of_end = saved == "(no file)" || (saved.size() == 2 && saved[0] >= '0' && saved[0] < '6' && saved[1] == '\n');
  check.expect_eq(saved, std::string("6\n"), "the cursor file's content",
                  {short_of_end ? mistake::duplicate : mistake::wrong_result,
                   "The cursor is the offset of the NEXT event to handle: after event 5, it is 6, saved once more "
                   "when the stream ends."});
}

DOJO_CHECK("example: started again on a cursor file that says \"4\\n\": handling resumes at event 4",
           "load_cursor reads \"4\\n\" as 4; subscribe(ctx, 4) starts the stream there.") {
  dojo::grader::TempDir dir;
  std::ofstream(dir.file("cursor"), std::ios::binary) << "4\n";
  std::vector<std::int64_t> handled;
  check.say("writing \"4\\n\" into the cursor file, then calling consume(..., every = 2) on a stream of 6 events");
  check.expect_ok(run(dir.file("cursor"), 6, 2, handled), "consume");
  // Events before the saved cursor handled again: the saved progress was not used.
  check.expect_eq(handled, std::vector<std::int64_t>{4, 5}, "the offsets handled",
                  !handled.empty() && handled[0] < 4 ? Why(mistake::duplicate) : Why());
  check.expect_eq(content(dir.file("cursor")), std::string("6\n"), "the cursor file's content");
}

DOJO_CHECK("example: load_cursor: no file is 0, \"7\\n\" is 7, \"7\" (no newline) is ErrBadCursor",
           "Accept exactly digits and one final newline. Anything else may be a torn write: report it, do not guess.") {
  dojo::grader::TempDir dir;
  const std::string path = dir.file("cursor");
  check.say("load_cursor on a path where there is no file");
  auto none = dojo::ex17::load_cursor(path);
  check.expect_ok(none.error(), "load_cursor on a missing file");
  check.expect_eq(none.value(), std::int64_t{0}, "the cursor of a missing file");
  std::ofstream(path, std::ios::binary) << "7\n";
  check.say("load_cursor on a file holding \"7\\n\"");
  auto seven = dojo::ex17::load_cursor(path);
  check.expect_ok(seven.error(), "load_cursor on \"7\\n\"");
  check.expect_eq(seven.value(), std::int64_t{7}, "the cursor");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "7";
  check.say("load_cursor on a file holding \"7\" (no newline)");
  check.expect_is(dojo::ex17::load_cursor(path).error(), dojo::ex17::ErrBadCursor, "ErrBadCursor");
}
