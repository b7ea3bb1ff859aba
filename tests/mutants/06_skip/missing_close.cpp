// Mutant of exercise 06: the collecting stage ranges over the channel (fine on its own: the
// range ends at the close), but the transform stage closes the channel only when it stops early
// on gctx.done(). After the last item it just returns, so the range waits for a message that
// never comes and for a close that never happens.
// mistake: missing-close
// expect: chan receive
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
    return {};  // BUG: every item sent, but the channel is left open
  });
  std::vector<std::string> texts;
  g.go([ch, &texts]() -> goro::Error {
    std::size_t index = 0;
    for (Transformed msg : ch) {  // ends only when the transform stage closes ch
      if (goro::is(msg.err, ErrSkip)) {
        ++index;
        continue;
      }
      if (msg.err) return goro::errorf("item {}: {:w}", index, msg.err);
      texts.push_back(std::move(msg.text));
      ++index;
    }
    return {};
  });
  if (goro::Error err = g.wait()) return err;
  return texts;
}

}  // namespace dojo::ex06
