// The runnable answers of the interview bank (docs/interview/programs/*.cpp).
//
// A program answers a question about behaviour ("what does this print?", "which error comes
// back?", "which outputs are possible?"). It writes what it observes with `out.line(...)`.
// The runner executes it under many deterministic schedules (goro::simulate, seeds 1..N) and
// lists every distinct outcome it actually saw; the bank's "Observed" list must be exactly that
// set (tools/interview/test checks it). It also runs once on real threads, whose outcome must be
// one of the listed ones.
//
//   // errgroup Q4: what does wait() return when three tasks fail?
//   #include "dojo/interview/program.hpp"
//   namespace errgroup_q04 {             // one namespace per program: programs share a unity TU
//   void run(dojo::interview::Out& out) {
//     ...goro code...
//     out.line("wait returned: {}", err);
//   }
//   }  // namespace errgroup_q04
//   DOJO_PROGRAM("errgroup-q04", errgroup_q04::run)
//
// An outcome is the program's lines joined by " | ". A schedule that does not end normally
// adds a last line naming how it ended: "[deadlock]", "[leak]", "[panic: VALUE]" or
// "[step limit]" — so "this program deadlocks" is an outcome like any other.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace dojo::interview {

/// Where a program writes what it observed. Safe to call from any task, in either mode.
class Out {
 public:
  template <class... Args>
  void line(fmt::format_string<Args...> f, Args&&... args) {
    add(fmt::format(f, std::forward<Args>(args)...));
  }
  void add(std::string text);
  /// The lines so far, joined by " | ".
  [[nodiscard]] std::string text() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

using ProgramFn = void (*)(Out&);

enum class Modes {
  both,        // deterministic schedules and one real-threads run
  simulation,  // deterministic schedules only (the program deadlocks, leaks or panics on purpose,
               // or waits long on the virtual clock)
};

struct Program {
  const char* id;  // the question's id in the bank, e.g. "errgroup-q04"
  ProgramFn fn;
  Modes modes = Modes::both;
};

/// Every program linked into this binary, sorted by id.
[[nodiscard]] const std::vector<Program>& programs();
/// nullptr when no program has that id.
[[nodiscard]] const Program* find_program(const std::string& id);

struct Outcome {
  std::string text;
  int seeds = 0;               // how many of the schedules gave it
  std::uint64_t first_seed = 0;
};

struct Observation {
  std::vector<Outcome> outcomes;  // distinct outcomes under the schedules, in order first seen
  int schedules = 0;
  bool real_ran = false;
  std::string real;  // the real-threads outcome, when real_ran
};

/// The number of schedules the bank's "Observed" lists are made from.
inline constexpr int kDefaultSeeds = 200;

/// Runs `p` under seeds 1..seeds, then (if its modes allow and `real` is set) once on real
/// threads. Must not be called from inside a goro task.
[[nodiscard]] Observation observe(const Program& p, int seeds = kDefaultSeeds, bool real = true);

namespace detail {
struct Registrar {
  Registrar(const char* id, ProgramFn fn, Modes modes = Modes::both);
};
}  // namespace detail

}  // namespace dojo::interview

#define DOJO_PROGRAM_CAT2(a, b) a##b
#define DOJO_PROGRAM_CAT(a, b) DOJO_PROGRAM_CAT2(a, b)
/// Registers `fn` as the runnable answer of question `id` (both modes, or `Modes::simulation`).
#define DOJO_PROGRAM(id, fn, ...)                                                       \
  static const ::dojo::interview::detail::Registrar DOJO_PROGRAM_CAT(dojo_program_, __COUNTER__){ \
      id, fn __VA_OPT__(, ) __VA_ARGS__}
