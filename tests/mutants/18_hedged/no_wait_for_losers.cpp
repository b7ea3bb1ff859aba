// Mutant of exercise 18: the request tasks are started with goro::go and never waited for. The
// losers are cancelled when a replica wins, but hedged_fetch returns at once: their tasks (and
// their connections) are still alive after it has returned.
// mistake: leak
// expect: still in flight when hedged_fetch returned
#include "hedged.hpp"

namespace dojo::ex18 {

namespace {

// What one request task reports: the body, or its error wrapped with its URL.
struct Answer {
  std::string body;
  goro::Error err;
};

}  // namespace

goro::Result<std::string> hedged_fetch(const goro::Context& ctx, const std::vector<std::string>& urls,
                                       goro::Duration hedge_delay) {
  // A cancelled caller wants no request sent.
  if (goro::Error err = ctx.err()) return err;
  if (urls.empty()) return ErrNoReplicas;

  // Every request watches rctx: one cancel() aborts all that are still in flight. rctx is
  // derived from ctx, so the caller's cancellation reaches them too.
  auto [rctx, cancel] = goro::with_cancel(ctx);
  // One slot per replica: a request that ends after the winner (or after a cancellation)
  // reports into the buffer and exits; no one has to receive from it.
  auto answers = goro::make_chan<Answer>(urls.size());

  std::size_t asked = 0;
  auto ask_next = [&, rctx = rctx] {
    const std::string& url = urls[asked++];
    goro::go([rctx, url, answers] {  // BUG: nobody waits for this task
      auto r = http_get(rctx, url);
      if (r) answers.send(Answer{std::move(*r), {}});
      else answers.send(Answer{{}, goro::errorf("GET {}: {:w}", url, r.error())});
    });
  };
  // On every way out: abort what is still in flight, then wait until it has ended.
  auto stop_all = [cancel = cancel] { cancel(); };  // BUG: no wait for the tasks

  ask_next();
  auto hedge = goro::new_timer(hedge_delay);  // restarted each time a request is sent
  std::vector<goro::Error> errs;
  while (errs.size() < urls.size()) {  // a request is in flight, or a replica is still to ask
    Answer a;
    switch (goro::select(goro::on_recv(answers, &a), goro::on_recv(hedge.c()), goro::on_recv(ctx.done()))) {
      case 0:
        if (!a.err) {  // the first success wins
          stop_all();
          return a.body;
        }
        errs.push_back(a.err);
        [[fallthrough]];  // a failure asks the next replica at once, like an expired delay
      case 1:
        if (asked < urls.size()) {
          ask_next();
          (void)hedge.reset(hedge_delay);
        }
        break;
      default:  // the caller gave up
        stop_all();
        return ctx.err();
    }
  }
  stop_all();
  return goro::join(errs);  // every replica failed: all the reasons, each naming its URL
}

}  // namespace dojo::ex18
