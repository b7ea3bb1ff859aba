// Mutant of exercise 27: one task per URL. The reader loop takes each URL and hands it to a new
// task of the group at once — it looks parallel and it is, without any bound: `workers` is
// never used, and a burst of twenty URLs means twenty fetches at the same moment.
// mistake: over-limit
// expect: fetches were in flight at once
#include "crawler.hpp"

#include <set>
#include <utility>

namespace dojo::ex27 {

goro::Result<Pages> crawl(const goro::Context& ctx, goro::Chan<std::string> urls, int workers, const Fetch& fetch) {
  (void)workers;  // the bug: nothing limits the tasks
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  goro::Mutex mu;
  std::set<std::string> seen;
  Pages pages;
  for (;;) {
    if (gctx.err()) break;
    std::string url;
    bool ok = false;
    if (goro::select(goro::on_recv(urls, &url, &ok), goro::on_recv(gctx.done())) == 1) break;
    if (!ok) break;
    if (!seen.insert(url).second) continue;
    g.go([&, url, gctx = gctx]() -> goro::Error {
      goro::Result<std::string> body = fetch(gctx, url);
      if (!body) return goro::errorf("fetch {}: {:w}", url, body.error());
      std::lock_guard lk(mu);
      pages.emplace(url, std::move(body).value());
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;
  if (goro::Error err = ctx.err()) return err;
  return pages;
}

}  // namespace dojo::ex27
