// Hidden checks for exercise 27 (crawler).
//
// The grader plays both neighbours of crawl: a producer task that sends URLs on the channel
// (and closes it, or keeps it open as a producer still discovering pages would), and a fake
// site behind `fetch` that counts its calls, holds some of them until their context is
// cancelled, and fails the ones it is told to.
//
// On the virtual clock every moment is exact, so some checks compare when crawl returns. On
// real threads nothing is judged by time: durations are a tenth of the virtual ones and only
// make the runs realistic; the verdicts are counts (fetches in flight, calls per URL, URLs
// taken after a failure). A producer that waits for something crawl should do (return, or
// stop reading) carries a guard timer on the virtual clock: a crawl that never does it fails
// with a message instead of a deadlock.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crawler.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex27::crawl;
using dojo::ex27::Fetch;
using dojo::ex27::Pages;
using dojo::grader::Check;
using dojo::grader::offset;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::over_limit, mistake::duplicate, mistake::missing_context, mistake::ignored_cancellation,
                     mistake::leak, mistake::double_close);

namespace {

const goro::Error ErrBroken = goro::new_error("connection reset by peer");

// A typed error of the fake site, for goro::as.
struct HttpStatus {
  int code = 0;
  [[nodiscard]] std::string message() const { return fmt::format("HTTP {}", code); }
};

std::string url(int i) { return fmt::format("https://docs.test/{}", i); }
std::string body_of(const std::string& u) { return "<page " + u + ">"; }
std::string dur(goro::Duration d) { return goro::format_duration(d); }

// A virtual duration, or a tenth of it on real threads.
goro::Duration scaled(const Check& check, goro::Duration d) { return check.deterministic() ? d : d / 10; }

const char* const kHintBound =
    "At most `workers` fetches may run at once, however many URLs arrive: a fixed number of tasks that each "
    "take URLs until the channel is closed, or a reader that takes a place (a group limit, a semaphore) before "
    "it starts each fetch. A task per URL with no limit has no bound.";
const char* const kHintOnce =
    "Record a URL as taken the moment it is taken, before its fetch starts, in state every taker shares "
    "(guarded when several tasks take): a copy may arrive while the first fetch is still running.";
const char* const kHintWrap =
    "The fetch's error says what went wrong, not where: return goro::errorf(\"fetch {}: {:w}\", url, err), so "
    "the message names the URL and goro::is / goro::as still find the cause.";
const char* const kHintCancel =
    "Hand every fetch a context derived from ctx that the first fetch error cancels (a group's context, or one "
    "you cancel yourself): the fetches still in flight then give up.";
const char* const kHintWaitAll =
    "Return only after every fetch you started has returned, also when one failed (returning at the first "
    "error leaves the others running, with nobody waiting for them).";
const char* const kHintStop =
    "Take each URL with a select on `urls` and gctx.done(), and look at gctx.err() before taking the next one: "
    "select picks at random when both are ready. After a failure, take nothing more.";
const char* const kHintNoClose =
    "Only the sender closes a channel: `urls` belongs to the caller. When crawl stops early it just stops "
    "reading; the producer, watching its context, stops on its own.";
const char* const kHintSelect =
    "Never wait for a URL with a plain recv (or a range-for over the channel): on an empty channel that stays "
    "open it waits forever, deaf to the cancellation. Wait on `urls` and the context's done() in one select.";

// ---- the fake site ---------------------------------------------------------------------------

// What the fake site saw. Atomics and a std::mutex: on real threads fetches run in parallel.
// Held by shared_ptr, so that a fetch a buggy crawl leaves behind cannot outlive it.
struct Web {
  dojo::grader::Concurrency fetches;   // fetch calls: how many, how many at once
  std::mutex mu;
  std::map<std::string, int> calls;    // calls per URL (mu)
  std::atomic<int> cancelled{0};       // fetches that gave up because their context was done
  std::atomic<int> timed_out{0};       // held fetches that waited their whole patience: nobody cancelled them
  std::atomic<int> finished{0};        // fetches that returned, any way
  std::atomic<bool> failed{false};     // a failing fetch has returned its error

  int calls_of(const std::string& u) {
    std::lock_guard lk(mu);
    auto it = calls.find(u);
    return it == calls.end() ? 0 : it->second;
  }
  // "https://docs.test/3 was fetched 2 times", or empty when every URL was fetched at most once.
  std::string refetched() {
    std::lock_guard lk(mu);
    for (const auto& [u, n] : calls)
      if (n > 1) return fmt::format("{} was fetched {} times", u, n);
    return {};
  }
};

// How the fake site answers.
struct Plan {
  std::map<std::string, goro::Duration> takes{};  // a succeeding fetch of this URL takes this long...
  goro::Duration usual{0};                        // ...and of the others this long (0: yields once)
  std::map<std::string, goro::Error> fails{};     // these URLs fail...
  goro::Duration fail_after{0};                   // ...after this long
  bool hold = false;                              // succeeding fetches wait for their context (patience)
  goro::Duration patience{0};
  goro::Duration winddown{0};                     // a cancelled held fetch takes 1..16 times this to give up
  std::function<void(int number)> on_call{};      // called as each fetch begins, with its number (1-based)
};

Fetch site(std::shared_ptr<Web> w, Plan plan) {
  return [w, plan = std::move(plan)](const goro::Context& ctx, const std::string& u) -> goro::Result<std::string> {
    const auto here = w->fetches.enter();
    struct Finished {
      Web* w;
      ~Finished() { ++w->finished; }
    } finished{w.get()};
    {
      std::lock_guard lk(w->mu);
      ++w->calls[u];
    }
    if (plan.on_call) plan.on_call(here.number());
    if (auto it = plan.fails.find(u); it != plan.fails.end()) {
      if (plan.fail_after > goro::Duration(0)) goro::sleep(plan.fail_after);
      w->failed = true;
      return it->second;
    }
    if (plan.hold) {
      if (goro::select(goro::on_recv(goro::after(plan.patience)), goro::on_recv(ctx.done())) == 1) {
        ++w->cancelled;
        // Giving up takes a moment, a different one for each call: the first to finish wakes a
        // crawl that does not wait for the others, and it returns while they are still busy.
        goro::sleep(plan.winddown * (1 + here.number() % 16));
        return ctx.err();
      }
      ++w->timed_out;
      return body_of(u);
    }
    auto t = plan.takes.find(u);
    const goro::Duration d = t != plan.takes.end() ? t->second : plan.usual;
    if (d > goro::Duration(0)) {
      if (goro::select(goro::on_recv(goro::after(d)), goro::on_recv(ctx.done())) == 1) {
        ++w->cancelled;
        return ctx.err();
      }
    } else {
      goro::yield();
    }
    return body_of(u);
  };
}

// How long a held fetch waits for its context: 10 s virtual, a minute on real threads. A
// correct crawl cancels it within microseconds; only one that never cancels lets it run out.
goro::Duration patience(const Check& check) { return check.deterministic() ? goro::Duration(10s) : goro::Duration(60s); }
// The unit of a cancelled held fetch's giving up: 1ms virtual, 100µs on real threads.
goro::Duration winddown(const Check& check) { return check.deterministic() ? goro::Duration(1ms) : goro::Duration(100us); }

// ---- the producer ----------------------------------------------------------------------------

struct Feed {
  goro::Chan<std::string> urls;
  goro::Chan<goro::Unit> returned = goro::make_chan<goro::Unit>();  // closed by the check once crawl returned
  goro::Chan<goro::Unit> exited = goro::make_chan<goro::Unit>();    // closed by the producer as it ends
  std::atomic<int> taken{0};                 // URLs crawl took from the channel
  std::atomic<int> taken_after_failure{0};   // ... offered after a fetch had failed
  std::atomic<bool> send_panicked{false};    // a send found `urls` closed: crawl closed it
  std::atomic<bool> gave_up{false};          // the producer closed `urls` itself so that crawl could end
  std::string gave_up_why;                   // written before `exited` is closed
  bool holds_open = false;
};

struct FeedPlan {
  std::vector<std::string> list{};
  std::function<goro::Duration(int index)> gap{};  // waited before sending list[index] (none: 0)
  bool close = true;                               // close after the list; false: keep it open until crawl returns
  int endless = 0;                                 // after the list, offer generated URLs up to this number
  std::shared_ptr<Web> web{};                      // to count the URLs taken after a failure...
  int max_after_failure = 0;                       // ...and give up after this many (0: never)
};

// Starts the producer. It watches `returned` (crawl has returned: nobody reads any more) and, on
// the virtual clock, a guard of one hour: a crawl that never returns gets its channel closed,
// so that the check ends with a message instead of a deadlock.
std::shared_ptr<Feed> start_feed(const Check& check, FeedPlan plan) {
  auto f = std::make_shared<Feed>();
  f->urls = goro::make_chan<std::string>();
  f->holds_open = !plan.close;
  const bool virt = check.deterministic();
  goro::go_named("grader: producer", [f, plan = std::move(plan), virt] {
    goro::Timer timer;
    goro::Chan<goro::Time> guard;  // nil on real threads: never ready
    if (virt) {
      timer = goro::new_timer(1h);
      guard = timer.c();
    }
    const goro::Time t0 = goro::now();
    auto give_up = [&](std::string why) {
      f->gave_up_why = std::move(why);
      f->gave_up = true;
      (void)goro::catch_panic([&] { f->urls.close(); });
    };
    enum class Sent { taken, crawl_returned, guard };
    auto offer = [&](const std::string& u, goro::Duration gap) -> Sent {
      if (gap > goro::Duration(0)) {
        switch (goro::select(goro::on_recv(goro::after(gap)), goro::on_recv(f->returned), goro::on_recv(guard))) {
          case 1: return Sent::crawl_returned;
          case 2: return Sent::guard;
          default: break;
        }
      }
      const bool after_failure = plan.web && plan.web->failed.load();
      switch (goro::select(goro::on_send(f->urls, u), goro::on_recv(f->returned), goro::on_recv(guard))) {
        case 0:
          ++f->taken;
          if (after_failure) ++f->taken_after_failure;
          return Sent::taken;
        case 1: return Sent::crawl_returned;
        default: return Sent::guard;
      }
    };
    const goro::Error panicked = goro::catch_panic([&] {
      const int n = static_cast<int>(plan.list.size());
      const int total = std::max(n, plan.endless);
      for (int i = 0; i < total; ++i) {
        const std::string u = i < n ? plan.list[static_cast<std::size_t>(i)] : url(i + 1);
        const Sent s = offer(u, plan.gap && i < n ? plan.gap(i) : goro::Duration(0));
        if (s == Sent::crawl_returned) return;
        if (s == Sent::guard) {
          give_up(fmt::format("crawl did not return until the producer closed `urls` ({} after it started, while "
                              "the producer still had URLs to send)",
                              dur(goro::now() - t0)));
          return;
        }
        if (plan.max_after_failure > 0 && f->taken_after_failure.load() >= plan.max_after_failure) {
          give_up(fmt::format("crawl kept taking URLs after the failure: it took {} more, and the producer closed "
                              "`urls` to stop it",
                              f->taken_after_failure.load()));
          return;
        }
      }
      if (plan.close) {
        f->urls.close();
        return;
      }
      // Keep the channel open, as a producer that may still discover pages would.
      if (goro::select(goro::on_recv(f->returned), goro::on_recv(guard)) == 1)
        give_up(fmt::format("crawl did not return until the producer closed `urls` ({} after it started; it had "
                            "sent everything and kept the channel open)",
                            dur(goro::now() - t0)));
    });
    if (panicked) f->send_panicked = true;  // a send on `urls`, closed by crawl
    if (virt) (void)timer.stop();
    f->exited.close();
  });
  return f;
}

// A channel holding `urls` (buffered), closed.
goro::Chan<std::string> filled(const std::vector<std::string>& urls) {
  auto ch = goro::make_chan<std::string>(urls.size());
  for (const std::string& u : urls) ch.send(u);
  ch.close();
  return ch;
}

// ---- running crawl ---------------------------------------------------------------------------

struct Outcome {
  goro::Result<Pages> r = goro::Error(goro::new_error("crawl was not called"));
  goro::Duration took{};
  int in_flight = -1;  // fetch calls still in progress when crawl returned
};

Outcome run(const goro::Context& ctx, goro::Chan<std::string> urls, int workers, const Fetch& fetch,
            const std::shared_ptr<Web>& w) {
  Outcome o;
  const goro::Time t0 = goro::now();
  o.r = crawl(ctx, std::move(urls), workers, fetch);
  o.took = goro::now() - t0;
  o.in_flight = w->fetches.in_flight();
  return o;
}

// Lets the producer go and waits for it; then judges what it saw.
void finish_feed(Check& check, const std::shared_ptr<Feed>& f) {
  f->returned.close();
  (void)f->exited.recv();
  if (f->gave_up)
    check.fail("crawl returns on its own, without waiting for `urls` to be closed", f->gave_up_why,
               f->gave_up_why.find("kept taking") != std::string::npos
                   ? dojo::grader::Why{mistake::kept_going, kHintStop}
                   : dojo::grader::Why{mistake::ignored_cancellation, kHintSelect});
  bool closed = f->send_panicked.load();
  if (!closed && f->holds_open) {
    // The producer has ended without closing: nothing is buffered, so a receive that completes
    // at once means the channel was closed — by crawl.
    std::string v;
    bool ok = true;
    closed = goro::select(goro::on_recv(f->urls, &v, &ok), goro::on_default()) == 0 && !ok;
  }
  check.expect(!closed, "`urls` still open when crawl returns: it is the caller's",
               f->send_panicked ? "crawl closed `urls`: the producer's next send panicked (send on closed channel)"
                                : "crawl closed `urls`: the producer, its owner, would close it a second time",
               {f->send_panicked ? mistake::send_on_closed : mistake::double_close, kHintNoClose});
}

void expect_bound(Check& check, const Web& w, int workers) {
  const int peak = w.fetches.peak();
  check.expect(peak <= workers, fmt::format("at most {} in flight at once", workers == 1 ? std::string("1 fetch") : fmt::format("{} fetches", workers)),
               fmt::format("{} fetches were in flight at once", peak), {mistake::over_limit, kHintBound});
}

void expect_each_once(Check& check, Web& w) {
  const std::string twice = w.refetched();
  check.expect(twice.empty(), "each URL fetched once", twice, {mistake::duplicate, kHintOnce});
}

// Every URL of `want` returned with its body, and nothing else.
void expect_pages(Check& check, const Outcome& o, const std::vector<std::string>& want) {
  check.expect_ok(o.r.error(), "crawl(...)");
  const Pages& got = o.r.value();
  std::vector<std::string> missing, wrong;
  for (const std::string& u : want) {
    auto it = got.find(u);
    if (it == got.end())
      missing.push_back(u);
    else if (it->second != body_of(u))
      wrong.push_back(u);
  }
  check.expect(missing.empty(), fmt::format("all {} pages returned", want.size()),
               fmt::format("{} page(s) returned; missing: {}", got.size(), dojo::grader::list(missing)),
               "Read `urls` until it is closed and drained (ok == false), and keep every body you fetched.");
  check.expect(wrong.empty(), "each URL mapped to its own body",
               fmt::format("wrong body for {}", dojo::grader::list(wrong)),
               "Store the body under the URL that was fetched.");
  check.expect_eq(got.size(), want.size(), "number of pages returned");
}

// A cancelled crawl: the context's error (wrapped or not).
void expect_cancelled(Check& check, const Outcome& o) {
  check.expect(!o.r.ok() && goro::is(o.r.error(), goro::Canceled),
               "an error that goro::is finds goro::Canceled in (the caller cancelled)",
               o.r.ok() ? fmt::format("{} page(s) and no error", o.r.value().size())
                        : Check::describe_error(o.r.error()),
               "When ctx is cancelled, crawl stops and returns the context's error (the group's wait() returns it, "
               "or return ctx.err()).");
}

void expect_all_returned(Check& check, const Outcome& o) {
  check.expect(o.in_flight == 0, "no fetch still in progress when crawl returns",
               fmt::format("crawl returned while {} fetch call(s) were still in progress", o.in_flight),
               {mistake::leak, kHintWaitAll});
}

std::vector<std::string> urls_range(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i <= to; ++i) v.push_back(url(i));
  return v;
}

}  // namespace

DOJO_CHECK("every URL sent is fetched once and its page returned (URLs arriving in bursts)",
           "Read `urls` until the receive reports it closed and drained, fetch each new URL once, and return the "
           "body of every one, by URL.") {
  auto w = std::make_shared<Web>();
  Plan plan;
  for (int i = 1; i <= 12; ++i) plan.takes[url(i)] = scaled(check, std::chrono::milliseconds(20 + 10 * (i % 5)));
  const std::vector<std::string> list = urls_range(1, 12);
  check.say("workers = 3; the producer sends docs.test/1 .. /12 in bursts of four, 70ms apart, then closes `urls`; "
            "each fetch takes 20ms to 60ms");
  auto f = start_feed(check, FeedPlan{.list = list,
                                      .gap = [&check](int i) { return i % 4 == 0 ? scaled(check, 70ms) : goro::Duration(0); },
                                      .close = true});
  Outcome o = run(goro::background(), f->urls, 3, site(w, plan), w);
  finish_feed(check, f);
  expect_pages(check, o, list);
  expect_each_once(check, *w);
  expect_bound(check, *w, 3);
}

DOJO_CHECK("exactly `workers` fetches at once while URLs are waiting, never one more", kHintBound) {
  auto w = std::make_shared<Web>();
  const goro::Duration each = scaled(check, 100ms);
  Plan plan{.usual = each};
  const std::vector<std::string> list = urls_range(1, 20);
  check.say(fmt::format("workers = 4; `urls` already holds docs.test/1 .. /20 and is closed; each fetch takes {}",
                        dur(each)));
  Outcome o = run(goro::background(), filled(list), 4, site(w, plan), w);
  expect_bound(check, *w, 4);
  expect_pages(check, o, list);
  if (check.deterministic()) {
    check.expect(w->fetches.peak() == 4, "4 fetches in flight at once (20 URLs were waiting)",
                 fmt::format("at most {} fetch(es) in flight at once", w->fetches.peak()),
                 {mistake::serialized,
                  "Use all the workers you are given: while URLs are waiting, `workers` fetches run at once."});
    check.expect(o.took == 500ms, "crawl returns at +500ms (20 fetches of 100ms, 4 at a time)",
                 fmt::format("crawl returned at {}", offset(o.took)), kHintBound);
  }
  check.report(fmt::format("peak: {} fetches in flight with workers = 4", w->fetches.peak()));
}

DOJO_CHECK("workers = 1: one fetch at a time", kHintBound) {
  auto w = std::make_shared<Web>();
  const goro::Duration each = scaled(check, 50ms);
  Plan plan{.usual = each};
  const std::vector<std::string> list = urls_range(1, 6);
  check.say(fmt::format("workers = 1; `urls` already holds docs.test/1 .. /6 and is closed; each fetch takes {}",
                        dur(each)));
  Outcome o = run(goro::background(), filled(list), 1, site(w, plan), w);
  expect_bound(check, *w, 1);
  expect_pages(check, o, list);
  if (check.deterministic())
    check.expect(o.took == 300ms, "crawl returns at +300ms (six fetches of 50ms, one after another)",
                 fmt::format("crawl returned at {}", offset(o.took)), kHintBound);
}

DOJO_CHECK("a repeated URL is fetched once: while its first fetch runs, after it finished, back to back", kHintOnce) {
  auto w = std::make_shared<Web>();
  const std::string a = url(1), b = url(2), c = url(3), d = url(4);
  Plan plan{.takes = {{a, scaled(check, 100ms)}}, .usual = scaled(check, 10ms)};
  const std::vector<std::string> list{a, b, a, c, b, a, a, d, d};
  check.say("workers = 2; the producer sends docs.test/1, /2, /1 (its first fetch still running), /3, /2, then 200ms "
            "later /1, /1, /4, /4, and closes `urls`; /1 takes 100ms, the others 10ms");
  auto f = start_feed(check, FeedPlan{.list = list,
                                      .gap = [&check](int i) { return i == 5 ? scaled(check, 200ms) : goro::Duration(0); },
                                      .close = true});
  Outcome o = run(goro::background(), f->urls, 2, site(w, plan), w);
  finish_feed(check, f);
  expect_each_once(check, *w);
  expect_pages(check, o, {a, b, c, d});
}

DOJO_CHECK("a failing fetch's error comes back wrapped with its URL: goro::is and goro::as find the cause", kHintWrap) {
  auto w = std::make_shared<Web>();
  const goro::Error unavailable = goro::make_error(HttpStatus{503});
  Plan plan{.usual = scaled(check, 10ms), .fails = {{url(3), unavailable}}, .fail_after = scaled(check, 20ms)};
  check.say("workers = 2; the producer sends docs.test/1 .. /4 and keeps `urls` open; /3 fails with HttpStatus{503} "
            "(\"HTTP 503\") after 20ms");
  auto f = start_feed(check, FeedPlan{.list = urls_range(1, 4), .close = false, .web = w});
  Outcome o = run(goro::background(), f->urls, 2, site(w, plan), w);
  finish_feed(check, f);
  const goro::Error err = o.r.error();
  check.expect(!o.r.ok(), "an error (a fetch failed)", fmt::format("{} page(s) and no error", o.r.ok() ? o.r.value().size() : 0),
               "The first fetch error ends the crawl: return it.");
  check.expect_not_is(err, goro::Canceled, "goro::Canceled",
                      "The failing fetch's error is the cause; the others' Canceled is its consequence. Return the "
                      "first error (what the group's wait() returns).");
  check.expect_is(err, unavailable, "the HttpStatus{503} error", kHintWrap);
  auto status = check.expect_as<HttpStatus>(err, "HttpStatus", kHintWrap);
  check.expect_eq(status.code, 503, "goro::as<HttpStatus>(err)->code");
  check.expect(err.message().find(url(3)) != std::string::npos, fmt::format("a message that names {}", url(3)),
               fmt::format("error \"{}\"", err.message()), {mistake::missing_context, kHintWrap});
  check.expect(err.message().find("HTTP 503") != std::string::npos, "a message that keeps the cause's text (HTTP 503)",
               fmt::format("error \"{}\"", err.message()), kHintWrap);
}

DOJO_CHECK("a failing fetch cancels the fetches in flight, and crawl waits until they have returned", kHintCancel) {
  const bool virt = check.deterministic();
  auto w = std::make_shared<Web>();
  Plan plan{.fails = {{url(4), ErrBroken}}, .fail_after = virt ? goro::Duration(100ms) : goro::Duration(0),
            .hold = true, .patience = patience(check), .winddown = winddown(check)};
  check.say(fmt::format("workers = 4; the producer sends docs.test/1 .. /8 and keeps `urls` open; every fetch waits "
                        "for its context ({} at most) except /4, which fails with ErrBroken{}",
                        dur(patience(check)), virt ? " at +100ms" : " at once"));
  auto f = start_feed(check, FeedPlan{.list = urls_range(1, 8), .close = false, .web = w});
  Outcome o = run(goro::background(), f->urls, 4, site(w, plan), w);
  finish_feed(check, f);
  expect_all_returned(check, o);
  check.expect(!o.r.ok() && goro::is(o.r.error(), ErrBroken) && !goro::is(o.r.error(), goro::Canceled),
               "the error of /4 (ErrBroken), not the Canceled it caused",
               o.r.ok() ? std::string("no error") : Check::describe_error(o.r.error()),
               "Return the first error, which the group's wait() keeps; later errors are consequences.");
  check.expect(w->timed_out == 0, "the fetches in flight are cancelled when /4 fails",
               fmt::format("{} fetch(es) waited their whole {} patience: their context was never cancelled",
                           w->timed_out.load(), dur(patience(check))),
               {mistake::kept_going, kHintCancel});
  if (virt) {
    check.expect(w->cancelled == 3, "the three fetches in flight (/1, /2, /3) see their context cancelled",
                 fmt::format("{} fetch(es) saw their context cancelled", w->cancelled.load()), kHintCancel);
    check.expect(o.took < 200ms, "crawl returns soon after +100ms (the failure, plus the others giving up)",
                 fmt::format("crawl returned at {}", offset(o.took)), kHintCancel);
  }
}

DOJO_CHECK("after a failure crawl takes no more URLs, and returns although the producer is still sending", kHintStop) {
  const bool virt = check.deterministic();
  auto w = std::make_shared<Web>();
  Plan plan{.fails = {{url(3), ErrBroken}}, .fail_after = virt ? goro::Duration(50ms) : goro::Duration(0),
            .hold = true, .patience = patience(check), .winddown = winddown(check)};
  check.say(fmt::format("workers = 3; the producer keeps offering URLs (docs.test/1, /2, /3, ... up to /200) and "
                        "never closes `urls` by itself; /3 fails with ErrBroken{}, every other fetch waits for its "
                        "context",
                        virt ? " at +50ms" : " at once"));
  auto f = start_feed(check, FeedPlan{.list = {}, .close = false, .endless = 200, .web = w, .max_after_failure = 20});
  Outcome o = run(goro::background(), f->urls, 3, site(w, plan), w);
  finish_feed(check, f);
  check.expect(!o.r.ok() && goro::is(o.r.error(), ErrBroken), "the error of /3 (ErrBroken)",
               o.r.ok() ? std::string("no error") : Check::describe_error(o.r.error()), kHintWrap);
  const int after = f->taken_after_failure.load();
  check.expect(after <= 3, "at most one URL per worker taken after the failure (one caught in the act)",
               fmt::format("crawl took {} URL(s) offered after the failure", after), {mistake::kept_going, kHintStop});
  expect_all_returned(check, o);
  check.report(fmt::format("URLs taken: {} before the failure, {} after it", f->taken.load() - after, after));
}

DOJO_CHECK("the caller cancels while crawl waits on an empty channel that stays open: crawl returns at once",
           kHintSelect) {
  const bool virt = check.deterministic();
  auto w = std::make_shared<Web>();
  Plan plan{.usual = scaled(check, 100ms)};
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  if (virt)
    check.say("workers = 3; the producer sends docs.test/1 and /2, then nothing, and keeps `urls` open; each fetch "
              "takes 100ms; the caller cancels ctx at +300ms");
  else
    check.say("workers = 3; the producer sends docs.test/1 and /2, then nothing, and keeps `urls` open; the caller "
              "cancels ctx once both fetches have returned");
  auto f = start_feed(check, FeedPlan{.list = {url(1), url(2)}, .close = false});
  auto canceller_done = goro::make_chan<goro::Unit>();
  goro::go_named("grader: caller's canceller", [virt, w, cancel = cancel, canceller_done] {
    if (virt) {
      goro::sleep(300ms);
    } else {
      while (w->finished.load() < 2) goro::sleep(1ms);  // a polling period: the verdict never depends on it
    }
    cancel();
    canceller_done.close();
  });
  Outcome o = run(ctx, f->urls, 3, site(w, plan), w);
  (void)canceller_done.recv();
  finish_feed(check, f);
  expect_cancelled(check, o);
  if (virt)
    check.expect(o.took == 300ms, "crawl returns at +300ms, the moment the caller cancels",
                 fmt::format("crawl returned at {}", offset(o.took)), kHintSelect);
  check.expect(w->finished == 2, "the two URLs fetched before the cancellation",
               fmt::format("{} fetch(es) returned", w->finished.load()),
               "Fetch the URLs as they arrive; the cancellation comes later.");
}

DOJO_CHECK("the caller cancels while fetches are in flight: they give up, crawl waits for them, returns Canceled",
           kHintCancel) {
  const bool virt = check.deterministic();
  auto w = std::make_shared<Web>();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Plan plan{.hold = true, .patience = patience(check), .winddown = winddown(check)};
  if (!virt) plan.on_call = [cancel = cancel](int number) {
    if (number == 3) cancel();
  };
  if (virt)
    check.say("workers = 3; the producer sends docs.test/1 .. /6 and keeps `urls` open; every fetch waits for its "
              "context; the caller cancels ctx at +250ms");
  else
    check.say("workers = 3; the producer sends docs.test/1 .. /6 and keeps `urls` open; every fetch waits for its "
              "context; the caller cancels ctx as the third fetch begins");
  auto f = start_feed(check, FeedPlan{.list = urls_range(1, 6), .close = false});
  std::optional<dojo::grader::Canceller> canceller;
  if (virt) canceller.emplace(cancel, 250ms);
  Outcome o = run(ctx, f->urls, 3, site(w, plan), w);
  if (canceller) canceller->join();
  finish_feed(check, f);
  expect_all_returned(check, o);
  expect_cancelled(check, o);
  check.expect(w->timed_out == 0, "every fetch in flight sees its context cancelled",
               fmt::format("{} fetch(es) waited their whole {} patience: they were handed a context the caller's "
                           "cancellation does not reach",
                           w->timed_out.load(), dur(patience(check))),
               {mistake::ignored_cancellation,
                "Derive the fetches' context from the caller's ctx: then the caller's cancellation reaches them."});
  if (virt)
    check.expect(o.took >= 250ms && o.took < 300ms, "crawl returns soon after +250ms (the fetches giving up)",
                 fmt::format("crawl returned at {}", offset(o.took)), kHintCancel);
}

DOJO_CHECK("a producer slower than the fetches: crawl keeps waiting for URLs until the channel is closed",
           "An empty channel that is still open means \"more may come\": wait for the next URL (or the "
           "cancellation), and stop only when the receive reports the channel closed.") {
  auto w = std::make_shared<Web>();
  Plan plan{.usual = scaled(check, 10ms)};
  const std::vector<std::string> list = urls_range(1, 10);
  check.say("workers = 4; the producer sends docs.test/1 .. /10, one every 100ms, then closes `urls`; each fetch "
            "takes 10ms");
  auto f = start_feed(check, FeedPlan{.list = list, .gap = [&check](int) { return scaled(check, 100ms); }, .close = true});
  Outcome o = run(goro::background(), f->urls, 4, site(w, plan), w);
  finish_feed(check, f);
  expect_pages(check, o, list);
  if (check.deterministic())
    check.expect(o.took == 1010ms, "crawl returns at +1.01s: the channel is closed at +1s, the last fetch ends 10ms later",
                 fmt::format("crawl returned at {}", offset(o.took)),
                 "Return when every worker has found the channel closed and the last fetch has returned: not "
                 "earlier, and not later.");
}

DOJO_CHECK("1,000 URLs and 100 repeats, 8 workers", kHintOnce) {
  auto w = std::make_shared<Web>();
  std::vector<std::string> list, distinct;
  for (int i = 1; i <= 1000; ++i) {
    list.push_back(url(i));
    distinct.push_back(url(i));
    if (i % 10 == 0) list.push_back(url(i - 7));  // a repeat of a URL sent a few moments ago
  }
  check.say("workers = 8; the producer sends docs.test/1 .. /1000, and after every tenth URL repeats one sent seven "
            "URLs earlier, then closes `urls`; each fetch returns at once");
  auto f = start_feed(check, FeedPlan{.list = list, .close = true});
  Outcome o = run(goro::background(), f->urls, 8, site(w, Plan{}), w);
  finish_feed(check, f);
  expect_bound(check, *w, 8);
  expect_each_once(check, *w);
  expect_pages(check, o, distinct);
}
