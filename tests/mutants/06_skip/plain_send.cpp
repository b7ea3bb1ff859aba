// Mutant of exercise 06: skips and failures are handled right, but the transform stage sends
// with a plain send. Once the collecting stage has failed nobody receives any more, the send
// blocks forever, and wait() with it.
// mistake: blocked-send
// expect: chan send
#include <cstddef>
#include <utility>

#include "skip.hpp"

namespace dojo::ex06 {

goro::Result<std::vector<std::string>> process(const goro::Context& ctx, const std::vector<std::string>& items,
                                               Transform transform) {
  if (goro::Error err = ctx.err()) return err;
  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<Transformed>();
  g.go([ch, &items, &transform]() -> goro::Error {
    for (const std::string& item : items) {
      goro::Result<std::string> r = transform(item);
      Transformed msg{r.ok() ? std::move(r).value() : std::string(), r.error()};
      ch.send(std::move(msg));  // BUG: no select on gctx.done()
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
