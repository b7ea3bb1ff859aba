// The grader harness: what a hidden grader suite (tests/graders/NN_slug/grader.cpp) and an
// exercise's visible examples (exercises/NN_slug/examples.cpp) are written with. The probes,
// cancellers and helpers that checks share are in kit.hpp.
//
//   DOJO_CHECK("sums 1..5 to 15", "A consumer adds up what the producer sends.") {
//     check.say("calling sum(background, {1, 2, 3, 4, 5})");
//     auto r = sum(goro::background(), {1, 2, 3, 4, 5});
//     check.expect_ok(r.error(), "sum returns no error");
//     check.expect_eq(r.value(), 15, "the sum");
//   }
//
// Every check runs in its own child process (a crash cannot take the grader down), first under
// several deterministic schedules (goro::simulate with seeds 1..N: virtual time, deadlock and
// leak detection), then once on real threads (free mode, under a goro::Watchdog and a
// goro::LeakCheck). A run fails when an expectation fails, when the learner's code deadlocks,
// leaks a task, panics or throws, or never finishes. The first failing run is reported with
// what was expected, what happened, the narration that led there, the hint, the seed, the
// command that reruns just that case, and (for a deterministic run) the trace of that run.
#pragma once

#include <fmt/format.h>
#include <goro/detail/fmt.hpp>
#include <fmt/ranges.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goro/goro.hpp"
#include "mistakes.hpp"

namespace dojo::grader {

/// Thrown by a failed expectation to end the run (like Catch's REQUIRE). Learner code never
/// sees it unless it catches everything, which the grader then reports as a swallowed panic.
struct CheckFailed {};

/// Formats a value for "expected"/"got" lines: fmt when it can, "<value>" otherwise.
template <class T>
std::string show(const T& v) {
  if constexpr (std::is_same_v<T, goro::Error>) {
    return v ? fmt::format("error \"{}\"", v.message()) : std::string("no error (nil)");
  } else if constexpr (fmt::is_formattable<T>::value) {
    return fmt::format("{}", v);
  } else {
    return "<value>";
  }
}

/// The error's wrap chain, one layer per line: what `is`/`as` walk through.
[[nodiscard]] std::string wrap_chain(const goro::Error& err);

/// The state of one run of one check; passed to the check's body.
class Check {
 public:
  /// Narration: what the grader is about to do ("calling sum(ctx, {1, 2})"). Shown with a
  /// failure, so that the learner sees the steps that led to it.
  void say(std::string_view line);

  /// A line shown under the check's ✓ when every run of it passes ("survived 12 kills"): what
  /// the check measured, for the learner. The last run's lines are shown.
  void report(std::string_view line);

  // Every expectation takes a `Why`: a hint text, a failure class (mistakes.hpp), or both.
  // Untagged, it gets the class its comparison implies (see mistakes.hpp).

  /// Fails the run unless `ok`. `expected` says what should be true, `got` what was seen.
  void expect(bool ok, std::string_view expected, std::string_view got, Why why = {});

  template <class A, class E>
  void expect_eq(const A& actual, const E& expected, std::string_view what, Why why = {}) {
    if (!(actual == expected))
      fail(fmt::format("{}: {}", what, show(expected)), fmt::format("{}: {}", what, show(actual)), std::move(why));
  }

  /// Fails unless err is nil (untagged: unexpected-error).
  void expect_ok(const goro::Error& err, std::string_view what, Why why = {});
  /// Fails unless goro::is(err, target), naming the target and showing err's wrap chain
  /// (untagged: swallowed-error for nil, missing-wrap when the target's text is in err's
  /// message, wrong-error otherwise).
  void expect_is(const goro::Error& err, const goro::Error& target, std::string_view target_name, Why why = {});
  /// Fails if goro::is(err, target) (untagged: wrong-error).
  void expect_not_is(const goro::Error& err, const goro::Error& target, std::string_view target_name, Why why = {});
  /// Fails unless goro::as<T>(err) finds a T; returns (a copy of) it (untagged: swallowed-error
  /// for nil, missing-wrap otherwise).
  template <class T>
  T expect_as(const goro::Error& err, std::string_view type_name, Why why = {}) {
    auto found = goro::as<T>(err);
    if (!found)
      fail_implied(fmt::format("an error that goro::as<{}> finds", type_name), describe_error(err), std::move(why),
                   err ? mistake::missing_wrap : mistake::swallowed_error);
    return *std::move(found);
  }

  /// Ends the run as failed (untagged: wrong-result).
  [[noreturn]] void fail(std::string expected, std::string got, Why why = {});
  /// Ends the run as failed with `implied` as the class unless `why` names one.
  [[noreturn]] void fail_implied(std::string expected, std::string got, Why why, const Mistake& implied);

  /// The seed of this run, 0 on real threads.
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  /// True under goro::simulate (virtual time; schedules chosen by the seed).
  [[nodiscard]] bool deterministic() const noexcept { return seed_ != 0; }

  /// "error "x"" plus its wrap chain, for messages.
  [[nodiscard]] static std::string describe_error(const goro::Error& err);

  // ---- for the harness ----
  explicit Check(std::uint64_t seed) : seed_(seed) {}
  struct Failure {
    std::string expected, got, hint;
    const Mistake* mistake = nullptr;  // never null once recorded
    bool tagged = false;               // the check named the class (not implied by the comparison)
  };
  [[nodiscard]] const std::vector<std::string>& narration() const noexcept { return narration_; }
  [[nodiscard]] const std::vector<Failure>& failures() const noexcept { return failures_; }
  [[nodiscard]] const std::vector<std::string>& reports() const noexcept { return reports_; }

 private:
  std::uint64_t seed_;
  std::vector<std::string> narration_;
  std::vector<Failure> failures_;
  std::vector<std::string> reports_;
};

/// How a check is run.
struct Options {
  int seeds = 4;       // deterministic runs with seeds 1..seeds (0: none)
  bool free = true;    // one run on real threads
  bool leaks = true;   // a task left alive after the body returns fails the run
  /// Deterministic runs pick uniformly among runnable tasks instead of PCT's priorities:
  /// for checks where a helper task must get to run while the learner's tasks stay busy.
  bool fair = false;
};

using Body = void (*)(Check&);

struct Registrar {
  /// `hint` is the check's own: what it is about. It is shown with a failed expectation that
  /// carries no hint of its own, never with what the harness diagnoses (a deadlock, a leak, a
  /// wall-clock sleep, ...), which has its class's hint.
  Registrar(const char* name, const char* hint, Body body, Options opts = {});
};

/// The failure classes an exercise's checks are built to diagnose (DOJO_FAILURE_CLASSES).
/// `--mistakes` lists them; a test proves each with a kept mutant that makes that mistake.
struct FailureClasses {
  template <class... M>
  explicit FailureClasses(const M&... ms) {
    (add(ms), ...);
  }

 private:
  static void add(const Mistake& m);
};

/// Runs the registered checks; see grader.cpp for the command line. Returns the exit code.
int main(int argc, char** argv);

}  // namespace dojo::grader

#define DOJO_CHECK_CAT2(a, b) a##b
#define DOJO_CHECK_CAT(a, b) DOJO_CHECK_CAT2(a, b)
#define DOJO_CHECK_IMPL(fn, name, hint, ...)                                                          \
  static void fn(::dojo::grader::Check& check);                                                      \
  static const ::dojo::grader::Registrar DOJO_CHECK_CAT(fn, _reg){name, hint, &fn __VA_OPT__(, ) __VA_ARGS__}; \
  static void fn([[maybe_unused]] ::dojo::grader::Check& check)
/// DOJO_CHECK("name", "hint"[, dojo::grader::Options{...}]) { body using `check` }
#define DOJO_CHECK(name, hint, ...) \
  DOJO_CHECK_IMPL(DOJO_CHECK_CAT(dojo_check_, __LINE__), name, hint __VA_OPT__(, ) __VA_ARGS__)
/// DOJO_FAILURE_CLASSES(mistake::wrong_count, mistake::leak, ...): once per grader.
#define DOJO_FAILURE_CLASSES(...) \
  static const ::dojo::grader::FailureClasses DOJO_CHECK_CAT(dojo_failure_classes_, __LINE__) { __VA_ARGS__ }
