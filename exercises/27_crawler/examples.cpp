// Visible examples for exercise 27. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a documentation site is mirrored. Another part of the program discovers page
// URLs and sends them on a channel; crawl fetches them, a few at a time, and returns every
// page, or the first failure.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crawler.hpp"
#include "grader.hpp"

using dojo::ex27::crawl;
using dojo::ex27::Fetch;
using dojo::ex27::Pages;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrNotFound = goro::new_error("404 not found");

// How often each URL was fetched. A std::mutex: on real threads fetches run in parallel.
struct Calls {
  std::mutex mu;
  std::map<std::string, int> count;
  int of(const std::string& url) {
    std::lock_guard lk(mu);
    return count[url];
  }
};

// A fetch that takes `slow` for URLs ending in "/a" and `quick` for the others, returns
// "<page URL>", and fails with ErrNotFound for `broken`.
Fetch site(std::shared_ptr<Calls> calls, goro::Duration quick, goro::Duration slow, std::string broken = "") {
  return [=](const goro::Context&, const std::string& url) -> goro::Result<std::string> {
    {
      std::lock_guard lk(calls->mu);
      ++calls->count[url];
    }
    goro::sleep(url.ends_with("/a") ? slow : quick);
    if (url == broken) return ErrNotFound;
    return "<page " + url + ">";
  };
}

// A channel holding `urls` (buffered, so no producer task is needed), closed if `close`.
goro::Chan<std::string> channel_of(const std::vector<std::string>& urls, bool close) {
  auto ch = goro::make_chan<std::string>(urls.size());
  for (const std::string& u : urls) ch.send(u);
  if (close) ch.close();
  return ch;
}

// True when `ch` has been closed (drains what is buffered first; call it once crawl returned).
bool closed(const goro::Chan<std::string>& ch) {
  for (;;) {
    std::string v;
    bool ok = false;
    if (goro::select(goro::on_recv(ch, &v, &ok), goro::on_default()) == 1) return false;  // empty, open
    if (!ok) return true;
  }
}

}  // namespace

DOJO_CHECK("example: three URLs, two workers: every page comes back",
           "Take URLs from the channel until it is closed, fetch each one, and return url -> body for all.") {
  const goro::Duration d = check.deterministic() ? goro::Duration(10ms) : goro::Duration(1ms);
  auto calls = std::make_shared<Calls>();
  auto urls = channel_of({"https://docs.test/a", "https://docs.test/b", "https://docs.test/c"}, true);
  check.say("urls holds docs.test/a, /b, /c and is closed; calling crawl(background, urls, 2, fetch)");
  goro::Result<Pages> r = crawl(goro::background(), urls, 2, site(calls, d, d));
  check.expect_ok(r.error(), "crawl(...)");
  const Pages want{{"https://docs.test/a", "<page https://docs.test/a>"},
                   {"https://docs.test/b", "<page https://docs.test/b>"},
                   {"https://docs.test/c", "<page https://docs.test/c>"}};
  check.expect(r.value() == want, "the three pages, by URL",
               fmt::format("{} page(s): {}", r.value().size(), fmt::join(r.value(), ", ")));
}

DOJO_CHECK("example: a fetch fails: crawl returns its error with the URL, and leaves `urls` open",
           "Wrap the first fetch error as \"fetch <url>: ...\" with {:w} and return it. The channel is the "
           "caller's: stop reading it, but never close it, and do not wait for it to be closed.") {
  const goro::Duration d = check.deterministic() ? goro::Duration(10ms) : goro::Duration(1ms);
  auto calls = std::make_shared<Calls>();
  auto urls = channel_of({"https://docs.test/a", "https://docs.test/b", "https://docs.test/c"}, false);
  check.say("urls holds docs.test/a, /b, /c and stays open; /b fails with ErrNotFound; calling "
            "crawl(background, urls, 1, fetch)");
  goro::Result<Pages> r = crawl(goro::background(), urls, 1, site(calls, d, d, "https://docs.test/b"));
  check.expect_is(r.error(), ErrNotFound, "ErrNotFound",
                  "Return the fetch's error wrapped with {:w}, so that goro::is still finds it.");
  check.expect(r.error().message().find("https://docs.test/b") != std::string::npos,
               "an error message that names https://docs.test/b",
               fmt::format("error \"{}\"", r.error().message()),
               {mistake::missing_context,
                "The fetch's error says what went wrong, not where: wrap it as \"fetch <url>: <error>\"."});
  const bool crawl_closed = closed(urls);
  // The caller owns `urls`: it closes it once it has nothing more to send.
  const goro::Error second_close = goro::catch_panic([&] { urls.close(); });
  check.expect(!crawl_closed, "`urls` still open when crawl returns: it is the caller's",
               second_close ? "crawl closed `urls`: the caller's own close then panicked (close of closed channel)"
                            : "crawl closed `urls`",
               {mistake::double_close, "Only the sender closes a channel. On a failure just stop reading it."});
}

DOJO_CHECK("example: a URL that arrives twice is fetched once, even while its first fetch is running",
           "Remember every URL you take before you fetch it, and skip one you have seen.") {
  const bool virt = check.deterministic();
  const goro::Duration quick = virt ? goro::Duration(10ms) : goro::Duration(1ms);
  const goro::Duration slow = virt ? goro::Duration(50ms) : goro::Duration(5ms);
  auto calls = std::make_shared<Calls>();
  auto urls = channel_of({"https://docs.test/a", "https://docs.test/b", "https://docs.test/a"}, true);
  check.say(fmt::format("urls holds docs.test/a, /b, /a again, and is closed; /a takes {}, /b {}; calling "
                        "crawl(background, urls, 2, fetch)",
                        goro::format_duration(slow), goro::format_duration(quick)));
  goro::Result<Pages> r = crawl(goro::background(), urls, 2, site(calls, quick, slow));
  check.expect_ok(r.error(), "crawl(...)");
  check.expect_eq(r.value().size(), std::size_t{2}, "pages returned");
  const int n = calls->of("https://docs.test/a");
  check.expect(n == 1, "https://docs.test/a fetched once",
               fmt::format("https://docs.test/a was fetched {} times", n),
               {n > 1 ? mistake::duplicate : mistake::wrong_result,
                "The second /a arrives while the first fetch of /a is still running: mark a URL as taken when you "
                "take it, not when its page comes back."});
}
