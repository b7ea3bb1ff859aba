// Mutant of exercise 06: the collecting stage recognises a skip with == instead of goro::is. The
// bare sentinel is skipped, but a transform that wraps ErrSkip to say why ("blank line: ...")
// makes a new error, which == misses: the skip becomes a failure.
// mistake: unexpected-error
// expect: a wrapped ErrSkip is still a skip
#include <cstddef>
#include <utility>

#include "skip.hpp"

namespace dojo::ex06 {

goro::Result<std::vector<std::string>> process(const goro::Context& ctx, const std::vector<std::string>& items,
                                               Transform transform) {
  if (goro::Error err = ctx.err()) return err;
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
      if (msg.err == ErrSkip) continue;  // BUG: identity, not goro::is — misses a wrapped ErrSkip
      if (msg.err) return goro::errorf("item {}: {:w}", index, msg.err);
      texts.push_back(std::move(msg.text));
    }
  });
  if (goro::Error err = g.wait()) return err;
  return texts;
}

}  // namespace dojo::ex06
