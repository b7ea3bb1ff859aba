// Hidden checks for exercise 08 (aggregate).
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>

#include "aggregate.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex08::process_all;
using dojo::grader::Check;
using namespace std::chrono_literals;

using dojo::grader::range;
using dojo::grader::list;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::swallowed_error, mistake::missing_wrap, mistake::lost_item, mistake::serialized,
                     mistake::unexpected_error, mistake::blocked_send, mistake::ignored_cancellation);

namespace {

// What the grader's fn saw, shared by every task that calls it (tasks run in parallel in free
// mode, hence the mutex). Held by shared_ptr so that a task left behind cannot outlive it.
struct Probe {
  goro::Mutex mu;
  std::map<int, int> calls;  // item -> how many times fn was called for it
  int cancelled = 0;         // items whose fn saw ctx cancelled while working
  int timed_out = 0;         // items whose fn gave up waiting for the others (see "at the same time")

  void call(int item) {
    std::lock_guard lk(mu);
    ++calls[item];
  }
  void saw_cancel() {
    std::lock_guard lk(mu);
    ++cancelled;
  }
};

// fn was called exactly once for every item, and for nothing else.
void expect_each_called_once(dojo::grader::Check& check, Probe& probe, const std::vector<int>& items) {
  std::lock_guard lk(probe.mu);
  std::vector<int> never, twice, unknown;
  std::set<int> wanted(items.begin(), items.end());
  for (int item : items) {
    auto it = probe.calls.find(item);
    if (it == probe.calls.end()) never.push_back(item);
    else if (it->second > 1) twice.push_back(item);
  }
  for (const auto& [item, n] : probe.calls)
    if (!wanted.contains(item)) unknown.push_back(item);
  std::string got;
  if (!never.empty()) got += fmt::format("items never attempted: {}\n", list(never));
  if (!twice.empty()) got += fmt::format("items attempted more than once: {}\n", list(twice));
  if (!unknown.empty()) got += fmt::format("fn called for values that are not items: {}\n", list(unknown));
  // An item never attempted went missing; one attempted twice (or a value that is no item) is a
  // counting mistake.
  check.expect(got.empty(), fmt::format("fn called exactly once for each of the {} items", items.size()), got,
               {!never.empty() ? mistake::lost_item : mistake::wrong_count,
                "Every item gets its own task, and no task looks at how the others did: a failure must "
                "not stop, skip or cancel any other item."});
}

// Every node of err's tree, pre-order (what goro::is and goro::as look through).
void visit(const goro::Error& err, const std::function<void(const goro::Error&)>& f) {
  if (!err) return;
  f(err);
  for (const auto& child : goro::unwrap_all(err)) visit(child, f);
}

// One distinct sentinel error per failing item.
using Sentinels = std::map<int, goro::Error>;
std::shared_ptr<const Sentinels> sentinels_for(const std::vector<int>& failing) {
  auto s = std::make_shared<Sentinels>();
  for (int item : failing) (*s)[item] = goro::new_error(fmt::format("boom {}", item));
  return s;
}

// fn: records the call; fails with the item's sentinel when it has one.
dojo::ex08::ItemFn failing_with(std::shared_ptr<Probe> probe, std::shared_ptr<const Sentinels> s) {
  return [probe, s](const goro::Context&, int item) -> goro::Error {
    probe->call(item);
    auto it = s->find(item);
    return it == s->end() ? goro::Error{} : it->second;
  };
}

// True when `text` contains `word` not followed by a digit ("boom 1" is not in "boom 15").
bool mentions(const std::string& text, const std::string& word) {
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const auto next = at + word.size();
    if (next == text.size() || !std::isdigit(static_cast<unsigned char>(text[next]))) return true;
  }
  return false;
}

// Each sentinel is in the joined error exactly once, found by goro::is. A sentinel that is
// nowhere, not even as text, was dropped; one whose text is there was wrapped as text only.
void expect_every_sentinel(dojo::grader::Check& check, const goro::Error& err, const Sentinels& s) {
  const char* const hint =
      "Keep every failure, not just the first or the last: collect them all, then goro::join "
      "them. Wrap with {:w}, never {}, so that goro::is can still find each one.";
  for (const auto& [item, sentinel] : s) {
    const bool as_text = err && mentions(err.message(), sentinel.message());
    check.expect_is(err, sentinel, fmt::format("the error of item {} (\"boom {}\")", item, item),
                    as_text ? dojo::grader::Why(mistake::missing_wrap, hint)
                            : dojo::grader::Why(mistake::swallowed_error, hint));
  }
  std::vector<int> twice;
  for (const auto& [item, sentinel] : s) {
    int n = 0;
    visit(err, [&](const goro::Error& e) { n += e == sentinel ? 1 : 0; });
    if (n > 1) twice.push_back(item);
  }
  check.expect(twice.empty(), "each failure reported once", fmt::format("reported more than once: {}", list(twice)));
}

// A typed error, to be found with goro::as.
struct BadItem {
  int item;
  [[nodiscard]] std::string message() const { return fmt::format("bad input {}", item); }
};

}  // namespace

DOJO_CHECK("no items: nil, and fn is never called", "With no item there is no task and nothing to join: join of nothing is nil.") {
  auto probe = std::make_shared<Probe>();
  check.say("calling process_all(background, {}, fn)");
  goro::Error err = process_all(goro::background(), {}, failing_with(probe, sentinels_for({})));
  check.expect_ok(err, "process_all(...)");
  expect_each_called_once(check, *probe, {});
}

DOJO_CHECK("one item that succeeds: nil", "Nothing failed, so there is nothing to join.") {
  auto probe = std::make_shared<Probe>();
  check.say("calling process_all(background, {7}, fn) where fn succeeds");
  goro::Error err = process_all(goro::background(), {7}, failing_with(probe, sentinels_for({})));
  check.expect_ok(err, "process_all(...)");
  expect_each_called_once(check, *probe, {7});
}

DOJO_CHECK("one item that fails: its error is returned, wrapped with the item",
           "Wrap with goro::errorf(\"item {}: {:w}\", item, err): {:w} keeps the error findable.") {
  auto probe = std::make_shared<Probe>();
  auto s = sentinels_for({7});
  check.say("calling process_all(background, {7}, fn) where fn fails with \"boom 7\"");
  goro::Error err = process_all(goro::background(), {7}, failing_with(probe, s));
  check.expect_is(err, s->at(7), "the error of item 7 (\"boom 7\")");
  check.expect(err.message().find("item 7: boom 7") != std::string::npos, "a message containing \"item 7: boom 7\"",
               Check::describe_error(err), "The statement fixes the wrapping: item <n>: <the error fn returned>.");
  expect_each_called_once(check, *probe, {7});
}

DOJO_CHECK("the first item fails: every later item is still attempted",
           "A failure is recorded, then the task ends: it must not stop the loop that starts the other tasks.") {
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 20);
  auto s = sentinels_for({1});
  check.say("calling process_all(background, {1 .. 20}, fn) where fn fails for item 1 only");
  goro::Error err = process_all(goro::background(), items, failing_with(probe, s));
  expect_each_called_once(check, *probe, items);
  expect_every_sentinel(check, err, *s);
}

DOJO_CHECK("the last item fails: its error is not lost",
           "Read the collected errors only after every task has finished (after wg.wait()).") {
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 20);
  auto s = sentinels_for({20});
  check.say("calling process_all(background, {1 .. 20}, fn) where fn fails for item 20 only");
  goro::Error err = process_all(goro::background(), items, failing_with(probe, s));
  expect_each_called_once(check, *probe, items);
  expect_every_sentinel(check, err, *s);
}

DOJO_CHECK("several failures at once: every one of them is in the joined error",
           "Errors that several tasks record need a lock, or one slot per task; goro::join then wraps "
           "them all. A group's wait() alone keeps only the first.") {
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 30);
  std::vector<int> failing;
  for (int item : items)
    if (item % 3 == 0) failing.push_back(item);
  auto s = sentinels_for(failing);
  check.say(fmt::format("calling process_all(background, {{1 .. 30}}, fn) where fn fails for {}", list(failing)));
  goro::Error err = process_all(goro::background(), items, failing_with(probe, s));
  expect_each_called_once(check, *probe, items);
  expect_every_sentinel(check, err, *s);
}

DOJO_CHECK("each failure names its item", "The statement fixes the wrapping: item <n>: <the error fn returned>.") {
  auto probe = std::make_shared<Probe>();
  auto s = sentinels_for({2, 5, 9});
  check.say("calling process_all(background, {1 .. 10}, fn) where fn fails for 2, 5 and 9 with \"boom <n>\"");
  goro::Error err = process_all(goro::background(), range(1, 10), failing_with(probe, s));
  check.expect(static_cast<bool>(err), "an error", "no error (nil)");
  for (int item : {2, 5, 9}) {
    std::string want = fmt::format("item {}: boom {}", item, item);
    check.expect(err.message().find(want) != std::string::npos, fmt::format("a message containing \"{}\"", want),
                 Check::describe_error(err));
  }
}

DOJO_CHECK("every item fails: goro::as finds every item's typed error",
           "Join all of them; the join is a tree that goro::is / goro::as search through every branch.") {
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 25);
  check.say("calling process_all(background, {1 .. 25}, fn) where fn fails for every item with make_error(BadItem{item})");
  goro::Error err = process_all(goro::background(), items, [probe](const goro::Context&, int item) {
    probe->call(item);
    return goro::make_error(BadItem{item});
  });
  expect_each_called_once(check, *probe, items);
  auto first = goro::as<BadItem>(err);
  check.expect(first.has_value(), "an error that goro::as<BadItem> finds", Check::describe_error(err));
  std::set<int> found;
  visit(err, [&](const goro::Error& e) {
    if (const BadItem* b = e.get_if<BadItem>()) found.insert(b->item);
  });
  std::vector<int> missing;
  for (int item : items)
    if (!found.contains(item)) missing.push_back(item);
  check.expect(missing.empty(), "a BadItem for each of the 25 items somewhere in the joined error",
               fmt::format("BadItem missing for items {}", list(missing)),
               {mistake::swallowed_error, "Keep every failure, not just one: collect them all, then goro::join them."});
}

DOJO_CHECK("a failure does not cancel the other items",
           "Give fn the caller's ctx. ErrGroup::with_context cancels its context at the first error: every "
           "other item would see a cancellation that nobody asked for.") {
  auto probe = std::make_shared<Probe>();
  auto items = range(0, 9);
  const goro::Error bad = goro::new_error("boom 0");
  check.say("calling process_all(background, {0 .. 9}, fn): item 0 fails at once, the others work for 10 ms "
            "while watching ctx.done()");
  goro::Error err = process_all(goro::background(), items, [probe, bad](const goro::Context& ctx, int item) -> goro::Error {
    probe->call(item);
    if (item == 0) return bad;
    if (goro::select(goro::on_recv(goro::after(10ms)), goro::on_recv(ctx.done())) == 1) {
      probe->saw_cancel();
      return ctx.err();
    }
    return {};
  });
  int cancelled = 0;
  {
    std::lock_guard lk(probe->mu);
    cancelled = probe->cancelled;
  }
  // The others were cut short by a cancellation nobody asked for: errors where none was due.
  check.expect(cancelled == 0, "the 9 other items finish their work: one failure cancels nothing",
               fmt::format("{} items saw their context cancelled while working", cancelled),
               mistake::unexpected_error);
  check.expect_not_is(err, goro::Canceled, "goro::Canceled");
  check.expect_is(err, bad, "the error of item 0 (\"boom 0\")");
  expect_each_called_once(check, *probe, items);
}

DOJO_CHECK("the items are processed at the same time",
           "One task per item, all started before waiting for any: calling fn in a loop, one item after "
           "the other, is not concurrent.") {
  struct Gate {
    goro::Mutex mu;
    int arrived = 0;
    goro::Chan<int> all_in = goro::make_chan<int>();
  };
  auto gate = std::make_shared<Gate>();
  auto probe = std::make_shared<Probe>();
  const int n = 8;
  // Up to 2 s on the virtual clock; a minute on real threads, where starting 8 threads on a busy
  // machine may take a while (items that run one after the other never get there at all).
  const goro::Duration patience = check.deterministic() ? goro::Duration(2s) : goro::Duration(60s);
  check.say(fmt::format("calling process_all(background, {{1 .. 8}}, fn) where each fn waits (up to {}) until all 8 "
                        "have started",
                        goro::format_duration(patience)));
  goro::Error err = process_all(goro::background(), range(1, n), [gate, probe, patience](const goro::Context&, int item) -> goro::Error {
    probe->call(item);
    {
      std::lock_guard lk(gate->mu);
      if (++gate->arrived == n) gate->all_in.close();
    }
    if (goro::select(goro::on_recv(gate->all_in), goro::on_recv(goro::after(patience))) == 1) {
      std::lock_guard lk(probe->mu);
      ++probe->timed_out;
      return goro::new_error("gave up waiting for the other items");
    }
    return {};
  });
  int timed_out = 0;
  {
    std::lock_guard lk(probe->mu);
    timed_out = probe->timed_out;
  }
  check.expect(timed_out == 0, "all 8 items in progress at the same time",
               fmt::format("{} items waited {} for the others to start: the items ran one after the other",
                           timed_out, goro::format_duration(patience)),
               mistake::serialized);
  check.expect_ok(err, "process_all(...)");
}

DOJO_CHECK("an already-cancelled context: its error, and no item attempted",
           "Check ctx.err() before starting any task: a cancelled caller wants no work.") {
  auto probe = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("calling process_all(ctx, {1 .. 10}, fn) with ctx already cancelled");
  goro::Error err = process_all(ctx, range(1, 10), failing_with(probe, sentinels_for({})));
  int calls = 0;
  {
    std::lock_guard lk(probe->mu);
    for (const auto& [item, n] : probe->calls) calls += n;
  }
  // Work done for a caller who had already given up: the context was not looked at first.
  check.expect_eq(calls, 0, "calls of fn", mistake::ignored_cancellation);
  check.expect_is(err, goro::Canceled, "goro::Canceled");
}

DOJO_CHECK("cancelled while the items work: every item stops, the result holds goro::Canceled, no task left behind",
           "Pass the caller's ctx to fn, and wait for every task before returning.",
           dojo::grader::Options{.fair = true}) {
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 12);
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  goro::go_named("grader: canceller", [cancel = cancel] {
    goro::sleep(5ms);
    cancel();
  });
  check.say("calling process_all(ctx, {1 .. 12}, fn) where fn waits for ctx.done(); a helper task cancels ctx after 5 ms");
  goro::Error err = process_all(ctx, items, [probe](const goro::Context& c, int item) -> goro::Error {
    probe->call(item);
    if (goro::select(goro::on_recv(c.done()), goro::on_recv(goro::after(10s))) == 1)
      return goro::new_error("fn was never told to stop: is it given the caller's ctx?");
    return c.err();
  });
  // If process_all refused the cancelled ctx outright, some items may not have been tried.
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  cancel();
}

DOJO_CHECK("the result does not depend on the schedule",
           "Errors written by several tasks need a lock or a slot each; read them only after every task has "
           "finished.",
           dojo::grader::Options{.seeds = 12}) {
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 16);
  auto s = sentinels_for({1, 4, 8, 15, 16});
  check.say("calling process_all(background, {1 .. 16}, fn) where fn yields, then fails for 1, 4, 8, 15 and 16");
  goro::Error err = process_all(goro::background(), items, [probe, s](const goro::Context&, int item) -> goro::Error {
    goro::yield();
    probe->call(item);
    auto it = s->find(item);
    return it == s->end() ? goro::Error{} : it->second;
  });
  expect_each_called_once(check, *probe, items);
  expect_every_sentinel(check, err, *s);
}

DOJO_CHECK("a large input: 1000 items, every seventh fails",
           "One task per item is fine: tasks are cheap. Every failure is kept.") {
  auto probe = std::make_shared<Probe>();
  auto items = range(1, 1000);
  std::vector<int> failing;
  for (int item : items)
    if (item % 7 == 0) failing.push_back(item);
  auto s = sentinels_for(failing);
  check.say("calling process_all(background, {1 .. 1000}, fn) where fn fails for every multiple of 7");
  goro::Error err = process_all(goro::background(), items, failing_with(probe, s));
  expect_each_called_once(check, *probe, items);
  std::set<const void*> found;  // the identities of the errors in the joined tree
  visit(err, [&](const goro::Error& e) { found.insert(e.node()); });
  std::vector<int> missing;
  for (const auto& [item, sentinel] : *s)
    if (!found.contains(sentinel.node())) missing.push_back(item);
  check.expect(missing.empty(), fmt::format("all {} failures in the joined error", failing.size()),
               fmt::format("the errors of these items are missing: {}", list(missing)),
               {mistake::swallowed_error, "Keep every failure, not just one: collect them all, then goro::join them."});
}
