// Exercise 27 — crawler. Edit this file, then run: ./dojo grade 27
//
// Your task (the full statement is in README.md):
//   1. Make a group with a context of its own: auto [g, gctx] = goro::ErrGroup::with_context(ctx).
//   2. Bound the fetches: start exactly `workers` tasks in it, each taking URLs from `urls` until
//      the channel is closed and drained (or: one reader that starts a task per URL under a
//      limit — but then make sure a cancelled crawl takes no further URL).
//   3. Take a URL with a select on `urls` AND gctx.done(), never with a plain recv: a cancelled
//      crawl must not keep waiting on an empty channel that nobody closes. select picks at
//      random when both are ready, so look at gctx.err() before taking the next URL.
//   4. Skip a URL already taken (remember it BEFORE its fetch starts, under a goro::Mutex).
//   5. Call fetch(gctx, url). On an error return "fetch <url>: <error>" made with {:w}: the
//      group keeps the first error and cancels gctx. On success store the body (under the mutex).
//   6. Never close `urls`: it is the caller's.
//   7. Wait for the group (every fetch has returned), then return its error, or the caller's
//      ctx.err() if it was cancelled, or the pages.
#include "crawler.hpp"

namespace dojo::ex27 {

goro::Result<Pages> crawl(const goro::Context& ctx, goro::Chan<std::string> urls, int workers, const Fetch& fetch) {
  (void)ctx;
  (void)urls;
  (void)workers;
  (void)fetch;
  return goro::new_error("crawl: not implemented yet");  // replace this line with your crawler
}

}  // namespace dojo::ex27
