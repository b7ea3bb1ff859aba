// Hidden checks for exercise 06 (skip).
#include <atomic>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "skip.hpp"

using dojo::ex06::ErrSkip;
using dojo::ex06::process;
using dojo::ex06::Transform;
using Texts = std::vector<std::string>;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::unexpected_error, mistake::swallowed_error, mistake::blocked_send,
                     mistake::missing_close, mistake::ignored_cancellation);

namespace {

const goro::Error ErrBroken = goro::new_error("broken item");

// A typed error a transform can return; the caller finds it with goro::as through any wrapping.
struct BadItem {
  std::string item;
  [[nodiscard]] std::string message() const { return fmt::format("bad item {:?}", item); }
};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Upper-cases; skips empty items with the bare ErrSkip; "boom" is broken (wraps ErrBroken).
// Counts its calls in `calls` (shared: the transform runs in the learner's task).
Transform shout(std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0)) {
  return [calls](const std::string& item) -> goro::Result<std::string> {
    ++*calls;
    if (item.empty()) return ErrSkip;
    if (item == "boom") return goro::errorf("transform {:?}: {:w}", item, ErrBroken);
    return upper(item);
  };
}


// The contract of every failing run: the transform's error is found, ErrSkip is not.
void expect_broken(dojo::grader::Check& check, const goro::Error& err) {
  check.expect_is(err, ErrBroken, "ErrBroken",
                  "Only ErrSkip is handled; every other error from the transform is returned by the "
                  "collecting stage (wrapped with {:w} if you add detail) and fails the pipeline.");
  check.expect_not_is(err, ErrSkip, "ErrSkip", "ErrSkip must never escape the collecting stage.");
}

}  // namespace

DOJO_CHECK("an empty input gives an empty output",
           "Nothing to transform: the transform stage closes at once and the collecting stage ends.") {
  check.say("calling process(background, {}, shout)");
  auto r = process(goro::background(), {}, shout());
  check.expect_ok(r.error(), "process(...)");
  check.expect_eq(r.value(), Texts{}, "the output");
}

DOJO_CHECK("one item", "A single message, then close.") {
  check.say("calling process(background, {\"x\"}, shout)");
  auto r = process(goro::background(), {"x"}, shout());
  check.expect_ok(r.error(), "process(...)");
  check.expect_eq(r.value(), Texts{"X"}, "the output");
}

DOJO_CHECK("only skipped items: an empty output, and success",
           "Skipping every item is not a failure: ErrSkip is handled in the collecting stage and never "
           "returned.") {
  check.say("calling process(background, {\"\", \"\", \"\"}, shout)");
  auto r = process(goro::background(), {"", "", ""}, shout());
  check.expect_ok(r.error(), "process(...)", "ErrSkip escaped: it must be handled, never returned.");
  check.expect_eq(r.value(), Texts{}, "the output");
}

DOJO_CHECK("skips at the first and at the last position",
           "Every message is looked at, the first and the last too.") {
  check.say("calling process(background, {\"\", \"a\", \"b\", \"\"}, shout)");
  auto r = process(goro::background(), {"", "a", "b", ""}, shout());
  check.expect_ok(r.error(), "process(...)");
  check.expect_eq(r.value(), Texts{"A", "B"}, "the output");
}

DOJO_CHECK("a wrapped ErrSkip is still a skip",
           "Test with goro::is(err, ErrSkip), which looks through wrapping. err == ErrSkip is true only "
           "for the bare sentinel, not for errorf(\"...: {:w}\", ErrSkip).") {
  const Transform why = [](const std::string& item) -> goro::Result<std::string> {
    if (item.empty()) return goro::errorf("blank line: {:w}", ErrSkip);
    return upper(item);
  };
  check.say("calling process(background, {\"a\", \"\", \"b\"}, t) where t returns errorf(\"blank line: {:w}\", "
            "ErrSkip) for \"\"");
  auto r = process(goro::background(), {"a", "", "b"}, why);
  check.expect_ok(r.error(), "process(...)", "A wrapped ErrSkip was treated as a failure.");
  check.expect_eq(r.value(), Texts{"A", "B"}, "the output");
}

DOJO_CHECK("skip what the transform says, not what looks empty",
           "Decide by the error only. The transform, not your stage, knows which items are skipped: here "
           "it skips comments (\"#...\") and keeps empty items as \"-\".") {
  const Transform comments = [](const std::string& item) -> goro::Result<std::string> {
    if (!item.empty() && item[0] == '#') return goro::errorf("comment {:?}: {:w}", item, ErrSkip);
    if (item.empty()) return std::string("-");
    return upper(item);
  };
  check.say("calling process(background, {\"a\", \"#note\", \"\", \"b\"}, t) where t skips \"#...\" and maps "
            "\"\" to \"-\"");
  auto r = process(goro::background(), {"a", "#note", "", "b"}, comments);
  check.expect_ok(r.error(), "process(...)");
  check.expect_eq(r.value(), Texts{"A", "-", "B"}, "the output");
}

DOJO_CHECK("a failure at the first item", "The first message can carry a real error too.") {
  check.say("calling process(background, {\"boom\", \"a\", \"b\"}, shout)");
  auto r = process(goro::background(), {"boom", "a", "b"}, shout());
  expect_broken(check, r.error());
}

DOJO_CHECK("a failure at the last item", "The result is the error, not the texts collected so far.") {
  check.say("calling process(background, {\"a\", \"\", \"b\", \"boom\"}, shout)");
  auto r = process(goro::background(), {"a", "", "b", "boom"}, shout());
  expect_broken(check, r.error());
}

DOJO_CHECK("a failure between skipped items: the failure wins, ErrSkip does not escape",
           "Skips before and after a real error change nothing: the pipeline fails with the real error.") {
  check.say("calling process(background, {\"\", \"boom\", \"\"}, shout)");
  auto r = process(goro::background(), {"", "boom", ""}, shout());
  expect_broken(check, r.error());
}

DOJO_CHECK("a typed error from the transform is found with goro::as",
           "Return the transform's error itself or wrap it with {:w}; {} would keep only its text.") {
  const Transform typed = [](const std::string& item) -> goro::Result<std::string> {
    if (item.empty()) return ErrSkip;
    if (item == "x?") return goro::make_error(BadItem{item});
    return upper(item);
  };
  check.say("calling process(background, {\"a\", \"\", \"x?\", \"b\"}, t) where t returns "
            "make_error(BadItem{\"x?\"}) for \"x?\"");
  auto r = process(goro::background(), {"a", "", "x?", "b"}, typed);
  const goro::Error err = r.error();
  const auto bad = goro::as<BadItem>(err);
  check.expect(bad.has_value(), "an error that goro::as<BadItem> finds", dojo::grader::Check::describe_error(err));
  check.expect_eq(bad->item, std::string("x?"), "the BadItem's item");
  check.expect_not_is(err, ErrSkip, "ErrSkip");
}

DOJO_CHECK("many items, every other one skipped: the order is kept",
           "One transform stage sending in input order and one collecting stage appending keep the order.") {
  const int n = check.deterministic() ? 20'000 : 5'000;
  std::vector<std::string> items;
  Texts want;
  for (int i = 0; i < n; ++i) {
    items.push_back(i % 2 == 0 ? std::to_string(i) : std::string());
    if (i % 2 == 0) want.push_back(std::to_string(i));
  }
  check.say(fmt::format("calling process(background, {{\"0\", \"\", \"2\", \"\", ... {} items}}, shout)", n));
  auto r = process(goro::background(), items, shout());
  check.expect_ok(r.error(), "process(...)");
  check.expect(r.value() == want, fmt::format("the {} even numbers, in order", want.size()),
               fmt::format("{} texts, not the expected ones in order", r.value().size()));
}

DOJO_CHECK("an early failure in a huge input: the transform stage stops",
           "When the collecting stage fails, the group cancels gctx; the transform stage must notice it "
           "(its send waits beside gctx.done()) and return, instead of transforming the rest.") {
  std::vector<std::string> items(100'000, "a");
  items[5] = "boom";
  auto calls = std::make_shared<std::atomic<int>>(0);
  check.say("calling process(background, {100,000 items, items[5] = \"boom\"}, shout)");
  auto r = process(goro::background(), items, shout(calls));
  expect_broken(check, r.error());
  const int n = calls->load();
  check.expect(n < 100, "transform called only a few times after the failure (fewer than 100 calls)",
               fmt::format("transform was called {} times: the transform stage kept going", n),
               mistake::ignored_cancellation);
}

DOJO_CHECK("an already-cancelled context: transform is never called",
           "Return ctx.err() before starting the stages: a cancelled caller wants no work.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto calls = std::make_shared<std::atomic<int>>(0);
  check.say("calling process(ctx, {\"a\", \"b\", \"c\"}, shout) with ctx already cancelled");
  auto r = process(ctx, {"a", "b", "c"}, shout(calls));
  // Work done for a caller who had already given up: the context was not looked at first.
  check.expect_eq(calls->load(), 0, "calls to transform", mistake::ignored_cancellation);
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
}

DOJO_CHECK("cancelled while working: returns the context's error promptly, no task left behind",
           "Every wait in both stages must also end when the group's context is done: the send needs "
           "gctx.done() beside it, and the receive ends on gctx.done() or on the close that follows.",
           dojo::grader::Options{.fair = true}) {
  std::vector<std::string> items(100'000, "a");
  for (std::size_t i = 0; i < items.size(); i += 3) items[i].clear();
  auto [ctx, cancel] = dojo::grader::cancel_after_events(200);
  check.say("calling process(ctx, {100,000 items, every third empty}, shout); a helper task cancels ctx "
            "once the pipeline is running");
  auto r = process(ctx, items, shout());
  cancel();
  // Every item transformed and no error: nothing watched the context.
  if (!r.error() && r.value().size() == items.size() - (items.size() + 2) / 3)
    check.fail("an error that goro::is finds goro::Canceled in",
               fmt::format("no error (nil), and all {} texts", r.value().size()), mistake::ignored_cancellation);
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled");
  check.expect_not_is(r.error(), ErrSkip, "ErrSkip");
}

DOJO_CHECK("the result does not depend on the schedule",
           "Read the output only after g.wait() returns; handle each message in the collecting stage.",
           dojo::grader::Options{.seeds = 12}) {
  check.say("calling process(background, {\"a\", \"\", \"b\", \"\", \"c\"}, shout)");
  auto r = process(goro::background(), {"a", "", "b", "", "c"}, shout());
  check.expect_ok(r.error(), "process(...)");
  check.expect_eq(r.value(), Texts{"A", "B", "C"}, "the output");
  check.say("calling process(background, {\"a\", \"\", \"boom\", \"\", \"c\"}, shout)");
  auto bad = process(goro::background(), {"a", "", "boom", "", "c"}, shout());
  expect_broken(check, bad.error());
}
