// Mutant of exercise 27: when the crawl stops early it closes `urls`, "so that the producer
// notices and stops sending". But the channel is not crawl's: the producer's next send panics
// (send on closed channel), and a producer that closes it itself, as it should, panics with
// "close of closed channel". A receiver never closes; the producer watches its context.
// mistake: double-close
// expect: crawl closed `urls`
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
        if (!body) return goro::errorf("fetch {}: {:w}", url, body.error());
        std::lock_guard lk(mu);
        pages.emplace(url, std::move(body).value());
      }
    });
  }
  if (goro::Error err = g.wait()) {
    urls.close();  // the bug: "tell the producer to stop" — it is not ours to close
    return err;
  }
  if (goro::Error err = ctx.err()) return err;
  return pages;
}

}  // namespace dojo::ex27
