// Exercise 18 — hedged requests. Edit this file, then run: ./dojo grade 18
//
// Your task (the full statement is in README.md):
//   1. If ctx is already cancelled, return its error; if urls is empty, return ErrNoReplicas.
//   2. Derive a context you can cancel yourself:  auto [rctx, cancel] = goro::with_cancel(ctx);
//      every request is made with rctx, so that one call of cancel() aborts all of them.
//   3. Make a channel for the answers, buffered for one answer per replica (a request that
//      finishes after the winner must never wait to report), and a goro::WaitGroup for the
//      request tasks.
//   4. Ask urls[0] in a task (wg.go): it calls http_get(rctx, url) and sends back the body, or
//      the error wrapped as "GET <url>: ..." with {:w}. Start a timer of hedge_delay.
//   5. Loop on a select over: an answer, the timer, ctx.done().
//        - a success: it wins; go to 6 and return its body;
//        - a failure: keep its error; ask the next replica at once (restart the timer);
//        - the timer: ask the next replica too (restart the timer); the others stay in flight;
//        - ctx.done(): go to 6 and return ctx.err().
//      When every replica has failed, go to 6 and return goro::join(the errors).
//   6. Before every return: cancel() and wg.wait(), so that no request is left running.
// http_get is given (exercises/03_fetch_all/http.hpp); do not change it.
#include "hedged.hpp"

namespace dojo::ex18 {

goro::Result<std::string> hedged_fetch(const goro::Context& ctx, const std::vector<std::string>& urls,
                                       goro::Duration hedge_delay) {
  (void)ctx;
  (void)urls;
  (void)hedge_delay;
  return goro::new_error("hedged_fetch: not implemented yet");  // replace this line with your code
}

}  // namespace dojo::ex18
