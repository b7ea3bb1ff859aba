// CountingParent: a caller's context that counts the contexts derived from it and how many of
// them were released. goro links a context derived from a custom parent through the parent's
// after_func hook, and calls the returned stop function when the child is cancelled (by its
// cancel function or its deadline): a link never stopped is a derived context nobody released
// (a forgotten `defer cancel()`).
//
//   auto parent = std::make_shared<dojo::grader::CountingParent>(goro::background());
//   learner_function(goro::Context(parent), ...);
//   check.expect(parent->still_linked() == 0, ...);
//
// It carries no values and is never cancelled itself while a check runs.
#pragma once

#include <any>
#include <atomic>
#include <functional>

#include "goro/goro.hpp"

namespace dojo::grader {

class CountingParent final : public goro::WrapperContext {
 public:
  explicit CountingParent(goro::Context inner) : WrapperContext(std::move(inner)) {}
  [[nodiscard]] const std::any* value(const goro::ContextKey&) const override { return nullptr; }
  [[nodiscard]] std::function<bool()> after_func(std::function<void()> f) override;

  /// Contexts derived from this one so far.
  [[nodiscard]] int linked() const { return linked_.load(); }
  /// ... and not yet released.
  [[nodiscard]] int still_linked() const { return linked_.load() - unlinked_.load(); }

 private:
  std::atomic<int> linked_{0}, unlinked_{0};
};

}  // namespace dojo::grader
