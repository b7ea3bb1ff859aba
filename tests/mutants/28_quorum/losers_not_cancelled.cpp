// Mutant of exercise 28: quorum derives a context of its own and cancels it at the right
// moment, but calls the replicas with the CALLER's ctx. The cancel() reaches no call: the
// stragglers run to their end, and wg.wait() waits for the slowest of them.
// mistake: kept-going
// expect: was never cancelled
#include "quorum.hpp"

namespace dojo::ex28 {

namespace {
struct Answer {
  std::string value;
  goro::Error err;
};
}  // namespace

goro::Result<std::vector<std::string>> quorum(const goro::Context& ctx, const std::vector<Replica>& replicas,
                                              int need) {
  if (need <= 0) return std::vector<std::string>{};
  const std::size_t n = replicas.size();
  const auto wanted = static_cast<std::size_t>(need);
  if (wanted > n) return goro::errorf("{:w}: need {} answers from {} replicas", ErrTooFewReplicas, need, n);
  if (goro::Error err = ctx.err()) return err;

  auto [cctx, cancel] = goro::with_cancel(ctx);
  auto answers = goro::make_chan<Answer>(n);
  goro::WaitGroup wg;
  for (const Replica& call : replicas) {
    wg.go([call, ctx, answers] {
      goro::Result<std::string> r = call(ctx);  // BUG: the caller's ctx, which quorum cannot cancel
      if (r)
        answers.send(Answer{std::move(*r), {}});
      else
        answers.send(Answer{{}, r.error()});
    });
  }
  auto finish = [&wg, cancel = cancel] {
    cancel();
    wg.wait();
  };
  std::vector<std::string> got;
  std::vector<goro::Error> failures;
  for (;;) {
    Answer a;
    if (goro::select(goro::on_recv(answers, &a), goro::on_recv(ctx.done())) == 1) {
      finish();
      return ctx.err();
    }
    if (!a.err) {
      got.push_back(std::move(a.value));
      if (got.size() == wanted) {
        finish();
        return got;
      }
      continue;
    }
    failures.push_back(a.err);
    if (n - got.size() - failures.size() < wanted - got.size()) {
      finish();
      return goro::errorf("{:w}: {} of {} needed succeeded: {:w}", ErrNoQuorum, got.size(), need,
                          goro::join(failures));
    }
  }
}

}  // namespace dojo::ex28
