// Exercise 03 — fetch_all: reference solution.
#include "fetch_all.hpp"

namespace dojo::ex03 {

goro::Result<std::vector<std::string>> fetch_all(const goro::Context& ctx, const std::vector<std::string>& urls) {
  // A cancelled caller wants no request sent.
  if (goro::Error err = ctx.err()) return err;

  // gctx is cancelled by the first task that returns an error: every http_get watching it
  // aborts its transfer. The limit must be set before the first go (set_limit panics while
  // tasks started under a limit are active).
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  g.set_limit(kMaxInFlight);

  // One slot per URL, allocated up front: task i writes bodies[i] and nothing else, so the
  // tasks need no lock, and the order of the answers is the order of the URLs. wait() makes
  // every write visible to this task.
  std::vector<std::string> bodies(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    // go() blocks here while 8 tasks are active. After a failure the remaining tasks still
    // start, but http_get sees gctx cancelled and returns at once without sending anything.
    g.go([gctx = gctx, &url = urls[i], &body = bodies[i]]() -> goro::Error {
      auto r = http_get(gctx, url);  // gctx, not ctx: the group's cancellation must reach it
      if (!r) return goro::errorf("GET {}: {:w}", url, r.error());  // name the URL, keep the cause
      body = std::move(*r);
      return {};
    });
  }

  if (goro::Error err = g.wait()) return err;
  return bodies;
}

}  // namespace dojo::ex03
