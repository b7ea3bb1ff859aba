// Exercise 28 — quorum: reference solution.
#include "quorum.hpp"

namespace dojo::ex28 {

namespace {

// What one call reports: its answer, or its error.
struct Answer {
  std::string value;
  goro::Error err;
};

}  // namespace

goro::Result<std::vector<std::string>> quorum(const goro::Context& ctx, const std::vector<Replica>& replicas,
                                              int need) {
  if (need <= 0) return std::vector<std::string>{};  // nothing is needed: ask no one
  const std::size_t n = replicas.size();
  const auto wanted = static_cast<std::size_t>(need);
  if (wanted > n) return goro::errorf("{:w}: need {} answers from {} replicas", ErrTooFewReplicas, need, n);
  if (goro::Error err = ctx.err()) return err;  // the caller gave up already: call no one

  // Every call watches cctx: one cancel() stops all those still running. It is derived from
  // ctx, so the caller's cancellation reaches them too.
  auto [cctx, cancel] = goro::with_cancel(ctx);
  // One slot per call: a call that ends after the decision reports into the buffer and exits,
  // although nobody receives any more.
  auto answers = goro::make_chan<Answer>(n);
  goro::WaitGroup wg;  // not an ErrGroup: one failure must not cancel the others
  for (const Replica& call : replicas) {
    wg.go([call, cctx = cctx, answers] {
      goro::Result<std::string> r = call(cctx);
      if (r)
        answers.send(Answer{std::move(*r), {}});
      else
        answers.send(Answer{{}, r.error()});
    });
  }
  // On every way out: cancel what still runs, then wait until it has stopped.
  auto finish = [&wg, cancel = cancel] {
    cancel();
    wg.wait();
  };

  std::vector<std::string> got;  // in the order the successes arrived
  std::vector<goro::Error> failures;
  for (;;) {
    Answer a;
    if (goro::select(goro::on_recv(answers, &a), goro::on_recv(ctx.done())) == 1) {
      finish();  // the caller gave up
      return ctx.err();
    }
    if (!a.err) {
      got.push_back(std::move(a.value));
      if (got.size() == wanted) {  // the quorum: the rest are not needed any more
        finish();
        return got;
      }
      continue;
    }
    failures.push_back(a.err);
    // Calls still running: n - got - failures. If they cannot make up the missing successes,
    // waiting for them is pointless.
    if (n - got.size() - failures.size() < wanted - got.size()) {
      finish();  // the failures of the calls cancelled now are not counted: they come later
      return goro::errorf("{:w}: {} of {} needed succeeded: {:w}", ErrNoQuorum, got.size(), need,
                          goro::join(failures));
    }
  }
}

}  // namespace dojo::ex28
