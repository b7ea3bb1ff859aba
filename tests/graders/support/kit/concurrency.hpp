// Concurrency: how many calls of something run at once, and the most there ever were.
//
//   auto seen = std::make_shared<dojo::grader::Concurrency>();
//   work = [seen](...) { auto in = seen->enter(); ... };   // counted until `in` is destroyed
//   check.expect(seen->peak() <= 8, ...);
//
// Thread-safe (the real-threads run calls it from many threads). Hold it by shared_ptr when a
// task the learner's code leaves behind might outlive the check.
#pragma once

#include <atomic>

namespace dojo::grader {

class Concurrency {
 public:
  /// One call in progress, from enter() until destroyed.
  class Scope {
   public:
    explicit Scope(Concurrency& c) : c_(&c), number_(c.begin()) {}
    Scope(Scope&& o) noexcept : c_(o.c_), number_(o.number_) { o.c_ = nullptr; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    Scope& operator=(Scope&&) = delete;
    ~Scope() {
      if (c_ != nullptr) c_->in_flight_.fetch_sub(1);
    }
    /// This call's number among all calls, 1-based, in the order they began.
    [[nodiscard]] int number() const noexcept { return number_; }

   private:
    Concurrency* c_;
    int number_;
  };

  [[nodiscard]] Scope enter() { return Scope(*this); }

  /// Calls begun so far.
  [[nodiscard]] int calls() const noexcept { return calls_.load(); }
  /// Calls in progress now.
  [[nodiscard]] int in_flight() const noexcept { return in_flight_.load(); }
  /// The most calls that were in progress at once.
  [[nodiscard]] int peak() const noexcept { return peak_.load(); }

 private:
  int begin() {
    const int number = ++calls_;
    const int now = ++in_flight_;
    int seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
    return number;
  }
  std::atomic<int> calls_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<int> peak_{0};
};

}  // namespace dojo::grader
