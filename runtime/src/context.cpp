// Go's context package: a cancellation tree under big_lock().
//
// Structure. A cancellable context (with_cancel / with_deadline) is a CancelCtx — the Context
// node users hold, pointing up to its parent Context — plus a CancelState: the mutable part
// (done channel, err, cause, timer, children). States point *down*: a state owns its
// registered children (derived states, after_func nodes, callback registrations), exactly
// like Go's children map, so a parent cancellation reaches a child whose handles were all
// dropped (someone may still wait on its done channel). Nothing owned by a state points back
// up to a Context, so there are no reference cycles through standard contexts.
//
// Propagation (propagate): a child of a standard parent is put into the parent state's
// children; a child of a custom parent registers through the parent's after_func hook
// (CX-23), or else watches the parent's done channel with a ChanWatch — a waiter queued on
// the channel whose "task" runs a callback instead of waking a thread (CX-24: no task per
// context).
#include "goro/context.hpp"

#include "goro/detail/trace_hooks.hpp"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "goro/detail/waitq.hpp"
#include "sched_internal.hpp"

namespace goro {

ContextImpl::~ContextImpl() = default;

std::string ContextImpl::string() const { return detail::demangle(typeid(*this).name()); }

std::function<bool()> ContextImpl::after_func(std::function<void()>) { return {}; }

WrapperContext::WrapperContext(Context inner) : inner_(std::move(inner)) {
  if (!inner_) detail::panic_nil_parent();
}

namespace detail {

void panic_nil_parent() { goro::panic("cannot create context from nil parent"); }

namespace {

/// The key under which a standard cancellable context answers with its CancelState (Go's
/// &cancelCtxKey). Custom wrappers that forward value() therefore forward it too.
struct CancelCtxKey {
  friend bool operator==(CancelCtxKey, CancelCtxKey) noexcept { return true; }
};

}  // namespace

struct CancelState;
struct ChanWatch;

/// A child linked through a custom parent's after_func hook. The hook's callback owns it.
struct ForeignLink {
  ChildNode* child = nullptr;          // null once fired or unlinked
  std::shared_ptr<ChildNode> keep;     // the child stays alive while linked (Go: the closure)
  std::function<bool()> stop;          // the hook's stop function
};

/// Something cancelled when its parent context is: a derived context's state, an after_func
/// node, a callback registration. All members: big_lock() held.
struct ChildNode : std::enable_shared_from_this<ChildNode> {
  ChildNode() = default;
  ChildNode(const ChildNode&) = delete;
  ChildNode& operator=(const ChildNode&) = delete;
  virtual ~ChildNode() = default;

  /// The parent is done; the link to it is already gone. Lock held, in a LockHeldScope.
  virtual void parent_done(const Error& err, const Error& cause) = 0;

  /// Leaves the parent (no callback). Lock held, in a LockHeldScope.
  void unlink();

  CancelState* parent_cc = nullptr;       // registered in parent_cc->children
  std::uint64_t link_seq = 0;             // registration order among parent_cc's children
  std::shared_ptr<ForeignLink> foreign;   // registered through a custom after_func hook
  std::shared_ptr<ChanWatch> watch;       // watching a custom parent's done channel
  std::shared_ptr<ChildNode> self_keep;   // while watching (Go: the watcher goroutine)
};

struct CancelState final : ChildNode {
  CancelState() = default;
  ~CancelState() override {
    MaybeLock lk;
    for (auto& [child, owner] : children) child->parent_cc = nullptr;
    children.clear();
    if (sched != nullptr && timer.queued()) sched->remove_timer(&timer);
  }

  void parent_done(const Error& e, const Error& c) override { cancel(false, e, c); }

  /// Go's cancelCtx.cancel: the first call sets err and cause, closes done and cancels the
  /// children. Lock held.
  void cancel(bool remove_from_parent, Error e, Error c) {
    LockHeldScope held;
    if (err) return;
    if (!c) c = e;
    err = std::move(e);
    cause = std::move(c);
    if (tracing()) trace_ctx_cancel(done.state()->id(), err, cause);
    done.state()->close();
    // Children are cancelled in the order they registered, not in the hash map's
    // (pointer-dependent) order: deterministic runs and their traces stay reproducible.
    std::vector<std::pair<ChildNode*, std::shared_ptr<ChildNode>>> kids(children.begin(), children.end());
    children.clear();
    std::sort(kids.begin(), kids.end(), [](const auto& a, const auto& b) { return a.first->link_seq < b.first->link_seq; });
    for (auto& [child, owner] : kids) {
      child->parent_cc = nullptr;
      child->parent_done(err, cause);
      release_later(std::move(owner));
    }
    if (remove_from_parent) unlink();
    if (sched != nullptr && timer.queued()) sched->remove_timer(&timer);
    release_later(std::move(timer_keep));
  }

  const Chan<Unit> done = make_chan<Unit>();
  Error err;
  Error cause;
  std::unordered_map<ChildNode*, std::shared_ptr<ChildNode>> children;
  std::uint64_t child_seq = 0;  // numbers registrations (ChildNode::link_seq)

  // Deadline contexts.
  Scheduler* sched = nullptr;
  TimerEntry timer;
  Error deadline_cause;
  std::shared_ptr<ChildNode> timer_keep;  // alive while the timer is queued (Go: the timer)
};

/// A "waiter" queued on a custom parent's done channel. When the channel is closed (or a
/// value is sent on it) the channel wakes the waiter's task — here a stand-in task whose
/// scheduler runs fire() instead, with big_lock() held, on the closing thread.
struct ChanWatch {
  ChanWatch(Chan<Unit> c, Context p, ChildNode* ch);
  ChanWatch(const ChanWatch&) = delete;
  ChanWatch& operator=(const ChanWatch&) = delete;

  void remove() {
    if (queued) ch.state()->recvq().remove(&sd);
    queued = false;
    child = nullptr;
  }
  void fire();

  Task stand_in;
  Sudog sd;
  Chan<Unit> ch;
  Context parent;
  ChildNode* child;
  bool queued = false;
};

namespace {

/// The scheduler of ChanWatch stand-in tasks: unpark runs the watch's callback; nothing else
/// is ever called on it.
class WatchScheduler final : public Scheduler {
 public:
  void spawn(std::shared_ptr<Task>, std::function<void()>) override { std::terminate(); }
  void yield_now(Lock&, Task*) override { std::terminate(); }
  void park(Lock&, Task*) override { std::terminate(); }
  void wait_external(Lock&, Task*, const std::function<void()>&) override { std::terminate(); }
  void unpark(Task* t) override { static_cast<ChanWatch*>(t->backend)->fire(); }
  void release(Task*) override {}
  std::uint64_t new_task_id() override { return 0; }
  std::uint64_t new_object_id() override { return 0; }
  void preempt(Lock&, Task*) override {}
  void task_panicked(Task&, const std::string&, const std::vector<std::string>&) override { std::terminate(); }
  Time now() override { return free_scheduler().now(); }
  void add_timer(TimerEntry*) override { std::terminate(); }
  void remove_timer(TimerEntry*) override { std::terminate(); }
  std::optional<Time> next_timer_due() override { return std::nullopt; }
  std::uint64_t random() override { return 0; }
  std::vector<std::shared_ptr<Task>> tasks() override { return {}; }
  int num_tasks() override { return 0; }
  const char* mode_name() const noexcept override { return "context-watch"; }
};

WatchScheduler& watch_scheduler() {
  static NoDestroy<WatchScheduler> s;
  return s.get();
}

}  // namespace

ChanWatch::ChanWatch(Chan<Unit> c, Context p, ChildNode* chld)
    : ch(std::move(c)), parent(std::move(p)), child(chld) {
  stand_in.sched = &watch_scheduler();
  stand_in.backend = this;
  stand_in.name = "context watch";
  sd.task = &stand_in;
  ch.state()->recvq().push(&sd);
  queued = true;
}

void ChanWatch::fire() {
  LockHeldScope held;
  queued = false;  // the channel popped our waiter
  ChildNode* c = child;
  if (c == nullptr) return;
  child = nullptr;
  Error e = parent.err();
  if (!e) e = Canceled;
  Error why = cause_locked(parent);
  release_later(std::move(c->watch));  // this object: destroyed when the outer scope ends
  release_later(std::move(c->self_keep));
  c->parent_done(e, why);
}

void ChildNode::unlink() {
  if (parent_cc != nullptr) {
    auto it = parent_cc->children.find(this);
    if (it != parent_cc->children.end()) {
      release_later(std::move(it->second));
      parent_cc->children.erase(it);
    }
    parent_cc = nullptr;
  }
  if (foreign) {
    auto link = std::move(foreign);
    link->child = nullptr;
    release_later(std::move(link->keep));
    if (link->stop) (void)link->stop();
    release_later(std::move(link));
  }
  if (watch) {
    watch->remove();
    release_later(std::move(watch));
    release_later(std::move(self_keep));
  }
}

namespace {

/// The standard cancellable context whose done channel `parent` reports, if any (Go's
/// parentCancelCtx).
CancelState* parent_cancel_state(const Context& parent, const Chan<Unit>& d) {
  CancelCtxKey k;
  const std::any* a = parent.impl()->value(ContextKey(k));
  if (a == nullptr) return nullptr;
  CancelState* const* ps = std::any_cast<CancelState*>(a);
  if (ps == nullptr || *ps == nullptr || !((*ps)->done == d)) return nullptr;
  return *ps;
}

/// The callback a custom parent's after_func hook runs. Any thread, lock held or not.
void foreign_fired(const std::shared_ptr<ForeignLink>& link, const std::weak_ptr<ContextImpl>& wp) {
  Error e, why;
  if (auto p = wp.lock()) {
    Context pc(std::move(p));
    e = pc.err();
    why = cause(pc);
  }
  if (!e) e = Canceled;
  MaybeLock lk;
  ChildNode* c = link->child;
  if (c == nullptr) return;
  link->child = nullptr;
  release_later(std::move(link->keep));
  release_later(std::move(c->foreign));
  c->parent_done(e, why);
}

/// Arranges for `child` to be cancelled when `parent` is done (Go's propagateCancel). Lock
/// held, in a LockHeldScope.
void propagate(const Context& parent, ChildNode& child) {
  Chan<Unit> d = parent.done();
  if (d.is_nil()) return;  // never cancelled
  if (d.state()->closed()) {
    Error e = parent.err();
    if (!e) e = Canceled;
    child.parent_done(e, cause_locked(parent));
    return;
  }
  if (CancelState* ps = parent_cancel_state(parent, d)) {
    ps->children.emplace(&child, child.shared_from_this());
    child.parent_cc = ps;
    child.link_seq = ++ps->child_seq;
    return;
  }
  auto link = std::make_shared<ForeignLink>();
  link->child = &child;
  link->keep = child.shared_from_this();
  std::weak_ptr<ContextImpl> wp = parent.impl_ptr();
  std::function<bool()> stop = parent.impl()->after_func([link, wp] { foreign_fired(link, wp); });
  if (stop) {
    if (link->child == nullptr) return;  // the hook already ran the callback
    link->stop = std::move(stop);
    child.foreign = std::move(link);
    return;
  }
  link->child = nullptr;
  link->keep.reset();
  child.watch = std::make_shared<ChanWatch>(d, parent, &child);
  child.self_keep = child.shared_from_this();
}

/// The Context node of with_cancel / with_deadline.
class CancelCtx final : public ContextImpl {
 public:
  CancelCtx(Context parent, std::shared_ptr<CancelState> st, std::optional<Time> deadline)
      : parent_(std::move(parent)), st_(std::move(st)), deadline_(deadline), key_answer_(st_.get()) {}

  [[nodiscard]] Chan<Unit> done() const override { return st_->done; }
  [[nodiscard]] Error err() const override {
    MaybeLock lk;
    return st_->err;
  }
  [[nodiscard]] std::optional<Time> deadline() const override { return deadline_ ? deadline_ : parent_.deadline(); }
  [[nodiscard]] const std::any* value(const ContextKey& key) const override {
    if (key.get<CancelCtxKey>() != nullptr) return &key_answer_;
    return parent_.impl()->value(key);
  }
  [[nodiscard]] std::string string() const override {
    if (!deadline_) return parent_.string() + ".WithCancel";
    return parent_.string() + ".WithDeadline(" + format_time(*deadline_) + " [" + format_duration(until(*deadline_)) + "])";
  }

 private:
  Context parent_;
  std::shared_ptr<CancelState> st_;
  std::optional<Time> deadline_;
  std::any key_answer_;  // CancelState*
};

class EmptyCtx final : public ContextImpl {
 public:
  explicit EmptyCtx(const char* name) : name_(name) {}
  [[nodiscard]] Chan<Unit> done() const override { return {}; }
  [[nodiscard]] Error err() const override { return {}; }
  [[nodiscard]] std::optional<Time> deadline() const override { return std::nullopt; }
  [[nodiscard]] const std::any* value(const ContextKey&) const override { return nullptr; }
  [[nodiscard]] std::string string() const override { return name_; }

 private:
  const char* name_;
};

class WithoutCancelCtx final : public ContextImpl {
 public:
  explicit WithoutCancelCtx(Context parent) : parent_(std::move(parent)) {}
  [[nodiscard]] Chan<Unit> done() const override { return {}; }
  [[nodiscard]] Error err() const override { return {}; }
  [[nodiscard]] std::optional<Time> deadline() const override { return std::nullopt; }
  [[nodiscard]] const std::any* value(const ContextKey& key) const override {
    if (key.get<CancelCtxKey>() != nullptr) return nullptr;
    return parent_.impl()->value(key);
  }
  [[nodiscard]] std::string string() const override { return parent_.string() + ".WithoutCancel"; }

 private:
  Context parent_;
};

struct AfterFuncNode final : ChildNode {
  void parent_done(const Error&, const Error&) override {
    if (once) return;
    once = true;
    spawn_task_locked(std::move(f), "context.AfterFunc", loc, parent_id, *sched);
  }

  bool stop() {
    std::function<void()> dropped;  // destroyed after the lock is released
    MaybeLock lk;
    if (once) return false;
    once = true;
    unlink();
    dropped = std::move(f);
    return true;
  }

  std::function<void()> f;
  bool once = false;  // started or stopped
  Scheduler* sched = nullptr;
  std::uint64_t parent_id = 0;
  std::source_location loc{};
};

struct RegNode final : ChildNode {
  void parent_done(const Error&, const Error&) override {
    if (fired) return;
    fired = true;
    fn();
  }
  std::function<void()> fn;
  bool fired = false;
};

struct Made {
  Context ctx;
  std::shared_ptr<CancelState> st;
};

Made make_cancel_ctx(const Context& parent, std::optional<Time> deadline) {
  if (!parent) panic_nil_parent();
  auto st = std::make_shared<CancelState>();
  Context c(std::make_shared<CancelCtx>(parent, st, deadline));
  if (tracing()) {
    // Contexts are named in traces by their done channel; the parent is the nearest
    // cancellable ancestor (0: a root such as Background).
    std::uint64_t parent_id = 0;
    CancelCtxKey k;
    if (const std::any* a = parent.impl()->value(ContextKey(k))) {
      if (CancelState* const* ps = std::any_cast<CancelState*>(a); ps != nullptr && *ps != nullptr)
        parent_id = (*ps)->done.state()->id();
    }
    MaybeLock lk;
    trace_ctx_new(st->done.state()->id(), parent_id, deadline ? "deadline" : "cancel");
  }
  return {std::move(c), std::move(st)};
}

CancelFunc cancel_func(std::shared_ptr<CancelState> st, bool remove_from_parent) {
  return [st = std::move(st), remove_from_parent] {
    MaybeLock lk;
    st->cancel(remove_from_parent, Canceled, {});
  };
}

std::shared_ptr<ContextImpl> make_root(const char* name) { return std::make_shared<EmptyCtx>(name); }

}  // namespace

// ---- hooks ----

CancelRegistration& CancelRegistration::operator=(CancelRegistration&& o) noexcept {
  if (this != &o) {
    unregister_locked();
    node_ = std::move(o.node_);
  }
  return *this;
}

CancelRegistration::~CancelRegistration() { unregister_locked(); }

void CancelRegistration::unregister_locked() {
  if (!node_) return;
  LockHeldScope held;
  node_->unlink();
  release_later(std::move(node_));
}

bool CancelRegistration::fired() const noexcept {
  return node_ && static_cast<const RegNode*>(node_.get())->fired;
}

CancelRegistration on_cancel_locked(const Context& ctx, std::function<void()> fn) {
  if (!ctx) panic_nil_parent();
  LockHeldScope held;
  auto node = std::make_shared<RegNode>();
  node->fn = std::move(fn);
  propagate(ctx, *node);
  return CancelRegistration(std::move(node));
}

Error err_locked(const Context& ctx) {
  LockHeldScope held;
  return ctx.err();
}

Error cause_locked(const Context& ctx) {
  if (!ctx) return {};
  LockHeldScope held;
  CancelCtxKey k;
  if (const std::any* a = ctx.impl()->value(ContextKey(k))) {
    if (CancelState* const* ps = std::any_cast<CancelState*>(a); ps != nullptr && *ps != nullptr) return (*ps)->cause;
  }
  return ctx.err();
}

std::size_t registered_children(const Context& ctx) {
  if (!ctx) return 0;
  CancelCtxKey k;
  if (const std::any* a = ctx.impl()->value(ContextKey(k))) {
    if (CancelState* const* ps = std::any_cast<CancelState*>(a); ps != nullptr && *ps != nullptr) {
      MaybeLock lk;
      return (*ps)->children.size();
    }
  }
  return 0;
}

}  // namespace detail

// ---- public API ----

Context background() {
  static detail::NoDestroy<std::shared_ptr<ContextImpl>> bg(detail::make_root("context.Background"));
  return Context(bg.get());
}

Context todo() {
  static detail::NoDestroy<std::shared_ptr<ContextImpl>> td(detail::make_root("context.TODO"));
  return Context(td.get());
}

std::pair<Context, CancelFunc> with_cancel(const Context& parent) {
  auto m = detail::make_cancel_ctx(parent, std::nullopt);
  {
    detail::MaybeLock lk;
    detail::propagate(parent, *m.st);
  }
  return {std::move(m.ctx), detail::cancel_func(m.st, true)};
}

std::pair<Context, CancelCauseFunc> with_cancel_cause(const Context& parent) {
  auto m = detail::make_cancel_ctx(parent, std::nullopt);
  {
    detail::MaybeLock lk;
    detail::propagate(parent, *m.st);
  }
  CancelCauseFunc f = [st = m.st](Error why) {
    detail::MaybeLock lk;
    st->cancel(true, Canceled, std::move(why));
  };
  return {std::move(m.ctx), std::move(f)};
}

std::pair<Context, CancelFunc> with_deadline(const Context& parent, Time d) {
  return with_deadline_cause(parent, d, Error{});
}

std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, Time d, Error why) {
  if (!parent) detail::panic_nil_parent();
  if (auto cur = parent.deadline(); cur && *cur < d) return with_cancel(parent);  // CX-10
  auto m = detail::make_cancel_ctx(parent, d);
  detail::Scheduler& sched = detail::current_scheduler();
  {
    detail::MaybeLock lk;
    detail::propagate(parent, *m.st);
    if (d <= sched.now()) {
      m.st->cancel(true, DeadlineExceeded, why);
      return {std::move(m.ctx), detail::cancel_func(m.st, false)};
    }
    if (!m.st->err) {
      detail::CancelState* st = m.st.get();
      st->sched = &sched;
      st->deadline_cause = why;
      st->timer.when = d;
      // Runs with big_lock held. cancel() releases timer_keep, which may destroy *st (and
      // this std::function) when the scope ends; nothing touches them afterwards.
      st->timer.fire = [st] {
        detail::LockHeldScope held;
        if (detail::tracing()) detail::trace_timer("fire", st->done.state()->id(), st->timer.when);
        st->cancel(true, DeadlineExceeded, st->deadline_cause);
      };
      st->timer_keep = m.st;
      sched.add_timer(&st->timer);
      if (detail::tracing()) detail::trace_timer("arm", st->done.state()->id(), d);
    }
  }
  return {std::move(m.ctx), detail::cancel_func(m.st, true)};
}

std::pair<Context, CancelFunc> with_timeout(const Context& parent, Duration timeout) {
  return with_deadline(parent, now() + timeout);
}

std::pair<Context, CancelFunc> with_timeout_cause(const Context& parent, Duration timeout, Error why) {
  return with_deadline_cause(parent, now() + timeout, std::move(why));
}

Context without_cancel(const Context& parent) {
  if (!parent) detail::panic_nil_parent();
  return Context(std::make_shared<detail::WithoutCancelCtx>(parent));
}

Error cause(const Context& ctx) {
  if (!ctx) return {};
  detail::CancelCtxKey k;
  if (const std::any* a = ctx.impl()->value(ContextKey(k))) {
    if (detail::CancelState* const* ps = std::any_cast<detail::CancelState*>(a); ps != nullptr && *ps != nullptr) {
      detail::MaybeLock lk;
      return (*ps)->cause;
    }
  }
  return ctx.err();
}

std::function<bool()> after_func(const Context& ctx, std::function<void()> f, std::source_location loc) {
  if (!ctx) detail::panic_nil_parent();
  auto n = std::make_shared<detail::AfterFuncNode>();
  n->f = std::move(f);
  n->sched = &detail::current_scheduler();
  n->parent_id = detail::current_task()->id;
  n->loc = loc;
  {
    detail::MaybeLock lk;
    detail::propagate(ctx, *n);
  }
  return [n] { return n->stop(); };
}

}  // namespace goro
