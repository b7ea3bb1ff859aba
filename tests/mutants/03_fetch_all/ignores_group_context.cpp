// Mutant of exercise 03: the requests are made with the caller's ctx instead of the group's
// gctx. The group still cancels gctx at the first failure, but no request is watching it: the
// other requests run to their end, and fetch_all waits for all of them.
// mistake: ignored-cancellation
// expect: instead of being dropped
#include "fetch_all.hpp"

namespace dojo::ex03 {

goro::Result<std::vector<std::string>> fetch_all(const goro::Context& ctx, const std::vector<std::string>& urls) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.set_limit(kMaxInFlight);
  std::vector<std::string> bodies(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    g.go([&ctx, &url = urls[i], &body = bodies[i]]() -> goro::Error {
      auto r = http_get(ctx, url);  // BUG: ctx, not gctx
      if (!r) return goro::errorf("GET {}: {:w}", url, r.error());
      body = std::move(*r);
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;
  return bodies;
}

}  // namespace dojo::ex03
