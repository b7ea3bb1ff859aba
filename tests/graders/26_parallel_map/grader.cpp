// Hidden checks for exercise 26 (parallel_map).
//
// Every call of f goes through a probe: it counts the calls in flight (the kit's Concurrency),
// records which items were passed to f, in which order the calls began and returned, and
// whether a call began after the failure the check arranged.
//
// On the virtual clock every call's moments are exact, so the checks also compare when
// parallel_map returns. On real threads nothing is judged by time: what a check needs to have
// happened is made by events. A call that must be in flight together with others waits until
// the probe has seen enough calls at once; a call that must fail while others are in flight
// fails only then; a call that must outlive a failure waits for its context to be cancelled. A
// call that waits for something the learner's code should do (cancel its context) carries a
// guard timer on the virtual clock only, so that code that never does it fails with a message
// instead of a deadlock.
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "grader.hpp"
#include "kit.hpp"
#include "parallel_map.hpp"

using dojo::ex26::MapFn;
using dojo::ex26::parallel_map;
using dojo::grader::Check;
using dojo::grader::offset;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_order, mistake::over_limit, mistake::kept_going, mistake::leak,
                     mistake::missing_wrap);

namespace {

const goro::Error ErrInvalid = goro::new_error("invalid record");
const goro::Error ErrUpstream = goro::new_error("upstream returned 503");
const goro::Error ErrRejected = goro::new_error("record rejected");

// f's typed error in the wrapping check: found by goro::as, and it unwraps to ErrInvalid.
struct BadRecord {
  int value = 0;
  [[nodiscard]] std::string message() const { return fmt::format("bad record {}", value); }
  [[nodiscard]] goro::Error unwrap() const { return ErrInvalid; }
};

// What every successful call returns for its item.
int value_of(int item) { return item * 10 + 3; }

std::string dur(goro::Duration d) { return goro::format_duration(d); }

// What the calls of f did, shared by all of them (and by any call left running by mistake).
struct Probe {
  dojo::grader::Concurrency seen;
  std::atomic<int> returned{0};
  std::atomic<bool> failed{false};  // set by the call the check makes fail, just before it returns
  std::atomic<int> cancelled{0};    // calls that saw their context cancelled while they waited
  std::mutex mu;
  std::vector<int> called;          // items, in the order their calls began
  std::vector<int> after_failure;   // items whose call began once `failed` was set
  std::vector<int> finished;        // items, in the order their calls returned

  std::vector<int> called_items() {
    std::lock_guard lk(mu);
    return called;
  }
  std::vector<int> late_items() {
    std::lock_guard lk(mu);
    return after_failure;
  }
  bool began_late(int item) {
    std::lock_guard lk(mu);
    return std::find(after_failure.begin(), after_failure.end(), item) != after_failure.end();
  }
  std::vector<int> finished_items() {
    std::lock_guard lk(mu);
    return finished;
  }
};

// The body of one call: its context, its item, and its number among the calls (1-based, in the
// order they began).
using Body = std::function<goro::Result<int>(const goro::Context& ctx, int item, int number)>;

// f for parallel_map: records the call in the probe around `body`.
MapFn probed(const std::shared_ptr<Probe>& p, Body body) {
  return [p, body = std::move(body)](const goro::Context& ctx, int item) -> goro::Result<int> {
    // Read before the call counts as in flight: a call that helped make the peak a failing call
    // waits for (on real threads) has then surely read `failed` before it was set.
    const bool late = p->failed.load();
    auto in = p->seen.enter();
    {
      std::lock_guard lk(p->mu);
      p->called.push_back(item);
      if (late) p->after_failure.push_back(item);
    }
    struct Returned {
      Probe& p;
      int item;
      ~Returned() {
        {
          std::lock_guard lk(p.mu);
          p.finished.push_back(item);
        }
        ++p.returned;
      }
    } returned{*p, item};
    return body(ctx, item, in.number());
  };
}

// Free mode: parks the calling call until the probe has seen `want` calls in flight at once.
// Used to make calls overlap on real threads without relying on how long anything takes.
void wait_for_peak(const Probe& p, int want) {
  while (p.seen.peak() < want) goro::sleep(1ms);  // a polling period: the verdict never depends on it
}

// Waits for ctx.done(). On the virtual clock, gives up after `guard` (nobody cancelled it); on
// real threads waits as long as it takes. Returns true when ctx was cancelled.
bool wait_cancelled(bool virt, const goro::Context& ctx, goro::Duration guard) {
  if (ctx.is_nil()) return false;
  if (!virt) {
    (void)ctx.done().recv();
    return true;
  }
  auto timer = goro::new_timer(guard);
  if (goro::select(goro::on_recv(ctx.done()), goro::on_recv(timer.c())) == 0) {
    timer.stop();
    return true;
  }
  return false;
}

std::string items_text(const std::vector<int>& v) { return dojo::grader::list(v); }

const char* const kHintOrder =
    "results[i] must be f(items[i]) whatever order the calls finish in: put each result in the place of its "
    "item (a slot per item, sized before the calls start, or its index kept with it), not where it happens "
    "to arrive.";
const char* const kHintLimit =
    "At most `limit` calls may be in flight: take a place before a call starts and give it back as it returns "
    "(an ErrGroup limit, a semaphore, or `limit` workers taking items one by one); a free place goes to the "
    "next item at once.";
const char* const kHintWrap =
    "Wrap the failing call's error with its index: goro::errorf(\"item {}: {:w}\", i, err). {:w}, not {}: "
    "it keeps f's error in the chain, so goro::is and goro::as still find it.";
const char* const kHintGroupCtx =
    "Pass f a context derived from ctx that the first failure cancels (a group's context, or one you cancel "
    "yourself), not the caller's ctx: the calls still in flight then see the failure at once.";
const char* const kHintNoNewCalls =
    "After the failure, start nothing new: look at the shared context (or whatever records the failure) before "
    "each new call, also after waiting for a free place, since the failure may have come meanwhile.";
const char* const kHintWaitAll =
    "Return only after every call you started has returned: the caller must be able to rely on nothing of "
    "parallel_map still running — no call of f, no task.";
const char* const kHintCaller =
    "The group's context is derived from the caller's: when the caller cancels (or its deadline passes), the "
    "calls in flight see it, no new call starts, and parallel_map returns an error that goro::is finds the "
    "context's error in.";

// Expects r to hold exactly value_of(items[i]) at every i; names the usual mistakes.
void expect_results(Check& check, const goro::Result<std::vector<int>>& r, const std::vector<int>& items,
                    const std::vector<int>& finished = {}) {
  if (!r.ok())
    check.fail(fmt::format("parallel_map returns the {} results", items.size()), Check::describe_error(r.error()),
               kHintOrder);
  const std::vector<int>& got = *r;
  std::vector<int> want;
  want.reserve(items.size());
  for (int item : items) want.push_back(value_of(item));
  if (got == want) return;
  const std::string expected =
      fmt::format("results[i] == f(items[i]) for every i: {}", dojo::grader::list(want));
  if (got.size() != want.size())
    check.fail(expected, fmt::format("{} results: {}", got.size(), dojo::grader::list(got)), kHintOrder);
  std::vector<int> a = got, b = want;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::size_t i = 0;
  while (got[i] == want[i]) ++i;
  std::string text = fmt::format("results: {}\nresults[{}] is {}", dojo::grader::list(got), i, got[i]);
  const auto at = std::find(want.begin(), want.end(), got[i]);
  if (at != want.end()) text += fmt::format(", which is f(items[{}])", at - want.begin());
  if (a == b) {
    std::vector<int> by_finish;
    for (int item : finished) by_finish.push_back(value_of(item));
    text += by_finish == got ? "\nthe right values, but not in input order: in the order the calls finished"
                             : "\nthe right values, but not in input order";
    check.fail(expected, text, {mistake::wrong_order, kHintOrder});
  }
  check.fail(expected, text, kHintOrder);
}

// The calls that were made: each item of `items` passed to f exactly once.
void expect_each_once(Check& check, Probe& p, const std::vector<int>& items) {
  std::vector<int> called = p.called_items();
  std::sort(called.begin(), called.end());
  std::vector<int> want = items;
  std::sort(want.begin(), want.end());
  if (called != want)
    check.fail(fmt::format("f called once for each of the {} items", items.size()),
               fmt::format("f was called {} times, for the items {}", called.size(), items_text(p.called_items())),
               "Start one call per item: no item left out, none twice.");
}

// No call of f may be running once parallel_map has returned.
void expect_all_returned(Check& check, Probe& p) {
  const int running = p.seen.calls() - p.returned.load();
  if (running != 0)
    check.fail("every call of f had returned when parallel_map returned",
               fmt::format("parallel_map returned while {} call(s) of f were still running ({} had begun, {} had "
                           "returned)",
                           running, p.seen.calls(), p.returned.load()),
               {mistake::leak, kHintWaitAll});
}

// The peak number of calls in flight must be exactly `want` (the limit, or fewer items).
void expect_peak(Check& check, Probe& p, int limit, int want) {
  const int peak = p.seen.peak();
  if (peak > limit)
    check.fail(fmt::format("at most {} call(s) of f in flight at any moment (limit {})", limit, limit),
               fmt::format("more calls in flight than the limit allows: {} at once", peak),
               {mistake::over_limit, kHintLimit});
  if (peak < want)
    check.fail(fmt::format("{} calls of f in flight at once", want),
               fmt::format("never more than {} at once: the items ran (partly) one after another", peak),
               {mistake::serialized, "The point of the limit is to run that many calls at once: start a new call "
                                     "whenever fewer than `limit` are in flight."});
}

std::vector<int> items_from(int first, int step, int count) {
  std::vector<int> v;
  for (int i = 0; i < count; ++i) v.push_back(first + step * i);
  return v;
}

}  // namespace

DOJO_CHECK("results come back in input order, whatever order the calls finish in", kHintOrder,
           dojo::grader::Options{.seeds = 6}) {
  const bool virt = check.deterministic();
  constexpr int kItems = 20, kLimit = 4;
  const std::vector<int> items = items_from(500, 7, kItems);
  auto p = std::make_shared<Probe>();
  // The call for items[i] takes a tenth of a second or two, the durations shuffled: they finish
  // in a very different order from the items'. On real threads: a few hundred microseconds.
  auto duration = [virt](int index) {
    const int k = (index * 7) % kItems + 1;  // 1..20, each once
    return virt ? goro::Duration(k * 10ms) : goro::Duration(k * 20us);
  };
  check.say(fmt::format("calling parallel_map(background, items, {}, f) with {} items {}, where the call for "
                        "items[i] sleeps ((7*i) % 20 + 1) * 10ms and returns item * 10 + 3",
                        kLimit, kItems, items_text(items)));
  const goro::Time t0 = goro::now();
  auto r = parallel_map(goro::background(), items, kLimit,
                        probed(p, [duration](const goro::Context&, int item, int) -> goro::Result<int> {
                          goro::sleep(duration((item - 500) / 7));
                          return value_of(item);
                        }));
  const goro::Duration took = goro::now() - t0;
  expect_all_returned(check, *p);
  expect_results(check, r, items, p->finished_items());
  expect_each_once(check, *p, items);
  expect_peak(check, *p, kLimit, virt ? kLimit : 1);
  if (virt) {
    check.expect(took == 580ms,
                 "parallel_map returns at +580ms: a call that returns frees its place for the next item at once",
                 fmt::format("parallel_map returned at {}", offset(took)),
                 "Do not start the items in batches of `limit`, waiting for the whole batch: one slow call then "
                 "holds up the three free places. Start the next item as soon as any call returns.");
  }
  std::vector<int> order;
  for (int item : p->finished_items()) order.push_back((item - 500) / 7);
  check.report(fmt::format("the calls finished in the order of the indexes {}", dojo::grader::list(order)));
}

DOJO_CHECK("at most `limit` calls at once, and exactly `limit` when there are enough items", kHintLimit) {
  const bool virt = check.deterministic();
  constexpr int kItems = 12, kLimit = 3;
  const std::vector<int> items = items_from(1, 1, kItems);
  auto p = std::make_shared<Probe>();
  if (virt)
    check.say(fmt::format("calling parallel_map(background, {}, {}, f), where every call takes 100ms", items_text(items),
                          kLimit));
  else
    check.say(fmt::format("calling parallel_map(background, {}, {}, f), where a call waits until 3 calls have been "
                          "in flight at once",
                          items_text(items), kLimit));
  const goro::Time t0 = goro::now();
  auto r = parallel_map(goro::background(), items, kLimit,
                        probed(p, [virt, p](const goro::Context&, int item, int) -> goro::Result<int> {
                          if (virt)
                            goro::sleep(100ms);
                          else
                            wait_for_peak(*p, kLimit);
                          return value_of(item);
                        }));
  const goro::Duration took = goro::now() - t0;
  expect_all_returned(check, *p);
  expect_peak(check, *p, kLimit, kLimit);
  expect_results(check, r, items);
  expect_each_once(check, *p, items);
  if (virt)
    check.expect(took == 400ms, "parallel_map returns at +400ms: 12 calls of 100ms, 3 at a time",
                 fmt::format("parallel_map returned at {}", offset(took)), kHintLimit);
  check.report(fmt::format("the most calls in flight at once: {} (limit {})", p->seen.peak(), kLimit));
}

DOJO_CHECK("limit 1: one call at a time, the items one after another",
           "With limit 1 the next call starts only when the previous one has returned.") {
  const bool virt = check.deterministic();
  const std::vector<int> items{42, 17, 8, 99, 23};
  auto p = std::make_shared<Probe>();
  check.say(fmt::format("calling parallel_map(background, {}, 1, f), where every call takes {}", items_text(items),
                        virt ? "100ms" : "a moment"));
  const goro::Time t0 = goro::now();
  auto r = parallel_map(goro::background(), items, 1,
                        probed(p, [virt](const goro::Context&, int item, int) -> goro::Result<int> {
                          goro::sleep(virt ? goro::Duration(100ms) : goro::Duration(200us));
                          return value_of(item);
                        }));
  const goro::Duration took = goro::now() - t0;
  expect_all_returned(check, *p);
  expect_peak(check, *p, 1, 1);
  expect_results(check, r, items);
  expect_each_once(check, *p, items);
  if (virt)
    check.expect(took == 500ms, "parallel_map returns at +500ms: 5 calls of 100ms, one after another",
                 fmt::format("parallel_map returned at {}", offset(took)),
                 "Start the next call as soon as the previous one has returned: no pause in between.");
}

DOJO_CHECK("a limit larger than the input: every item at once",
           "With fewer items than the limit, every item gets its call at once; nothing waits for a slot.") {
  const bool virt = check.deterministic();
  const std::vector<int> items{4, 1, 3, 2};
  constexpr int kLimit = 16;
  auto p = std::make_shared<Probe>();
  if (virt)
    check.say("calling parallel_map(background, {4, 1, 3, 2}, 16, f), where the call for item k takes k * 10ms");
  else
    check.say("calling parallel_map(background, {4, 1, 3, 2}, 16, f), where a call waits until all 4 have been in "
              "flight at once");
  const goro::Time t0 = goro::now();
  auto r = parallel_map(goro::background(), items, kLimit,
                        probed(p, [virt, p](const goro::Context&, int item, int) -> goro::Result<int> {
                          if (virt)
                            goro::sleep(item * 10ms);
                          else
                            wait_for_peak(*p, 4);
                          return value_of(item);
                        }));
  const goro::Duration took = goro::now() - t0;
  expect_all_returned(check, *p);
  expect_peak(check, *p, kLimit, 4);
  expect_results(check, r, items);
  expect_each_once(check, *p, items);
  if (virt)
    check.expect(took == 40ms, "parallel_map returns at +40ms, when the slowest call returns",
                 fmt::format("parallel_map returned at {}", offset(took)));
}

DOJO_CHECK("a failing item: the error is \"item <i>: <f's error>\", and goro::is / goro::as find f's error",
           kHintWrap) {
  const bool virt = check.deterministic();
  const std::vector<int> items = items_from(40, 1, 8);
  auto p = std::make_shared<Probe>();
  check.say(fmt::format("calling parallel_map(background, {}, 2, f), where f(45) fails with the typed error "
                        "BadRecord{{45}} (text \"bad record 45\", it unwraps to ErrInvalid) and every other call "
                        "succeeds",
                        items_text(items)));
  auto r = parallel_map(goro::background(), items, 2,
                        probed(p, [virt](const goro::Context&, int item, int) -> goro::Result<int> {
                          if (virt) goro::sleep(10ms);
                          if (item == 45) return goro::make_error(BadRecord{45});
                          return value_of(item);
                        }));
  expect_all_returned(check, *p);
  check.expect(!r.ok(), "an error: the call for items[5] failed",
               fmt::format("parallel_map returned {} results and no error", r.ok() ? r->size() : 0),
               "The first call of f to fail is parallel_map's answer.");
  const goro::Error err = r.error();
  const std::string text = err.message();
  if (text != "item 5: bad record 45") {
    std::string got = fmt::format("the error's text: \"{}\"", text);
    if (text == "bad record 45")
      got += "\nf's error as it is: it does not say which item failed";
    else if (text.rfind("item 45", 0) == 0)
      got += "\nthat is the item's value, 45; the index of the item in `items` is 5";
    check.fail("the error's text: \"item 5: bad record 45\"", got, kHintWrap);
  }
  check.expect_is(err, ErrInvalid, "ErrInvalid (BadRecord unwraps to it)", kHintWrap);
  const BadRecord bad = check.expect_as<BadRecord>(err, "BadRecord", kHintWrap);
  check.expect_eq(bad.value, 45, "goro::as<BadRecord>(err)->value");
}

DOJO_CHECK("the first failure cancels the context of the calls still in flight", kHintGroupCtx,
           dojo::grader::Options{.seeds = 8}) {
  const bool virt = check.deterministic();
  constexpr int kLimit = 4;
  const std::vector<int> items = items_from(0, 1, 8);
  auto p = std::make_shared<Probe>();
  auto failed_item = std::make_shared<std::atomic<int>>(-1);
  auto woke = std::make_shared<std::vector<goro::Duration>>();
  auto woke_mu = std::make_shared<std::mutex>();
  if (virt)
    check.say(fmt::format("calling parallel_map(background, {}, {}, f): the 4th call to begin fails with "
                          "ErrUpstream at +100ms; every other call waits for its context to be cancelled (giving up "
                          "after 1h), then returns errorf(\"lookup {{}}: {{:w}}\", item, ctx.err())",
                          items_text(items), kLimit));
  else
    check.say(fmt::format("calling parallel_map(background, {}, {}, f): the 4th call to begin fails with "
                          "ErrUpstream once 4 calls are in flight; every other call waits for its context to be "
                          "cancelled, then returns errorf(\"lookup {{}}: {{:w}}\", item, ctx.err())",
                          items_text(items), kLimit));
  const goro::Time t0 = goro::now();
  auto r = parallel_map(goro::background(), items, kLimit,
                        probed(p, [=](const goro::Context& ctx, int item, int number) -> goro::Result<int> {
                          if (number == kLimit) {
                            if (virt)
                              goro::sleep(100ms);
                            else
                              wait_for_peak(*p, kLimit);
                            failed_item->store(item);
                            p->failed = true;
                            return ErrUpstream;
                          }
                          const bool was_running = !p->began_late(item);
                          if (wait_cancelled(virt, ctx, 1h) && was_running) {
                            ++p->cancelled;
                            std::lock_guard lk(*woke_mu);
                            woke->push_back(goro::now() - t0);
                          }
                          if (ctx.err()) return goro::errorf("lookup {}: {:w}", item, ctx.err());
                          return value_of(item);
                        }));
  const goro::Duration took = goro::now() - t0;
  expect_all_returned(check, *p);
  const int in_flight = kLimit - 1;  // the calls running with the failing one
  check.expect(p->cancelled.load() == in_flight,
               fmt::format("the {} calls in flight with the failing one see their context cancelled", in_flight),
               fmt::format("{} of them did: their context was not cancelled when the call failed{}",
                           p->cancelled.load(), virt ? " (they waited 1h for it)" : ""),
               p->cancelled.load() < in_flight ? dojo::grader::Why{mistake::kept_going, kHintGroupCtx}
                                               : dojo::grader::Why{kHintGroupCtx});
  const int fi = failed_item->load();
  const std::string want_text = fmt::format("item {}: upstream returned 503", fi);
  if (r.ok() || r.error().message() != want_text) {
    std::string got = r.ok() ? std::string("parallel_map returned results and no error")
                             : fmt::format("the error: \"{}\"", r.error().message());
    if (!r.ok() && goro::is(r.error(), goro::Canceled))
      got += "\nthat is the error of a call that stopped BECAUSE of the failure: the first failure must be the "
             "answer, the errors that follow it are dropped";
    const char* const hint = "Keep the first error (goro::ErrGroup does: wait() returns the first error a task "
                             "returned) and drop the later ones; they are mostly the cancellation it caused.";
    check.fail(fmt::format("the error of the call that failed first: \"{}\"", want_text), got,
               r.ok() ? dojo::grader::Why{mistake::swallowed_error, hint}
               : goro::is(r.error(), goro::Canceled) ? dojo::grader::Why{mistake::wrong_error, hint}
                                                     : dojo::grader::Why{hint});
  }
  check.expect_is(r.error(), ErrUpstream, "ErrUpstream", kHintWrap);
  if (virt) {
    std::vector<goro::Duration> w;
    {
      std::lock_guard lk(*woke_mu);
      w = *woke;
    }
    check.expect(std::all_of(w.begin(), w.end(), [](goro::Duration d) { return d == 100ms; }),
                 "they see it at +100ms, the moment the call fails",
                 fmt::format("they saw it at {}", dojo::grader::offsets(w)), kHintGroupCtx);
    check.expect(took == 100ms, "parallel_map returns at +100ms: the failure stops everything at once",
                 fmt::format("parallel_map returned at {}", offset(took)), kHintGroupCtx);
  }
}

DOJO_CHECK("no call starts after the failure: items not yet started are never passed to f", kHintNoNewCalls,
           dojo::grader::Options{.seeds = 8}) {
  const bool virt = check.deterministic();
  constexpr int kItems = 30, kLimit = 3;
  const std::vector<int> items = items_from(0, 1, kItems);
  auto p = std::make_shared<Probe>();
  auto failed_item = std::make_shared<std::atomic<int>>(-1);
  if (virt)
    check.say(fmt::format("calling parallel_map(background, {}, {}, f): the 1st call to begin fails with ErrRejected "
                          "at +100ms; the 2nd and 3rd ignore their context and succeed at +300ms; any later call "
                          "succeeds at once",
                          items_text(items), kLimit));
  else
    check.say(fmt::format("calling parallel_map(background, {}, {}, f): the 1st call to begin fails with ErrRejected "
                          "once 3 calls are in flight; the 2nd and 3rd succeed once their context is cancelled; any "
                          "later call succeeds at once",
                          items_text(items), kLimit));
  const goro::Time t0 = goro::now();
  auto r = parallel_map(goro::background(), items, kLimit,
                        probed(p, [=](const goro::Context& ctx, int item, int number) -> goro::Result<int> {
                          if (number == 1) {
                            if (virt)
                              goro::sleep(100ms);
                            else
                              wait_for_peak(*p, kLimit);
                            failed_item->store(item);
                            p->failed = true;
                            return ErrRejected;
                          }
                          if (number <= kLimit) {
                            // Work that finishes anyway: its slot comes free only after the failure.
                            if (virt)
                              goro::sleep(300ms);
                            else
                              (void)ctx.done().recv();
                          }
                          return value_of(item);
                        }));
  const goro::Duration took = goro::now() - t0;
  expect_all_returned(check, *p);
  const int fi = failed_item->load();
  const std::vector<int> late = p->late_items();
  if (!late.empty())
    check.fail(fmt::format("f is called only for the {} items in flight when item {} failed", kLimit, fi),
               fmt::format("f was also called for {} item(s) that had not started when item {} failed: {}",
                           late.size(), fi, items_text(late)),
               {mistake::kept_going, kHintNoNewCalls});
  check.expect(p->seen.calls() == kLimit, fmt::format("f called {} times in all", kLimit),
               fmt::format("f was called {} times, for the items {}", p->seen.calls(), items_text(p->called_items())),
               kHintNoNewCalls);
  check.expect(!r.ok() && r.error().message() == fmt::format("item {}: record rejected", fi),
               fmt::format("the error \"item {}: record rejected\"", fi),
               r.ok() ? std::string("parallel_map returned results and no error") : Check::describe_error(r.error()),
               kHintWrap);
  if (virt)
    check.expect(took == 300ms, "parallel_map returns at +300ms, once the two other calls in flight have returned",
                 fmt::format("parallel_map returned at {}", offset(took)), kHintWaitAll);
}

DOJO_CHECK("parallel_map returns only after every call it started has returned", kHintWaitAll,
           dojo::grader::Options{.seeds = 8}) {
  const bool virt = check.deterministic();
  constexpr int kLimit = 3;
  const std::vector<int> items = items_from(10, 10, 6);
  const goro::Duration cleanup = virt ? goro::Duration(1s) : goro::Duration(2ms);
  auto p = std::make_shared<Probe>();
  check.say(fmt::format("calling parallel_map(background, {}, {}, f): the 2nd call to begin fails with ErrRejected {}; "
                        "the other calls wait for their context to be cancelled, then need {} to clean up before "
                        "they return",
                        items_text(items), kLimit, virt ? "at +100ms" : "once 3 calls are in flight", dur(cleanup)));
  const goro::Time t0 = goro::now();
  auto r = parallel_map(goro::background(), items, kLimit,
                        probed(p, [=](const goro::Context& ctx, int, int number) -> goro::Result<int> {
                          if (number == 2) {
                            if (virt)
                              goro::sleep(100ms);
                            else
                              wait_for_peak(*p, kLimit);
                            p->failed = true;
                            return ErrRejected;
                          }
                          (void)wait_cancelled(virt, ctx, 1h);
                          goro::sleep(cleanup);
                          return ctx.err() ? goro::Result<int>(ctx.err()) : goro::Result<int>(0);
                        }));
  const goro::Duration took = goro::now() - t0;
  expect_all_returned(check, *p);
  check.expect_is(r.error(), ErrRejected, "ErrRejected", "The first failure is the answer.");
  if (virt)
    check.expect(took == 100ms + cleanup,
                 fmt::format("parallel_map returns at {}, when the last call has cleaned up", offset(100ms + cleanup)),
                 fmt::format("parallel_map returned at {}", offset(took)), kHintWaitAll);
}

DOJO_CHECK("the caller cancels while calls are in flight: they stop, and the error is goro::Canceled", kHintCaller,
           dojo::grader::Options{.seeds = 8}) {
  const bool virt = check.deterministic();
  constexpr int kLimit = 2;
  const std::vector<int> items = items_from(1, 1, 10);
  auto p = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto stopped = std::make_shared<std::atomic<int>>(0);
  auto cancel_fn = cancel;
  if (virt)
    check.say(fmt::format("calling parallel_map(ctx, {}, {}, f), where a call takes 100ms unless its context ends "
                          "first (then it returns errorf(\"lookup {{}}: {{:w}}\", item, ctx.err())); the caller "
                          "cancels ctx at +250ms",
                          items_text(items), kLimit));
  else
    check.say(fmt::format("calling parallel_map(ctx, {}, {}, f), where a call takes a moment unless its context ends "
                          "first (then it returns errorf(\"lookup {{}}: {{:w}}\", item, ctx.err())); the 5th call "
                          "cancels the caller's ctx, then waits for its own context to end",
                          items_text(items), kLimit));
  std::optional<dojo::grader::Canceller> canceller;
  if (virt) canceller.emplace(cancel, 250ms);
  const goro::Time t0 = goro::now();
  auto r = parallel_map(ctx, items, kLimit,
                        probed(p, [=](const goro::Context& c, int item, int number) -> goro::Result<int> {
                          if (!virt && number == 5) {
                            cancel_fn();
                            (void)c.done().recv();
                          } else {
                            (void)wait_cancelled(true, c, virt ? goro::Duration(100ms) : goro::Duration(200us));
                          }
                          if (c.err()) {
                            ++*stopped;
                            return goro::errorf("lookup {}: {:w}", item, c.err());
                          }
                          return value_of(item);
                        }));
  const goro::Duration took = goro::now() - t0;
  if (canceller) canceller->join();
  cancel();
  expect_all_returned(check, *p);
  if (r.ok())
    check.fail("an error that goro::is finds goro::Canceled in",
               fmt::format("parallel_map returned {} results and no error, although the caller cancelled", r->size()),
               kHintCaller);
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled", kHintCaller);
  if (virt) {
    check.expect(stopped->load() == kLimit,
                 fmt::format("the {} calls in flight at +250ms see their context end and stop", kLimit),
                 fmt::format("{} call(s) did", stopped->load()), kHintGroupCtx);
    check.expect(p->seen.calls() == 6, "f called 6 times: items 1 to 6 (no call starts after the cancellation)",
                 fmt::format("f was called {} times, for the items {}", p->seen.calls(), items_text(p->called_items())),
                 kHintNoNewCalls);
    check.expect(took == 250ms, "parallel_map returns at +250ms, as the caller cancels",
                 fmt::format("parallel_map returned at {}", offset(took)), kHintCaller);
  }
}

DOJO_CHECK("the caller's deadline passes while calls are in flight: the error is goro::DeadlineExceeded", kHintCaller) {
  const bool virt = check.deterministic();
  constexpr int kLimit = 3;
  const std::vector<int> items = items_from(5, 5, 8);
  const goro::Duration timeout = virt ? goro::Duration(250ms) : goro::Duration(5ms);
  auto p = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_timeout(goro::background(), timeout);
  check.say(fmt::format("calling parallel_map(ctx, {}, {}, f), where ctx has a deadline {} from now and every call "
                        "waits for its context to end, then returns ctx.err()",
                        items_text(items), kLimit, dur(timeout)));
  const goro::Time t0 = goro::now();
  auto r = parallel_map(ctx, items, kLimit,
                        probed(p, [virt](const goro::Context& c, int, int) -> goro::Result<int> {
                          if (!wait_cancelled(virt, c, 1h)) return 0;
                          return c.err();
                        }));
  const goro::Duration took = goro::now() - t0;
  cancel();
  expect_all_returned(check, *p);
  if (r.ok())
    check.fail("an error that goro::is finds goro::DeadlineExceeded in",
               fmt::format("parallel_map returned {} results and no error", r->size()), kHintCaller);
  check.expect_is(r.error(), goro::DeadlineExceeded, "goro::DeadlineExceeded", kHintCaller);
  // On real threads the deadline may pass before all three calls have begun: then fewer.
  check.expect(virt ? p->seen.calls() == kLimit : p->seen.calls() <= kLimit,
               fmt::format("f called {} times: the calls in flight when the deadline passed, and no more", kLimit),
               fmt::format("f was called {} times, for the items {}", p->seen.calls(), items_text(p->called_items())),
               kHintNoNewCalls);
  if (virt)
    check.expect(took == timeout, fmt::format("parallel_map returns at {}, at the deadline", offset(timeout)),
                 fmt::format("parallel_map returned at {}", offset(took)), kHintCaller);
}

DOJO_CHECK("a caller's context that is already cancelled: f is never called, the error is goro::Canceled",
           "A caller that has given up wants no work done: the group's context, derived from it, is cancelled "
           "from the start, so no call may begin.") {
  auto p = std::make_shared<Probe>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  check.say("ctx cancelled; calling parallel_map(ctx, {1, 2, 3, 4, 5}, 2, f)");
  auto r = parallel_map(ctx, {1, 2, 3, 4, 5}, 2, probed(p, [](const goro::Context&, int item, int) -> goro::Result<int> {
                          return value_of(item);
                        }));
  check.expect(p->seen.calls() == 0, "f never called",
               fmt::format("f was called {} times, for the items {}", p->seen.calls(), items_text(p->called_items())),
               kHintNoNewCalls);
  if (r.ok())
    check.fail("an error that goro::is finds goro::Canceled in",
               fmt::format("parallel_map returned {} results and no error", r->size()), kHintCaller);
  check.expect_is(r.error(), goro::Canceled, "goro::Canceled", kHintCaller);
}

DOJO_CHECK("no items: an empty result at once, no task started, f never called",
           "An empty input needs no group and no task: return the empty vector straight away.") {
  auto p = std::make_shared<Probe>();
  const MapFn f = probed(p, [](const goro::Context&, int item, int) -> goro::Result<int> { return value_of(item); });
  for (int limit : {1, 8}) {
    check.say(fmt::format("calling parallel_map(background, {{}}, {}, f)", limit));
    const int tasks_before = goro::num_tasks();
    const goro::Time t0 = goro::now();
    auto [r, steps] = dojo::grader::with_steps([&] { return parallel_map(goro::background(), {}, limit, f); });
    const goro::Duration took = goro::now() - t0;
    check.expect_ok(r.error(), fmt::format("parallel_map(background, {{}}, {}, f)", limit));
    check.expect_eq(r->size(), std::size_t{0}, "the number of results");
    check.expect_eq(p->seen.calls(), 0, "calls of f");
    check.expect(goro::num_tasks() == tasks_before, "no task left behind",
                 fmt::format("goro::num_tasks() went from {} to {}", tasks_before, goro::num_tasks()), kHintWaitAll);
    if (check.deterministic()) {
      check.expect(took == goro::Duration::zero(), "parallel_map returns at once (+0s)",
                   fmt::format("it returned at {}", offset(took)));
      check.expect(steps == 0, "no task started: parallel_map neither blocks nor starts a task that exits",
                   fmt::format("{} blocking step(s) (a task blocked, woke or exited) during the call", steps),
                   "With no items there is nothing to start and nothing to wait for.");
    }
  }
}

DOJO_CHECK("1,000 items, 16 at a time: every result right, each item passed to f exactly once",
           "Nothing in parallel_map should depend on the number of items: one slot per item, at most `limit` "
           "calls at once.",
           dojo::grader::Options{.seeds = 2}) {  // 1,000 tasks per run: two schedules are plenty
  const bool virt = check.deterministic();
  constexpr int kItems = 1000, kLimit = 16;
  const std::vector<int> items = items_from(-999, 2, kItems);
  auto p = std::make_shared<Probe>();
  check.say(fmt::format("calling parallel_map(background, items, {}, f) with {} items {}, where the call for item k "
                        "{}",
                        kLimit, kItems, items_text(items), virt ? "sleeps (|k| % 7 + 1) ms" : "returns at once"));
  auto r = parallel_map(goro::background(), items, kLimit,
                        probed(p, [virt](const goro::Context&, int item, int) -> goro::Result<int> {
                          if (virt) goro::sleep(std::chrono::milliseconds(std::abs(item) % 7 + 1));
                          return value_of(item);
                        }));
  expect_all_returned(check, *p);
  expect_results(check, r, items);
  expect_each_once(check, *p, items);
  expect_peak(check, *p, kLimit, virt ? kLimit : 1);
  check.report(fmt::format("the most calls in flight at once: {} (limit 16)", p->seen.peak()));
}
