// Mutant of exercise 06: every error is swallowed, real failures included. Skips work, but a
// broken item just disappears and the pipeline reports success.
// mistake: swallowed-error
// expect: goro::is finds ErrBroken
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
    for (;;) {
      Transformed msg;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &msg, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};
      if (msg.err) continue;  // BUG: not only ErrSkip — every error is dropped
      texts.push_back(std::move(msg.text));
    }
  });
  if (goro::Error err = g.wait()) return err;
  return texts;
}

}  // namespace dojo::ex06
