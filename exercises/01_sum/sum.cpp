// Exercise 01 — sum. Edit this file, then run: ./dojo grade 1
//
// Your task (the full statement is in README.md):
//   1. Check the context first: if it is already cancelled, return its error.
//   2. Make a group bound to the context:  auto [g, gctx] = goro::ErrGroup::with_context(ctx);
//   3. Make a channel:                     auto ch = goro::make_chan<int>();
//   4. Producer task (g.go): send each number, then close the channel — exactly once.
//      While sending, also watch gctx.done(), so that a cancellation can stop it.
//   5. Consumer task (g.go): receive until the channel is closed, adding up; stop on gctx.done().
//   6. g.wait() returns the first error; return it, or the total.
#include "sum.hpp"

namespace dojo::ex01 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  (void)ctx;
  (void)nums;
  return goro::new_error("sum: not implemented yet");  // replace this line with your pipeline
}

}  // namespace dojo::ex01
