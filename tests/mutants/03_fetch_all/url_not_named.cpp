// Mutant of exercise 03: the error of http_get is returned as it is. Its cause is intact, but
// the caller cannot tell which of the URLs failed.
// mistake: missing-context
// expect: a message that names
#include "fetch_all.hpp"

namespace dojo::ex03 {

goro::Result<std::vector<std::string>> fetch_all(const goro::Context& ctx, const std::vector<std::string>& urls) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.set_limit(kMaxInFlight);
  std::vector<std::string> bodies(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    g.go([gctx = gctx, &url = urls[i], &body = bodies[i]]() -> goro::Error {
      auto r = http_get(gctx, url);
      if (!r) return r.error();  // BUG: not wrapped with the URL
      body = std::move(*r);
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;
  return bodies;
}

}  // namespace dojo::ex03
