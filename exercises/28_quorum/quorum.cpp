// Exercise 28 — quorum. Edit this file, then run: ./dojo grade 28
//
// Your task (the full statement is in README.md):
//   1. Edge cases first, before calling anyone: need <= 0 returns an empty vector; need larger
//      than replicas.size() returns an error that wraps ErrTooFewReplicas; a ctx that is already
//      cancelled returns ctx.err().
//   2. Derive a context you can cancel yourself:  auto [cctx, cancel] = goro::with_cancel(ctx);
//      every call gets cctx, so that one cancel() stops all the calls still running.
//   3. Make a channel for the answers, buffered for one answer per replica (a call that ends
//      after you have decided must not wait for a receiver that is gone), and a goro::WaitGroup.
//   4. Start every call at once, each in its own task (wg.go): it calls the replica with cctx
//      and sends back its value or its error.
//   5. Loop on a select over an answer and ctx.done():
//        - a success: keep its value; when you have `need` of them, go to 6 and return them;
//        - a failure: keep its error; if the calls still running can no longer make up the
//          successes that are missing, go to 6 and return
//            goro::errorf("{:w}: {} of {} needed succeeded: {:w}", ErrNoQuorum, ok, need, goro::join(errs));
//        - ctx.done(): go to 6 and return ctx.err().
//   6. Before every return: cancel(), then wg.wait(), so that no call is left running.
#include "quorum.hpp"

namespace dojo::ex28 {

goro::Result<std::vector<std::string>> quorum(const goro::Context& ctx, const std::vector<Replica>& replicas,
                                              int need) {
  (void)ctx;
  (void)replicas;
  (void)need;
  return goro::new_error("quorum: not implemented yet");  // replace this line with your code
}

}  // namespace dojo::ex28
