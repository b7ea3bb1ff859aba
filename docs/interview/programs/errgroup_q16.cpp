// errgroup Q16: collect every error, not only the first: return nil, keep them yourself, join.
#include <atomic>
#include <mutex>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/mutex.hpp"

namespace errgroup_q16 {

void run(dojo::interview::Out& out) {
  const goro::Error row1 = goro::new_error("row 1 invalid");
  const goro::Error row4 = goro::new_error("row 4 invalid");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  goro::Mutex mu;
  std::vector<goro::Error> errs;
  std::atomic<int> attempted{0};
  for (int i = 0; i < 6; ++i) {
    g.go([i, &mu, &errs, &attempted, row1, row4]() -> goro::Error {
      attempted.fetch_add(1);
      const goro::Error err = i == 1 ? row1 : i == 4 ? row4 : goro::Error{};
      if (err) {
        std::lock_guard lk(mu);
        errs.push_back(err);
      }
      return {};  // never fail the group: nobody gets cancelled
    });
  }
  out.line("before wait, group context cancelled: {}", static_cast<bool>(ctx.err()));
  out.line("wait returned {}", g.wait());
  const goro::Error all = goro::join(errs);
  out.line("attempted {}, joined {} errors, row 1 in it: {}, row 4 in it: {}", attempted.load(),
           goro::unwrap_all(all).size(), goro::is(all, row1), goro::is(all, row4));
  out.line("join of no errors: {}", goro::join(std::vector<goro::Error>{}));
}

}  // namespace errgroup_q16

DOJO_PROGRAM("errgroup-q16", errgroup_q16::run);
