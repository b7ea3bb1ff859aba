// Exercise 06 — skip. Edit this file, then run: ./dojo grade 6
//
// Your task (the full statement is in README.md):
//   1. Check the context first: if it is already cancelled, return its error.
//   2. One group bound to the context, one channel of Transformed (see skip.hpp).
//   3. Transform stage (g.go): for each item call transform(item) and send a Transformed with
//      its text or its error; watch gctx.done() while sending; close the channel on every way out.
//      This stage does not judge the errors: it passes them on.
//   4. Collecting stage (g.go): receive until the channel is closed. For each message:
//        - an ErrSkip (found with goro::is: it may be wrapped) -> leave the item out, go on;
//        - any other error -> return it (wrapping it is fine): the pipeline fails;
//        - no error -> keep the text.
//      Watch gctx.done() while receiving.
//   5. g.wait() returns the first error; return it, or the texts.
#include "skip.hpp"

namespace dojo::ex06 {

goro::Result<std::vector<std::string>> process(const goro::Context& ctx, const std::vector<std::string>& items,
                                               Transform transform) {
  (void)ctx;
  (void)items;
  (void)transform;
  return goro::new_error("process: not implemented yet");  // replace this line with your pipeline
}

}  // namespace dojo::ex06
