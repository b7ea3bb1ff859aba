// Mutant of exercise 27: the workers take URLs with a range-for over the channel (a plain
// receive) and look at the context only after each one. That works while URLs keep coming,
// but a worker waiting on an empty channel that stays open never hears of the cancellation:
// the crawl hangs until somebody closes `urls` — which the caller, waiting for crawl, won't.
// mistake: ignored-cancellation
// expect: until the producer closed `urls`
#include "crawler.hpp"

#include <set>
#include <utility>

namespace dojo::ex27 {

goro::Result<Pages> crawl(const goro::Context& ctx, goro::Chan<std::string> urls, int workers, const Fetch& fetch) {
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  goro::Mutex mu;
  std::set<std::string> seen;
  Pages pages;
  for (int w = 0; w < workers; ++w) {
    g.go([&, gctx = gctx]() -> goro::Error {
      for (const std::string& url : urls) {  // the bug: blocks with no way out on an open, empty channel
        if (goro::Error err = gctx.err()) return err;
        {
          std::lock_guard lk(mu);
          if (!seen.insert(url).second) continue;
        }
        goro::Result<std::string> body = fetch(gctx, url);
        if (!body) return goro::errorf("fetch {}: {:w}", url, body.error());
        std::lock_guard lk(mu);
        pages.emplace(url, std::move(body).value());
      }
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;
  if (goro::Error err = ctx.err()) return err;
  return pages;
}

}  // namespace dojo::ex27
