// Mutant of exercise 27: a reader hands each URL to a task of its own (at most `workers` at a
// time, through a channel of tokens), and returns the moment a task reports an error, "since
// the answer is known". It does cancel the other fetches — but it does not wait for them: they
// are still running when the caller gets its answer, and nobody is left to wait for them.
// mistake: leak
// expect: were still in progress
#include "crawler.hpp"

#include <memory>
#include <set>
#include <utility>

namespace dojo::ex27 {

namespace {
// Shared with the fetch tasks, which may outlive the call.
struct State {
  goro::WaitGroup wg;
  goro::Mutex mu;
  Pages pages;
};
}  // namespace

goro::Result<Pages> crawl(const goro::Context& ctx, goro::Chan<std::string> urls, int workers, const Fetch& fetch) {
  auto s = std::make_shared<State>();
  auto [fctx, cancel] = goro::with_cancel(ctx);
  auto tokens = goro::make_chan<goro::Unit>(static_cast<std::size_t>(workers));  // one per fetch in flight
  auto errs = goro::make_chan<goro::Error>(1);                                   // the first error
  std::set<std::string> seen;
  goro::Error err;
  for (;;) {
    std::string url;
    bool ok = false;
    const std::size_t c = goro::select(goro::on_recv(urls, &url, &ok), goro::on_recv(errs, &err),
                                       goro::on_recv(ctx.done()));
    if (c == 1) {
      cancel();
      return err;  // the bug: the other fetches are still running
    }
    if (c == 2) break;
    if (!ok) break;
    if (!seen.insert(url).second) continue;
    const std::size_t t = goro::select(goro::on_send(tokens, goro::Unit{}), goro::on_recv(errs, &err),
                                       goro::on_recv(ctx.done()));
    if (t == 1) {
      cancel();
      return err;  // the bug, again
    }
    if (t == 2) break;
    s->wg.add(1);
    goro::go([s, fetch = fetch, fctx = fctx, url, tokens, errs] {
      goro::Result<std::string> body = fetch(fctx, url);
      if (!body) {
        (void)goro::select(goro::on_send(errs, goro::errorf("fetch {}: {:w}", url, body.error())), goro::on_default());
      } else {
        std::lock_guard lk(s->mu);
        s->pages.emplace(url, std::move(body).value());
      }
      (void)tokens.recv();
      s->wg.done();
    });
  }
  if (ctx.err()) cancel();
  s->wg.wait();
  cancel();
  if (goro::select(goro::on_recv(errs, &err), goro::on_default()) == 0) return err;
  if (goro::Error e = ctx.err()) return e;
  return s->pages;
}

}  // namespace dojo::ex27
