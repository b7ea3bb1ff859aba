// Exercise 02 — negative. Edit this file, then run: ./dojo grade 2
//
// Your task (the full statement is in README.md). Start from your exercise 01, then:
//   1. In the producer, before sending a number, check it. On the first negative one, stop
//      sending and return an error that wraps ErrNegative and says where it was:
//        its message must contain "nums[<index>] = <value>", e.g. "nums[2] = -1".
//      Wrapping is what `{:w}` does in goro::errorf; `{}` only copies the text.
//   2. Whatever way the producer leaves, it closes the channel (exactly once).
//   3. Returning the error from the task is enough: the group cancels gctx, and a consumer
//      that watches gctx.done() stops. g.wait() hands you the producer's error.
//   4. Cancellation of `ctx` still works as in exercise 01.
#include "negative.hpp"

namespace dojo::ex02 {

goro::Result<long long> sum(const goro::Context& ctx, const std::vector<int>& nums) {
  (void)ctx;
  (void)nums;
  return goro::new_error("sum: not implemented yet");  // replace this line with your pipeline
}

}  // namespace dojo::ex02
