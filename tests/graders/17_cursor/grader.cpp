// Hidden checks for exercise 17.
//
// Most checks run the learner's consumer in this process, on a stream of the grader's (events
// 0 .. length-1, or one that never ends) and a cursor file in a fresh folder, and look at the
// file while the events are handled. The last two run it in a child process of its own
// ("consumer" below) that the grader kills with SIGKILL at chosen moments and starts again on
// the same folder: inside the handler before and after an event's effect, and at every step of
// a save (after the create, between the two halves of a write, after the write, after the
// sync, just before and just after the rename). The handler's effect is a line appended to the
// grader's own ledger with write(2), which a SIGKILL cannot tear. After each start the grader
// reads the cursor file and the ledger: the file is missing (nothing saved yet) or one whole
// cursor; the cursor never passes an event that was not handled; each start resumes at the
// saved cursor and handles at most `every` events a second time; in the end every event was
// handled and the cursor is the stream's end.
//
// A kill cannot show whether a save synced its file (only a power cut would), so the order of
// the file operations is checked from the log file.hpp keeps.
//
// The consumer is sequential, so one deterministic schedule of the kill checks is as good as
// four: they run under seed 1 and on real threads (each is dozens of process starts).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cursor.hpp"
#include "file.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex17::Event;
using dojo::ex17::FileError;
using dojo::grader::Check;
using dojo::grader::ProcessResult;
using dojo::grader::TempDir;
namespace ft = dojo::ex17::testing;
namespace mistake = dojo::grader::mistake;
using dojo::grader::Why;

DOJO_FAILURE_CLASSES(mistake::lost_item, mistake::duplicate, mistake::swallowed_error, mistake::ignored_cancellation,
                     mistake::wrong_result);

namespace {

// ---- small helpers -------------------------------------------------------------------------

// The file's bytes; nullopt when there is no file.
std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void put(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// "\"12\\n\"" for the bytes 1 2 newline; "no file" for nullopt.
std::string quote(const std::optional<std::string>& bytes) {
  if (!bytes) return "no file";
  std::string out = "\"";
  for (const char ch : *bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// The cursor in `bytes` when they are exactly "<digits>\n".
std::optional<std::int64_t> parse_cursor(const std::string& bytes) {
  static const std::regex kCursor("^[0-9]{1,18}\n$");
  if (!std::regex_match(bytes, kCursor)) return std::nullopt;
  return std::stoll(bytes);
}

// "0..4, 3..9" for 0 1 2 3 4 3 4 5 6 7 8 9; "none" when empty.
std::string spans(const std::vector<std::int64_t>& v) {
  if (v.empty()) return "none";
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < v.size()) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    parts.push_back(i == j ? fmt::format("{}", v[i]) : fmt::format("{}..{}", v[i], v[j]));
    i = j + 1;
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::vector<std::int64_t> iota(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

std::string base(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string result_of(const goro::Error& err) {
  return err ? fmt::format("error \"{}\"", err.message()) : std::string("nil");
}

// ---- the stream ------------------------------------------------------------------------------

// Events from..length-1 (length < 0: a stream that never ends), one task per subscription. A
// task stops when the subscription's context ends or the grader stops the stream, and closes
// its channel then, as after the last event.
class Feed {
 public:
  explicit Feed(std::int64_t length) : s_(std::make_shared<State>()) { s_->length = length; }
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;
  ~Feed() { stop(); }

  [[nodiscard]] dojo::ex17::Subscribe subscribe() const {
    return [s = s_](const goro::Context& ctx, std::int64_t from) {
      {
        std::lock_guard lk(s->mu);
        s->froms.push_back(from);
      }
      auto ch = goro::make_chan<Event>();
      s->feeders.add(1);
      goro::go_named("grader: stream", [s, ctx, ch, from] {
        for (std::int64_t o = from; s->length < 0 || o < s->length; ++o) {
          if (ctx.err()) break;
          if (goro::select(goro::on_send(ch, Event{o, fmt::format("order #{}", o)}), goro::on_recv(ctx.done()),
                           goro::on_recv(s->stop)) != 0)
            break;
        }
        ch.close();
        s->feeders.done();
      });
      return ch;
    };
  }

  // Ends every subscription's task and waits for them.
  void stop() {
    if (s_->stopped) return;
    s_->stopped = true;
    s_->stop.close();
    s_->feeders.wait();
  }

  [[nodiscard]] std::vector<std::int64_t> froms() const {
    std::lock_guard lk(s_->mu);
    return s_->froms;
  }

 private:
  struct State {
    std::int64_t length = 0;
    goro::Chan<goro::Unit> stop = goro::make_chan<goro::Unit>();
    goro::WaitGroup feeders;
    std::mutex mu;
    std::vector<std::int64_t> froms;
    bool stopped = false;
  };
  std::shared_ptr<State> s_;
};

// What one in-process consume call did.
struct Outcome {
  goro::Error err;
  std::vector<std::int64_t> handled;  // every call of handle, in order (also a failing one)
  std::vector<std::int64_t> froms;    // the offsets it subscribed from
};

// The grader's part of handle: runs after the call was recorded; may return an error.
using OnEvent = std::function<goro::Error(const Event& e)>;

// Calls consume(ctx, cursor, subscribe, handle, every) over `length` events (< 0: no end).
// Afterwards the caller's context is cancelled and the stream's tasks are waited for.
Outcome consume_once(const std::string& cursor, std::int64_t length, int every, const OnEvent& on_event = {},
                     const goro::Context& parent = goro::background()) {
  Feed feed(length);
  auto [ctx, cancel] = goro::with_cancel(parent);
  auto handled = std::make_shared<std::vector<std::int64_t>>();
  auto mu = std::make_shared<std::mutex>();
  Outcome out;
  out.err = goro::catch_panic([&] {
    return dojo::ex17::consume(
        ctx, cursor, feed.subscribe(),
        [handled, mu, on_event](const goro::Context&, const Event& e) -> goro::Error {
          {
            std::lock_guard lk(*mu);
            handled->push_back(e.offset);
          }
          return on_event ? on_event(e) : goro::Error{};
        },
        every);
  });
  cancel();
  feed.stop();
  {
    std::lock_guard lk(*mu);
    out.handled = *handled;
  }
  out.froms = feed.froms();
  return out;
}

void expect_no_panic(Check& check, const Outcome& o) {
  if (goro::as<goro::PanicError>(o.err))
    check.fail("consume returns normally", fmt::format("it threw: {}", o.err.message()),
               "An exception escaped consume: look at what you do with a Result whose value is not there.");
}

// The file at the end of a stream of `length` events.
void expect_final_cursor(Check& check, const std::string& cursor, std::int64_t length) {
  const auto now = slurp(cursor);
  // Missing, or a whole cursor short of the end: the last events are recorded as not done, and every later
  // start handles them again.
  const auto c = now ? parse_cursor(*now) : std::optional<std::int64_t>(0);
  check.expect(now == fmt::format("{}\n", length), fmt::format("when the stream has ended, the cursor file holds \"{}\\n\"", length),
               fmt::format("it holds {}", quote(now)),
               {c && *c < length ? mistake::duplicate : mistake::wrong_result,
                "Save the cursor once more when the channel closes at the end of the stream: otherwise the events "
                "after the last save are handled again by every start."});
}

// ---- load_cursor and save_cursor on their own ---------------------------------------------

DOJO_CHECK("save_cursor then load_cursor: \"<n>\\n\" in the file, the same n back, no temporary file left",
           "save_cursor writes \"<offset>\\n\" to path + \".tmp\" and renames it over path; load_cursor reads it back.") {
  TempDir dir;
  const std::string path = dir.file("cursor");
  check.say("load_cursor on a path with no file");
  auto none = dojo::ex17::load_cursor(path);
  check.expect_ok(none.error(), "load_cursor of a missing file", "No file means nothing was saved yet: the cursor is 0.");
  check.expect_eq(none.value(), std::int64_t{0}, "the cursor of a missing file");
  for (const std::int64_t n : {std::int64_t{0}, std::int64_t{7}, std::int64_t{1234567890123}}) {
    check.say(fmt::format("save_cursor(path, {}), then load_cursor(path)", n));
    check.expect_ok(dojo::ex17::save_cursor(path, n), fmt::format("save_cursor(path, {})", n));
    check.expect_eq(quote(slurp(path)), quote(fmt::format("{}\n", n)), "the cursor file",
                    "The file holds the number in decimal and one newline, nothing else.");
    auto back = dojo::ex17::load_cursor(path);
    check.expect_ok(back.error(), "load_cursor after the save");
    check.expect_eq(back.value(), n, "the cursor read back");
  }
  check.expect(!slurp(path + ".tmp"), "no cursor.tmp left once the save returned (the rename moved it)",
               "cursor.tmp is still there", "Rename the temporary file over the cursor: that is what makes the save atomic.");
  check.say("save_cursor into a folder that does not exist");
  goro::Error err = dojo::ex17::save_cursor(dir.file("no-such-folder/cursor"), 3);
  check.expect_as<FileError>(err, "FileError", "Return the File API's error wrapped with {:w}, not a new text.");
}

// ---- one process: the stream from start to end ---------------------------------------------

DOJO_CHECK("a new cursor file: every event handled once, in order; the cursor file ends at the stream's end",
           "Load (no file: 0), subscribe from the cursor, handle each event, save every `every` events and once more "
           "at the end of the stream.") {
  TempDir dir;
  const std::string cursor = dir.file("cursor");
  check.say("consume(ctx, cursor, subscribe, handle, every = 3) on a stream of 10 events, no cursor file yet");
  Outcome o = consume_once(cursor, 10, 3);
  expect_no_panic(check, o);
  check.expect_ok(o.err, "consume");
  check.expect_eq(o.froms, std::vector<std::int64_t>{0}, "the offsets subscribed from");
  check.expect(o.handled == iota(0, 10), "events handled: 0..9, each once", "events handled: " + spans(o.handled));
  expect_final_cursor(check, cursor, 10);
}

DOJO_CHECK("started again on a saved cursor: it resumes there; on a finished stream it handles nothing",
           "Read the cursor with load_cursor and pass it to subscribe: the saved offset is the next event to handle.") {
  TempDir dir;
  const std::string cursor = dir.file("cursor");
  put(cursor, "6\n");
  check.say("writing \"6\\n\" into the cursor file; consume(..., every = 3) on a stream of 10 events");
  Outcome o = consume_once(cursor, 10, 3);
  expect_no_panic(check, o);
  check.expect_ok(o.err, "consume");
  check.expect(o.handled == iota(6, 10), "events handled: 6..9 (the cursor file said 6)",
               fmt::format("events handled: {}{}", spans(o.handled),
                           !o.handled.empty() && o.handled[0] != 6
                               ? fmt::format(": it began at event {}, not at the saved cursor 6", o.handled[0])
                               : std::string()),
               !o.handled.empty() && o.handled[0] < 6 ? Why(mistake::duplicate) : Why());
  expect_final_cursor(check, cursor, 10);

  check.say("consume again on the same file: the stream has no event after 9");
  Outcome again = consume_once(cursor, 10, 3);
  expect_no_panic(check, again);
  check.expect_ok(again.err, "the second consume");
  check.expect(again.handled.empty(), "no event handled (the cursor file said 10, the stream's end)",
               "events handled: " + spans(again.handled));
  expect_final_cursor(check, cursor, 10);
}

DOJO_CHECK("the cursor is saved every `every` events, before the next one is handled (every = 1, 4, 25)",
           "Once `every` events have been handled since the last save, save the offset of the next event before "
           "handling it. Never save an offset past an event that was not handled yet.") {
  for (const int every : {1, 4, 25}) {
    TempDir dir;
    const std::string cursor = dir.file("cursor");
    check.say(fmt::format("consume(..., every = {}) on a stream of 10 events; reading the cursor file as each event "
                          "is handled",
                          every));
    std::string problem;  // the first thing seen wrong, from inside handle
    // ... and its class: events handled and not saved are handled again after a crash.
    const dojo::grader::Mistake* kind = &mistake::duplicate;
    auto seen = std::make_shared<std::vector<std::string>>();
    Outcome o = consume_once(cursor, 10, every, [&problem, &kind, cursor, every, seen](const Event& e) -> goro::Error {
      const auto now = slurp(cursor);
      seen->push_back(fmt::format("{}: {}", e.offset, quote(now)));
      if (!problem.empty()) return {};
      std::int64_t saved = 0;
      if (now) {
        auto c = parse_cursor(*now);
        if (!c) {
          problem = fmt::format("while event {} was being handled the cursor file held {}, which is not a cursor",
                                e.offset, quote(now));
          kind = &mistake::wrong_result;
          return {};
        }
        saved = *c;
      }
      if (saved > e.offset) {
        problem = fmt::format("while event {} was being handled the cursor file said {}: a restart would skip it",
                              e.offset, saved);
        kind = &mistake::lost_item;
      } else if (e.offset - saved >= every) {
        problem = fmt::format("when event {} came to be handled the cursor file said {}: event{} {} had been handled "
                              "and not saved, but every = {} asks for a save once {} event{} been handled, before the next one",
                              e.offset, now ? std::to_string(saved) : std::string("nothing (no file)"),
                              e.offset - saved == 1 ? "" : "s", spans(iota(saved, e.offset)), every, every,
                              every == 1 ? " has" : "s have");
      }
      return {};
    });
    expect_no_panic(check, o);
    check.expect_ok(o.err, "consume");
    check.expect(problem.empty(),
                 fmt::format("at most {} event{} handled since the last save, and never a cursor past an unhandled event",
                             every, every == 1 ? "" : "s"),
                 problem + fmt::format("\n  the cursor file as each event was handled: {}", fmt::join(*seen, ", ")),
                 *kind);
    check.expect(o.handled == iota(0, 10), "events handled: 0..9, each once", "events handled: " + spans(o.handled));
    expect_final_cursor(check, cursor, 10);
  }
}

DOJO_CHECK("a save writes a temporary file, syncs it, closes it, then renames it over the cursor",
           "The cursor file itself is never opened for writing: File::create empties it at once, and a crash then "
           "leaves it empty. Write a temporary file in the same folder, sync() it (fsync), close() it, then rename "
           "it over path.") {
  TempDir dir;
  const std::string cursor = dir.file("cursor");
  ft::clear_file_ops();
  check.say("consume(..., every = 2) on a stream of 6 events, recording every file operation");
  Outcome o = consume_once(cursor, 6, 2);
  const std::vector<ft::FileOp> ops = ft::file_ops();
  expect_no_panic(check, o);
  check.expect_ok(o.err, "consume");
  std::vector<std::string> shown;
  for (const ft::FileOp& op : ops)
    shown.push_back(op.to.empty() ? fmt::format("{} {}", op.op, base(op.path))
                                  : fmt::format("{} {} → {}", op.op, base(op.path), base(op.to)));
  const std::string listing = fmt::format("\n  the file operations: {}", fmt::join(shown, ", "));

  int renames = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const ft::FileOp& op = ops[i];
    if (op.path == cursor && (op.op == "create" || op.op == "write" || op.op == "sync"))
      check.fail("the cursor file is replaced by a rename, never written in place",
                 fmt::format("consume did \"{} cursor\": the cursor file itself was written in place", op.op) + listing,
                 "A process killed between the create and the end of the write leaves the cursor file empty or torn.");
    if (op.op != "rename" || op.to != cursor) continue;
    ++renames;
    const std::string tmp = op.path;
    const auto slash = cursor.rfind('/');
    check.expect(tmp.rfind(cursor.substr(0, slash + 1), 0) == 0 && tmp.find('/', slash + 1) == std::string::npos,
                 "the temporary file is in the cursor's folder (a rename cannot cross file systems)",
                 fmt::format("it renamed {}", tmp) + listing);
    // What happened to the temporary file since it was created, up to this rename.
    std::size_t created = i;
    while (created > 0 && !(ops[created - 1].path == tmp && ops[created - 1].op == "create")) --created;
    if (created == 0)
      check.fail("the temporary file is made with File::create before it is renamed",
                 fmt::format("{} was renamed over the cursor, but no create of it came before", base(tmp)) + listing);
    long last_write = -1, last_sync = -1, last_close = -1;
    for (std::size_t j = created; j < i; ++j) {
      if (ops[j].path != tmp) continue;
      if (ops[j].op == "write") last_write = static_cast<long>(j);
      if (ops[j].op == "sync") last_sync = static_cast<long>(j);
      if (ops[j].op == "close") last_close = static_cast<long>(j);
    }
    if (last_write < 0)
      check.fail("the cursor is written into the temporary file before the rename",
                 fmt::format("{} was renamed over the cursor with nothing written into it", base(tmp)) + listing);
    if (last_sync < last_write)
      check.fail("the temporary file is synced (fsync) after its last write, before the rename",
                 fmt::format("{} was renamed over the cursor without a sync (fsync) after its last write", base(tmp)) + listing,
                 "Without sync() the rename can reach the disk before the bytes do: after a power cut the cursor "
                 "file is there, but empty. sync() after the write, then close(), then rename.");
    if (last_close < last_sync)
      check.fail("the temporary file is closed after the sync, before the rename",
                 fmt::format("{} was renamed over the cursor while still open", base(tmp)) + listing,
                 "close() can report a write that failed late: close the file and check its error before the rename "
                 "makes the new cursor official.");
  }
  check.expect(renames >= 3, "at least 3 renames over the cursor (saves after events 1, 3 and 5)",
               fmt::format("{} rename{}", renames, renames == 1 ? "" : "s") + listing);
  expect_final_cursor(check, cursor, 6);
}

// ---- errors ------------------------------------------------------------------------------------

struct Corrupt {
  std::string bytes;
  std::string what;
};

DOJO_CHECK("a corrupt cursor file: an error wrapping ErrBadCursor that names the file; nothing handled; the file unchanged",
           "Accept exactly digits and one final newline; for anything else return an error wrapping ErrBadCursor with "
           "the path, and do not subscribe, handle or save: starting over from 0 would handle every event again.") {
  const std::vector<Corrupt> cases{
      {"", "empty — what a crash leaves when the cursor file is written in place"},
      {"12", "no newline — it may be what is left of \"123\\n\""},
      {"abc\n", "not digits"},
      {"-3\n", "a negative number"},
      {" 7\n", "a space before the digits"},
      {"7\n8\n", "two lines"},
      {std::string("\x00\x9c\xff\x01junk\n", 9), "binary junk"},
      {"99999999999999999999999\n", "a number too large for int64"},
  };
  for (const Corrupt& c : cases) {
    TempDir dir;
    const std::string cursor = dir.file("cursor");
    put(cursor, c.bytes);
    const std::string label = fmt::format("the cursor file {} ({})", quote(c.bytes), c.what);
    check.say("consume(..., every = 3) on a stream of 20 events, with " + label);
    Outcome o = consume_once(cursor, 20, 3);
    expect_no_panic(check, o);
    std::string got = fmt::format("consume returned {}", result_of(o.err));
    if (!o.handled.empty())
      got += fmt::format(" and handled events {}{}", spans(o.handled),
                         o.handled[0] == 0 ? ": it started over from event 0" : std::string());
    check.expect(goro::is(o.err, dojo::ex17::ErrBadCursor) && o.handled.empty(),
                 fmt::format("for {}: an error wrapping ErrBadCursor, and no event handled", label), got,
                 !o.err ? Why(mistake::swallowed_error) : Why());
    check.expect(o.err.message().find(cursor) != std::string::npos, "the message names the file (" + cursor + ")",
                 "\"" + o.err.message() + "\"",
                 {mistake::missing_context, "Put the path in the message: the operator has to find the file."});
    const auto now = slurp(cursor);
    check.expect(now == c.bytes, fmt::format("the cursor file left as it was: {}", quote(c.bytes)),
                 fmt::format("it now holds {}", quote(now)),
                 "Leave a bad cursor file alone: it is the evidence of what went wrong.");
    check.say("load_cursor on " + label);
    auto loaded = dojo::ex17::load_cursor(cursor);
    check.expect(!loaded.ok() && goro::is(loaded.error(), dojo::ex17::ErrBadCursor),
                 fmt::format("for {}: an error wrapping ErrBadCursor", label),
                 loaded.ok() ? fmt::format("load_cursor returned {}", loaded.value())
                             : fmt::format("load_cursor returned {}", check.describe_error(loaded.error())),
                 loaded.ok() ? Why(mistake::swallowed_error) : Why());
  }
}

DOJO_CHECK("the cursor cannot be saved (its folder is missing): the FileError comes back wrapped; no event after that",
           "Check save_cursor's error and return it (wrapped with {:w}): a consumer that cannot save its place must "
           "stop, or every event after it will be handled again.") {
  TempDir dir;
  const std::string cursor = dir.file("no-such-folder/cursor");
  check.say("consume(..., every = 3) on a stream of 10 events, cursor file no-such-folder/cursor");
  Outcome o = consume_once(cursor, 10, 3);
  expect_no_panic(check, o);
  check.expect(o.err != goro::Error{}, "an error (the first save fails)", "consume returned nil", mistake::swallowed_error);
  (void)check.expect_as<FileError>(o.err, "FileError", "Return save_cursor's error wrapped with {:w}: goro::as finds the FileError.");
  check.expect(o.handled == iota(0, 3), "events handled: 0..2 (the save after them failed; nothing after it)",
               "events handled: " + spans(o.handled));
}

const goro::Error ErrStoreDown = goro::new_error("the order store is down");

DOJO_CHECK("handle fails at event 5: its error comes back wrapped, naming 5; the cursor not past it; a restart handles it",
           "Wrap handle's error with the offset (\"handle event 5: {:w}\") and return it at once, without moving the "
           "cursor past that event: it has not taken effect.") {
  TempDir dir;
  const std::string cursor = dir.file("cursor");
  check.say("consume(..., every = 3) on a stream of 10 events; handle fails at event 5");
  Outcome o = consume_once(cursor, 10, 3, [](const Event& e) { return e.offset == 5 ? ErrStoreDown : goro::Error{}; });
  expect_no_panic(check, o);
  check.expect_is(o.err, ErrStoreDown, "the handler's error (ErrStoreDown)");
  static const std::regex kFive("(^|[^0-9])5([^0-9]|$)");
  check.expect(std::regex_search(o.err.message(), kFive), "the message names the event's offset 5",
               "\"" + o.err.message() + "\"", mistake::missing_context);
  check.expect(o.handled == iota(0, 6), "handle called for events 0..5, none after the failure",
               "handle called for events " + spans(o.handled));
  const auto after = slurp(cursor);
  const auto saved = after ? parse_cursor(*after) : std::optional<std::int64_t>(0);
  check.expect(saved.has_value() && *saved <= 5, "the cursor file at most 5 (event 5 is still to be handled)",
               fmt::format("the cursor file holds {}{}", quote(after),
                           saved && *saved > 5 ? ": a restart would skip the failed event 5" : ""),
               {mistake::lost_item, "The cursor may move past an event only once handle returned nil for it."});
  check.say(fmt::format("consume again on the same file (it holds {}), handle working now", quote(after)));
  Outcome again = consume_once(cursor, 10, 3);
  expect_no_panic(check, again);
  check.expect_ok(again.err, "the second consume");
  check.expect(again.handled == iota(*saved, 10), fmt::format("events handled: {}..9", *saved),
               "events handled: " + spans(again.handled));
  expect_final_cursor(check, cursor, 10);
}

DOJO_CHECK("cancelled mid-stream: ctx.err() promptly, no event after it; the next start resumes from the cursor",
           "Watch ctx.done() next to the channel, and check ctx.err() when the channel closes: the stream's task "
           "closes it when the context ends, which is not the end of the stream.") {
  {
    TempDir dir;
    const std::string cursor = dir.file("cursor");
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    check.say("consume(..., every = 3) on a stream with no end; the caller cancels the context while event 7 is handled");
    Outcome o = consume_once(cursor, -1, 3, [cancel = cancel](const Event& e) {
      if (e.offset == 7) cancel();
      return goro::Error{};
    }, ctx);
    cancel();
    expect_no_panic(check, o);
    std::string got = "consume returned " + result_of(o.err);
    if (!o.err) got += ": it took the closed channel for the end of the stream (the stream's task closed it because the context ended)";
    check.expect(goro::is(o.err, goro::Canceled), "an error wrapping goro::Canceled", got,
                 !o.err ? Why(mistake::ignored_cancellation) : Why());
    check.expect((o.handled.size() == 8 || o.handled.size() == 9) &&
                     o.handled == iota(0, static_cast<std::int64_t>(o.handled.size())),
                 "events 0..7 handled (at most the one already received after the cancellation)",
                 "events handled: " + spans(o.handled),
                 {o.handled.size() > 9 ? mistake::ignored_cancellation : mistake::wrong_result,
                  "Look at ctx.err() before calling handle."});
    const auto after = slurp(cursor);
    const auto saved = after ? parse_cursor(*after) : std::optional<std::int64_t>(0);
    check.expect(saved.has_value() && *saved <= static_cast<std::int64_t>(o.handled.size()),
                 fmt::format("the cursor file missing or at most {} (the events handled)", o.handled.size()),
                 "the cursor file holds " + quote(after));
    check.say(fmt::format("starting again on the same file ({}), on a stream of 12 events, not cancelled", quote(after)));
    Outcome again = consume_once(cursor, 12, 3);
    expect_no_panic(check, again);
    check.expect_ok(again.err, "the second consume");
    check.expect(again.handled == iota(*saved, 12), fmt::format("events handled: {}..11", *saved),
                 "events handled: " + spans(again.handled));
    expect_final_cursor(check, cursor, 12);
  }
  {
    TempDir dir;
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    cancel();
    check.say("consume with a context cancelled before the call");
    Outcome o = consume_once(dir.file("cursor"), -1, 3, {}, ctx);
    expect_no_panic(check, o);
    check.expect(goro::is(o.err, goro::Canceled) && o.handled.empty(), "an error wrapping goro::Canceled, no event handled",
                 fmt::format("consume returned {}, events handled: {}", result_of(o.err), spans(o.handled)),
                 !o.err || !o.handled.empty() ? Why(mistake::ignored_cancellation) : Why());
  }
}

// ---- the child: consume in a process of its own, killed at a chosen point ---------------------

struct Child {
  std::string dir;
  long kill_at = 0;
  long points = 0;
  int ledger = -1;

  // Appends `line` to the file with one write(2): a kill cannot tear it.
  static void append(const std::string& path, const std::string& line) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    (void)!::write(fd, line.data(), line.size());
    ::close(fd);
  }
  // A kill point: the Nth ends the process, as a power-less crash or the OOM killer would.
  void point(const std::string& what) {
    ++points;
    if (points != kill_at) return;
    append(dir + "/kills.log", what + "\n");
    ::kill(::getpid(), SIGKILL);
  }
  void record(std::int64_t offset) const {
    const std::string line = fmt::format("{}\n", offset);
    (void)!::write(ledger, line.data(), line.size());
  }
};

std::string arg(const std::vector<std::string>& args, const std::string& name, const std::string& dflt = {}) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) return args[i + 1];
  return dflt;
}

DOJO_SUBPROCESS(consumer) {
  Child c;
  c.dir = arg(args, "--dir");
  c.kill_at = std::stol(arg(args, "--kill-at", "0"));
  const std::int64_t length = std::stoll(arg(args, "--events", "10"));
  const int every = std::stoi(arg(args, "--every", "5"));
  const std::uint64_t seed = std::stoull(arg(args, "--seed", "0"));
  c.ledger = ::open((c.dir + "/ledger.log").c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (c.ledger < 0) {
    std::printf("ledger: %s\n", std::strerror(errno));
    return 4;
  }
  Child::append(c.dir + "/ledger.log", "run " + arg(args, "--run", "1") + "\n");

  // The moments of a save where a crash would hurt; reading the cursor is not one.
  ft::set_file_hook([&c](const ft::FileOp& op) {
    const std::string f = base(op.path);
    if (op.op == "create" && op.when == "after") c.point("just after create " + f);
    if (op.op == "write" && op.when == "half") c.point("between the two halves of a write to " + f);
    if (op.op == "write" && op.when == "after") c.point("just after a write to " + f);
    if (op.op == "sync" && op.when == "after") c.point("just after sync " + f);
    if (op.op == "rename" && op.when == "before") c.point(fmt::format("just before rename {} → {}", f, base(op.to)));
    if (op.op == "rename" && op.when == "after") c.point(fmt::format("just after rename {} → {}", f, base(op.to)));
  });

  std::string out;
  auto body = [&] {
    Feed feed(length);
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    goro::Error err = goro::catch_panic([&] {
      return dojo::ex17::consume(
          ctx, c.dir + "/cursor", feed.subscribe(),
          [&c](const goro::Context&, const Event& e) -> goro::Error {
            c.point(fmt::format("in handle of event {}, before its effect", e.offset));
            c.record(e.offset);
            c.point(fmt::format("in handle of event {}, after its effect", e.offset));
            return {};
          },
          every);
    });
    cancel();
    feed.stop();
    if (goro::as<goro::PanicError>(err)) {
      out = fmt::format("result: panic\nmessage: {}\n", err.message());
      return;
    }
    out = err ? fmt::format("result: error\nmessage: {}\n", err.message()) : std::string("result: ok\n");
  };
  if (seed > 0) {
    goro::SimResult r = goro::simulate(seed, body);
    if (r.outcome != goro::SimResult::Outcome::ok) {
      std::printf("result: broken\nmessage: %s\n", r.report.c_str());
      return 0;
    }
  } else {
    body();
  }
  std::printf("%spoints: %ld\n", out.c_str(), c.points);
  return 0;
}

// ---- the parent: starting, killing, reading the cursor file and the ledger ----------------------

const char* const kTornHint =
    "Never write the cursor file itself: write a temporary file in the same folder, sync it, close it, and rename "
    "it over the cursor. A rename replaces the file whole, so whenever the process dies the file holds the old "
    "cursor or the new.";
const char* const kKillHint =
    "Move the cursor past an event only after handle returned for it, save every `every` events and at the end, "
    "and on start resume from the saved cursor.";

// One stream in one folder, consumed by as many starts of the child as the check likes.
struct Crashy {
  Check& check;
  std::int64_t length;
  int every;
  TempDir dir;
  int launches = 0;
  int kills = 0;
  long points = 0;            // of the last launch that was not killed
  int most_again = 0;         // the most events one start handled a second time
  std::set<std::int64_t> handled;  // by every start so far
  bool cursor_seen = false;   // the cursor file existed after some start

  Crashy(Check& c, std::int64_t n, int e) : check(c), length(n), every(e) {}

  [[nodiscard]] std::string cursor() const { return dir.file("cursor"); }

  // The offsets handled by start `run`, from the ledger.
  [[nodiscard]] std::vector<std::int64_t> ledger_of(int run) const {
    std::ifstream in(dir.file("ledger.log"));
    std::vector<std::int64_t> out;
    std::string line;
    int current = 0;
    while (std::getline(in, line)) {
      if (line.rfind("run ", 0) == 0) {
        current = std::stoi(line.substr(4));
      } else if (current == run && !line.empty()) {
        out.push_back(std::stoll(line));
      }
    }
    return out;
  }

  // Starts the child (killing it at point `kill_at`, 0: never) and checks what it left.
  // Returns true when it was killed.
  bool launch(long kill_at) {
    ++launches;
    const auto before = slurp(cursor());
    const std::int64_t start = before ? parse_cursor(*before).value_or(0) : 0;
    const std::vector<std::string> args{"--dir", dir.path(), "--kill-at", std::to_string(kill_at), "--seed",
                                        std::to_string(check.seed()), "--run", std::to_string(launches),
                                        "--events", std::to_string(length), "--every", std::to_string(every)};
    const ProcessResult p = dojo::grader::run_subprocess("consumer", args);
    if (p.timed_out)
      check.fail("your consumer finishes (each start takes milliseconds)",
                 fmt::format("start {} was still going after 60 s and was stopped:\n{}", launches, p.output),
                 "Something waits forever: a receive that nothing will answer, or a loop that never ends.");
    bool killed = false;
    std::string where;
    if (p.killed_by == SIGKILL && kill_at > 0) {
      killed = true;
      ++kills;
      std::ifstream log(dir.file("kills.log"));
      std::string line;
      while (std::getline(log, line)) where = line;
      check.say(fmt::format("start {}: killed (SIGKILL) {}", launches, where));
    } else if (p.killed_by != 0) {
      check.fail("your consumer runs without crashing",
                 fmt::format("start {} crashed with signal {} ({}):\n{}", launches, p.killed_by, strsignal(p.killed_by), p.output));
    } else {
      std::map<std::string, std::string> field;
      std::istringstream in(p.output);
      std::string line;
      while (std::getline(in, line))
        if (auto colon = line.find(": "); colon != std::string::npos) field[line.substr(0, colon)] = line.substr(colon + 2);
      if (p.exit_code != 0 || field["result"] == "panic" || field["result"] == "broken" || field["result"].empty())
        check.fail("consume returns normally", fmt::format("start {} ended with:\n{}", launches, p.output),
                   "An exception escaped consume, or goro found a problem in the run (shown above).");
      check.say(fmt::format("start {}: consume returned {}", launches,
                            field["result"] == "ok" ? std::string("nil") : fmt::format("error \"{}\"", field["message"])));
      if (field["result"] != "ok")
        check.fail("consume returns nil at the end of the stream", fmt::format("start {}: consume returned error \"{}\"",
                                                                               launches, field["message"]), kKillHint);
      points = std::stol(field["points"]);
    }
    const std::string after_what = killed ? "after the kill " + where : "after consume returned";

    // This start's events: from the cursor it found, one after the other.
    const std::vector<std::int64_t> mine = ledger_of(launches);
    if (!mine.empty() && mine[0] != start)
      check.fail(fmt::format("start {} resumes at the saved cursor {}", launches, start),
                 fmt::format("start {} handled events {}: it began at event {}, not at the saved cursor {}", launches,
                             spans(mine), mine[0], start),
                 {mine[0] < start ? mistake::duplicate : mistake::lost_item, "Load the cursor and subscribe from it."});
    for (std::size_t i = 1; i < mine.size(); ++i)
      if (mine[i] != mine[i - 1] + 1)
        check.fail("each start handles the events one after the other, none skipped",
                   fmt::format("start {} handled events {}", launches, spans(mine)), mistake::lost_item);
    int again = 0;
    std::vector<std::int64_t> again_list;
    for (const std::int64_t o : mine)
      if (handled.count(o) != 0) {
        ++again;
        again_list.push_back(o);
      }
    if (again > every)
      check.fail(fmt::format("at most every = {} events handled a second time after a kill (those handled since the "
                             "last save)",
                             every),
                 fmt::format("start {} handled {} events a second time (events {}) after the kill of start {}", launches,
                             again, spans(again_list), launches - 1),
                 {mistake::duplicate,
                  "Save the cursor every `every` events, and resume from it: a crash then repeats at most that many."});
    most_again = std::max(most_again, again);
    handled.insert(mine.begin(), mine.end());

    // The cursor file: missing (nothing saved yet), or one whole cursor that passes no
    // unhandled event.
    const auto now = slurp(cursor());
    if (!now) {
      if (cursor_seen)
        check.fail("the cursor file, once saved, is always there",
                   fmt::format("{}, the cursor file is gone (it was there before)", after_what), kTornHint);
    } else {
      const auto c = parse_cursor(*now);
      if (!c)
        check.fail("after a kill, the cursor file is missing (nothing saved yet) or holds one whole cursor, \"<digits>\\n\"",
                   fmt::format("{}, the cursor file holds {} ({})", after_what, quote(now),
                               now->empty() ? "empty" : "torn"),
                   kTornHint);
      cursor_seen = true;
      for (std::int64_t o = 0; o < *c; ++o)
        if (handled.count(o) == 0)
          check.fail("the saved cursor never passes an event that was not handled",
                     fmt::format("{}, the cursor file says {}, but event {} was never handled: a restart would skip it",
                                 after_what, *c, o),
                     {mistake::lost_item, kKillHint});
      if (*c > length)
        check.fail(fmt::format("the cursor at most {} (the stream's end)", length),
                   fmt::format("{}, the cursor file says {}", after_what, *c));
    }
    if (!killed) {
      std::vector<std::int64_t> missing;
      for (std::int64_t o = 0; o < length; ++o)
        if (handled.count(o) == 0) missing.push_back(o);
      check.expect(missing.empty(), fmt::format("every event 0..{} handled at least once", length - 1),
                   fmt::format("events never handled: {}", spans(missing)), {mistake::lost_item, kKillHint});
      expect_final_cursor(check, cursor(), length);
    }
    return killed;
  }
};

DOJO_CHECK("killed at every point of a stream and restarted: none skipped, the cursor never torn, at most `every` again",
           kKillHint, {.seeds = 1}) {
  const std::int64_t length = 12;
  const int every = 5;
  long points = 0;
  {
    Crashy scratch(check, length, every);
    check.say(fmt::format("a run of 12 events with every = {}, not killed, to count its kill points", every));
    (void)scratch.launch(0);
    points = scratch.points;
  }
  check.say(fmt::format("an uninterrupted run passes {} kill points; killing at each in turn", points));
  int kills = 0;
  int most_again = 0;
  for (long k = 1; k <= points; ++k) {
    Crashy s(check, length, every);
    check.say(fmt::format("a new stream and cursor, killed at kill point {} of {}, then started again", k, points));
    if (s.launch(k)) (void)s.launch(0);
    kills += s.kills;
    most_again = std::max(most_again, s.most_again);
  }
  check.report(fmt::format("survived {} kills (SIGKILL), one at each of {} points, in handle and in every step of a save; "
                           "at most {} events handled twice after a kill (bound: {})",
                           kills, points, most_again, every));
}

DOJO_CHECK("killed again and again in one stream of 40 events: it still ends with every event handled",
           kKillHint, {.seeds = 1}) {
  Crashy s(check, 40, 5);
  check.say("a stream of 40 events, every = 5, killed after a different number of kill points at each start");
  const long pattern[] = {13, 29, 7, 22, 17, 31, 11, 25, 19};
  bool killed = true;
  for (int i = 0; i < 80 && killed; ++i) killed = s.launch(pattern[i % 9]);
  check.expect(!killed, "the stream ends after a few restarts", "it was still being killed after 80 starts",
               "Each start must get further than the last: save the cursor every `every` events.");
  check.report(fmt::format("survived {} kills in one stream; at most {} events handled twice after a kill (bound: 5)",
                           s.kills, s.most_again));
}

}  // namespace
