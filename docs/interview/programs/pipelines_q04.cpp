// pipelines Q4: what is wrong with a producer that never closes its channel?
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q04 {

// Go's `defer close(out)`: closes the channel on every way out of the producer.
struct CloseOnExit {
  goro::Chan<int> c;
  ~CloseOnExit() { c.close(); }
};

void run(dojo::interview::Out& out) {
  const std::vector<int> items{4, 5, 6};

  // The fix: a group, a close on every exit, and a select on ctx.done() for each send.
  {
    auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
    auto ch = goro::make_chan<int>();
    g.go([ctx = ctx, ch, items]() -> goro::Error {
      const CloseOnExit closer{ch};
      for (int it : items)
        if (goro::select(goro::on_send(ch, it), goro::on_recv(ctx.done())) == 1) return ctx.err();
      return {};
    });
    int n = 0;
    for (int v : ch) {
      (void)v;
      ++n;
    }
    out.line("fixed: {} items, loop ended, wait returned {}", n, g.wait());
  }

  // The bug: nobody closes the channel, so the range loop waits for a fourth item forever.
  auto ch = goro::make_chan<int>();
  goro::go([ch, items] {
    for (int it : items) ch.send(it);
  });
  for (int v : ch) out.line("buggy: processed {}", v);
  out.line("buggy: loop ended");  // never printed
}

}  // namespace pipelines_q04

DOJO_PROGRAM("pipelines-q04", pipelines_q04::run, dojo::interview::Modes::simulation);
