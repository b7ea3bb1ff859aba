// Failure classes: what a failing run shows the learner's code did wrong. Every failing run
// is diagnosed with exactly one, printed in its report ("mistake: wrong-count") and in the
// JSON results; its hint is chosen from it, not fixed per check. The kept mutants state theirs
// (`// mistake: <id>` in tests/mutants/NN_slug/*.cpp) and their tests fail unless the first
// failing check diagnoses exactly that one. docs/graders.md lists them with an example each.
//
// A check tags an expectation with the class its failure would show:
//   check.expect_eq(calls, 3, "number of attempts", {mistake::wrong_count, "The first call counts."});
// Untagged expectations get a class from what they compare (an error that goro::is cannot
// find although its text is there, or a flat "...: ..." message that wraps nothing: missing-wrap; nil where an error was due: swallowed-error;
// anything else: wrong-result). The harness diagnoses the rest itself: deadlock, missing-close,
// blocked-send, leak, panic, double-close, send-on-closed, busy-loop, wall-clock-sleep, raw-lock,
// blocking-call, stuck, crash.
#pragma once

#include <string>
#include <string_view>

namespace dojo::grader {

/// One failure class: a stable id, what it means, and the hint given when a check has none
/// more specific.
struct Mistake {
  std::string_view id;
  std::string_view title;
  std::string_view hint;
};

namespace mistake {
// ---- seen by a check's expectations ----
inline constexpr Mistake wrong_result{"wrong-result", "a wrong result", ""};
inline constexpr Mistake wrong_count{"wrong-count", "too many or too few (calls, attempts, items, batches)",
                                     "Count what the statement counts: the first call is attempt 1, and every item "
                                     "is handled once."};
inline constexpr Mistake wrong_order{"wrong-order", "the right things in the wrong order",
                                     "The order is part of the contract; work out which event must come first and "
                                     "why."};
inline constexpr Mistake wrong_timing{"wrong-timing", "the right things at the wrong moments",
                                      "Times are read on goro's clock: a wait starts when the event it follows has "
                                      "happened, and lasts exactly what the statement says."};
inline constexpr Mistake lost_item{"lost-item", "an item went missing",
                                   "Every item must end somewhere (a result, an error, a dead-letter queue): follow "
                                   "each path an item can take, including cancellation and failure."};
inline constexpr Mistake duplicate{"duplicate", "an item or an effect happened twice",
                                   "An item handled again (a retry, a restart) must not take effect again: decide "
                                   "when an item counts as done, and record that."};
inline constexpr Mistake swallowed_error{"swallowed-error", "an error was dropped (nil where an error was due)",
                                         "An error that happens must reach the caller: return it, or keep it until "
                                         "you can."};
inline constexpr Mistake missing_wrap{"missing-wrap", "the error's text kept, but not the error",
                                      "goro::is and goro::as walk the wrap chain: add context with "
                                      "goro::errorf(\"...: {:w}\", err) (or goro::join), not with {} or a new error."};
inline constexpr Mistake missing_context{"missing-context", "an error that does not say where it happened",
                                         "Wrap the error with what the caller needs to find the cause (which item, "
                                         "index, URL or step), keeping the cause itself with {:w}."};
inline constexpr Mistake kept_going{"kept-going", "work went on after a failure that should have stopped it",
                                    "Once the result is decided by a failure, the work still running is wasted: "
                                    "stop where the failure is seen, and let the others hear of it (a cancelled "
                                    "context) instead of finishing or draining."};
inline constexpr Mistake wrong_error{"wrong-error", "a different error than the one due",
                                     "Several errors were in play; the statement says which one the caller gets."};
inline constexpr Mistake unexpected_error{"unexpected-error", "an error where none was due",
                                          "This run should succeed; look at where the error came from (its wrap "
                                          "chain is above)."};
inline constexpr Mistake ignored_cancellation{"ignored-cancellation", "cancellation ignored, or seen too late",
                                              "Every wait that can last must also end when the context is done: "
                                              "select on ctx.done() beside it, and return ctx.err()."};
inline constexpr Mistake over_limit{"over-limit", "more at once than the limit allows",
                                    "The limit must hold before the work starts: take the slot (semaphore, "
                                    "errgroup limit, worker count) first, then start."};
inline constexpr Mistake serialized{"serialized", "work done one at a time that may overlap",
                                    "Independent work should run at the same time; wait for all of it at the end, "
                                    "not for each piece in turn."};
inline constexpr Mistake unsynchronized{"unsynchronized", "shared data read or written without waiting for its writers",
                                        "A value other tasks write is complete only once they are done: read it after "
                                        "wait() (or a receive) says so, and guard writes that overlap."};
inline constexpr Mistake unreleased_context{"unreleased-context", "a derived context never released",
                                            "Every with_cancel / with_timeout / with_deadline returns a cancel "
                                            "function: call it on every way out (a scope guard does), or the "
                                            "context stays linked to its parent until the parent ends."};
// ---- seen by the harness ----
inline constexpr Mistake deadlock{"deadlock", "every task blocked, nothing can wake them",
                                  "Look at what each task waits for: a send nobody receives, a receive nobody ends, "
                                  "a wait for a task that waits for you."};
inline constexpr Mistake missing_close{"missing-close", "a receive that no close will ever end",
                                       "A range over a channel ends only when the channel is closed: the one sender "
                                       "(or whoever knows every send is done) closes it."};
inline constexpr Mistake blocked_send{"blocked-send", "a send that nobody will ever receive",
                                      "Once the receiver is gone (it failed, or the context was cancelled) a plain "
                                      "send waits forever: send in a select with ctx.done(), and return when it is "
                                      "done."};
inline constexpr Mistake leak{"leak", "tasks left behind when the function returned",
                              "Every task you start must have exited before you return: a task blocked in a send "
                              "nobody will receive needs a select on ctx.done(); wait for the tasks you started."};
inline constexpr Mistake panic{"panic", "an exception escaped a task",
                               "An exception that escapes a task ends a Go program; catch it where the exercise "
                               "asks, or avoid it."};
inline constexpr Mistake double_close{"double-close", "a channel closed twice",
                                      "A channel is closed once, by its owner: the one sender, or whoever waits for "
                                      "all senders."};
inline constexpr Mistake send_on_closed{"send-on-closed", "a send on a channel already closed",
                                        "Close a channel only after every send on it is done: wait for the senders, "
                                        "then close."};
inline constexpr Mistake busy_loop{"busy-loop", "a loop that polls instead of blocking",
                                   "A loop that spins (or selects with a default) never lets the run end; block on a "
                                   "channel, a lock or a timer."};
inline constexpr Mistake wall_clock_sleep{"wall-clock-sleep", "a sleep on the wall clock",
                                          "Waits belong on goro's clock: goro::sleep, or a goro::new_timer in a select "
                                          "with ctx.done(). std::this_thread::sleep_for waits in real time, cannot "
                                          "be cancelled, and the virtual clock does not see it."};
inline constexpr Mistake raw_lock{"raw-lock", "a wait on a lock goro does not know",
                                  "A std::mutex, std::condition_variable or std::future that another task must "
                                  "release blocks every task; use goro::Mutex, goro::WaitGroup or a channel."};
inline constexpr Mistake blocking_call{"blocking-call", "a call that blocks outside goro",
                                       "A call that waits for a file, socket or process goes in goro::blocking(...)."};
inline constexpr Mistake stuck{"stuck", "no progress on real threads",
                               "A deadlock or a task waiting on something that never happens; the report shows "
                               "where each task is blocked."};
inline constexpr Mistake crash{"crash", "the process crashed",
                               "Run the check in the debugger (the command is above) and look at the first frame "
                               "of your code."};
}  // namespace mistake

/// Why an expectation failed, as a check says it: a failure class, a hint more specific than
/// the class's own, or both. Converts from a hint text, so `expect(ok, e, g, "hint")` still works.
struct Why {
  const Mistake* mistake = nullptr;
  std::string hint;

  Why() = default;
  Why(const char* h) : hint(h ? h : "") {}                       // NOLINT: implicit on purpose
  Why(std::string_view h) : hint(h) {}                           // NOLINT
  Why(const std::string& h) : hint(h) {}                         // NOLINT
  Why(const Mistake& m, std::string_view h = {}) : mistake(&m), hint(h) {}  // NOLINT
};

/// The class with id `id`, or nullptr.
[[nodiscard]] const Mistake* find_mistake(std::string_view id);

}  // namespace dojo::grader
