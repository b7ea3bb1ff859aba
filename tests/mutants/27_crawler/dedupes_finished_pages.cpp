// Mutant of exercise 27: duplicates are recognised by looking at the pages already fetched.
// A URL that comes back after its fetch finished is skipped — but one that comes back while
// its first fetch is still running is not in `pages` yet, and is fetched a second time.
// mistake: duplicate
// expect: was fetched 2 times
#include "crawler.hpp"

#include <utility>

namespace dojo::ex27 {

goro::Result<Pages> crawl(const goro::Context& ctx, goro::Chan<std::string> urls, int workers, const Fetch& fetch) {
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  goro::Mutex mu;
  Pages pages;
  for (int w = 0; w < workers; ++w) {
    g.go([&, gctx = gctx]() -> goro::Error {
      for (;;) {
        if (goro::Error err = gctx.err()) return err;
        std::string url;
        bool ok = false;
        if (goro::select(goro::on_recv(urls, &url, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
        if (!ok) return {};
        {
          std::lock_guard lk(mu);
          if (pages.count(url) != 0) continue;  // the bug: a URL being fetched right now is not there yet
        }
        goro::Result<std::string> body = fetch(gctx, url);
        if (!body) return goro::errorf("fetch {}: {:w}", url, body.error());
        std::lock_guard lk(mu);
        pages.emplace(url, std::move(body).value());
      }
    });
  }
  if (goro::Error err = g.wait()) return err;
  if (goro::Error err = ctx.err()) return err;
  return pages;
}

}  // namespace dojo::ex27
