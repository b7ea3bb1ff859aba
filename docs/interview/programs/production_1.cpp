// production 1: fetching a user and their orders in parallel, every task wrapping its result
// with {:w}. Both fetches succeed. What does wait return?
#include "dojo/interview/program.hpp"
#include "goro/context.hpp"
#include "goro/errgroup.hpp"

namespace production_1 {

goro::Error fetch_profile(bool wrap_always) {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  g.go([wrap_always] {
    const goro::Error err;  // the user lookup succeeded
    if (wrap_always || err) return goro::errorf("fetching user: {:w}", err);
    return goro::Error{};
  });
  g.go([wrap_always] {
    const goro::Error err;  // the order lookup succeeded
    if (wrap_always || err) return goro::errorf("fetching orders: {:w}", err);
    return goro::Error{};
  });
  return g.wait();
}

void run(dojo::interview::Out& out) {
  out.line("wrap unconditionally: {}", fetch_profile(true));
  out.line("wrap only on failure: {}", fetch_profile(false));
}

}  // namespace production_1

DOJO_PROGRAM("production-1", production_1::run);
