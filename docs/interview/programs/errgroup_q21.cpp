// errgroup Q21: a conc-style pool (goro::RecoveringGroup) against ErrGroup on the same failures.
#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"
#include "goro/recover.hpp"

namespace errgroup_q21 {

void run(dojo::interview::Out& out) {
  const goro::Error a = goro::new_error("replica a timed out");
  const goro::Error b = goro::new_error("replica b timed out");
  goro::RecoveringGroup rg;
  rg.go([a] { return a; });
  rg.go([]() -> goro::Error { goro::panic("nil map write"); });
  rg.go([b] { return b; });
  const goro::Error all = rg.wait();
  const auto p = goro::as<goro::PanicError>(all);
  out.line("recovering group: {} errors joined, a: {}, b: {}, panic value: {}", goro::unwrap_all(all).size(),
           goro::is(all, a), goro::is(all, b), p ? p->value : "none");

  goro::ErrGroup g;
  g.go([a] { return a; });
  g.go([b] { return b; });
  const goro::Error one = g.wait();
  out.line("errgroup: one of the two kept: {}, anything joined: {}", one == a || one == b,
           !goro::unwrap_all(one).empty());
}

}  // namespace errgroup_q21

DOJO_PROGRAM("errgroup-q21", errgroup_q21::run);
