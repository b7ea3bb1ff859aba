// Mutant of exercise 03: "SetLimit after Go". The limit is set once every task has been
// started, just before waiting. A group that had no limit may change it while tasks run (in Go
// as in goro), so nothing complains — but the tasks already started were never held back.
// mistake: over-limit
// expect: at most 8 requests in flight at once
#include "fetch_all.hpp"

namespace dojo::ex03 {

goro::Result<std::vector<std::string>> fetch_all(const goro::Context& ctx, const std::vector<std::string>& urls) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  std::vector<std::string> bodies(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    g.go([gctx = gctx, &url = urls[i], &body = bodies[i]]() -> goro::Error {
      auto r = http_get(gctx, url);
      if (!r) return goro::errorf("GET {}: {:w}", url, r.error());
      body = std::move(*r);
      return {};
    });
  }
  g.set_limit(kMaxInFlight);  // BUG: too late, every task is already running
  if (goro::Error err = g.wait()) return err;
  return bodies;
}

}  // namespace dojo::ex03
