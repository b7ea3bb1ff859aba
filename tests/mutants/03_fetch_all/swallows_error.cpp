// Mutant of exercise 03: a failed request is logged and skipped; its task returns nil. The
// group never sees a failure: nothing is cancelled and fetch_all reports success with an
// empty body in the failed URL's slot.
// mistake: swallowed-error
// expect: no error (nil)
#include <fmt/format.h>

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
      if (!r) {
        fmt::print(stderr, "GET {} failed: {}\n", url, r.error().message());
        return {};  // BUG: the error stops here
      }
      body = std::move(*r);
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;
  return bodies;
}

}  // namespace dojo::ex03
