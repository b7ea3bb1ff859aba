#include "goro/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <ostream>

namespace goro {
namespace detail {

ErrorNode::~ErrorNode() = default;
Error ErrorNode::unwrap() const { return Error{}; }
std::vector<Error> ErrorNode::unwrap_multi() const { return {}; }
bool ErrorNode::is(const Error& /*target*/) const { return false; }
bool ErrorNode::as(AsTarget& /*target*/) const { return false; }
const void* ErrorNode::payload(const std::type_info& /*type*/) const noexcept { return nullptr; }

namespace {

// Destroying a long chain of nodes would recurse once per level (node -> child Error -> node ...)
// and can overflow a small task stack. Our nodes hand their children to release() instead: the
// outermost release on a thread destroys them one by one, nested ones only queue.
thread_local std::vector<Error>* t_pending = nullptr;

void release(Error child) noexcept {
  if (!child) return;
  if (t_pending != nullptr) {
    t_pending->push_back(std::move(child));
    return;
  }
  std::vector<Error> pending;
  t_pending = &pending;
  pending.push_back(std::move(child));
  while (!pending.empty()) {
    Error last = std::move(pending.back());
    pending.pop_back();
    // `last` may be the final owner: its node's destructor runs here and queues its children.
  }
  t_pending = nullptr;
}

void release(std::vector<Error>& children) noexcept {
  for (Error& child : children) release(std::move(child));
}

// new_error, and errorf without {:w}.
class TextNode final : public ErrorNode {
 public:
  explicit TextNode(std::string text) : text_(std::move(text)) {}
  [[nodiscard]] std::string message() const override { return text_; }

 private:
  std::string text_;
};

// errorf with exactly one {:w}; `inner` is nil when that operand was nil.
class WrapNode final : public ErrorNode {
 public:
  WrapNode(std::string text, Error inner) : text_(std::move(text)), inner_(std::move(inner)) {}
  ~WrapNode() override { release(std::move(inner_)); }
  WrapNode(const WrapNode&) = delete;
  WrapNode& operator=(const WrapNode&) = delete;
  [[nodiscard]] std::string message() const override { return text_; }
  [[nodiscard]] Error unwrap() const override { return inner_; }

 private:
  std::string text_;
  Error inner_;
};

// errorf with several {:w}.
class MultiWrapNode final : public ErrorNode {
 public:
  MultiWrapNode(std::string text, std::vector<Error> inner)
      : text_(std::move(text)), inner_(std::move(inner)) {}
  ~MultiWrapNode() override { release(inner_); }
  MultiWrapNode(const MultiWrapNode&) = delete;
  MultiWrapNode& operator=(const MultiWrapNode&) = delete;
  [[nodiscard]] std::string message() const override { return text_; }
  [[nodiscard]] std::vector<Error> unwrap_multi() const override { return inner_; }

 private:
  std::string text_;
  std::vector<Error> inner_;
};

// join; `errs` holds no nil and is not empty.
class JoinNode final : public ErrorNode {
 public:
  explicit JoinNode(std::vector<Error> errs) : errs_(std::move(errs)) {}
  ~JoinNode() override { release(errs_); }
  JoinNode(const JoinNode&) = delete;
  JoinNode& operator=(const JoinNode&) = delete;
  [[nodiscard]] std::string message() const override {
    fmt::memory_buffer out;
    bool first = true;
    for (const Error& e : errs_) {
      fmt::format_to(std::back_inserter(out), "{}{}", first ? "" : "\n", e.message());
      first = false;
    }
    return fmt::to_string(out);
  }
  [[nodiscard]] std::vector<Error> unwrap_multi() const override { return errs_; }

 private:
  std::vector<Error> errs_;
};

// Visits the tree of `err` depth-first in pre-order, skipping nil nodes, until `visit` returns true.
template <class Visit>
bool preorder(const Error& err, Visit&& visit) {
  std::vector<Error> stack;
  stack.push_back(err);
  while (!stack.empty()) {
    Error cur = std::move(stack.back());
    stack.pop_back();
    if (!cur) continue;
    if (visit(cur)) return true;
    const ErrorNode* node = cur.node();
    if (Error one = node->unwrap()) {
      stack.push_back(std::move(one));
    } else {
      std::vector<Error> many = node->unwrap_multi();
      for (auto it = many.rbegin(); it != many.rend(); ++it) stack.push_back(std::move(*it));
    }
  }
  return false;
}

Error join_range(const Error* first, const Error* last) {
  std::vector<Error> kept;
  for (const Error* it = first; it != last; ++it) {
    if (*it) kept.push_back(*it);
  }
  if (kept.empty()) return Error{};
  return Error(std::make_shared<const JoinNode>(std::move(kept)));
}

}  // namespace

bool find_as(const Error& err, AsTarget& target) {
  return preorder(err, [&](const Error& e) {
    if (const void* value = e.node()->payload(target.type())) {
      target.set_copy(value);
      return true;
    }
    return e.node()->as(target) && target.filled();
  });
}

Error make_errorf(std::string text, std::vector<WrapMark> marks) {
  if (marks.empty()) return Error(std::make_shared<const TextNode>(std::move(text)));
  if (marks.size() == 1) {
    return Error(std::make_shared<const WrapNode>(std::move(text), *marks.front().err));
  }
  std::stable_sort(marks.begin(), marks.end(),
                   [](const WrapMark& a, const WrapMark& b) { return a.index < b.index; });
  std::vector<Error> inner;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    if (i > 0 && marks[i].index == marks[i - 1].index) continue;
    if (*marks[i].err) inner.push_back(*marks[i].err);
  }
  return Error(std::make_shared<const MultiWrapNode>(std::move(text), std::move(inner)));
}

}  // namespace detail

std::string Error::message() const { return node_ ? node_->message() : std::string("<nil>"); }

std::ostream& operator<<(std::ostream& os, const Error& err) { return os << err.message(); }

Error new_error(std::string message) {
  return Error(std::make_shared<const detail::TextNode>(std::move(message)));
}

bool is(const Error& err, const Error& target) {
  if (!err || !target) return err == target;
  return detail::preorder(err, [&](const Error& e) { return e == target || e.node()->is(target); });
}

Error unwrap(const Error& err) { return err ? err.node()->unwrap() : Error{}; }

std::vector<Error> unwrap_all(const Error& err) {
  if (!err) return {};
  if (Error one = err.node()->unwrap()) return {std::move(one)};
  std::vector<Error> many = err.node()->unwrap_multi();
  std::erase_if(many, [](const Error& e) { return !e; });
  return many;
}

Error join(std::initializer_list<Error> errs) { return detail::join_range(errs.begin(), errs.end()); }

Error join(const std::vector<Error>& errs) {
  return detail::join_range(errs.data(), errs.data() + errs.size());
}

}  // namespace goro
