// Mutant of exercise 28: every answer counts, whether the call succeeded or not. quorum returns
// the first `need` answers that arrive; a failed call contributes its empty value, and its
// error is dropped. A read that three replicas could not serve "succeeds".
// mistake: swallowed-error
// expect: a failed replica was counted as a success
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
  for (;;) {
    Answer a;
    if (goro::select(goro::on_recv(answers, &a), goro::on_recv(ctx.done())) == 1) {
      finish();
      return ctx.err();
    }
    got.push_back(std::move(a.value));  // BUG: a.err is never looked at
    if (got.size() == wanted) {
      finish();
      return got;
    }
  }
}

}  // namespace dojo::ex28
