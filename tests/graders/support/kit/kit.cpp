// The grader kit's out-of-line parts (kit.hpp).
#include "../kit.hpp"

#include <algorithm>

namespace dojo::grader {

// ---- progress ----

std::uint64_t progress_now() noexcept { return goro::detail::progress_count(); }

std::pair<goro::Context, goro::CancelFunc> cancel_after_events(std::uint64_t events) {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  const std::uint64_t start = progress_now();
  goro::go_named("grader: canceller", [cancel = cancel, start, events] {
    while (progress_now() - start < events) goro::yield();
    cancel();
  });
  return {ctx, cancel};
}

// ---- Canceller ----

struct Canceller::State {
  goro::Chan<goro::Unit> stop = goro::make_chan<goro::Unit>();
  goro::WaitGroup wg;
  bool fired = false;
  goro::Time began{}, ended{};
};

Canceller::Canceller(goro::CancelFunc cancel, goro::Duration after) : s_(std::make_shared<State>()) {
  s_->wg.add(1);
  const goro::Time due = goro::now() + after;
  goro::go_named("grader: canceller", [s = s_, cancel = std::move(cancel), due] {
    auto timer = goro::new_timer(std::max(goro::Duration(0), due - goro::now()));
    if (goro::select(goro::on_recv(timer.c()), goro::on_recv(s->stop)) == 0) {
      s->began = goro::now();
      cancel();
      s->ended = goro::now();
      s->fired = true;
    } else {
      (void)timer.stop();
    }
    s->wg.done();
  });
}

Canceller::~Canceller() {
  if (!joined_) s_->stop.close();
}

void Canceller::join() {
  if (joined_) return;
  joined_ = true;
  s_->stop.close();
  s_->wg.wait();
}

bool Canceller::fired() const { return s_->fired; }
goro::Time Canceller::began() const { return s_->began; }
goro::Time Canceller::ended() const { return s_->ended; }

// ---- CountingParent ----

std::function<bool()> CountingParent::after_func(std::function<void()> /*f: never called, never cancelled*/) {
  ++linked_;
  auto stopped = std::make_shared<std::atomic<bool>>(false);
  return [this, stopped] {
    if (stopped->exchange(true)) return false;
    ++unlinked_;
    return true;
  };
}

// ---- show ----

std::vector<int> range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i <= to; ++i) v.push_back(i);
  return v;
}

std::string offset(goro::Duration d) { return "+" + goro::format_duration(d); }

std::string offsets(const std::vector<goro::Duration>& v) {
  if (v.empty()) return "none";
  std::string s;
  for (const auto& d : v) s += (s.empty() ? "" : ", ") + offset(d);
  return s;
}

}  // namespace dojo::grader

// ---- RunView ----

namespace dojo::grader {

RunView::RunView()
    : sched_(&goro::detail::current_scheduler()), deterministic_(goro::in_simulation()) {}

std::vector<goro::TaskInfo> RunView::tasks() const { return goro::detail::task_infos(*sched_); }

}  // namespace dojo::grader
