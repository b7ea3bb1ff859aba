// Mutant of exercise 18: the requests are made with the caller's ctx instead of a context of
// hedged_fetch's own. cancel() still runs when a replica wins, but no request watches the
// context it cancels: the slower requests run to their end, and wg.wait() waits for them.
// mistake: ignored-cancellation
// expect: instead of being dropped
#include "hedged.hpp"

namespace dojo::ex18 {

namespace {
struct Answer {
  std::string body;
  goro::Error err;
};
}  // namespace

goro::Result<std::string> hedged_fetch(const goro::Context& ctx, const std::vector<std::string>& urls,
                                       goro::Duration hedge_delay) {
  if (goro::Error err = ctx.err()) return err;
  if (urls.empty()) return ErrNoReplicas;
  auto [rctx, cancel] = goro::with_cancel(ctx);
  auto answers = goro::make_chan<Answer>(urls.size());
  goro::WaitGroup wg;
  std::size_t asked = 0;
  auto ask_next = [&, caller = ctx] {
    const std::string& url = urls[asked++];
    wg.go([caller, url, answers] {
      auto r = http_get(caller, url);  // BUG: the caller's ctx, which hedged_fetch never cancels
      if (r) answers.send(Answer{std::move(*r), {}});
      else answers.send(Answer{{}, goro::errorf("GET {}: {:w}", url, r.error())});
    });
  };
  auto stop_all = [&wg, cancel = cancel] {
    cancel();
    wg.wait();
  };
  ask_next();
  auto hedge = goro::new_timer(hedge_delay);
  std::vector<goro::Error> errs;
  while (errs.size() < urls.size()) {
    Answer a;
    switch (goro::select(goro::on_recv(answers, &a), goro::on_recv(hedge.c()), goro::on_recv(ctx.done()))) {
      case 0:
        if (!a.err) {
          stop_all();
          return a.body;
        }
        errs.push_back(a.err);
        [[fallthrough]];
      case 1:
        if (asked < urls.size()) {
          ask_next();
          (void)hedge.reset(hedge_delay);
        }
        break;
      default:
        stop_all();
        return ctx.err();
    }
  }
  stop_all();
  return goro::join(errs);
}

}  // namespace dojo::ex18
