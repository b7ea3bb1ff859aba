// pipelines Q6: a three-stage pipeline (produce, double, collect) that doubles numbers.
#include <string>
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q06 {

struct CloseOnExit {
  goro::Chan<int> c;
  ~CloseOnExit() { c.close(); }
};

goro::Result<std::vector<int>> run_doubling(const goro::Context& parent, const std::vector<int>& nums) {
  auto [g, ctx] = goro::ErrGroup::with_context(parent);
  auto in = goro::make_chan<int>();
  auto doubled = goro::make_chan<int>();
  g.go([ctx = ctx, in, nums]() -> goro::Error {
    const CloseOnExit closer{in};
    for (int n : nums)
      if (goro::select(goro::on_send(in, n), goro::on_recv(ctx.done())) == 1) return ctx.err();
    return {};
  });
  g.go([ctx = ctx, in, doubled]() -> goro::Error {
    const CloseOnExit closer{doubled};
    for (int n : in)
      if (goro::select(goro::on_send(doubled, n * 2), goro::on_recv(ctx.done())) == 1) return ctx.err();
    return {};
  });
  std::vector<int> result;
  g.go([doubled, &result]() -> goro::Error {
    for (int v : doubled) result.push_back(v);
    return {};
  });
  if (goro::Error err = g.wait()) return goro::errorf("doubling: {:w}", err);
  return result;  // read only after wait
}

void run(dojo::interview::Out& out) {
  auto r = run_doubling(goro::background(), {1, 2, 3, 4, 5});
  if (!r.ok()) {
    out.line("failed: {}", r.error());
    return;
  }
  std::string text;
  for (int v : *r) text += (text.empty() ? "" : " ") + std::to_string(v);
  out.line("result: {}", text);
}

}  // namespace pipelines_q06

DOJO_PROGRAM("pipelines-q06", pipelines_q06::run);
