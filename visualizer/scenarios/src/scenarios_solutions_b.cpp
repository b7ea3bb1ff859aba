// The reference solutions of exercises 06–10, each driven on a small input that shows the
// exercise's idea (see scenarios_solutions_a.cpp for how they are built and driven).
#include <cctype>
#include <string>
#include <vector>

#include "exercises/06_skip/skip.hpp"
#include "exercises/07_fan_out/fan_out.hpp"
#include "exercises/08_aggregate/aggregate.hpp"
#include "exercises/09_stage_error/stage_error.hpp"
#include "exercises/10_deadline/deadline.hpp"
#include "goro/goro.hpp"
#include "driver_support.hpp"
#include "scenario_bodies.hpp"

using namespace std::chrono_literals;

namespace dojo::viz::bodies {

namespace {
inline const goro::Error ErrInvalidName = goro::new_error("invalid name");
inline const goro::Error ErrCorrupt = goro::new_error("corrupt image");
inline const goro::Error ErrMailboxFull = goro::new_error("mailbox full");
inline const goro::Error ErrNoAddress = goro::new_error("no e-mail address");
inline const goro::Error ErrDivByZero = goro::new_error("division by zero");
inline const goro::Error ErrSyntax = goro::new_error("not a number");

/// Exercise 06's transform: a blank line is skipped (ErrSkip, wrapped with why), a name with a
/// digit is broken, anything else is upper-cased.
goro::Result<std::string> to_upper_name(const std::string& item) {
  if (item.empty()) return goro::errorf("blank line: {:w}", dojo::ex06::ErrSkip);
  std::string out;
  for (char c : item) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0)
      return goro::errorf("\"{}\" has a digit: {:w}", item, ErrInvalidName);
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}
}  // namespace

// Exercise 06: the skips of a blank line are handled in the collecting stage and never fail
// the pipeline (request 1 returns its three names); a real error does (request 2).
void ex06_skip() {
  auto results = goro::make_chan<std::string>(1);
  goro::ErrGroup g;
  g.go_named("caller-1", [results]() -> goro::Error {
    auto names = dojo::ex06::process(goro::background(), {"alpha", "", "bravo", "charlie"}, to_upper_name);
    if (!names) return goro::errorf("request 1: {:w}", names.error());
    results.send(fmt::format("request 1: {} names", names->size()));
    return {};
  });
  (void)g.wait();
  goro::ErrGroup g2;
  g2.go_named("caller-2", []() -> goro::Error {
    auto names = dojo::ex06::process(goro::background(), {"delta", "", "3cho", "foxtrot"}, to_upper_name);
    if (!names) return goro::errorf("request 2: {:w}", names.error());
    return {};
  });
  (void)g2.wait();
  results.close();
  for (const auto& r : results) (void)r;
}

// Exercise 07: source -> fan_out (4 workers in a nested group) -> sink. The worker that gets
// item 6 fails; the workers' group cancels the other three, fan_out closes `out` once and
// returns the error; the pipeline's group then stops the source, and the sink sees the close.
void ex07_fan_out() {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto in = goro::make_chan<int>();
  auto out = goro::make_chan<int>();
  g.go_named("source", [ctx = ctx, in]() -> goro::Error {
    for (int item = 1; item <= 10; ++item) {
      if (goro::select(goro::on_send(in, item), goro::on_recv(ctx.done())) == 1) {
        in.close();
        return ctx.err();
      }
    }
    in.close();
    return {};
  });
  g.go_named("resize", [ctx = ctx, in, out]() -> goro::Error {
    auto work = [](const goro::Context& wctx, int item) -> goro::Result<int> {
      if (goro::Error err = work_for(wctx, std::chrono::milliseconds(10 + 5 * (item % 3)),
                                     fmt::format("resize {}", item)))
        return err;
      if (item == 6) return goro::errorf("decode image {}: {:w}", item, ErrCorrupt);
      return item * 100;
    };
    if (goro::Error err = dojo::ex07::fan_out(ctx, in, out, work)) return goro::errorf("stage resize: {:w}", err);
    return {};
  });
  g.go_named("sink", [out]() -> goro::Error {
    int stored = 0;
    for (int v : out) stored += v > 0;
    (void)stored;
    return {};
  });
  (void)g.wait();
}

// Exercise 08: six notifications, each in its own task; users 2 and 5 fail. Nothing is
// cancelled — every item gets its attempt — and the caller gets both failures joined.
void ex08_aggregate() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    auto notify = [](const goro::Context& ctx, int user) -> goro::Error {
      if (goro::Error err = work_for(ctx, std::chrono::milliseconds(10 * user), fmt::format("notify {}", user)))
        return err;
      if (user == 2) return goro::errorf("smtp: {:w}", ErrMailboxFull);
      if (user == 5) return goro::errorf("lookup: {:w}", ErrNoAddress);
      return {};
    };
    if (goro::Error err = dojo::ex08::process_all(goro::background(), {1, 2, 3, 4, 5, 6}, notify))
      return goro::errorf("notify all: {:w}", err);
    return {};
  });
  (void)g.wait();
}

// Exercise 09: parse -> transform -> store. transform divides 100 by (v - 4) and fails on 4;
// its task returns a StageError{"transform", ...}, the group stops parse and store, and the
// caller finds the stage with goro::as<StageError> and the root cause with goro::is.
void ex09_stage_error() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    dojo::ex09::Stages stages;
    stages.parse = [](const goro::Context&, const std::string& line) -> goro::Result<int> {
      int v = 0;
      for (char c : line) {
        if (c < '0' || c > '9') return goro::errorf("\"{}\": {:w}", line, ErrSyntax);
        v = v * 10 + (c - '0');
      }
      return v;
    };
    stages.transform = [](const goro::Context&, int v) -> goro::Result<int> {
      if (v == 4) return goro::errorf("100 / ({} - 4): {:w}", v, ErrDivByZero);
      return 100 / (v - 4);
    };
    stages.store = [](const goro::Context& ctx, int v) -> goro::Error {
      return work_for(ctx, 10ms, fmt::format("store {}", v));
    };
    if (goro::Error err = dojo::ex09::run_pipeline(goro::background(), {"12", "8", "4", "2", "1"}, stages))
      return goro::errorf("import: {:w}", err);
    return {};
  });
  (void)g.wait();
}

// Exercise 10: eight 100 ms items, two workers, one 250 ms deadline for the whole run. At
// +250 ms the deadline cancels the run: the work listening to ctx stops at once, the work on
// item 6 ignores ctx and finishes, but its worker takes no further item.
void ex10_deadline() {
  goro::ErrGroup g;
  g.go_named("caller", []() -> goro::Error {
    auto work = [](const goro::Context& ctx, int item) -> goro::Error {
      if (item == 6) {
        goro::sleep(100ms);  // work that cannot be interrupted
        return {};
      }
      return work_for(ctx, 100ms, fmt::format("resize {}", item));
    };
    if (goro::Error err = dojo::ex10::run_with_deadline(goro::background(), {1, 2, 3, 4, 5, 6, 7, 8}, 2, work, 250ms))
      return goro::errorf("nightly batch: {:w}", err);
    return {};
  });
  (void)g.wait();
}

}  // namespace dojo::viz::bodies
