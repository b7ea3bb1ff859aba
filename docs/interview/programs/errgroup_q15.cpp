// errgroup Q15: reusing a group after wait(). goro lets it run, but the old state stays.
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"
#include "goro/goro.hpp"

namespace errgroup_q15 {

void run(dojo::interview::Out& out) {
  const goro::Error old = goro::new_error("batch 1: row 7 invalid");
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([old] { return old; });
  out.line("batch 1: wait returned \"{}\"", g.wait());

  auto saw_done = goro::make_chan<bool>(1);
  g.go([ctx = ctx, saw_done] {  // batch 2 succeeds completely
    saw_done.send(goro::select(goro::on_recv(ctx.done()), goro::on_default()) == 0);
    return goro::Error{};
  });
  const goro::Error second = g.wait();
  out.line("batch 2 (no failure): wait returned \"{}\"; its task found ctx already done: {}", second,
           saw_done.recv().value);
}

}  // namespace errgroup_q15

DOJO_PROGRAM("errgroup-q15", errgroup_q15::run);
