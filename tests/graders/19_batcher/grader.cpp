// Hidden checks for exercise 19 (batcher).
//
// The grader plays both ends of the batcher: a producer task that sends events at planned moments
// (waits on the runtime's clock) and then closes the input or keeps it open, and a downstream (the
// flush function) that records every call: when it began, which events it was handed, whether the
// context had already ended, and what it answered. The batches a correct batcher flushes are
// computed from the producer's schedule by a model of the contract (`model` below), so that a check
// only states when events are sent.
//
// Timing. On the virtual clock (check.deterministic()) every flush is compared with the model to
// the nanosecond. The schedules never let a window end at the very moment an event arrives or the
// input closes (which of two things due at the same instant comes first is the schedule's choice).
// On real threads a loaded machine may be late by any amount, so there the windows are either an
// hour long (checks whose batches depend only on sizes and on the close: their boundaries are
// exact on any machine) or 50 ms with every moment a twentieth of the virtual one, and then only
// what does not depend on time is checked: every event flushed or dead-lettered exactly once, in
// order, no empty batch, none larger than kMaxBatch, one flush at a time. A cancellation on real
// threads is judged by what happened after it (flush calls, dead letters), never by how long the
// batcher took to return.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "batcher.hpp"
#include "grader.hpp"
#include "kit.hpp"

using dojo::ex19::Batch;
using dojo::ex19::Event;
using dojo::ex19::FailedBatch;
using dojo::ex19::kFlushAttempts;
using dojo::ex19::kMaxBatch;
using dojo::ex19::kMaxWait;
using dojo::ex19::kRetryBackoff;
using dojo::ex19::run_batcher;
using dojo::grader::Canceller;
using dojo::grader::Check;
using dojo::grader::offset;
using dojo::grader::Why;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;

DOJO_FAILURE_CLASSES(mistake::wrong_timing, mistake::wrong_count, mistake::lost_item, mistake::duplicate,
                     mistake::missing_wrap, mistake::ignored_cancellation, mistake::blocked_send);

namespace {

const goro::Error ErrDownstream = goro::new_error("downstream unavailable");

// The downstream's refusal: it names the batch (by its first event) and the attempt, so that the
// grader can tell which call's error a dead letter's reason wraps.
struct Refused {
  int first = 0;
  int attempt = 0;
  [[nodiscard]] std::string message() const {
    return fmt::format("downstream refused the batch from event {} (attempt {})", first, attempt);
  }
  [[nodiscard]] goro::Error unwrap() const { return ErrDownstream; }
};

std::string dur(goro::Duration d) { return goro::format_duration(d); }

// "0..99", "3, 5..7", "nothing".
std::string ids_text(const std::vector<int>& ids) {
  if (ids.empty()) return "nothing";
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < ids.size()) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (j == i)
      parts.push_back(fmt::format("{}", ids[i]));
    else if (j == i + 1)
      parts.push_back(fmt::format("{}, {}", ids[i], ids[j]));
    else
      parts.push_back(fmt::format("{}..{}", ids[i], ids[j]));
    i = j + 1;
  }
  if (parts.size() > 8) {
    const std::string last = parts.back();
    parts.resize(6);
    parts.push_back("...");
    parts.push_back(last);
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// "event 7 was" / "events 3..9 were".
std::string events_were(const std::vector<int>& ids) {
  return ids.size() == 1 ? fmt::format("event {} was", ids.front()) : fmt::format("events {} were", ids_text(ids));
}

std::vector<int> ids_of(const Batch& b) {
  std::vector<int> v;
  v.reserve(b.size());
  for (const Event& e : b) v.push_back(e.id);
  return v;
}

// ---- the producer's schedule -------------------------------------------------------------------

struct Send {
  goro::Duration at{};
  int id = 0;
};

struct Schedule {
  std::vector<Send> sends;                 // by time; ids 0, 1, 2, ... in order
  std::optional<goro::Duration> close_at;  // when the input is closed; none: it stays open
  // Instead of close_at: close once every event has been delivered, `linger` later (real threads:
  // "the input stays open until the window has done its work", judged by an event).
  bool close_when_delivered = false;
  goro::Duration linger{};

  [[nodiscard]] int size() const { return static_cast<int>(sends.size()); }
  [[nodiscard]] goro::Duration arrival(int id) const {
    for (const Send& s : sends)
      if (s.id == id) return s.at;
    return goro::Duration::min();
  }

  // "sends 0..2 at +0s, 3 at +300ms; closes the input at +1s"
  [[nodiscard]] std::string text() const {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < sends.size()) {
      std::vector<int> ids;
      std::size_t j = i;
      while (j < sends.size() && sends[j].at == sends[i].at) ids.push_back(sends[j++].id);
      parts.push_back(fmt::format("{} at {}", ids_text(ids), offset(sends[i].at)));
      i = j;
    }
    std::string s = parts.empty() ? std::string("sends no event") : fmt::format("sends {}", fmt::join(parts, ", "));
    if (close_when_delivered)
      s += "; closes the input once every event has been flushed";
    else if (close_at)
      s += fmt::format("; closes the input at {}", offset(*close_at));
    else
      s += "; keeps the input open";
    return s;
  }
};

// Builds a schedule: plan().at(0ms, 250).close(3500ms).
class Plan {
 public:
  Plan& at(goro::Duration t, int n = 1) {
    for (int k = 0; k < n; ++k) s_.sends.push_back({t, next_++});
    return *this;
  }
  Plan& close(goro::Duration t) {
    s_.close_at = t;
    return *this;
  }
  Plan& close_when_delivered(goro::Duration linger = {}) {
    s_.close_when_delivered = true;
    s_.linger = linger;
    return *this;
  }
  [[nodiscard]] Schedule done() const { return s_; }

 private:
  Schedule s_;
  int next_ = 0;
};
Plan plan() { return {}; }

// The same schedule, every moment divided by `by` (for the runs on real threads).
Schedule scaled(Schedule s, int by) {
  for (Send& e : s.sends) e.at /= by;
  if (s.close_at) *s.close_at /= by;
  return s;
}

// ---- the model of the contract (and of three classic mistakes) ---------------------------------

struct Flushed {
  goro::Duration at{};
  std::vector<int> ids;
  bool operator==(const Flushed&) const = default;
};

enum class Model {
  spec,      // the contract: a window from each batch's first event; every flush ends it
  stale,     // the window is started only if none is running, and a size flush leaves it running
  ticker,    // a ticker every max_wait from the start, whatever the batches
  debounce,  // the window restarted by every event
};

// The flushes `m` gives for schedule `s` (every flush instantaneous and successful). `tie` is set
// when a window ends at the very moment an event arrives or the input closes.
std::vector<Flushed> model(const Schedule& s, goro::Duration mw, Model m, bool* tie) {
  std::vector<Flushed> out;
  std::vector<int> cur;
  std::optional<goro::Duration> deadline;
  if (m == Model::ticker) deadline = mw;
  auto fire_until = [&](goro::Duration t) {
    while (deadline && *deadline <= t) {
      if (*deadline == t) *tie = true;
      const goro::Duration when = *deadline;
      if (!cur.empty()) out.push_back({when, std::exchange(cur, {})});
      if (m == Model::ticker)
        deadline = when + mw;
      else
        deadline.reset();
    }
  };
  for (const Send& e : s.sends) {
    fire_until(e.at);
    cur.push_back(e.id);
    switch (m) {
      case Model::spec:
        if (cur.size() == 1) deadline = e.at + mw;
        break;
      case Model::stale:
        if (!deadline) deadline = e.at + mw;
        break;
      case Model::debounce: deadline = e.at + mw; break;
      case Model::ticker: break;
    }
    if (cur.size() == kMaxBatch) {
      out.push_back({e.at, std::exchange(cur, {})});
      if (m == Model::spec || m == Model::debounce) deadline.reset();
    }
  }
  if (s.close_at) {
    fire_until(*s.close_at);
    if (!cur.empty()) out.push_back({*s.close_at, std::exchange(cur, {})});
  }
  return out;
}

// "+1s [0..2], +2.5s [3..5]" (without the moments on real threads).
std::string timeline(const std::vector<Flushed>& v, bool times) {
  if (v.empty()) return "no flush at all";
  std::vector<std::string> parts;
  for (const Flushed& f : v) {
    const std::string ids = f.ids.empty() ? std::string("empty") : ids_text(f.ids);
    parts.push_back(times ? fmt::format("{} [{}]", offset(f.at), ids) : fmt::format("[{}]", ids));
  }
  return fmt::format("flushes {}", fmt::join(parts, ", "));
}

// ---- the downstream ----------------------------------------------------------------------------

struct Call {
  goro::Duration at{};       // when the call began
  std::vector<int> ids;      // the events it was handed
  int batch = 0;             // 1, 2, ...: a call with other events than the call before is a new batch
  int attempt = 0;           // 1 for a batch's first call, 2 for its second, ...
  bool after_cancel = false; // the context had already ended when the call began
  bool ok = false;           // it returned nil
};

struct Downstream {
  goro::Time t0 = goro::now();
  std::map<int, int> fails;   // batch number -> how many of its calls fail (kFlushAttempts or more: all)
  bool hang = false;          // every call waits for its context to end, then fails with its error
  goro::CancelFunc cancel_on_call;  // called as each call begins (the caller gives up during it)
  std::size_t want_delivered = 0;   // once this many events were delivered, delivered_all is closed
  goro::Chan<goro::Unit> delivered_all = goro::make_chan<goro::Unit>();

  std::mutex mu;
  std::vector<Call> calls;
  std::size_t delivered = 0;
  bool signalled = false;
  dojo::grader::Concurrency in_flush;

  std::vector<Call> snapshot() {
    std::lock_guard lk(mu);
    return calls;
  }
};

dojo::ex19::Flush flush_to(const std::shared_ptr<Downstream>& d) {
  return [d](const goro::Context& ctx, const Batch& batch) -> goro::Error {
    auto in_flush = d->in_flush.enter();
    Call c;
    c.at = goro::now() - d->t0;
    c.ids = ids_of(batch);
    c.after_cancel = static_cast<bool>(ctx.err());
    std::size_t idx = 0;
    {
      std::lock_guard lk(d->mu);
      if (!d->calls.empty() && d->calls.back().ids == c.ids) {
        c.batch = d->calls.back().batch;
        c.attempt = d->calls.back().attempt + 1;
      } else {
        c.batch = d->calls.empty() ? 1 : d->calls.back().batch + 1;
        c.attempt = 1;
      }
      idx = d->calls.size();
      d->calls.push_back(c);
    }
    if (d->cancel_on_call) d->cancel_on_call();
    goro::Error result;
    if (d->hang) {
      (void)ctx.done().recv();  // a slow downstream: it answers only when the caller gives up
      result = goro::errorf("downstream did not answer: {:w}", ctx.err());
    } else if (auto it = d->fails.find(c.batch); it != d->fails.end() && c.attempt <= it->second) {
      result = goro::make_error(Refused{c.ids.empty() ? -1 : c.ids.front(), c.attempt});
    }
    bool signal = false;
    {
      std::lock_guard lk(d->mu);
      d->calls[idx].ok = !result;
      if (!result) {
        d->delivered += c.ids.size();
        if (d->want_delivered > 0 && d->delivered >= d->want_delivered && !d->signalled) signal = d->signalled = true;
      }
    }
    if (signal) d->delivered_all.close();
    return result;
  };
}

// ---- the producer ------------------------------------------------------------------------------

struct Producer {
  goro::Chan<goro::Unit> quit = goro::make_chan<goro::Unit>();
  goro::WaitGroup wg;
};

// Waits until `t` on the runtime's clock, unless quit is closed first (false then).
bool wait_until(goro::Time t, const goro::Chan<goro::Unit>& quit) {
  const goro::Duration d = t - goro::now();
  if (d <= goro::Duration::zero()) return true;
  auto timer = goro::new_timer(d);
  if (goro::select(goro::on_recv(timer.c()), goro::on_recv(quit)) == 1) {
    timer.stop();
    return false;
  }
  return true;
}

void start_producer(const std::shared_ptr<Producer>& p, const Schedule& s, goro::Chan<Event> in, goro::Time t0,
                    const std::shared_ptr<Downstream>& d) {
  p->wg.add(1);
  goro::go_named("grader: producer", [p, s, in, t0, d] {
    [&] {
      for (const Send& e : s.sends) {
        if (!wait_until(t0 + e.at, p->quit)) return;
        if (goro::select(goro::on_send(in, Event{e.id}), goro::on_recv(p->quit)) == 1) return;
      }
      if (s.close_when_delivered) {
        if (goro::select(goro::on_recv(d->delivered_all), goro::on_recv(p->quit)) == 1) return;
        if (!wait_until(goro::now() + s.linger, p->quit)) return;
      } else if (s.close_at) {
        if (!wait_until(t0 + *s.close_at, p->quit)) return;
      } else {
        (void)p->quit.recv();  // the input stays open until the check is over
        return;
      }
      in.close();
    }();
    p->wg.done();
  });
}

// ---- one run of the batcher --------------------------------------------------------------------

enum class Dlq {
  buffered,  // room for 64 dead letters; read after run_batcher returns
  reader,    // unbuffered, read by a grader task all along
  unread,    // unbuffered, never read
};

struct Setup {
  Schedule schedule;
  goro::Duration max_wait = kMaxWait;
  std::shared_ptr<Downstream> down = std::make_shared<Downstream>();
  goro::Context ctx = goro::background();
  Dlq dlq = Dlq::buffered;
};

struct Outcome {
  goro::Error err;
  goro::Duration returned{};
  std::vector<Call> calls;
  std::vector<FailedBatch> dead;  // in the order they were received
  bool dlq_closed = false;        // run_batcher closed the caller's dlq
  int peak = 0;                   // flush calls at the same time, at most
};

struct DeadLetters {
  std::mutex mu;
  std::vector<FailedBatch> got;
  goro::WaitGroup wg;
};

std::string describe(const Setup& s) {
  return fmt::format("run_batcher(ctx, in, flush, dlq, max_wait = {}); the producer {}", dur(s.max_wait),
                     s.schedule.text());
}

// Runs run_batcher for `s` in the calling task, with the producer (and the dead-letter reader) in
// grader tasks that are over when this returns.
Outcome run(const Setup& s) {
  Downstream& d = *s.down;
  d.t0 = goro::now();
  if (s.schedule.close_when_delivered) d.want_delivered = s.schedule.sends.size();
  auto in = goro::make_chan<Event>();
  auto dlq = goro::make_chan<FailedBatch>(s.dlq == Dlq::buffered ? 64 : 0);
  auto dead = std::make_shared<DeadLetters>();
  if (s.dlq == Dlq::reader) {
    dead->wg.add(1);
    goro::go_named("grader: dead-letter reader", [dead, dlq] {
      for (FailedBatch& fb : dlq) {
        std::lock_guard lk(dead->mu);
        dead->got.push_back(std::move(fb));
      }
      dead->wg.done();
    });
  }
  auto p = std::make_shared<Producer>();
  start_producer(p, s.schedule, in, d.t0, s.down);

  Outcome o;
  o.err = run_batcher(s.ctx, in, flush_to(s.down), dlq, s.max_wait);
  o.returned = goro::now() - d.t0;
  p->quit.close();
  p->wg.wait();
  // Nothing sends on dlq any more: take what is left (and notice a dlq closed by the batcher: a
  // receive from a closed channel is ready at once, with ok == false).
  for (;;) {
    FailedBatch fb;
    bool ok = false;
    if (goro::select(goro::on_recv(dlq, &fb, &ok), goro::on_default()) == 1) break;
    if (!ok) {
      o.dlq_closed = true;
      break;
    }
    std::lock_guard lk(dead->mu);
    dead->got.push_back(std::move(fb));
  }
  if (s.dlq == Dlq::reader && !o.dlq_closed) dlq.close();
  if (s.dlq == Dlq::reader) dead->wg.wait();
  o.calls = d.snapshot();
  {
    std::lock_guard lk(dead->mu);
    o.dead = dead->got;
  }
  o.peak = d.in_flush.peak();
  return o;
}

// ---- judging -----------------------------------------------------------------------------------

const char* const kHintWindow =
    "Every batch has a window of its own: it starts when the batch's FIRST event is received and ends "
    "max_wait later, unless a size flush (or the close) ends the batch first. Whatever measures the window "
    "must start with that first event and be forgotten at every flush; a clock that ticks regardless of the "
    "batches, or a deadline pushed back by every event, draws other boundaries.";
const char* const kHintStale =
    "A size flush ends the batch, and its window with it: forget that deadline there too (the next window "
    "starts with the next event). A timer left running fires at the old batch's deadline and cuts the next "
    "batch short.";
const char* const kHintRemainder =
    "When `in` is closed (recv gives ok == false), what is pending is the last batch: flush it, if it is "
    "not empty, and only then return nil.";
const char* const kHintEmpty =
    "Call flush only when something is pending: a window exists only from a batch's first event to its "
    "flush, so nothing should fire while no batch is pending.";
const char* const kHintRetry =
    "A batch gets kFlushAttempts calls in all, the first one included, kRetryBackoff apart (no wait after "
    "the last one). When all of them failed, send FailedBatch{batch, reason} on dlq and carry on with the "
    "next batch.";
const char* const kHintDlq =
    "A dead-lettered batch is done: the next batch starts empty. The reason wraps the last attempt's error "
    "with {:w}, so that goro::is / goro::as still find the downstream's error in it.";
const char* const kHintCancel =
    "Every wait of the batcher — for an event, for the window, a backoff, the send on dlq — must also "
    "watch ctx.done(); and once ctx has ended no flush call starts: a call that failed after ctx ended is "
    "neither retried nor dead-lettered, run_batcher returns ctx.err().";
const char* const kHintOnce =
    "Each event belongs to exactly one batch, in the order received; each batch is delivered once or "
    "dead-lettered once. Call flush from run_batcher's own task, one call at a time.";

// What is wrong with the outcome whatever the timing: events lost, doubled or out of order, empty
// or oversized batches, flush calls at the same time. Each with the failure class it shows, the
// most telling first (an event flushed again also makes its batch too large: the repeat is what
// went wrong). `times`: mention moments (virtual clock only).
struct Problem {
  std::string text;
  const dojo::grader::Mistake* mistake;
};
std::vector<Problem> problems(const Outcome& o, const Schedule& s, bool times) {
  std::vector<Problem> out;
  auto when = [&](const Call& c) { return times ? fmt::format(" (at {})", offset(c.at)) : std::string(); };

  const int n = s.size();
  std::vector<int> delivered(static_cast<std::size_t>(n), 0), dead(static_cast<std::size_t>(n), 0);
  std::vector<int> delivered_seq, dead_seq;
  for (const Call& c : o.calls)
    if (c.ok)
      for (int id : c.ids) {
        delivered_seq.push_back(id);
        if (id >= 0 && id < n) ++delivered[static_cast<std::size_t>(id)];
      }
  for (const FailedBatch& fb : o.dead)
    for (const Event& e : fb.batch) {
      dead_seq.push_back(e.id);
      if (e.id >= 0 && e.id < n) ++dead[static_cast<std::size_t>(e.id)];
    }
  std::vector<int> again, twice, dead_twice, missing;
  for (int id = 0; id < n; ++id) {
    const auto i = static_cast<std::size_t>(id);
    if (dead[i] > 0 && delivered[i] > 0) again.push_back(id);
    else if (delivered[i] > 1) twice.push_back(id);
    else if (dead[i] > 1) dead_twice.push_back(id);
    if (dead[i] == 0 && delivered[i] == 0) missing.push_back(id);
  }
  if (!again.empty())
    out.push_back({fmt::format("{} dead-lettered, then flushed again with a later batch", events_were(again)),
                   &mistake::duplicate});
  if (!twice.empty()) out.push_back({fmt::format("{} delivered more than once", events_were(twice)), &mistake::duplicate});
  if (!dead_twice.empty())
    out.push_back({fmt::format("{} dead-lettered more than once", events_were(dead_twice)), &mistake::duplicate});
  if (!missing.empty()) {
    std::string m = fmt::format("{} never flushed (nor dead-lettered)", events_were(missing));
    const bool tail = missing.back() == n - 1 && missing.front() == n - static_cast<int>(missing.size());
    if (tail && !o.err && (s.close_at || s.close_when_delivered))
      m += ": they were still pending when the input closed";
    out.push_back({m, &mistake::lost_item});
  }
  for (std::size_t k = 0; k < o.calls.size(); ++k)
    if (o.calls[k].ids.empty()) {
      out.push_back({fmt::format("flush call {}{} was handed an empty batch: nothing was pending", k + 1, when(o.calls[k])),
                     &mistake::wrong_count});
      break;
    }
  for (std::size_t k = 0; k < o.calls.size(); ++k)
    if (o.calls[k].ids.size() > kMaxBatch) {
      out.push_back({fmt::format("flush call {}{} was handed {} events: more than kMaxBatch ({})", k + 1,
                                 when(o.calls[k]), o.calls[k].ids.size(), kMaxBatch),
                     &mistake::over_limit});
      break;
    }
  if (o.peak > 1) out.push_back({fmt::format("{} flush calls ran at the same time", o.peak), &mistake::over_limit});
  // (An event handed over twice is out of order as well: that is said once, above.)
  auto order = [&](const std::vector<int>& seq, std::string_view what) {
    for (std::size_t i = 1; i < seq.size(); ++i)
      if (seq[i] <= seq[i - 1]) {
        out.push_back({fmt::format("event {} was {} after event {}: out of order", seq[i], what, seq[i - 1]),
                       &mistake::wrong_order});
        return;
      }
  };
  if (again.empty() && twice.empty() && dead_twice.empty()) {
    order(delivered_seq, "delivered");
    order(dead_seq, "dead-lettered");
  }
  return out;
}

std::string texts(const std::vector<Problem>& p) {
  std::vector<std::string> v;
  for (const Problem& x : p) v.push_back(x.text);
  return fmt::format("{}", fmt::join(v, "\n"));
}

// Fails unless every event of the schedule was delivered or dead-lettered exactly once, in order,
// with no empty or oversized batch and one flush at a time.
void expect_sound(Check& check, const Outcome& o, const Schedule& s, std::string_view hint = kHintOnce) {
  const auto p = problems(o, s, check.deterministic());
  if (!p.empty())
    check.fail("every event flushed (or dead-lettered) exactly once, in order, in batches of 1 to 100 events", texts(p),
               {*p.front().mistake, hint});
}

// A note when the flushes are exactly those of a classic mistake.
std::string name_the_mistake(const std::vector<Flushed>& got, const Schedule& s, goro::Duration mw) {
  bool tie = false;
  const auto spec = model(s, mw, Model::spec, &tie);
  struct Known {
    Model m;
    std::string note;
  };
  const std::vector<Known> known = {
      {Model::stale, "That is exactly what a timer left running after a size flush gives: the batch before was "
                     "flushed for size, yet its window went on and ended the next batch at the old deadline."},
      {Model::ticker, fmt::format("Those are exactly the flushes of a clock that ticks every {} from the start "
                                  "(+{}, +{}, ...), whenever each batch began.",
                                  dur(mw), dur(mw), dur(2 * mw))},
      {Model::debounce, "Those are exactly the flushes of a timer restarted on every event: the window must "
                        "start with the batch's first event and not move."},
  };
  for (const Known& k : known) {
    bool t = false;
    const auto v = model(s, mw, k.m, &t);
    if (!t && v != spec && v == got) return k.note;
  }
  return {};
}

// Where the first flush that differs from the contract went wrong, in words.
// `timing` is set when that flush came before or after its window's end: a mistake of moments.
std::string first_difference(const std::vector<Flushed>& want, const std::vector<Flushed>& got, const Schedule& s,
                             goro::Duration mw, bool* timing) {
  std::size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  if (i >= got.size() || got[i].ids.empty() || got[i].ids.size() > kMaxBatch) return {};
  const Flushed& g = got[i];
  const goro::Duration first = s.arrival(g.ids.front());
  if (first == goro::Duration::min()) return {};
  const goro::Duration waited = g.at - first;
  const bool at_close = s.close_at && g.at == *s.close_at;
  const std::string which = fmt::format("batch {} [{}]", i + 1, ids_text(g.ids));
  *timing = true;
  if (g.ids.size() < kMaxBatch && waited < mw && !at_close)
    return fmt::format("{} was flushed at {}, only {} after its first event arrived (at {}): its window runs "
                       "until {}",
                       which, offset(g.at), dur(waited), offset(first), offset(first + mw));
  if (waited > mw)
    return fmt::format("{} was flushed at {}, {} after its first event arrived (at {}): its window ended at {}{}",
                       which, offset(g.at), dur(waited), offset(first), offset(first + mw),
                       at_close ? ", yet it was held until the input closed" : "");
  *timing = false;
  if (i < want.size())
    return fmt::format("{} was flushed at {}; the contract's batch {} is [{}], flushed at {}", which, offset(g.at),
                       i + 1, ids_text(want[i].ids), offset(want[i].at));
  return {};
}

// Virtual clock only: the flushes are exactly the model's, at the model's moments.
void expect_flushes(Check& check, const Outcome& o, const Schedule& s, goro::Duration mw,
                    std::string_view hint = kHintWindow) {
  bool tie = false;
  const auto want = model(s, mw, Model::spec, &tie);
  if (tie) check.fail("a schedule without ties", "grader bug: a window ends exactly when an event arrives");
  std::vector<Flushed> got;
  for (const Call& c : o.calls) got.push_back({c.at, c.ids});
  if (got == want) return;
  std::vector<std::string> notes;
  bool timing = false;
  if (auto d = first_difference(want, got, s, mw, &timing); !d.empty()) notes.push_back(d);
  const auto p = problems(o, s, true);
  for (const Problem& x : p) notes.push_back(x.text);
  if (auto k = name_the_mistake(got, s, mw); !k.empty()) notes.push_back(k);
  // Events lost, doubled, ... say what went wrong; else a batch flushed before or after its
  // window's end is a mistake of moments.
  const dojo::grader::Mistake& m = !p.empty() ? *p.front().mistake : timing ? mistake::wrong_timing : mistake::wrong_result;
  check.fail(timeline(want, true),
             fmt::format("{}{}{}", timeline(got, true), notes.empty() ? "" : "\n",
                         fmt::format("{}", fmt::join(notes, "\n"))),
             {m, hint});
}

// The batch sizes, on real threads (checks whose boundaries do not depend on time).
void expect_batches(Check& check, const Outcome& o, const Schedule& s, goro::Duration mw,
                    std::string_view hint = kHintWindow) {
  bool tie = false;
  std::vector<Flushed> want = model(s, mw, Model::spec, &tie);
  std::vector<Flushed> got;
  for (const Call& c : o.calls) got.push_back({{}, c.ids});
  for (Flushed& f : want) f.at = {};
  if (got == want) return;
  auto p = problems(o, s, false);
  check.fail(timeline(want, false), fmt::format("{}{}{}", timeline(got, false), p.empty() ? "" : "\n", texts(p)),
             {p.empty() ? mistake::wrong_result : *p.front().mistake, hint});
}

void expect_returned(Check& check, const Outcome& o, goro::Duration want, std::string_view what,
                     std::string_view hint = {}) {
  if (!check.deterministic()) return;
  check.expect(o.returned == want, fmt::format("run_batcher returns at {} ({})", offset(want), what),
               fmt::format("it returned at {}", offset(o.returned)), {mistake::wrong_timing, hint});
}

void expect_dlq_not_closed(Check& check, const Outcome& o) {
  check.expect(!o.dlq_closed, "dlq still open after run_batcher returned (it belongs to the caller)",
               "run_batcher closed dlq",
               "The caller owns dlq (it may hand the same one to several batchers): run_batcher only sends on it.");
}

// The calls that began after ctx had ended.
std::vector<Call> calls_after_cancel(const Outcome& o) {
  std::vector<Call> v;
  for (const Call& c : o.calls)
    if (c.after_cancel) v.push_back(c);
  return v;
}

void expect_no_call_after_cancel(Check& check, const Outcome& o, std::size_t allowed = 0) {
  const auto late = calls_after_cancel(o);
  if (late.size() <= allowed) return;
  std::vector<goro::Duration> at;
  for (const Call& c : late) at.push_back(c.at);
  check.fail("no flush call begins after ctx was cancelled",
             fmt::format("{} flush call(s) began after ctx was cancelled{}", late.size(),
                         check.deterministic() ? fmt::format(" (at {})", dojo::grader::offsets(at)) : std::string()),
             {mistake::ignored_cancellation, kHintCancel});
}

// Virtual clock: the batcher returned at the moment of the cancellation.
void expect_prompt(Check& check, const Outcome& o, goro::Duration cancelled_at) {
  if (!check.deterministic()) return;
  check.expect(o.returned == cancelled_at,
               fmt::format("run_batcher returns at {}, the moment ctx is cancelled", offset(cancelled_at)),
               o.returned > cancelled_at
                   ? fmt::format("it returned at {}, {} after ctx was cancelled", offset(o.returned),
                                 dur(o.returned - cancelled_at))
                   : fmt::format("it returned at {}", offset(o.returned)),
               {o.returned > cancelled_at ? mistake::ignored_cancellation : mistake::wrong_timing, kHintCancel});
}

// The attempts of batch `b`: exactly kFlushAttempts (or `want` when given), kRetryBackoff apart from `from`.
void expect_attempts(Check& check, const Outcome& o, int b, int want, goro::Duration from, std::string_view hint) {
  std::vector<int> ids;
  std::vector<goro::Duration> at;
  for (const Call& c : o.calls)
    if (c.batch == b) {
      ids = c.ids;
      at.push_back(c.at);
    }
  const int n = static_cast<int>(at.size());
  std::vector<goro::Duration> want_at;
  for (int k = 0; k < want; ++k) want_at.push_back(from + k * kRetryBackoff);
  const std::string times = check.deterministic() ? fmt::format(" at {}", dojo::grader::offsets(at)) : std::string();
  check.expect(n == want,
               fmt::format("batch {}: exactly {} flush attempt{}{}", b, want, want == 1 ? "" : "s",
                           check.deterministic() ? fmt::format(" at {}", dojo::grader::offsets(want_at)) : std::string()),
               n == 0 ? fmt::format("no flush call for a batch {} at all", b)
                      : fmt::format("batch {} [{}]: {} flush attempt{}{}", b, ids_text(ids), n, n == 1 ? "" : "s", times),
               {mistake::wrong_count, hint});
  if (check.deterministic())
    check.expect(at == want_at, fmt::format("batch {}: attempts at {}", b, dojo::grader::offsets(want_at)),
                 fmt::format("batch {}: attempts at {}", b, dojo::grader::offsets(at)),
                 {mistake::wrong_timing, "Wait kRetryBackoff (on the runtime's clock) after a failed attempt, before "
                                         "the next one."});
}

// The reason of a dead letter: wraps the downstream's error from the LAST attempt, says how many.
void expect_reason(Check& check, const FailedBatch& fb) {
  check.expect_is(fb.reason, ErrDownstream, "ErrDownstream (the downstream's error)", kHintDlq);
  const Refused r = check.expect_as<Refused>(fb.reason, "Refused (the downstream's typed error)", kHintDlq);
  check.expect_eq(r.attempt, kFlushAttempts, "the attempt whose error the reason wraps",
                  {mistake::wrong_error, "Keep the error of the last attempt and wrap that one."});
  check.expect(fb.reason.message().find(fmt::format("after {} attempts", kFlushAttempts)) != std::string::npos,
               fmt::format("a reason whose message says \"after {} attempts\"", kFlushAttempts),
               Check::describe_error(fb.reason));
}

std::vector<int> range_ids(int from, int to) { return dojo::grader::range(from, to); }

// `cancelled`: the caller cancelled, and nothing may be dead-lettered after that.
void expect_dead(Check& check, const Outcome& o, const std::vector<std::vector<int>>& want, bool cancelled = false) {
  std::vector<std::string> w, g;
  for (const auto& ids : want) w.push_back("[" + ids_text(ids) + "]");
  for (const FailedBatch& fb : o.dead) g.push_back("[" + ids_text(ids_of(fb.batch)) + "]");
  const dojo::grader::Mistake& m = cancelled && g.size() > w.size() ? mistake::ignored_cancellation
                                   : g.size() < w.size()            ? mistake::lost_item
                                                                    : mistake::wrong_result;
  check.expect(w == g,
               want.empty() ? std::string("nothing on dlq")
                            : fmt::format("on dlq, in order: {}", fmt::join(w, ", ")),
               g.empty() ? std::string("nothing on dlq") : fmt::format("on dlq: {}", fmt::join(g, ", ")),
               {m, cancelled ? kHintCancel : want.empty() ? kHintRetry : kHintDlq});
}

// Real threads: windows of 50 ms and moments a twentieth of the virtual ones.
constexpr int kFreeScale = 20;
constexpr goro::Duration kFreeWait = 50ms;
// Real threads, when only sizes and the close may end a batch.
constexpr goro::Duration kNoWindow = 1h;

}  // namespace

// ---- sizes and the close ---------------------------------------------------------------------

DOJO_CHECK("a burst of 250 events, then the input closes: batches of 100, 100 and 50, all at once",
           "The 100th event of a batch flushes it at once; the close flushes the remainder.") {
  Setup s;
  s.schedule = plan().at(0ms, 250).close(0ms).done();
  if (!check.deterministic()) s.max_wait = kNoWindow;
  check.say("calling " + describe(s));
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)", kHintRemainder);
  if (check.deterministic())
    expect_flushes(check, o, s.schedule, s.max_wait);
  else
    expect_batches(check, o, s.schedule, s.max_wait);
  expect_returned(check, o, 0ms, "right after the remainder was flushed");
  expect_sound(check, o, s.schedule);
}

DOJO_CHECK("a burst of 250 events, the input stays open: the last 50 are flushed 1 s after the first of them, "
           "and nothing more",
           kHintWindow) {
  Setup s;
  if (check.deterministic()) {
    s.schedule = plan().at(0ms, 250).close(3500ms).done();
  } else {
    s.max_wait = kFreeWait;
    s.schedule = plan().at(0ms, 250).close_when_delivered(4 * kFreeWait).done();
  }
  check.say("calling " + describe(s));
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)");
  if (check.deterministic()) expect_flushes(check, o, s.schedule, s.max_wait);
  expect_sound(check, o, s.schedule, kHintEmpty);
  expect_returned(check, o, 3500ms, "when the input closes: nothing was pending then");
}

DOJO_CHECK("the input closes with events pending: they are flushed then, and run_batcher returns nil",
           kHintRemainder) {
  struct Case {
    Schedule schedule;
    goro::Duration returns;
    const char* what;
  };
  const std::vector<Case> cases = {
      {plan().at(0ms).at(100ms).at(200ms).close(300ms).done(), 300ms, "three events pending"},
      {plan().at(0ms, 160).at(250ms, 30).close(600ms).done(), 600ms, "a size flush, then 90 events pending"},
      {plan().at(0ms, 100).close(500ms).done(), 500ms, "exactly 100 events: nothing pending at the close"},
      {plan().close(2500ms).done(), 2500ms, "no event at all"},
  };
  for (const Case& c : cases) {
    Setup s;
    s.schedule = c.schedule;
    if (!check.deterministic()) {
      s.schedule = scaled(c.schedule, kFreeScale);
      s.max_wait = kNoWindow;
    }
    check.say(fmt::format("calling {} ({})", describe(s), c.what));
    const Outcome o = run(s);
    check.expect_ok(o.err, "run_batcher(...)", kHintRemainder);
    if (check.deterministic())
      expect_flushes(check, o, s.schedule, s.max_wait, kHintRemainder);
    else
      expect_batches(check, o, s.schedule, s.max_wait, kHintRemainder);
    expect_sound(check, o, s.schedule, kHintRemainder);
    expect_returned(check, o, c.returns, "when the input closes", kHintRemainder);
    expect_dlq_not_closed(check, o);
  }
}

DOJO_CHECK("an idle batcher flushes nothing: no flush call with an empty batch, however long the input stays open",
           kHintEmpty) {
  Setup s;
  if (check.deterministic()) {
    s.schedule = plan().at(0ms).close(5500ms).done();
  } else {
    s.max_wait = kFreeWait;
    s.schedule = plan().at(0ms).close_when_delivered(5 * kFreeWait).done();
  }
  check.say("calling " + describe(s));
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)");
  expect_sound(check, o, s.schedule, kHintEmpty);
  if (check.deterministic()) expect_flushes(check, o, s.schedule, s.max_wait, kHintEmpty);
  check.expect(o.calls.size() == 1, "exactly 1 flush call", fmt::format("{} flush calls", o.calls.size()),
               {mistake::wrong_count, kHintEmpty});
}

// ---- windows -----------------------------------------------------------------------------------

DOJO_CHECK("bursts and pauses: each batch is flushed 1 s after its own first event",
           kHintWindow, dojo::grader::Options{.seeds = 6}) {
  // +0, +300ms, +900ms -> flushed at +1s; +1.5s, +1.6s, +2.4s -> +2.5s; +2.6s, 4 at +2.7s, +3.55s ->
  // +3.6s; +4.2s -> the close at +4.5s.
  Setup s;
  s.schedule = plan()
                   .at(0ms)
                   .at(300ms)
                   .at(900ms)
                   .at(1500ms)
                   .at(1600ms)
                   .at(2400ms)
                   .at(2600ms)
                   .at(2700ms, 4)
                   .at(3550ms)
                   .at(4200ms)
                   .close(4500ms)
                   .done();
  if (!check.deterministic()) {
    s.schedule = scaled(s.schedule, kFreeScale);
    s.max_wait = kFreeWait;
  }
  check.say("calling " + describe(s));
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)");
  if (check.deterministic()) expect_flushes(check, o, s.schedule, s.max_wait);
  expect_sound(check, o, s.schedule);
}

DOJO_CHECK("a size flush, then a slow trickle: the next batch gets a window of its own, not the old deadline",
           kHintStale, dojo::grader::Options{.seeds = 6}) {
  // 100 at +0 (a size flush), then +400ms, +700ms, +1.2s: one batch, flushed at +1.4s. A timer left
  // running from the first batch would end it at +1s.
  const std::vector<Schedule> schedules = {
      plan().at(0ms, 100).at(400ms).at(700ms).at(1200ms).close(2000ms).done(),
      plan().at(0ms, 60).at(300ms, 40).at(500ms, 3).at(1100ms).close(2200ms).done(),
  };
  for (const Schedule& sched : schedules) {
    Setup s;
    s.schedule = sched;
    if (!check.deterministic()) {
      s.schedule = scaled(sched, kFreeScale);
      s.max_wait = kFreeWait;
    }
    check.say("calling " + describe(s));
    const Outcome o = run(s);
    check.expect_ok(o.err, "run_batcher(...)");
    if (check.deterministic()) expect_flushes(check, o, s.schedule, s.max_wait, kHintStale);
    expect_sound(check, o, s.schedule);
  }
}

DOJO_CHECK("the window is the max_wait argument: 250 ms windows give other boundaries than 1 s ones",
           "Use the max_wait parameter for the window (kMaxWait is only its default).") {
  Setup s;
  s.max_wait = 250ms;
  s.schedule = plan().at(0ms).at(100ms).at(400ms).at(550ms).at(700ms).close(1000ms).done();
  if (!check.deterministic()) {
    s.schedule = scaled(s.schedule, kFreeScale);
    s.max_wait = 250ms / kFreeScale;
  }
  check.say("calling " + describe(s));
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)");
  if (check.deterministic()) expect_flushes(check, o, s.schedule, s.max_wait);
  expect_sound(check, o, s.schedule);
}

// ---- retries and the dead-letter queue -------------------------------------------------------

DOJO_CHECK("a flush that fails once is retried 100 ms later, and the batch is delivered once",
           kHintRetry) {
  Setup s;
  s.schedule = plan().at(0ms, 250).close(0ms).done();
  if (!check.deterministic()) s.max_wait = kNoWindow;
  s.down->fails = {{2, 1}};
  check.say("calling " + describe(s) + "; the downstream refuses the first call of batch 2 [100..199]");
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)");
  expect_sound(check, o, s.schedule);
  expect_attempts(check, o, 1, 1, 0ms, kHintRetry);
  expect_attempts(check, o, 2, 2, 0ms, kHintRetry);
  expect_attempts(check, o, 3, 1, 100ms, kHintRetry);
  expect_dead(check, o, {});
  expect_returned(check, o, 100ms, "once the last 50 are flushed, after the retry");
}

DOJO_CHECK("a batch that fails every attempt: exactly 3 attempts, 100 ms apart, then the dead-letter queue; "
           "the next batch goes on",
           kHintRetry, dojo::grader::Options{.seeds = 6}) {
  Setup s;
  s.schedule = plan().at(0ms, 250).close(0ms).done();
  if (!check.deterministic()) s.max_wait = kNoWindow;
  s.down->fails = {{2, 1000}};
  check.say("calling " + describe(s) + "; the downstream refuses every call of batch 2 [100..199]");
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)",
                  "A dead-lettered batch is not an error of run_batcher: it returns nil once the input is closed "
                  "and everything was delivered or dead-lettered.");
  expect_sound(check, o, s.schedule, kHintDlq);
  expect_attempts(check, o, 2, kFlushAttempts, 0ms, kHintRetry);
  expect_dead(check, o, {range_ids(100, 199)});
  expect_attempts(check, o, 3, 1, 2 * kRetryBackoff, kHintDlq);
  expect_reason(check, o.dead.front());
  expect_returned(check, o, 2 * kRetryBackoff, "once the last 50 are flushed");
  expect_dlq_not_closed(check, o);
}

DOJO_CHECK("every batch fails: each gets exactly 3 attempts, all three reach the dead-letter reader in order, "
           "and run_batcher returns nil",
           kHintRetry) {
  Setup s;
  s.schedule = plan().at(0ms, 250).close(0ms).done();
  if (!check.deterministic()) s.max_wait = kNoWindow;
  s.down->fails = {{1, 1000}, {2, 1000}, {3, 1000}};
  s.dlq = Dlq::reader;
  check.say("calling " + describe(s) + "; the downstream refuses every call; a grader task reads dlq");
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)",
                  "A dead-lettered batch is not an error of run_batcher: it returns nil once the input is closed.");
  expect_sound(check, o, s.schedule, kHintDlq);
  for (int b = 1; b <= 3; ++b) expect_attempts(check, o, b, kFlushAttempts, (b - 1) * 2 * kRetryBackoff, kHintRetry);
  expect_dead(check, o, {range_ids(0, 99), range_ids(100, 199), range_ids(200, 249)});
  for (const FailedBatch& fb : o.dead) expect_reason(check, fb);
  expect_returned(check, o, 6 * kRetryBackoff, "right after the last dead letter was taken");
}

// ---- cancellation ------------------------------------------------------------------------------

DOJO_CHECK("cancelled while waiting for events or for a window: goro::Canceled at that moment, nothing flushed",
           kHintCancel) {
  const std::vector<Schedule> schedules = {
      plan().at(0ms).at(100ms).done(),  // two events pending; the window would end at +1s
      plan().done(),                    // nothing at all
  };
  for (const Schedule& sched : schedules) {
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    Setup s;
    s.ctx = ctx;
    s.schedule = sched;
    const goro::Duration cancel_at = check.deterministic() ? 500ms : 5ms;
    if (!check.deterministic()) {
      s.schedule = scaled(sched, kFreeScale);
      s.max_wait = kNoWindow;
    }
    check.say(fmt::format("calling {}; the caller cancels ctx at {}", describe(s), offset(cancel_at)));
    Canceller canceller(cancel, cancel_at);
    const Outcome o = run(s);
    canceller.join();
    cancel();
    check.expect_is(o.err, goro::Canceled, "goro::Canceled", kHintCancel);
    expect_prompt(check, o, cancel_at);
    check.expect(o.calls.empty(), "no flush call (the pending events are dropped)",
                 fmt::format("{} flush call(s), the first with [{}]", o.calls.size(),
                             o.calls.empty() ? "" : ids_text(o.calls.front().ids)),
                 {mistake::ignored_cancellation,
                  "On cancellation run_batcher returns ctx.err() at once; it does not flush what is pending."});
  }
}

DOJO_CHECK("cancelled while a flush waits on a slow downstream: the flush gives up, is not retried, nothing goes "
           "to the dead-letter queue",
           kHintCancel) {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Setup s;
  s.ctx = ctx;
  s.schedule = plan().at(0ms, 100).done();
  s.down->hang = true;
  if (!check.deterministic()) {
    s.max_wait = kNoWindow;
    s.down->cancel_on_call = cancel;  // the caller gives up while the first call runs
  }
  const goro::Duration cancel_at = 250ms;
  check.say(fmt::format("calling {}; the downstream answers only when ctx ends; the caller cancels ctx {}",
                        describe(s), check.deterministic() ? "at +250ms" : "during the first flush call"));
  std::optional<Canceller> canceller;
  if (check.deterministic()) canceller.emplace(cancel, cancel_at);
  const Outcome o = run(s);
  if (canceller) canceller->join();
  cancel();
  check.expect_is(o.err, goro::Canceled, "goro::Canceled", kHintCancel);
  expect_prompt(check, o, cancel_at);
  expect_no_call_after_cancel(check, o);
  check.expect(o.calls.size() == 1, "exactly 1 flush call (the one the cancellation interrupted)",
               fmt::format("{} flush calls", o.calls.size()),
               {o.calls.size() > 1 ? mistake::ignored_cancellation : mistake::wrong_count, kHintCancel});
  expect_dead(check, o, {}, true);
}

DOJO_CHECK("cancelled during the backoff between two attempts: goro::Canceled at once, no further attempt",
           kHintCancel) {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Setup s;
  s.ctx = ctx;
  s.schedule = plan().at(0ms, 100).done();
  s.down->fails = {{1, 1000}};
  if (!check.deterministic()) s.max_wait = kNoWindow;
  const goro::Duration cancel_at = 50ms;
  check.say(fmt::format("calling {}; the downstream refuses every call; the caller cancels ctx at {} (the first "
                        "backoff lasts until +100ms)",
                        describe(s), offset(cancel_at)));
  Canceller canceller(cancel, cancel_at);
  const Outcome o = run(s);
  canceller.join();
  cancel();
  check.expect_is(o.err, goro::Canceled, "goro::Canceled", kHintCancel);
  expect_prompt(check, o, cancel_at);
  // On real threads the cancellation may land between the batcher's look at ctx and its call.
  expect_no_call_after_cancel(check, o, check.deterministic() ? 0 : 1);
  if (check.deterministic()) {
    check.expect(o.calls.size() == 1, "exactly 1 flush call (the one before the backoff)",
                 fmt::format("{} flush calls", o.calls.size()),
                 {o.calls.size() > 1 ? mistake::ignored_cancellation : mistake::wrong_count, kHintCancel});
    expect_dead(check, o, {}, true);
  }
}

DOJO_CHECK("cancelled while the failed batch waits for a dead-letter reader: the send gives up, goro::Canceled",
           kHintCancel) {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  Setup s;
  s.ctx = ctx;
  s.schedule = plan().at(0ms, 100).done();
  s.down->fails = {{1, 1000}};
  s.dlq = Dlq::unread;
  if (!check.deterministic()) s.max_wait = kNoWindow;
  const goro::Duration cancel_at = check.deterministic() ? 1s : 400ms;
  check.say(fmt::format("calling {}; the downstream refuses every call; nobody reads dlq; the caller cancels ctx at "
                        "{}",
                        describe(s), offset(cancel_at)));
  Canceller canceller(cancel, cancel_at);
  Outcome o;
  if (check.deterministic()) {
    // run_batcher in a task of its own, so that the grader notices when it never returns.
    auto result = goro::make_chan<Outcome>(1);
    goro::go_named("grader: caller", [result, s] { result.send(run(s)); });
    auto guard = goro::new_timer(cancel_at + 9s);
    if (goro::select(goro::on_recv(result, &o), goro::on_recv(guard.c())) == 1) {
      std::string where;
      bool in_send = false;  // blocked in a plain send (on dlq): the classic
      for (const goro::TaskInfo& t : dojo::grader::RunView().tasks()) {
        if (t.name == "grader: caller" && t.blocked_at.line() != 0) {
          in_send = t.reason == dojo::grader::WaitReason::chan_send;
          std::string file = t.blocked_at.file_name();
          file = file.substr(file.find_last_of('/') + 1);
          where = fmt::format(" (blocked at {}:{} on {})", file, t.blocked_at.line(), t.blocked_on);
        }
      }
      check.fail(fmt::format("run_batcher returns goro::Canceled at {}, when ctx is cancelled", offset(cancel_at)),
                 fmt::format("it was still blocked 9s after ctx was cancelled{}: a send on dlq that nobody reads "
                             "must give up when ctx ends",
                             where),
                 {in_send ? mistake::blocked_send : mistake::ignored_cancellation, kHintCancel});
    }
    guard.stop();
  } else {
    o = run(s);
  }
  canceller.join();
  cancel();
  check.expect_is(o.err, goro::Canceled, "goro::Canceled", kHintCancel);
  expect_prompt(check, o, cancel_at);
  expect_no_call_after_cancel(check, o, check.deterministic() ? 0 : 1);
  if (check.deterministic()) expect_attempts(check, o, 1, kFlushAttempts, 0ms, kHintRetry);
}

DOJO_CHECK("an already-cancelled context: goro::Canceled at once, and flush is never called",
           "Look at ctx.err() before anything else, and before every flush call.") {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel();
  auto in = goro::make_chan<Event>(5);
  for (int id = 0; id < 5; ++id) in.send(Event{id});
  in.close();
  auto down = std::make_shared<Downstream>();
  auto dlq = goro::make_chan<FailedBatch>(4);
  check.say("calling run_batcher(ctx, in, flush, dlq) with ctx already cancelled and 5 events waiting in a closed `in`");
  const goro::Time t0 = goro::now();
  goro::Error err = run_batcher(ctx, in, flush_to(down), dlq);
  const goro::Duration took = goro::now() - t0;
  check.expect_is(err, goro::Canceled, "goro::Canceled");
  const auto calls = down->snapshot();
  check.expect(calls.empty(), "no flush call",
               fmt::format("{} flush call(s), the first with [{}]", calls.size(),
                           calls.empty() ? "" : ids_text(calls.front().ids)),
               {mistake::ignored_cancellation, "A caller who has already given up wants nothing delivered on its behalf."});
  check.expect(dlq.len() == 0, "nothing on dlq", fmt::format("{} dead letter(s)", dlq.len()), mistake::ignored_cancellation);
  if (check.deterministic())
    check.expect(took == goro::Duration::zero(), "run_batcher returns at +0s", fmt::format("it returned at {}", offset(took)),
                 mistake::ignored_cancellation);
}

// ---- everything at once ------------------------------------------------------------------------

DOJO_CHECK("a long mixed run: every event is delivered or dead-lettered exactly once, in order, one flush at a time",
           kHintOnce, dojo::grader::Options{.seeds = 8}) {
  // 600 events in bursts of 1 to 150 with pauses of up to 1.7 s; batches 2, 6, 10, ... are refused once,
  // every 7th one always.
  Plan p;
  std::uint32_t x = 12345;
  auto next = [&x](std::uint32_t mod) {
    x = x * 1103515245u + 12345u;
    return (x >> 16) % mod;
  };
  goro::Duration t{};
  int sent = 0, bursts = 0;
  while (sent < 600) {
    const int burst = std::min(600 - sent, 1 + static_cast<int>(next(150)));
    p.at(t, burst);
    sent += burst;
    ++bursts;
    t += std::chrono::milliseconds(next(1700));
  }
  Setup s;
  s.schedule = p.close(t + 300ms).done();
  for (int b = 1; b <= 60; ++b) {
    if (b % 7 == 0) s.down->fails[b] = 1000;
    else if (b % 4 == 2) s.down->fails[b] = 1;
  }
  s.dlq = Dlq::reader;
  if (!check.deterministic()) {
    s.schedule = scaled(s.schedule, kFreeScale);
    s.max_wait = kFreeWait;
  }
  check.say(fmt::format("calling run_batcher(ctx, in, flush, dlq, max_wait = {}); the producer sends 600 events in {} "
                        "bursts and closes the input at {}; the downstream refuses batches 2, 6, 10, ... once and "
                        "batches 7, 14, ... always; a grader task reads dlq",
                        dur(s.max_wait), bursts,
                        offset(*s.schedule.close_at)));
  const Outcome o = run(s);
  check.expect_ok(o.err, "run_batcher(...)");
  expect_sound(check, o, s.schedule);
  for (const Call& c : o.calls)
    if (c.attempt > kFlushAttempts)
      check.fail(fmt::format("at most {} flush attempts per batch", kFlushAttempts),
                 fmt::format("batch {} [{}] had {} attempts", c.batch, ids_text(c.ids), c.attempt),
                 {mistake::wrong_count, kHintRetry});
  for (const FailedBatch& fb : o.dead) expect_reason(check, fb);
  check.report(fmt::format("{} flush calls, {} dead-lettered batch(es)", o.calls.size(), o.dead.size()));
}
