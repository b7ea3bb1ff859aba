// Mutant of exercise 28: quorum collects the answer of every replica first and only then picks
// the first `need` successes. The result is right, but it arrives when the SLOWEST replica has
// answered: the stragglers are never cancelled while they run, and a quorum read is as slow as
// a read of all five.
// mistake: wrong-timing
// expect: it waited for every replica
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
    wg.go([call, cctx = cctx, answers] {
      goro::Result<std::string> r = call(cctx);
      if (r)
        answers.send(Answer{std::move(*r), {}});
      else
        answers.send(Answer{{}, r.error()});
    });
  }
  std::vector<std::string> got;
  std::vector<goro::Error> failures;
  for (std::size_t i = 0; i < n; ++i) {  // BUG: every answer, even after the quorum is decided
    Answer a;
    if (goro::select(goro::on_recv(answers, &a), goro::on_recv(ctx.done())) == 1) {
      cancel();
      wg.wait();
      return ctx.err();
    }
    if (a.err)
      failures.push_back(a.err);
    else
      got.push_back(std::move(a.value));
  }
  cancel();
  wg.wait();
  if (got.size() >= wanted) {
    got.resize(wanted);
    return got;
  }
  return goro::errorf("{:w}: {} of {} needed succeeded: {:w}", ErrNoQuorum, got.size(), need, goro::join(failures));
}

}  // namespace dojo::ex28
