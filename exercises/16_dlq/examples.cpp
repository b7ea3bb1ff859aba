// Visible examples for exercise 16. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a stage stores incoming orders in the inventory service. The service is sometimes
// busy (try again later); some orders are malformed and never will be stored (poison). Those
// that cannot be stored go to a dead-letter queue, for a person to look at.
#include <memory>
#include <string>
#include <vector>

#include "dlq.hpp"
#include "grader.hpp"

using dojo::ex16::DeadLetter;
using dojo::ex16::ErrPoison;
using dojo::ex16::Item;
using dojo::ex16::run_stage;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows
using dojo::grader::Why;

namespace {

const goro::Error ErrBusy = goro::new_error("inventory service busy");

// The stage calls process from its own task, one call at a time: a plain counter is enough.
struct Calls {
  int n = 0;
};

// The values left in a channel the stage has closed (run_stage has returned), and whether it
// really was closed: reads without waiting, so that a channel left open shows as such.
template <class T>
std::pair<std::vector<T>, bool> leftovers(const goro::Chan<T>& ch) {
  std::vector<T> got;
  for (;;) {
    T v{};
    bool ok = false;
    if (goro::select(goro::on_recv(ch, &v, &ok), goro::on_default()) == 1) return {got, false};
    if (!ok) return {got, true};
    got.push_back(std::move(v));
  }
}

// Runs the stage over `items` with buffered channels (so that nobody has to read while it
// runs), and returns what it returned, what came out on done and on dlq.
struct Outcome {
  goro::Error err;
  std::vector<Item> done;
  std::vector<DeadLetter> dead;
  bool closed = false;
  // An item out more than once is a duplicate; none out at all, a lost item.
  [[nodiscard]] Why count_why(std::size_t items) const {
    const std::size_t out = done.size() + dead.size();
    return out > items ? Why(mistake::duplicate) : out < items ? Why(mistake::lost_item) : Why();
  }
};
Outcome run(const std::vector<Item>& items, const dojo::ex16::Process& process) {
  auto in = goro::make_chan<Item>(items.size());
  for (const Item& it : items) in.send(it);
  in.close();
  auto done = goro::make_chan<Item>(8);
  auto dlq = goro::make_chan<DeadLetter>(8);
  Outcome o;
  o.err = run_stage(goro::background(), in, done, dlq, process);
  auto [d, done_closed] = leftovers(done);
  auto [l, dlq_closed] = leftovers(dlq);
  o.done = std::move(d);
  o.dead = std::move(l);
  o.closed = done_closed && dlq_closed;
  return o;
}

}  // namespace

DOJO_CHECK("example: an order that fails twice, then succeeds: three attempts, then on `done`",
           "Call process up to kAttempts (3) times, waiting between attempts; the first nil sends the item on "
           "`done`. Close `done` and `dlq` before returning.") {
  auto calls = std::make_shared<Calls>();
  check.say("calling run_stage(background, {order 7}, ...) where process fails with ErrBusy twice, then succeeds");
  Outcome o = run({Item{7, "order-7"}}, [calls](const goro::Context&, const Item& item) -> goro::Error {
    if (++calls->n <= 2) return goro::errorf("store order {}: {:w}", item.id, ErrBusy);
    return {};
  });
  check.expect_ok(o.err, "run_stage(...)");
  check.expect_eq(calls->n, 3, "number of attempts", mistake::wrong_count);
  check.expect(o.done.size() == 1 && o.done[0].id == 7 && o.dead.empty(), "order 7 on `done`, nothing on `dlq`",
               fmt::format("{} item(s) on `done`, {} on `dlq`", o.done.size(), o.dead.size()), o.count_why(1));
  check.expect(o.closed, "`done` and `dlq` closed when run_stage returns", "a channel left open",
               mistake::missing_close);
}

DOJO_CHECK("example: a poison order goes to the DLQ after its first attempt, with a reason that wraps ErrPoison",
           "An error that goro::is finds ErrPoison in is never retried: send DeadLetter{item, reason} on `dlq` at "
           "once, with reason = goro::errorf(\"item {}: poison: {:w}\", item.id, err).") {
  auto calls = std::make_shared<Calls>();
  check.say("calling run_stage(background, {order 4}, ...) where process says the order's price is not a number "
            "(wrapping ErrPoison)");
  Outcome o = run({Item{4, "order-4"}}, [calls](const goro::Context&, const Item& item) -> goro::Error {
    ++calls->n;
    return goro::errorf("order {}: price is not a number: {:w}", item.id, ErrPoison);
  });
  check.expect_ok(o.err, "run_stage(...)", "A dead-lettered item is handled: the stage still returns nil.");
  check.expect_eq(calls->n, 1, "number of attempts",
                  {mistake::wrong_count, "A poison item is dead-lettered after the attempt that said so."});
  check.expect_eq(o.dead.size(), std::size_t{1}, "dead letters", o.count_why(1));
  check.expect_is(o.dead[0].reason, ErrPoison, "ErrPoison");
  check.expect(o.dead[0].reason.message().rfind("item 4: poison: ", 0) == 0,
               "a reason that starts with \"item 4: poison: \"", dojo::grader::Check::describe_error(o.dead[0].reason));
}

DOJO_CHECK("example: an order that always fails is dead-lettered after 3 attempts, and the stage goes on",
           "After the last attempt, send the item on `dlq` with reason \"item <id>: gave up after 3 attempts: "
           "{:w}\" wrapping the last error — and carry on with the next item: a dead letter is not a failure "
           "of the stage.") {
  auto calls = std::make_shared<Calls>();
  check.say("calling run_stage(background, {order 1, order 2}, ...) where order 1 always fails with ErrBusy and "
            "order 2 succeeds");
  Outcome o = run({Item{1, "order-1"}, Item{2, "order-2"}}, [calls](const goro::Context&, const Item& item) -> goro::Error {
    if (item.id == 2) return {};
    ++calls->n;
    return goro::errorf("store order {}: {:w}", item.id, ErrBusy);
  });
  check.expect_ok(o.err, "run_stage(...)", "A dead-lettered item is handled: the stage still returns nil.");
  check.expect_eq(calls->n, 3, "number of attempts for order 1", mistake::wrong_count);
  check.expect(o.dead.size() == 1 && o.dead[0].item.id == 1, "order 1 on `dlq`",
               fmt::format("{} dead letter(s)", o.dead.size()), o.count_why(2));
  check.expect_is(o.dead[0].reason, ErrBusy, "ErrBusy", "Wrap the last attempt's error with {:w}, never {}.");
  check.expect(o.done.size() == 1 && o.done[0].id == 2, "order 2 on `done`",
               fmt::format("{} item(s) on `done`", o.done.size()));
}
