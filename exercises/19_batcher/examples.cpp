// Visible examples for exercise 19. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a service emits events (a click, a page view) one at a time; the analytics store
// wants them in batches. The grader plays the producer (sending events on `in`) and the store
// (the flush function, which records every batch it is handed and when).
//
// On the deterministic runs the runtime's clock is virtual: a 1 s window costs no real time and
// the moment of each flush is exact. On real threads the window is 50 ms, and only what does not
// depend on the machine's speed is checked.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "batcher.hpp"
#include "grader.hpp"

using dojo::ex19::Batch;
using dojo::ex19::Event;
using dojo::ex19::FailedBatch;
using dojo::ex19::run_batcher;
using namespace std::chrono_literals;

namespace {

// The store: what each flush call was handed, and when (from t0).
struct Store {
  goro::Time t0 = goro::now();
  std::mutex mu;
  std::vector<std::vector<int>> batches;
  std::vector<goro::Duration> at;
  int events = 0;
  int notify_at = 0;  // once this many events arrived, `got_all` is closed
  goro::Chan<goro::Unit> got_all = goro::make_chan<goro::Unit>();

  dojo::ex19::Flush flush() {
    return [this](const goro::Context&, const Batch& batch) {
      std::vector<int> ids;
      for (const Event& e : batch) ids.push_back(e.id);
      bool all = false;
      {
        std::lock_guard lk(mu);
        batches.push_back(ids);
        at.push_back(goro::now() - t0);
        events += static_cast<int>(ids.size());
        all = notify_at > 0 && events >= notify_at && events - static_cast<int>(ids.size()) < notify_at;
      }
      if (all) got_all.close();
      return goro::Error{};
    };
  }
  // "[0..4]", "[0..99] [100..199] [200..249]": each batch as the range of its ids.
  std::string sizes() {
    std::lock_guard lk(mu);
    if (batches.empty()) return "no flush at all";
    std::string s;
    for (const auto& b : batches)
      s += (s.empty() ? "" : " ") + (b.empty() ? std::string("[]") : fmt::format("[{}..{}]", b.front(), b.back()));
    return s;
  }
};

// A closed input holding events 0 .. n-1.
goro::Chan<Event> closed_input(int n) {
  auto in = goro::make_chan<Event>(static_cast<std::size_t>(n));
  for (int id = 0; id < n; ++id) in.send(Event{id});
  in.close();
  return in;
}

}  // namespace

DOJO_CHECK("example: 5 events, then the input closes: one flush of all 5, and nil",
           "When `in` is closed, flush what is pending (the remainder), then return nil.") {
  auto store = std::make_shared<Store>();
  auto dlq = goro::make_chan<FailedBatch>(4);
  check.say("calling run_batcher(background, in, flush, dlq) where `in` holds events 0..4 and is closed");
  goro::Error err = run_batcher(goro::background(), closed_input(5), store->flush(), dlq);
  check.expect_ok(err, "run_batcher(...)");
  check.expect_eq(store->sizes(), std::string("[0..4]"), "the batches flushed",
                  {dojo::grader::mistake::lost_item, "When the input closes, what is still batched is flushed "
                                                     "before run_batcher returns."});
}

DOJO_CHECK("example: 250 events, then the input closes: batches of 100, 100 and 50",
           "The 100th event of a batch flushes it at once; whatever is left when `in` closes is the last batch.") {
  auto store = std::make_shared<Store>();
  auto dlq = goro::make_chan<FailedBatch>(4);
  // On real threads the window is an hour: only sizes and the close may end a batch there.
  const goro::Duration window = check.deterministic() ? dojo::ex19::kMaxWait : 1h;
  check.say(fmt::format("calling run_batcher(background, in, flush, dlq, {}) where `in` holds events 0..249 and is "
                        "closed",
                        goro::format_duration(window)));
  goro::Error err = run_batcher(goro::background(), closed_input(250), store->flush(), dlq, window);
  check.expect_ok(err, "run_batcher(...)");
  check.expect_eq(store->sizes(), std::string("[0..99] [100..199] [200..249]"), "the batches flushed");
}

DOJO_CHECK("example: 3 events and the input stays open: they are flushed together, 1 s after the first one",
           "The first event of a batch starts its window; when the window ends, whatever is pending is flushed, "
           "even though the input is still open.") {
  auto store = std::make_shared<Store>();
  store->notify_at = 3;
  auto dlq = goro::make_chan<FailedBatch>(4);
  auto in = goro::make_chan<Event>();
  const goro::Duration window = check.deterministic() ? 1s : 50ms;
  auto quit = goro::make_chan<goro::Unit>();  // closed when run_batcher has returned
  goro::WaitGroup wg;
  wg.add(1);
  // The producer: events 0, 1 and 2 at +0, +200 ms and +400 ms (+0, +10 ms, +20 ms on real
  // threads); it closes the input only once the store has all three.
  goro::go_named("grader: producer", [&] {
    [&] {
      for (int id = 0; id < 3; ++id) {
        auto due = goro::new_timer(store->t0 + id * (window / 5) - goro::now());
        if (goro::select(goro::on_recv(due.c()), goro::on_recv(quit)) == 1) return;
        if (goro::select(goro::on_send(in, Event{id}), goro::on_recv(quit)) == 1) return;
      }
      if (goro::select(goro::on_recv(store->got_all), goro::on_recv(quit)) == 1) return;
      in.close();
    }();
    wg.done();
  });
  check.say(fmt::format("calling run_batcher(background, in, flush, dlq, {}); the producer sends events 0, 1, 2 at "
                        "+0s, +{}, +{}, and closes `in` only once all three were flushed",
                        goro::format_duration(window), goro::format_duration(window / 5),
                        goro::format_duration(2 * window / 5)));
  goro::Error err = run_batcher(goro::background(), in, store->flush(), dlq, window);
  quit.close();
  wg.wait();
  check.expect_ok(err, "run_batcher(...)");
  if (check.deterministic()) {
    check.expect_eq(store->sizes(), std::string("[0..2]"), "the batches flushed");
    std::lock_guard lk(store->mu);
    check.expect(store->at.front() == window, "the batch flushed at +1s, 1 s after its first event",
                 fmt::format("it was flushed at +{}", goro::format_duration(store->at.front())),
                 dojo::grader::mistake::wrong_timing);
  }
}
