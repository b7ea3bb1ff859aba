// Visible examples for exercise 07. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "fan_out.hpp"
#include "grader.hpp"

using dojo::ex07::fan_out;
using dojo::ex07::Work;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrBadInput = goro::new_error("bad input");

struct Outcome {
  goro::Error err;           // what fan_out returned
  std::vector<int> results;  // what the downstream stage received before `out` was closed
  int busy_at_return = 0;    // work calls still in progress when fan_out returned (if counted)
};

// A three-stage pipeline in one group: upstream sends `items` on `in` and closes it; the middle
// stage is fan_out; downstream (here, the caller) ranges over `out` until fan_out closes it.
// `busy`, when given, counts the work calls in progress; it is read the moment fan_out returns.
Outcome pipeline(std::vector<int> items, Work work, std::shared_ptr<std::atomic<int>> busy = nullptr) {
  auto [g, gctx] = goro::ErrGroup::with_context(goro::background());
  auto in = goro::make_chan<int>();
  auto out = goro::make_chan<int>();
  g.go([in, gctx = gctx, items]() -> goro::Error {
    for (int item : items) {
      if (goro::select(goro::on_send(in, item), goro::on_recv(gctx.done())) == 1) {
        in.close();
        return gctx.err();
      }
    }
    in.close();
    return {};
  });
  auto stage_err = std::make_shared<goro::Error>();
  auto busy_at_return = std::make_shared<int>(0);
  g.go([=, gctx = gctx]() -> goro::Error {
    *stage_err = fan_out(gctx, in, out, work);
    if (busy) *busy_at_return = busy->load();
    return *stage_err;
  });
  Outcome o;
  for (int r : out) o.results.push_back(r);  // ends when fan_out closes `out`
  (void)g.wait();
  o.err = *stage_err;
  o.busy_at_return = *busy_at_return;
  std::sort(o.results.begin(), o.results.end());
  return o;
}

}  // namespace

DOJO_CHECK("example: every item's result comes out, then `out` is closed",
           "Each worker takes items until `in` is closed and drained and sends each result on `out`; after "
           "the workers' group has finished, fan_out closes `out` once.") {
  check.say("running upstream {1 .. 8} -> fan_out(work = item * item) -> downstream");
  Outcome o = pipeline({1, 2, 3, 4, 5, 6, 7, 8}, [](const goro::Context&, int item) -> goro::Result<int> {
    return item * item;
  });
  check.expect_ok(o.err, "fan_out(...)");
  check.expect_eq(o.results, std::vector<int>{1, 4, 9, 16, 25, 36, 49, 64}, "the results (sorted)");
}

DOJO_CHECK("example: a failing item's error is what fan_out returns, once every worker is done",
           "The failing worker returns the error; the workers' group cancels the others and wait() returns "
           "that first error, once they have all finished. Return it — goro::is looks through any {:w} "
           "wrapping.") {
  // Item 2 fails halfway through the time the other items take (on the virtual clock 5 of 10 ms;
  // the real-threads run really waits, so 0.5 of 1 ms there): the other workers are still busy.
  const goro::Duration per_item = check.deterministic() ? goro::Duration(10ms) : goro::Duration(1ms);
  check.say(fmt::format("running upstream {{1 .. 20}} -> fan_out(work takes {} per item; item 2 fails with "
                        "ErrBadInput halfway) -> downstream",
                        goro::format_duration(per_item)));
  std::vector<int> items(20);
  for (int i = 0; i < 20; ++i) items[static_cast<std::size_t>(i)] = i + 1;
  auto busy = std::make_shared<std::atomic<int>>(0);
  Outcome o = pipeline(
      items,
      [=](const goro::Context&, int item) -> goro::Result<int> {
        ++*busy;
        goro::sleep(item == 2 ? per_item / 2 : per_item);
        --*busy;
        if (item == 2) return ErrBadInput;
        return item;
      },
      busy);
  check.expect_is(o.err, ErrBadInput, "ErrBadInput");
  check.expect_not_is(o.err, goro::Canceled, "goro::Canceled");
  check.expect(o.busy_at_return == 0, "no work call still in progress when fan_out returns",
               fmt::format("fan_out returned while {} work call(s) were still busy", o.busy_at_return),
               {mistake::leak, "Wait for every worker before returning, also when one of them failed: returning "
                               "at the first error leaves the others running."});
}

DOJO_CHECK("example: four work calls run at the same time, never more",
           "Start exactly kWorkers tasks, each looping over `in`: the number of workers, not the number of "
           "items, is what bounds the concurrency.") {
  auto in_flight = std::make_shared<std::atomic<int>>(0);
  auto peak = std::make_shared<std::atomic<int>>(0);
  // 10 ms of work per item (on the virtual clock; the real-threads run really waits, so 1 ms there).
  const goro::Duration per_item = check.deterministic() ? goro::Duration(10ms) : goro::Duration(1ms);
  check.say(fmt::format("running upstream {{1 .. 40}} -> fan_out(work takes {} per item) -> downstream",
                        goro::format_duration(per_item)));
  std::vector<int> items(40);
  for (int i = 0; i < 40; ++i) items[static_cast<std::size_t>(i)] = i + 1;
  Outcome o = pipeline(items, [=](const goro::Context&, int item) -> goro::Result<int> {
    const int now = ++*in_flight;
    int seen = peak->load();
    while (now > seen && !peak->compare_exchange_weak(seen, now)) {
    }
    goro::sleep(per_item);
    --*in_flight;
    return item;
  });
  check.expect_ok(o.err, "fan_out(...)");
  check.expect_eq(o.results.size(), std::size_t{40}, "the number of results");
  // More than 4 at once: nothing bounds the concurrency; fewer: the workers do not overlap.
  const int most = peak->load();
  if (check.deterministic())
    check.expect_eq(most, 4, "the most work calls in progress at once",
                    most > 4 ? mistake::over_limit : mistake::serialized);
  else
    check.expect(most <= 4, "at most 4 work calls in progress at once",
                 fmt::format("{} work calls in progress at once", most), mistake::over_limit);
}
