// Mutant of exercise 28: quorum cancels the calls still running and returns at once, without
// waiting for them ("they have been told to stop"). A cancelled call is still running until it
// notices: the caller moves on while those tasks are alive, and nobody ever waits for them.
// mistake: leak
// expect: still running when quorum returned
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
  for (const Replica& call : replicas) {
    goro::go([call, cctx = cctx, answers] {  // BUG: nothing counts these tasks
      goro::Result<std::string> r = call(cctx);
      if (r)
        answers.send(Answer{std::move(*r), {}});
      else
        answers.send(Answer{{}, r.error()});
    });
  }
  std::vector<std::string> got;
  std::vector<goro::Error> failures;
  for (;;) {
    Answer a;
    if (goro::select(goro::on_recv(answers, &a), goro::on_recv(ctx.done())) == 1) {
      cancel();
      return ctx.err();
    }
    if (!a.err) {
      got.push_back(std::move(a.value));
      if (got.size() == wanted) {
        cancel();  // BUG: and return at once, while the cancelled calls still run
        return got;
      }
      continue;
    }
    failures.push_back(a.err);
    if (n - got.size() - failures.size() < wanted - got.size()) {
      cancel();
      return goro::errorf("{:w}: {} of {} needed succeeded: {:w}", ErrNoQuorum, got.size(), need,
                          goro::join(failures));
    }
  }
}

}  // namespace dojo::ex28
