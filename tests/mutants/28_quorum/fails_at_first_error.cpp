// Mutant of exercise 28: the calls run in a goro::ErrGroup made with with_context. The group
// cancels its context at the FIRST error, so one failed replica stops every other call and
// quorum gives up, although three of the remaining four could still have succeeded.
// mistake: unexpected-error
// expect: could still succeed
#include "quorum.hpp"

namespace dojo::ex28 {

goro::Result<std::vector<std::string>> quorum(const goro::Context& ctx, const std::vector<Replica>& replicas,
                                              int need) {
  if (need <= 0) return std::vector<std::string>{};
  const std::size_t n = replicas.size();
  const auto wanted = static_cast<std::size_t>(need);
  if (wanted > n) return goro::errorf("{:w}: need {} answers from {} replicas", ErrTooFewReplicas, need, n);
  if (goro::Error err = ctx.err()) return err;

  auto [qctx, cancel] = goro::with_cancel(ctx);
  auto [g, gctx] = goro::ErrGroup::with_context(qctx);  // BUG: cancels everything at the first failure
  goro::Mutex mu;
  std::vector<std::string> got;
  for (const Replica& call : replicas) {
    g.go([&, call, gctx = gctx]() -> goro::Error {
      goro::Result<std::string> r = call(gctx);
      if (!r) return r.error();
      std::lock_guard lk(mu);
      if (got.size() < wanted) {
        got.push_back(std::move(*r));
        if (got.size() == wanted) cancel();  // the quorum: stop the others
      }
      return {};
    });
  }
  goro::Error err = g.wait();
  cancel();
  if (got.size() == wanted) return got;
  if (goro::Error cerr = ctx.err()) return cerr;
  return goro::errorf("{:w}: {} of {} needed succeeded: {:w}", ErrNoQuorum, got.size(), need, err);
}

}  // namespace dojo::ex28
