// The state of a recorded run at any point (state.hpp): snapshots, time queries, the cursor,
// and robustness against malformed traces.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <limits>
#include <random>
#include <set>

#include "dojo/trace/state.hpp"
#include "programs.hpp"
#include "trace_support.hpp"

using namespace dojo::trace;
using namespace dojo::trace::test;
using Phase = TaskState::Phase;

namespace {

const std::string kStateMeta =
    R"({"type":"meta","schema":"goro-trace","version":1,"mode":"deterministic","clock":"virtual","seed":4,"strategy":"pct","start_ns":0,"start":"2000-01-01T00:00:00.000000000Z","producer":"test"})";

/// A 3-stage pipeline: producer -> nums (cap 3) -> square -> squares (unbuffered) -> main.
/// `square` waits for `start`, which main closes after a sleep; the virtual clock only moves
/// when every task waits, so whatever the seed the producer first fills the buffer and blocks
/// in its 4th send.
void three_stage(int n) {
  auto nums = goro::make_chan<int>(3);
  auto squares = goro::make_chan<int>();
  auto start = goro::make_chan<goro::Unit>();
  goro::go_named("producer", [=] {
    for (int i = 1; i <= n; ++i) nums.send(i);
    nums.close();
  });
  goro::go_named("square", [=] {
    (void)start.recv();
    for (int v : nums) squares.send(v * v);
    squares.close();
  });
  goro::sleep(1ms);
  start.close();
  long sum = 0;
  for (int v : squares) sum += v;
  if (sum != static_cast<long>(n) * (n + 1) * (2 * n + 1) / 6) goro::panic("wrong sum");
}

/// A context tree: root (with a cause) -> child -> grandchild (deadline), and an unrelated
/// context. A watcher waits on the grandchild; cancelling the root reaches it.
void context_tree() {
  auto [root, cancel_root] = goro::with_cancel_cause(goro::background());
  auto [child, cancel_child] = goro::with_cancel(root);
  auto [grandchild, cancel_grandchild] = goro::with_timeout(child, 1h);
  auto [other, cancel_other] = goro::with_cancel(goro::background());
  goro::WaitGroup wg;
  wg.go([gc = grandchild] { (void)goro::select(goro::on_recv(gc.done())); });
  goro::sleep(1ms);
  cancel_root(goro::new_error("shutting down"));
  wg.wait();
  cancel_child();
  cancel_grandchild();
  cancel_other();
}

/// Two sleepers: 10 ms and 30 ms of virtual time.
void sleepers() {
  goro::WaitGroup wg;
  goro::go_named("short", [] { goro::sleep(10ms); });
  wg.go([] { goro::sleep(30ms); });
  wg.wait();
}

std::uint64_t task_named(const Trace& t, const std::string& name) {
  for (const auto& [id, task] : t.tasks)
    if (task.name == name) return id;
  FAIL("no task named " << name);
  return 0;
}

/// Indexes of the events of `type` on `task` (and `chan` when non-zero).
std::vector<std::size_t> events_of(const Trace& t, EventType type, std::uint64_t task, std::uint64_t chan = 0) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    if (e.type == type && (task == 0 || e.task == task) && (chan == 0 || e.chan == chan)) out.push_back(i);
  }
  return out;
}

/// Invariants every snapshot keeps, whatever the input.
void check_invariants(const Trace& t, const Snapshot& s) {
  REQUIRE(s.applied <= t.events.size());
  auto sorted = [](const auto& v) {
    return std::adjacent_find(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.id >= b.id; }) == v.end();
  };
  CHECK(sorted(s.tasks));
  CHECK(sorted(s.channels));
  CHECK(sorted(s.contexts));
  CHECK(sorted(s.timers));
  CHECK(sorted(s.groups));
  for (const ChannelState& c : s.channels) {
    CHECK(c.buffered.size() + c.pending.size() == c.in_flight.size());
    CHECK(c.buffered.size() == std::min<std::uint64_t>(c.cap, c.in_flight.size()));
    for (std::size_t i = 0; i < c.buffered.size(); ++i) CHECK(c.buffered[i] == c.in_flight[i].value);
  }
  for (const TaskState& k : s.tasks) {
    if (k.phase == Phase::running) CHECK(k.op.empty());
    CHECK(k.events <= s.applied);
  }
}

/// At the end of a complete run, the snapshot agrees with the reader's summaries.
void check_end_matches_reader(const Trace& t) {
  const Snapshot s = state_after(t, t.events.size());
  check_invariants(t, s);
  CHECK(s.applied == t.events.size());
  CHECK(s.ts == t.last_ts());
  REQUIRE(s.tasks.size() == t.tasks.size());
  for (const auto& [id, m] : t.tasks) {
    const TaskState* k = s.task(id);
    REQUIRE(k != nullptr);
    CHECK(k->name == m.name);
    CHECK(k->parent == m.parent);
    CHECK(k->site == m.site);
    CHECK(k->adopted == m.adopted);
    CHECK(k->exit_ts == m.exit_ts);
    CHECK((k->phase == Phase::exited) == m.exit_ts.has_value());
    CHECK(k->panic == m.panic);
    CHECK(k->events == m.events.size());
  }
  REQUIRE(s.channels.size() == t.channels.size());
  for (const auto& [id, m] : t.channels) {
    const ChannelState* c = s.channel(id);
    REQUIRE(c != nullptr);
    CHECK(c->cap == m.cap);
    CHECK(c->elem == m.elem);
    CHECK(c->sends == m.sends);
    CHECK(c->recvs == m.recvs);
    if (m.close_ts) CHECK(c->closed);
  }
  REQUIRE(s.contexts.size() == t.contexts.size());
  for (const auto& [id, m] : t.contexts) {
    const ContextState* c = s.context(id);
    REQUIRE(c != nullptr);
    CHECK(c->cancelled == m.cancel_ts.has_value());
    CHECK(c->err == m.err);
    CHECK(c->cause == m.cause);
  }
  if (t.end) CHECK(s.outcome == t.events[*t.end].outcome);
}

}  // namespace

TEST_CASE("ST_01_buffered_channel_holds_values_in_send_order", "[trace-state]") {
  goro::SimResult r;
  const Trace t = read_trace_string(record_sim(7, [] { three_stage(6); }, &r));
  REQUIRE(r.ok());
  const std::uint64_t producer = task_named(t, "producer");
  // nums: the channel the producer sends on.
  const std::vector<std::size_t> sends = events_of(t, EventType::chan_send, producer);
  REQUIRE(sends.size() == 6);
  const std::uint64_t nums = t.events[sends[0]].chan;
  CHECK(t.channels.at(nums).cap == 3);
  const std::vector<std::size_t> recvs = events_of(t, EventType::chan_recv, 0, nums);
  REQUIRE(recvs.size() == 7);  // 6 values, then the close
  REQUIRE(sends[3] < recvs[0]);

  CHECK(state_after(t, sends[0]).channel(nums)->in_flight.empty());

  // Right after the 2nd send, before any receive: 1 and 2 in the buffer, oldest first.
  Snapshot s = state_after(t, sends[1] + 1);
  const ChannelState* c = s.channel(nums);
  REQUIRE(c != nullptr);
  CHECK(c->buffered == std::vector<std::string>{"1", "2"});
  CHECK(c->pending.empty());
  REQUIRE(c->in_flight.size() == 2);
  CHECK(c->in_flight[0].msg == t.events[sends[0]].msg);
  CHECK(c->in_flight[1].msg == t.events[sends[1]].msg);
  CHECK(c->in_flight[1].sender == producer);
  CHECK(c->in_flight[1].sent_at == sends[1]);
  CHECK(c->sends == 2);
  CHECK(c->recvs == 0);
  CHECK_FALSE(c->closed);

  // After the 4th send the buffer is full: 4 waits with its sender.
  s = state_after(t, sends[3] + 1);
  c = s.channel(nums);
  CHECK(c->buffered == std::vector<std::string>{"1", "2", "3"});
  CHECK(c->pending == std::vector<std::string>{"4"});

  // The first receive takes 1; the blocked sender's 4 moves into the freed slot.
  s = state_after(t, recvs[0] + 1);
  c = s.channel(nums);
  CHECK(t.events[recvs[0]].value == "1");
  CHECK(c->buffered == std::vector<std::string>{"2", "3", "4"});
  CHECK(c->pending.empty());

  // At the end: everything received, the channel closed.
  s = state_after(t, t.events.size());
  c = s.channel(nums);
  CHECK(c->in_flight.empty());
  CHECK(c->buffered.empty());
  CHECK(c->received_early.empty());
  CHECK(c->closed);
  CHECK(c->sends == 6);
  CHECK(c->recvs == 7);
  for (const ChannelState& ch : s.channels) CHECK(ch.in_flight.empty());
}

TEST_CASE("ST_02_blocked_task_shows_its_operation_and_site", "[trace-state]") {
  const Trace t = read_trace_string(record_sim(11, [] { three_stage(6); }));
  const std::uint64_t producer = task_named(t, "producer");
  const std::uint64_t square = task_named(t, "square");
  const std::vector<std::size_t> sends = events_of(t, EventType::chan_send, producer);
  REQUIRE(sends.size() == 6);
  const std::uint64_t nums = t.events[sends[0]].chan;
  // The producer's first block is its 4th send.
  const std::vector<std::size_t> blocks = events_of(t, EventType::block, producer);
  REQUIRE_FALSE(blocks.empty());
  REQUIRE(blocks[0] > sends[3]);

  CHECK(state_after(t, blocks[0]).task(producer)->phase == Phase::running);
  const Snapshot s = state_after(t, blocks[0] + 1);
  const TaskState* p = s.task(producer);
  REQUIRE(p != nullptr);
  CHECK(p->phase == Phase::blocked);
  CHECK(p->name == "producer");
  CHECK(p->parent == 1);
  CHECK_THAT(p->site.file, Catch::EndsWith("state_test.cpp"));
  CHECK(p->op == "chan send");
  CHECK_THAT(p->blocked_on, Catch::Contains(fmt::format("#{} (cap 3, len 3)", nums)));
  CHECK(p->blocked_at == t.events[sends[3]].site);
  CHECK_THAT(p->blocked_at.file, Catch::EndsWith("state_test.cpp"));
  CHECK(p->blocked_at.line > 0);
  CHECK(p->blocked_since == t.events[blocks[0]].ts);
  CHECK(p->sending_msg == t.events[sends[3]].msg);
  CHECK(p->sending_chan == nums);
  CHECK(p->last_event == blocks[0]);

  // Before the clock moves, every task waits: main sleeps, square waits for start.
  const Snapshot asleep = state_at_time(t, 0);
  CHECK(asleep.count(Phase::blocked) == 3);
  CHECK(asleep.task(1)->op == "sleep");
  CHECK(asleep.task(square)->op == "chan receive");
  CHECK_THAT(asleep.task(square)->blocked_at.file, Catch::EndsWith("state_test.cpp"));
  CHECK(asleep.task(producer)->op == "chan send");

  // Its unblock clears the operation.
  const std::vector<std::size_t> unblocks = events_of(t, EventType::unblock, producer);
  REQUIRE_FALSE(unblocks.empty());
  const Snapshot after = state_after(t, unblocks[0] + 1);
  CHECK(after.task(producer)->phase == Phase::running);
  CHECK(after.task(producer)->op.empty());
  CHECK(after.task(producer)->blocked_at.empty());
  CHECK(after.task(producer)->sending_msg == 0);
}

TEST_CASE("ST_03_tasks_have_exited_at_the_end_and_agree_with_the_reader", "[trace-state]") {
  const Trace stages = read_trace_string(record_sim(3, [] { three_stage(5); }));
  const Snapshot end = state_after(stages, stages.events.size());
  REQUIRE(end.tasks.size() == 3);
  CHECK(end.count(Phase::exited) == 3);
  for (const TaskState& k : end.tasks) CHECK(k.exit_ts.has_value());
  CHECK(end.outcome == "ok");
  CHECK(end.timers.empty());
  // Partway, tasks started so far are there, live or not.
  const std::size_t first_exit = events_of(stages, EventType::task_exit, 0).front();
  const Snapshot mid = state_after(stages, first_exit + 1);
  CHECK(mid.count(Phase::exited) == 1);
  CHECK(mid.tasks.size() == 3);
  CHECK_FALSE(mid.outcome);

  for (std::uint64_t seed : {1, 2, 3}) {
    check_end_matches_reader(stages);
    check_end_matches_reader(read_trace_string(record_sim(seed, pipeline)));
    check_end_matches_reader(read_trace_string(record_sim(seed, select_sends)));
    check_end_matches_reader(read_trace_string(record_sim(seed, cancellation)));
    check_end_matches_reader(read_trace_string(record_sim(seed, timers)));
    check_end_matches_reader(read_trace_string(record_sim(seed, panics)));
  }

  // A deadlock: the report marks the stuck tasks, which are then released (exit while blocked).
  const Trace dl = read_trace_string(record_sim(3, deadlock));
  check_end_matches_reader(dl);
  const std::vector<std::size_t> reports = events_of(dl, EventType::report, 0);
  REQUIRE(reports.size() == 1);
  const Snapshot at_report = state_after(dl, reports[0] + 1);
  CHECK(at_report.last_report == reports[0]);
  const std::uint64_t waiter = task_named(dl, "waits-for-b");
  CHECK(at_report.task(waiter)->phase == Phase::blocked);
  CHECK(at_report.task(waiter)->stuck == "deadlock");
  CHECK(at_report.task(waiter)->op == "chan receive");
  CHECK(at_report.task(1)->stuck == "deadlock");
  const Snapshot dl_end = state_after(dl, dl.events.size());
  CHECK(dl_end.outcome == "deadlock");
  CHECK(dl_end.task(waiter)->phase == Phase::exited);
  CHECK(dl_end.task(waiter)->op == "chan receive");  // exited while stuck: kept

  // A leak: the forgotten sender's value is dropped when it is released.
  const Trace lk = read_trace_string(record_sim(3, leak));
  check_end_matches_reader(lk);
  const Snapshot lk_end = state_after(lk, lk.events.size());
  const std::uint64_t forgotten = task_named(lk, "forgotten");
  CHECK(lk_end.task(forgotten)->stuck == "leak");
  CHECK(lk_end.task(forgotten)->phase == Phase::exited);
  for (const ChannelState& ch : lk_end.channels) CHECK(ch.in_flight.empty());

  // A panic is on its task.
  const Trace pa = read_trace_string(record_sim(1, panics));
  const Snapshot pa_end = state_after(pa, pa.events.size());
  CHECK(pa_end.task(task_named(pa, "closes-twice"))->panic == "close of closed channel");
}

TEST_CASE("ST_04_cancelling_a_context_marks_its_subtree_with_the_cause", "[trace-state]") {
  goro::SimResult r;
  const Trace t = read_trace_string(record_sim(5, context_tree, &r));
  REQUIRE(r.ok());
  REQUIRE(t.contexts.size() == 4);
  // Contexts in creation order: root, child, grandchild, other.
  std::vector<std::uint64_t> ids;
  for (const Event& e : t.events)
    if (e.type == EventType::ctx_new) ids.push_back(e.ctx);
  REQUIRE(ids.size() == 4);
  const std::vector<std::size_t> cancels = events_of(t, EventType::ctx_cancel, 0);
  REQUIRE(cancels.size() == 4);

  // Before the first cancellation: the tree, nothing cancelled; the deadline's timer armed.
  const Snapshot before = state_after(t, cancels[0]);
  REQUIRE(before.contexts.size() == 4);
  CHECK(before.context(ids[0])->parent == 0);
  CHECK(before.context(ids[1])->parent == ids[0]);
  CHECK(before.context(ids[2])->parent == ids[1]);
  CHECK(before.context(ids[3])->parent == 0);
  CHECK(before.context(ids[2])->kind == "deadline");
  CHECK(before.context(ids[1])->kind == "cancel");
  for (const ContextState& c : before.contexts) {
    CHECK(c.made);
    CHECK_FALSE(c.cancelled);
    CHECK_FALSE(c.err);
  }
  REQUIRE(before.timers.size() == 1);
  CHECK(before.timers[0].id == ids[2]);
  CHECK(before.timers[0].when == 3600'000'000'000LL);

  // After the root's cancellation (recorded for each context of the subtree).
  const Snapshot after = state_after(t, cancels[2] + 1);
  for (std::size_t i = 0; i < 3; ++i) {
    const ContextState* c = after.context(ids[i]);
    INFO("context " << i);
    CHECK(c->cancelled);
    REQUIRE(c->err);
    CHECK(c->err->message == "context canceled");
    REQUIRE(c->cause);
    CHECK(c->cause->message == "shutting down");
  }
  CHECK_FALSE(after.context(ids[3])->cancelled);
  CHECK(after.timers.empty());  // the grandchild's deadline no longer pending

  // The later cancel calls change nothing; `other` gets its own (cause = err).
  const Snapshot end = state_after(t, t.events.size());
  CHECK(end.context(ids[1])->cause->message == "shutting down");
  CHECK(end.context(ids[3])->cancelled);
  CHECK(end.context(ids[3])->cause->message == "context canceled");
  check_end_matches_reader(t);
}

TEST_CASE("ST_05_state_at_time_follows_the_virtual_clock", "[trace-state]") {
  const Trace t = read_trace_string(record_sim(9, sleepers));
  REQUIRE(t.end);
  CHECK(t.last_ts() == 30'000'000);
  const std::uint64_t shorter = task_named(t, "short");
  REQUIRE(t.tasks.size() == 3);
  std::uint64_t longer = 0;
  for (const auto& [id, k] : t.tasks)
    if (id != 1 && id != shorter) longer = id;

  const Snapshot before = state_at_time(t, -1);
  CHECK(before.applied == 0);
  CHECK(before.tasks.empty());

  for (std::int64_t at : {std::int64_t{0}, std::int64_t{5'000'000}, std::int64_t{9'999'999}}) {
    const Snapshot s = state_at_time(t, at);
    INFO("at " << at);
    CHECK(s.ts <= at);
    CHECK(s.count(Phase::blocked) == 3);
    CHECK(s.task(shorter)->op == "sleep");
    CHECK(s.task(longer)->op == "sleep");
    CHECK(s.task(1)->op == "semacquire");
    CHECK(s.applied == events_until(t, at));
  }
  const Snapshot at10 = state_at_time(t, 10'000'000);
  CHECK(at10.ts == 10'000'000);
  CHECK(at10.task(shorter)->phase == Phase::exited);
  CHECK(at10.task(shorter)->exit_ts == 10'000'000);
  CHECK(at10.task(longer)->phase == Phase::blocked);
  CHECK(at10.task(longer)->blocked_since == 0);
  CHECK(at10.task(1)->phase == Phase::blocked);
  // Every event up to 10 ms and none after.
  CHECK(t.events[at10.applied - 1].ts == 10'000'000);
  REQUIRE(at10.applied < t.events.size());
  CHECK(t.events[at10.applied].ts > 10'000'000);

  const Snapshot at29 = state_at_time(t, 29'999'999);
  CHECK(at29.applied == at10.applied);
  CHECK(at29 == at10);
  const Snapshot at30 = state_at_time(t, 30'000'000);
  CHECK(at30 == state_after(t, t.events.size()));
  CHECK(at30.count(Phase::exited) == 3);
  CHECK(state_at_time(t, std::numeric_limits<std::int64_t>::max()) == at30);

  Cursor cur(t);
  CHECK(cur.seek_time(10'000'000) == at10);
  CHECK(cur.seek_time(5'000'000) == state_at_time(t, 5'000'000));
}

TEST_CASE("ST_06_cursor_seeks_both_ways_like_state_after", "[trace-state]") {
  const Trace t = read_trace_string(record_sim(4, [] { three_stage(400); }));
  REQUIRE(t.events.size() > 3000);
  std::mt19937 rng(2024);
  for (std::size_t every : {std::size_t{1024}, std::size_t{37}, std::size_t{1}}) {
    INFO("checkpoint every " << every);
    Cursor cur(t, every);
    CHECK(cur.size() == t.events.size());
    CHECK(cur.current() == Snapshot{});
    for (int i = 0; i < 120; ++i) {
      const std::size_t n = rng() % (t.events.size() + 50);  // also past the end (clamped)
      const Snapshot& s = cur.seek(n);
      REQUIRE(s == state_after(t, n));
      REQUIRE(s.applied == std::min(n, t.events.size()));
    }
    // Extremes and neighbours.
    CHECK(cur.seek(0) == Snapshot{});
    CHECK(cur.seek(t.events.size()) == state_after(t, t.events.size()));
    CHECK(cur.seek(t.events.size() - 1) == state_after(t, t.events.size() - 1));
    CHECK(cur.seek(1) == state_after(t, 1));
  }

  // Cost: once the cursor has been to the end, stepping backwards one event at a time replays
  // fewer than `every` events per step.
  Cursor cur(t, 256);
  (void)cur.seek(t.events.size());
  const std::size_t full = cur.replayed();
  CHECK(full == t.events.size());
  for (std::size_t n = t.events.size(); n-- > t.events.size() - 300;) (void)cur.seek(n);
  CHECK(cur.replayed() - full < 300 * 256);
  const std::size_t before = cur.replayed();
  (void)cur.seek(1000);
  CHECK(cur.replayed() - before < 256);
  // Forward from a position: only the events in between.
  const std::size_t at = cur.replayed();
  (void)cur.seek(1010);
  CHECK(cur.replayed() - at == 10);
}

TEST_CASE("ST_07_values_in_flight_match_the_message_index_at_every_point", "[trace-state]") {
  // select_sends writes some sends after their receives: they are never "in flight".
  for (const auto& program : {std::function<void()>(pipeline), std::function<void()>(select_sends)}) {
    for (std::uint64_t seed : {1, 6}) {
      const Trace t = read_trace_string(record_sim(seed, program));
      Cursor cur(t, 64);
      for (std::size_t n = 0; n <= t.events.size(); ++n) {
        const Snapshot& s = cur.seek(n);
        std::set<std::uint64_t> expected, got;
        for (const auto& [msg, ends] : t.messages)
          if (ends.first && *ends.first < n && (!ends.second || *ends.second >= n)) expected.insert(msg);
        for (const ChannelState& c : s.channels)
          for (const Message& m : c.in_flight) {
            got.insert(m.msg);
            CHECK(t.events[m.sent_at].msg == m.msg);
          }
        INFO("seed " << seed << ", after " << n << " events");
        REQUIRE(got == expected);
        check_invariants(t, s);
      }
      for (const ChannelState& c : cur.seek(t.events.size()).channels) CHECK(c.received_early.empty());
    }
  }
}

TEST_CASE("ST_08_inconsistent_events_create_or_ignore_ids", "[trace-state]") {
  const Trace t = read_trace_string(kStateMeta + "\n" +
                                    R"({"seq":1,"ts":0,"type":"chan_recv","task":4,"chan":9,"msg":77,"ok":true,"value":"x"})" "\n"
                                    R"({"seq":2,"ts":1,"type":"task_exit","task":5})" "\n"
                                    R"({"seq":3,"ts":2,"type":"unblock","task":6})" "\n"
                                    R"({"seq":4,"ts":3,"type":"block","task":5,"reason":"select"})" "\n"
                                    R"({"seq":5,"ts":4,"type":"chan_send","task":4,"chan":9,"msg":77,"value":"x"})" "\n"
                                    R"({"seq":6,"ts":5,"type":"chan_send","task":4,"chan":9,"msg":78,"value":"y"})" "\n"
                                    R"({"seq":7,"ts":6,"type":"chan_make","chan":9,"elem":"int","cap":1})" "\n"
                                    R"({"seq":8,"ts":7,"type":"ctx_cancel","ctx":3})" "\n"
                                    R"({"seq":9,"ts":8,"type":"timer","action":"fire","timer":12})" "\n"
                                    R"({"seq":10,"ts":9,"type":"unblock","task":0})" "\n"
                                    R"({"seq":11,"ts":10,"type":"hologram","task":4})" "\n"
                                    R"({"seq":12,"ts":11,"type":"report","kind":"leak","tasks":[{"task":99,"state":"blocked"}]})" "\n");
  const Snapshot s = state_after(t, 100);
  check_invariants(t, s);
  CHECK(s.applied == 12);
  // Unknown tasks appear on the fly, as adopted threads (like the reader's model).
  REQUIRE(s.tasks.size() == 3);
  CHECK(s.task(4)->adopted);
  CHECK(s.task(4)->name == "thread");
  CHECK(s.task(4)->events == 4);
  CHECK(s.task(5)->phase == Phase::exited);  // a block after the exit is ignored
  CHECK(s.task(5)->op.empty());
  CHECK(s.task(6)->phase == Phase::running);
  CHECK(s.task(99) == nullptr);
  // A receive before its send: msg 77 is never in flight; 78 is, and lands in the buffer once
  // the (late) chan_make gives the channel its capacity.
  const ChannelState* c = s.channel(9);
  REQUIRE(c != nullptr);
  CHECK(c->made);
  CHECK(c->sends == 2);
  CHECK(c->recvs == 1);
  CHECK(c->received_early.empty());
  REQUIRE(c->in_flight.size() == 1);
  CHECK(c->in_flight[0].msg == 78);
  CHECK(c->buffered == std::vector<std::string>{"y"});
  const Snapshot mid = state_after(t, 1);
  CHECK(mid.channel(9)->received_early == std::vector<std::uint64_t>{77});
  CHECK(s.context(3)->cancelled);
  CHECK_FALSE(s.context(3)->made);
  CHECK(s.timers.empty());
  CHECK(s.last_report == 11u);
  CHECK_FALSE(s.outcome);  // cut short: no end event

  // An empty trace.
  const Trace empty = read_trace_string(kStateMeta + "\n");
  CHECK(state_after(empty, 5) == Snapshot{});
  CHECK(state_at_time(empty, 5) == Snapshot{});
  Cursor cur(empty);
  CHECK(cur.seek(3) == Snapshot{});
  Cursor zero(t, 0);  // clamped to 1
  CHECK(zero.seek(7) == state_after(t, 7));
}

TEST_CASE("ST_09_mutated_and_truncated_traces_never_crash", "[trace-state]") {
  const std::vector<std::string> goods = {
      record_sim(2, pipeline),     record_sim(3, [] { three_stage(8); }), record_sim(3, deadlock),
      record_sim(3, leak),         record_sim(1, panics),                 record_sim(5, context_tree),
      record_sim(2, select_sends), record_sim(9, sleepers),
  };
  std::mt19937 rng(777);
  int parsed = 0, refused = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string& good = goods[static_cast<std::size_t>(i) % goods.size()];
    std::string bad = good;
    if (i % 5 == 0) {
      // Truncated at a line boundary: a crashed run (no end event), always readable.
      std::size_t cut = rng() % bad.size();
      cut = bad.rfind('\n', cut);
      bad = bad.substr(0, cut == std::string::npos ? 0 : cut + 1);
      if (bad.empty()) bad = kStateMeta + "\n";
    } else {
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < edits; ++k) {
        std::size_t at = rng() % bad.size();
        switch (rng() % 5) {
          case 0: bad[at] = static_cast<char>(rng() % 256); break;
          case 1: bad.erase(at, 1 + rng() % 20); break;
          case 2: bad.insert(at, 1, "{}[]\",:0-9en\\"[rng() % 13]); break;
          case 3: {  // drop a whole line: events go missing, the rest stays valid
            std::size_t b = bad.rfind('\n', at);
            std::size_t e = bad.find('\n', at);
            if (b != std::string::npos && e != std::string::npos) bad.erase(b, e - b);
            break;
          }
          default: bad = bad.substr(0, at); break;
        }
        if (bad.empty()) bad = "x";
      }
    }
    Trace t;
    try {
      t = read_trace_string(bad);
      ++parsed;
    } catch (const ReadError&) {
      ++refused;
      continue;
    }
    const std::size_t size = t.events.size();
    for (int k = 0; k < 4; ++k) check_invariants(t, state_after(t, size == 0 ? 0 : rng() % (size + 2)));
    const Snapshot end = state_after(t, size);
    check_invariants(t, end);
    CHECK(end.tasks.size() == t.tasks.size());  // the same ids as the reader's model
    for (const auto& [id, m] : t.tasks) CHECK(end.task(id) != nullptr);
    CHECK(state_at_time(t, t.last_ts()).applied <= size);
    Cursor cur(t, 16);
    for (int k = 0; k < 6; ++k) {
      const std::size_t n = size == 0 ? 0 : rng() % (size + 2);
      REQUIRE(cur.seek(n) == state_after(t, n));
    }
  }
  CHECK(parsed + refused == 400);
  CHECK(parsed > 80);
  CHECK(refused > 0);
}
