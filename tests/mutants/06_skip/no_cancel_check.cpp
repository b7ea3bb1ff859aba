// Mutant of exercise 06: process starts the stages without first asking whether ctx is already
// done. The group's context is cancelled from the start, so the stages stop soon, but not before
// the transform stage has called transform for the first item: work done for a caller who had
// already given up.
// mistake: ignored-cancellation
// expect: calls to transform: 0
#include <cstddef>
#include <utility>

#include "skip.hpp"

namespace dojo::ex06 {

goro::Result<std::vector<std::string>> process(const goro::Context& ctx, const std::vector<std::string>& items,
                                               Transform transform) {
  // BUG: no `if (goro::Error err = ctx.err()) return err;` before any work starts
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<Transformed>();
  g.go([ch, gctx = gctx, &items, &transform]() -> goro::Error {
    for (const std::string& item : items) {
      goro::Result<std::string> r = transform(item);
      Transformed msg{r.ok() ? std::move(r).value() : std::string(), r.error()};
      if (goro::select(goro::on_send(ch, std::move(msg)), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();
      }
    }
    ch.close();
    return {};
  });
  std::vector<std::string> texts;
  g.go([ch, gctx = gctx, &texts]() -> goro::Error {
    for (std::size_t index = 0;; ++index) {
      Transformed msg;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &msg, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};
      if (goro::is(msg.err, ErrSkip)) continue;
      if (msg.err) return goro::errorf("item {}: {:w}", index, msg.err);
      texts.push_back(std::move(msg.text));
    }
  });
  if (goro::Error err = g.wait()) return err;
  return texts;
}

}  // namespace dojo::ex06
