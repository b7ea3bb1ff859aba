// Mutant of exercise 22: the collector returns the moment it has `limit` ids, from inside its
// loop. Every other path goes through cancel() and wait(), but this early return skips both: the
// matchers that still want to send, the producer behind them and the progress ticker are left
// waiting for a pipeline that nobody will ever stop.
// mistake: leak
// expect: a goroutine leak on the early-stop path
#include "leak_hunt.hpp"

#include <algorithm>
#include <atomic>
#include <memory>

namespace dojo::ex22 {

goro::Result<std::vector<int>> search(const goro::Context& ctx, const std::vector<Doc>& docs, const Match& match,
                                      int limit, const Progress& progress) {
  if (goro::Error err = ctx.err()) return err;  // nothing to do for a caller who has given up

  // cancel() is the collector's "stop everything". The group's own context is cancelled only
  // by an error or when wait() returns — too late for tasks that wait() is waiting for.
  auto [pctx, cancel] = goro::with_cancel(ctx);
  auto [g, gctx] = goro::ErrGroup::with_context(pctx);
  auto feed = goro::make_chan<Doc>();
  auto hits = goro::make_chan<int>();
  auto scanned = std::make_shared<std::atomic<int>>(0);

  // The progress bar is a member of the group like the others, and it stops with the pipeline.
  g.go_named("progress", [gctx = gctx, scanned, &progress]() -> goro::Error {
    if (!progress) return {};
    goro::Ticker ticker = goro::new_ticker(kProgressEvery);
    for (;;) {
      if (goro::select(goro::on_recv(ticker.c()), goro::on_recv(gctx.done())) == 1) {
        ticker.stop();
        return {};
      }
      progress(scanned->load());
    }
  });

  // The producer: its send can wait forever once the matchers have stopped, unless it also
  // watches the context. Being stopped is not an error of its own (nil): the error that
  // search returns is the one that stopped the pipeline, not the stop's echo.
  g.go_named("producer", [gctx = gctx, feed, &docs]() -> goro::Error {
    for (const Doc& doc : docs)
      if (goro::select(goro::on_send(feed, doc), goro::on_recv(gctx.done())) == 1) return {};
    feed.close();
    return {};
  });

  // The matchers, in a group of their own: `hits` is closed once all of them have returned, on
  // every path, so that the collector's range-for always ends.
  g.go_named("matchers", [gctx = gctx, feed, hits, scanned, &match]() -> goro::Error {
    auto [mg, mctx] = goro::ErrGroup::with_context(gctx);
    for (int m = 0; m < kMatchers; ++m) {
      mg.go_named("matcher", [mctx = mctx, feed, hits, scanned, &match]() -> goro::Error {
        for (;;) {
          Doc doc;
          bool ok = false;
          if (goro::select(goro::on_recv(feed, &doc, &ok), goro::on_recv(mctx.done())) == 1) return mctx.err();
          if (!ok) return {};
          if (goro::Error err = mctx.err()) return err;  // a doc taken as the pipeline stopped
          goro::Result<bool> matched = match(mctx, doc);
          ++*scanned;
          if (!matched) return goro::errorf("doc {}: {:w}", doc.id, matched.error());
          if (matched.value() && goro::select(goro::on_send(hits, doc.id), goro::on_recv(mctx.done())) == 1)
            return mctx.err();
        }
      });
    }
    goro::Error err = mg.wait();
    hits.close();
    return err;
  });

  // The collector, in the calling task. Leaving the loop early is fine: cancel() below stops the
  // matchers that are waiting to send.
  std::vector<int> found;
  for (int id : hits) {
    found.push_back(id);
    if (static_cast<int>(found.size()) == limit) {  // BUG: returns without cancel() and wait()
      std::sort(found.begin(), found.end());
      return found;
    }
  }
  cancel();                       // every path: stop whatever still runs...
  goro::Error err = g.wait();     // ... and wait until it has stopped
  const bool complete = limit > 0 && static_cast<int>(found.size()) == limit;
  if (!complete && err) {                           // stopped before the answer was complete:
    if (goro::Error cerr = ctx.err()) return cerr;  // the caller gave up, or
    return err;                                     // a match failed ("doc <id>: ...")
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace dojo::ex22
