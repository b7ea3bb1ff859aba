// Mutant of exercise 03: the error is wrapped with {} instead of {:w}. The message names the
// URL and reads like the cause, but the cause itself is gone: goro::as<HttpStatus> and
// goro::as<NetError> find nothing.
// mistake: missing-wrap
// expect: goro::as<HttpStatus>
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
      if (!r) return goro::errorf("GET {}: {}", url, r.error());  // BUG: {} copies the text only
      body = std::move(*r);
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;
  return bodies;
}

}  // namespace dojo::ex03
