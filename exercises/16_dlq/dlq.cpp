// Exercise 16 — dlq. Edit this file, then run: ./dojo grade 16
//
// Your task (the full statement is in README.md, the contract in dlq.hpp):
//   1. Loop: take the next item from `in` in a select that also watches ctx.done(). `in` closed
//      and drained: the stage is done (nil). Check ctx.err() before taking an item, too.
//   2. Try the item up to kAttempts times. Nil from process: it goes on `done`.
//   3. An error that wraps ErrPoison (goro::is) ends the item at once: no retry, no wait. Its
//      reason is "item <id>: poison: <err>", wrapped with {:w}.
//   4. Any other error: wait base_backoff · 2^(n-1) after attempt n (100 ms, 200 ms) — on a timer,
//      in a select with ctx.done() — and try again. After the last attempt, no wait: the reason
//      is "item <id>: gave up after 3 attempts: <last err>", wrapped with {:w}.
//   5. Send each failed item ONCE, after its last attempt, as DeadLetter{item, reason} on `dlq`.
//      Every send (done and dlq) waits for its reader, or for ctx.done(): never drop one.
//   6. A dead letter does not stop the stage; only ctx does. Once ctx.err() is set, return it:
//      no further attempt, and the item in hand goes nowhere.
//   7. Close `done` and `dlq` before returning, on every path. Leave `in` alone.
#include "dlq.hpp"

namespace dojo::ex16 {

goro::Error run_stage(const goro::Context& ctx, goro::Chan<Item> in, goro::Chan<Item> done, goro::Chan<DeadLetter> dlq,
                      const Process& process, goro::Duration base_backoff) {
  (void)ctx;
  (void)in;
  (void)process;
  (void)base_backoff;
  done.close();
  dlq.close();
  return goro::new_error("run_stage: not implemented yet");  // replace this line with your stage
}

}  // namespace dojo::ex16
