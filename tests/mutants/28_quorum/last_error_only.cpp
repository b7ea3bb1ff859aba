// Mutant of exercise 28: when the quorum is lost, the error wraps only the LAST failure: one
// error variable, overwritten by each failed call. The caller learns that one replica timed
// out, not that another was down and a third was behind.
// mistake: wrong-error
// expect: holds only the last failure
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
  auto finish = [&wg, cancel = cancel] {
    cancel();
    wg.wait();
  };
  std::vector<std::string> got;
  std::size_t failed = 0;
  goro::Error last;
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
    ++failed;
    last = a.err;  // BUG: replaces the failures before it
    if (n - got.size() - failed < wanted - got.size()) {
      finish();
      return goro::errorf("{:w}: {} of {} needed succeeded: {:w}", ErrNoQuorum, got.size(), need, last);
    }
  }
}

}  // namespace dojo::ex28
