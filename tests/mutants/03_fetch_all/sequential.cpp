// Mutant of exercise 03: the URLs are fetched in the loop itself, one after the other. The
// limit is respected trivially, but nothing runs in parallel.
// mistake: serialized
// expect: more than one request in flight at once
#include "fetch_all.hpp"

namespace dojo::ex03 {

goro::Result<std::vector<std::string>> fetch_all(const goro::Context& ctx, const std::vector<std::string>& urls) {
  if (goro::Error err = ctx.err()) return err;
  std::vector<std::string> bodies;
  for (const auto& url : urls) {  // BUG: no task per URL: each request waits for the previous one
    auto r = http_get(ctx, url);
    if (!r) return goro::errorf("GET {}: {:w}", url, r.error());
    bodies.push_back(std::move(*r));
  }
  return bodies;
}

}  // namespace dojo::ex03
