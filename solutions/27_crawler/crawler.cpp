// Exercise 27 — crawler: reference solution.
#include "crawler.hpp"

#include <set>
#include <utility>

namespace dojo::ex27 {

goro::Result<Pages> crawl(const goro::Context& ctx, goro::Chan<std::string> urls, int workers, const Fetch& fetch) {
  // A group of the crawl's own: gctx is cancelled by the first worker that fails (and with the
  // caller's ctx), so every fetch still in flight hears about it.
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);

  // What the workers share. The workers all end before crawl returns (g.wait() below), so
  // plain locals captured by reference are safe.
  goro::Mutex mu;
  std::set<std::string> seen;  // every URL taken so far, fetched or being fetched
  Pages pages;

  // Exactly `workers` long-lived tasks, each taking URLs until the channel runs dry: that is
  // what bounds the fetches in flight. (One task per URL would have no bound at all.)
  for (int w = 0; w < workers; ++w) {
    g.go([&, gctx = gctx]() -> goro::Error {
      for (;;) {
        // select picks at random when a URL and the cancellation are both ready: look at the
        // context first, so that a cancelled crawl takes no further URL.
        if (goro::Error err = gctx.err()) return err;
        std::string url;
        bool ok = false;
        // Never a plain recv: on an empty channel that stays open it would wait forever,
        // deaf to the cancellation.
        if (goro::select(goro::on_recv(urls, &url, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
        if (!ok) return {};  // closed and drained: this worker is done
        {
          // Mark the URL as taken BEFORE fetching it: a copy arriving while the first fetch is
          // still running must find it here too.
          std::lock_guard lk(mu);
          if (!seen.insert(url).second) continue;
        }
        goro::Result<std::string> body = fetch(gctx, url);
        // The first error returned cancels gctx (the group does it); wrap it with the URL.
        if (!body) return goro::errorf("fetch {}: {:w}", url, body.error());
        std::lock_guard lk(mu);
        pages.emplace(url, std::move(body).value());
      }
    });
  }

  // wait() returns only once every worker has returned, so no fetch is still running, and it
  // returns the first error (not the Canceled it caused in the others).
  if (goro::Error err = g.wait()) return err;
  // Every worker may have found `urls` closed although ctx was cancelled meanwhile.
  if (goro::Error err = ctx.err()) return err;
  return pages;
}

}  // namespace dojo::ex27
