// errgroup Q18: a write needs 3 of 5 replicas: the third success cancels the rest. And 4 of 5 failing?
#include <atomic>
#include <memory>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q18 {

struct Write {
  goro::Error err;
  int successes = 0;
};

// The naive quorum: failures are swallowed, the third success returns the sentinel. A sixth,
// slow replica (when `straggler` is open) answers only when the group's context ends.
Write quorum_write(const std::vector<bool>& replicas, const goro::Error& reached, goro::Chan<goro::Error> straggler) {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto ok = std::make_shared<std::atomic<int>>(0);
  for (bool succeeds : replicas) {
    g.go([ok, succeeds, reached]() -> goro::Error {
      if (!succeeds) return {};  // a failed replica is not fatal on its own
      if (ok->fetch_add(1) + 1 >= 3) return reached;
      return {};
    });
  }
  if (!straggler.is_nil()) {
    g.go([ctx = ctx, straggler] {
      (void)ctx.done().recv();
      straggler.send(ctx.err());
      return ctx.err();
    });
  }
  const goro::Error err = g.wait();
  return Write{goro::is(err, reached) ? goro::Error{} : err, ok->load()};
}

void run(dojo::interview::Out& out) {
  const goro::Error reached = goro::new_error("quorum reached");
  auto saw = goro::make_chan<goro::Error>(1);
  const Write three = quorum_write({false, true, false, true, true}, reached, saw);
  out.line("3 of 5 succeed: write returned {} after {} successes; the slow replica saw {}", three.err,
           three.successes, saw.recv().value);
  const Write four_fail = quorum_write({false, false, true, false, false}, reached, goro::Chan<goro::Error>{});
  out.line("4 of 5 fail: write returned {} after {} success", four_fail.err, four_fail.successes);
}

}  // namespace errgroup_q18

DOJO_PROGRAM("errgroup-q18", errgroup_q18::run);
