// Exercise 03 — fetch_all. Edit this file, then run: ./dojo grade 3
//
// Your task (the full statement is in README.md):
//   1. If ctx is already cancelled, return its error.
//   2. Make a group bound to the context:  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
//      and cap it BEFORE starting any task: g.set_limit(kMaxInFlight);
//   3. Make room for the answers up front:  std::vector<std::string> bodies(urls.size());
//   4. For each index i, start a task (g.go) that calls http_get(gctx, urls[i]) — the group's
//      context, so that the first failure aborts the other requests — and stores the body in
//      bodies[i]. On failure, return the error wrapped with the URL, using {:w}.
//   5. g.wait() returns the first error; return it, or the bodies.
// http_get is given (http.hpp); do not change http.cpp.
#include "fetch_all.hpp"

namespace dojo::ex03 {

goro::Result<std::vector<std::string>> fetch_all(const goro::Context& ctx, const std::vector<std::string>& urls) {
  (void)ctx;
  (void)urls;
  return goro::new_error("fetch_all: not implemented yet");  // replace this line with your code
}

}  // namespace dojo::ex03
