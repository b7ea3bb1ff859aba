// Scenarios about channels and who closes them: a correct pipeline and three classic bugs.
#include <string>

#include "goro/goro.hpp"
#include "scenario_bodies.hpp"

using namespace std::chrono_literals;

namespace dojo::viz::bodies {

namespace {
inline const goro::Error ErrOverBudget = goro::new_error("over budget");
inline const goro::Error ErrMalformed = goro::new_error("malformed number");
inline const goro::Error ErrRejected = goro::new_error("item rejected");
inline const goro::Error ErrOutOfStock = goro::new_error("out of stock");
}  // namespace

// generate -> square -> sum, in an errgroup with a context. Each stage owns (and closes) its
// output channel and selects on ctx.done() when sending, so a failure anywhere stops them all.
void sum_pipeline() {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto nums = goro::make_chan<int>();
  auto squares = goro::make_chan<int>(2);

  g.go_named("generate", [ctx, nums]() -> goro::Error {
    struct Closer {
      goro::Chan<int> c;
      ~Closer() { c.close(); }
    } closer{nums};
    for (int i = 1; i <= 10; ++i) {
      if (goro::select(goro::on_send(nums, i), goro::on_recv(ctx.done())) == 1)
        return goro::errorf("generate: stopped before {}: {:w}", i, goro::cause(ctx));
    }
    return {};
  });
  g.go_named("square", [ctx, nums, squares]() -> goro::Error {
    struct Closer {
      goro::Chan<int> c;
      ~Closer() { c.close(); }
    } closer{squares};
    for (int v : nums) {
      if (goro::select(goro::on_send(squares, v * v), goro::on_recv(ctx.done())) == 1)
        return goro::errorf("square: dropped {}: {:w}", v * v, goro::cause(ctx));
    }
    return {};
  });
  g.go_named("sum", [squares]() -> goro::Error {
    int total = 0, n = 0;
    for (int v : squares) {
      total += v;
      ++n;
      if (total > 100)
        return goro::errorf("sum: after {} values: {:w}", n,
                            goro::errorf("total {} exceeds 100: {:w}", total, ErrOverBudget));
    }
    return {};
  });
  if (auto err = g.wait()) (void)err;  // the budget error; every stage has exited
}

// The reader returns early on a malformed line without closing `lines`: the consumer, which
// ranges over `lines`, waits forever, and main waits for the group.
void missing_close() {
  auto [g, ctx] = goro::ErrGroup::with_context(goro::background());
  auto lines = goro::make_chan<int>();
  g.go_named("reader", [lines]() -> goro::Error {
    const char* input[] = {"10", "20", "30", "4x0", "50"};
    int lineno = 0;
    for (const char* text : input) {
      ++lineno;
      int v = 0;
      for (const char* p = text; *p != '\0'; ++p) {
        if (*p < '0' || *p > '9')
          return goro::errorf("read input: line {}: {:w}",
                              lineno, goro::errorf("parse \"{}\": {:w}", text, ErrMalformed));  // BUG: no lines.close()
        v = v * 10 + (*p - '0');
      }
      lines.send(v);
    }
    lines.close();
    return {};
  });
  g.go_named("consumer", [lines]() -> goro::Error {
    int total = 0;
    for (int v : lines) total += v;  // waits for a close that never comes
    (void)total;
    return {};
  });
  (void)g.wait();
}

// The consumer stops at the first bad item and returns; the producer is blocked on a send.
void leaked_producer() {
  auto items = goro::make_chan<int>();
  goro::go_named("producer", [items] {
    for (int i = 1; i <= 6; ++i) items.send(i * 10);  // BUG: no ctx, no way to stop
    items.close();
  });
  goro::ErrGroup g;
  g.go_named("consumer", [items]() -> goro::Error {
    for (int v : items) {
      if (v == 30) return goro::errorf("consume: item {}: {:w}", v, ErrRejected);
      goro::sleep(5ms);  // some work per item
    }
    return {};
  });
  (void)g.wait();  // returns the consumer's error; main returns, the producer stays blocked
}

// main validates orders, then sends the summary on an unbuffered channel before the task
// that would receive it has been started.
void unbuffered_deadlock() {
  goro::ErrGroup g;
  for (int order = 1; order <= 3; ++order) {
    g.go_named(fmt::format("validate-{}", order), [order]() -> goro::Error {
      goro::sleep(std::chrono::milliseconds(10 * order));
      if (order == 2)
        return goro::errorf("validate order {}: {:w}", order, goro::errorf("sku 17: {:w}", ErrOutOfStock));
      return {};
    });
  }
  goro::Error err = g.wait();
  auto report = goro::make_chan<std::string>();
  report.send(err ? err.message() : std::string("all orders valid"));  // BUG: nobody receives yet
  goro::go_named("reporter", [report] {
    for (const auto& line : report) (void)line;
  });
  report.close();
}

}  // namespace dojo::viz::bodies
