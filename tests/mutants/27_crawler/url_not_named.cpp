// Mutant of exercise 27: the fetch's error is returned as it is. goro::is still finds the
// cause, but the message says only "404 not found" — out of hundreds of URLs, nobody can tell
// which page is missing.
// mistake: missing-context
// expect: message that names
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
      for (;;) {
        if (goro::Error err = gctx.err()) return err;
        std::string url;
        bool ok = false;
        if (goro::select(goro::on_recv(urls, &url, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
        if (!ok) return {};
        {
          std::lock_guard lk(mu);
          if (!seen.insert(url).second) continue;
        }
        goro::Result<std::string> body = fetch(gctx, url);
        if (!body) return body.error();  // the bug: which URL failed?
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
