// Mutant of exercise 03: each task appends its body to a shared vector (under a mutex) when its
// answer arrives. No race, no lost body — but the bodies come in the order of arrival, not in
// the order of the URLs.
// mistake: wrong-order
// expect: the bodies
#include <mutex>

#include "fetch_all.hpp"

namespace dojo::ex03 {

goro::Result<std::vector<std::string>> fetch_all(const goro::Context& ctx, const std::vector<std::string>& urls) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.set_limit(kMaxInFlight);
  goro::Mutex mu;
  std::vector<std::string> bodies;
  bodies.reserve(urls.size());
  for (const auto& url : urls) {
    g.go([gctx = gctx, &url, &mu, &bodies]() -> goro::Error {
      auto r = http_get(gctx, url);
      if (!r) return goro::errorf("GET {}: {:w}", url, r.error());
      std::lock_guard lk(mu);
      bodies.push_back(std::move(*r));  // BUG: arrival order
      return {};
    });
  }
  if (goro::Error err = g.wait()) return err;
  return bodies;
}

}  // namespace dojo::ex03
