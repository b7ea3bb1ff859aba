// Exercise 06 — skip: reference solution.
#include "skip.hpp"

#include <cstddef>
#include <utility>

namespace dojo::ex06 {

goro::Result<std::vector<std::string>> process(const goro::Context& ctx, const std::vector<std::string>& items,
                                               Transform transform) {
  // A cancelled context means: do no work at all (transform is never called).
  if (goro::Error err = ctx.err()) return err;

  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
  auto ch = goro::make_chan<Transformed>();

  // Transform stage: turns items into messages. It passes errors on without judging them — the
  // stage that receives them knows what they mean. It is the only sender, so the only closer.
  // `items` and `transform` live until g.wait() returns, so capturing them by reference is safe.
  g.go([ch, gctx = gctx, &items, &transform]() -> goro::Error {
    for (const std::string& item : items) {
      goro::Result<std::string> r = transform(item);
      Transformed msg{r.ok() ? std::move(r).value() : std::string(), r.error()};
      if (goro::select(goro::on_send(ch, std::move(msg)), goro::on_recv(gctx.done())) == 1) {
        ch.close();
        return gctx.err();  // the collecting stage failed, or the caller cancelled
      }
    }
    ch.close();
    return {};
  });

  // Collecting stage: the one place that decides what an error means.
  std::vector<std::string> texts;
  g.go([ch, gctx = gctx, &texts]() -> goro::Error {
    for (std::size_t index = 0;; ++index) {
      Transformed msg;
      bool ok = false;
      if (goro::select(goro::on_recv(ch, &msg, &ok), goro::on_recv(gctx.done())) == 1) return gctx.err();
      if (!ok) return {};  // closed and drained: every item is in
      // goro::is, not ==: the transform may have wrapped ErrSkip to say why it skips.
      // A skip is handled here and goes no further — returning it would fail the pipeline.
      if (goro::is(msg.err, ErrSkip)) continue;
      // Any other error is a real failure. Test it after the skip, or skips would fail too.
      if (msg.err) return goro::errorf("item {}: {:w}", index, msg.err);
      texts.push_back(std::move(msg.text));
    }
  });

  // wait() orders the collecting stage's writes to `texts` before this read.
  if (goro::Error err = g.wait()) return err;
  return texts;
}

}  // namespace dojo::ex06
