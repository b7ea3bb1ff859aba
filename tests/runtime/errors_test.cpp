// Conformance tests for goro::Error (Go's errors package and fmt.Errorf), checklist ER-01..ER-17,
// plus goro::Result<T>.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/dual.hpp"
#include "goro/error.hpp"
#include "goro/result.hpp"

namespace {

using goro::Error;

// Sentinels defined the way other modules define theirs.
inline const Error err1 = goro::new_error("1");
inline const Error err3 = goro::new_error("3");

// A wrapper with a single unwrap (Go: `wrapped{msg, err}` with `Unwrap() error`).
struct Wrapped {
  std::string msg;
  Error err;
  [[nodiscard]] std::string message() const { return msg; }
  [[nodiscard]] Error unwrap() const { return err; }
};

// A wrapper with a list unwrap (Go: `multiErr` with `Unwrap() []error`).
struct MultiErr {
  std::vector<Error> errs;
  [[nodiscard]] std::string message() const { return "multiError"; }
  [[nodiscard]] std::vector<Error> unwrap() const { return errs; }
};

// A plain typed error (Go: `errorT`).
struct ErrorT {
  std::string s;
  [[nodiscard]] std::string message() const { return "errorT(" + s + ")"; }
};

// Another typed error, used to show as<T> matching by exact type.
struct MyErr {
  std::string s;
  [[nodiscard]] std::string message() const { return s; }
};

// An error with custom is/as hooks (Go: `poser`).
struct Poser {
  std::string msg;
  [[nodiscard]] std::string message() const { return msg; }
  [[nodiscard]] bool is(const Error& target) const { return target == err1 || target == err3; }
  [[nodiscard]] bool as(goro::AsTarget& target) const { return target.set(ErrorT{"from poser"}); }
};

// An as hook that claims a match without supplying a value: not a match.
struct Liar {
  [[nodiscard]] std::string message() const { return "liar"; }
  [[nodiscard]] bool as(goro::AsTarget& /*target*/) const { return true; }
};

// Like context's DeadlineExceeded: a typed error carrying extra behaviour.
struct TimeoutErr {
  [[nodiscard]] std::string message() const { return "i/o timeout"; }
  [[nodiscard]] bool timeout() const { return true; }
};

// A payload that has no operator== at all (Go: an uncomparable error type). Matches any other
// Uncomparable through its is hook, checked shallowly with get_if.
struct Uncomparable {
  std::vector<std::function<void()>> callbacks;
  [[nodiscard]] std::string message() const { return "uncomparable error"; }
  [[nodiscard]] bool is(const Error& target) const { return target.get_if<Uncomparable>() != nullptr; }
};

// Records the order in which `is` visits nodes.
struct Probe {
  std::string name;
  std::vector<std::string>* log;
  std::vector<Error> kids;
  [[nodiscard]] std::string message() const { return name; }
  [[nodiscard]] std::vector<Error> unwrap() const { return kids; }
  [[nodiscard]] bool is(const Error& /*target*/) const {
    log->push_back(name);
    return false;
  }
};

Error wrapped(std::string msg, Error err) { return goro::make_error(Wrapped{std::move(msg), std::move(err)}); }
Error multi(std::vector<Error> errs) { return goro::make_error(MultiErr{std::move(errs)}); }

template <class T>
concept CanAs = requires(const Error& e) { goro::as<T>(e); };
template <class T>
concept CanMakeError = requires(T v) { goro::make_error(std::move(v)); };

}  // namespace

// ---------------------------------------------------------------------------------------------------
// ER-01: identity, not message

GORO_TEST("ER_01_new_errors_compare_by_identity", "[errors]") {
  const Error a = goro::new_error("abc");
  const Error b = goro::new_error("abc");
  CHECK(a != b);
  CHECK(a == a);
  const Error copy = a;  // NOLINT(performance-unnecessary-copy-initialization)
  CHECK(copy == a);
  CHECK(a.message() == "abc");
  CHECK(b.message() == "abc");
  CHECK(goro::new_error("").message().empty());
  CHECK(goro::new_error("  tabs\tand\nnewlines ").message() == "  tabs\tand\nnewlines ");
}

GORO_TEST("ER_01_nil_error_is_default_constructed", "[errors]") {
  const Error nil;
  CHECK_FALSE(nil);
  CHECK(nil == Error{});
  CHECK(nil.message() == "<nil>");
  CHECK(nil.node() == nullptr);
  CHECK(static_cast<bool>(err1));
  CHECK(err1 != nil);
  CHECK(fmt::format("{}", nil) == "<nil>");
  CHECK(fmt::format("{}", err1) == "1");
  std::ostringstream os;
  os << err1 << '|' << nil;
  CHECK(os.str() == "1|<nil>");
}

GORO_TEST("ER_01_errorf_without_w_is_a_fresh_error_too", "[errors]") {
  const Error a = goro::errorf("x {}", 1);
  const Error b = goro::errorf("x {}", 1);
  CHECK(a != b);
  CHECK(a.message() == b.message());
  CHECK(a.message() == "x 1");
}

// ---------------------------------------------------------------------------------------------------
// ER-02: nil on either side

GORO_TEST("ER_02_is_with_nil_operands", "[errors]") {
  CHECK(goro::is(Error{}, Error{}));
  CHECK_FALSE(goro::is(Error{}, err1));
  CHECK_FALSE(goro::is(err1, Error{}));
}

// ---------------------------------------------------------------------------------------------------
// ER-03: chain walking

GORO_TEST("ER_03_is_walks_single_wrap_chains", "[errors]") {
  const Error erra = wrapped("wrap 2", err1);
  const Error errb = wrapped("wrap 3", erra);
  CHECK(goro::is(err1, err1));
  CHECK(goro::is(erra, err1));
  CHECK(goro::is(errb, err1));
  CHECK(goro::is(errb, erra));
  CHECK_FALSE(goro::is(errb, err3));
  CHECK_FALSE(goro::is(err1, erra));  // wrapping goes one way
  const Error outer = goro::errorf("ctx: {:w}", errb);
  CHECK(goro::is(outer, err1));
  CHECK(goro::is(outer, outer));
}

GORO_TEST("ER_03_long_chains_walk_and_destroy_without_recursion", "[errors]") {
  Error e = err1;
  for (int i = 0; i < 100000; ++i) e = (i % 2 == 0) ? goro::errorf("{:w}", e) : goro::join(e);
  CHECK(goro::is(e, err1));
  CHECK_FALSE(goro::is(e, err3));
}

// ---------------------------------------------------------------------------------------------------
// ER-04: custom is hook; the target is never unwrapped

GORO_TEST("ER_04_is_hook_counts_as_a_match", "[errors]") {
  const Error poser = goro::make_error(Poser{"poser"});
  CHECK(goro::is(poser, err1));
  CHECK(goro::is(poser, err3));
  CHECK(goro::is(poser, poser));
  CHECK_FALSE(goro::is(poser, goro::new_error("1")));
  // The hook is consulted on wrapped nodes too.
  CHECK(goro::is(goro::errorf("outer: {:w}", poser), err3));
}

GORO_TEST("ER_04_target_is_never_unwrapped", "[errors]") {
  const Error poser = goro::make_error(Poser{"poser"});
  const Error erra = wrapped("wrap 2", err1);
  CHECK_FALSE(goro::is(poser, erra));
  CHECK_FALSE(goro::is(err1, erra));
  CHECK_FALSE(goro::is(err1, goro::errorf("{:w}", err1)));
}

// ---------------------------------------------------------------------------------------------------
// ER-05: values that cannot be compared (C++ analogue: payloads with no operator==)

GORO_TEST("ER_05_payloads_are_never_compared_by_value", "[errors]") {
  static_assert(!std::equality_comparable<Uncomparable>);
  const Error u1 = goro::make_error(Uncomparable{});
  const Error u2 = goro::make_error(Uncomparable{});
  CHECK(u1 != u2);                 // identity only; no payload comparison is attempted
  CHECK(goro::is(u1, u1));         // identity
  CHECK(goro::is(u1, u2));         // through the is hook
  CHECK(goro::is(goro::errorf("w: {:w}", u1), u2));
  CHECK_FALSE(goro::is(u1, err1));
  CHECK_FALSE(goro::is(err1, u1));  // err1 has no hook; u1 is not unwrapped
}

GORO_TEST("ER_05_typed_errors_have_pointer_identity", "[errors]") {
  // Go compares value-type errors by their fields; goro's typed errors always behave like Go pointer
  // errors: equal contents do not make equal errors.
  const Error a = goro::make_error(ErrorT{"a"});
  const Error b = goro::make_error(ErrorT{"a"});
  CHECK(a != b);
  CHECK_FALSE(goro::is(a, b));
  CHECK(goro::is(a, a));
}

// ---------------------------------------------------------------------------------------------------
// ER-06: trees

GORO_TEST("ER_06_is_searches_multi_unwrap_trees", "[errors]") {
  const Error erra = wrapped("wrap 2", err1);
  const Error errb = wrapped("wrap 3", erra);
  const Error poser = goro::make_error(Poser{"poser"});
  CHECK_FALSE(goro::is(multi({}), err1));
  CHECK(goro::is(multi({err1, err3}), err1));
  CHECK(goro::is(multi({err3, err1}), err1));
  CHECK(goro::is(multi({err3, errb}), erra));
  CHECK(goro::is(multi({poser}), err3));
  CHECK_FALSE(goro::is(multi({Error{}}), Error{}));
  CHECK(goro::is(goro::join(err3, errb), err1));
  CHECK(goro::is(goro::errorf("{:w} / {:w}", err3, errb), err1));
}

// ---------------------------------------------------------------------------------------------------
// ER-07: depth-first pre-order, first match wins

GORO_TEST("ER_07_traversal_is_depth_first_preorder", "[errors]") {
  std::vector<std::string> log;
  auto probe = [&](std::string name, std::vector<Error> kids = {}) {
    return goro::make_error(Probe{std::move(name), &log, std::move(kids)});
  };
  // root -> [a -> [b, errorf(c)], join(d, e)]; plain errorf/join nodes are walked but not logged.
  const Error tree = probe("root", {probe("a", {probe("b"), goro::errorf("c: {:w}", probe("c"))}),
                                    goro::join(probe("d"), probe("e"))});
  CHECK_FALSE(goro::is(tree, err1));
  CHECK(log == std::vector<std::string>{"root", "a", "b", "c", "d", "e"});
}

GORO_TEST("ER_07_as_returns_the_first_match_in_preorder", "[errors]") {
  auto r1 = goro::as<ErrorT>(multi({goro::make_error(ErrorT{"a"}), goro::make_error(ErrorT{"b"})}));
  REQUIRE(r1.has_value());
  CHECK(r1->s == "a");

  auto r2 = goro::as<ErrorT>(multi({multi({goro::new_error("a"), goro::make_error(ErrorT{"a"})}),
                                    goro::make_error(ErrorT{"b"})}));
  REQUIRE(r2.has_value());
  CHECK(r2->s == "a");

  const Error joined = goro::join(goro::new_error("a"), goro::make_error(MyErr{"first"}),
                                  goro::make_error(MyErr{"second"}));
  auto r3 = goro::as<MyErr>(goro::errorf("wrap: {:w}", joined));
  REQUIRE(r3.has_value());
  CHECK(r3->s == "first");
}

// ---------------------------------------------------------------------------------------------------
// ER-08: what as<T> matches

GORO_TEST("ER_08_as_matches_by_type_or_as_hook", "[errors]") {
  // By type, through wrappers.
  const Error deadline = goro::make_error(TimeoutErr{});
  auto t = goro::as<TimeoutErr>(goro::errorf("read: {:w}", deadline));
  REQUIRE(t.has_value());
  CHECK(t->timeout());
  CHECK_FALSE(goro::as<ErrorT>(deadline).has_value());

  // Through the as hook, which supplies the value.
  auto p = goro::as<ErrorT>(goro::make_error(Poser{"poser"}));
  REQUIRE(p.has_value());
  CHECK(p->s == "from poser");
  // The hook only offers ErrorT; other targets do not match.
  CHECK_FALSE(goro::as<MyErr>(goro::make_error(Poser{"poser"})).has_value());
  // A hook that returns true without supplying a value is not a match; the search goes on.
  auto after_liar = goro::as<MyErr>(goro::join(goro::make_error(Liar{}), goro::make_error(MyErr{"real"})));
  REQUIRE(after_liar.has_value());
  CHECK(after_liar->s == "real");
}

GORO_TEST("ER_08_as_on_nil_and_nil_wrapped", "[errors]") {
  CHECK_FALSE(goro::as<ErrorT>(Error{}).has_value());
  CHECK_FALSE(goro::as<ErrorT>(wrapped("wrapped", Error{})).has_value());
  CHECK_FALSE(goro::as<ErrorT>(err1).has_value());
}

GORO_TEST("ER_08_as_error_is_the_interface_target_analogue", "[errors]") {
  // Go: As(err, &anError) matches err itself.
  const Error e = goro::errorf("x: {:w}", err1);
  auto got = goro::as<Error>(e);
  REQUIRE(got.has_value());
  CHECK(*got == e);
  CHECK_FALSE(goro::as<Error>(Error{}).has_value());
}

// ---------------------------------------------------------------------------------------------------
// ER-09: invalid as targets (C++: rejected at compile time, there is no target pointer to be nil)

GORO_TEST("ER_09_invalid_as_targets_do_not_compile", "[errors]") {
  static_assert(CanAs<ErrorT>);
  static_assert(CanAs<Error>);
  static_assert(!CanAs<std::string>);  // Go: "*target must be interface or implement error"
  static_assert(!CanAs<int>);
  static_assert(!CanAs<const ErrorT>);
  static_assert(!CanAs<ErrorT*>);  // no pointer targets at all
  static_assert(goro::TypedError<Poser>);
  static_assert(!goro::TypedError<std::string>);
  static_assert(!goro::TypedError<Error>);
  static_assert(CanMakeError<ErrorT>);
  static_assert(!CanMakeError<std::string>);
  static_assert(!CanMakeError<Error>);
  SUCCEED("checked at compile time");
}

// ---------------------------------------------------------------------------------------------------
// ER-10: nil children are skipped

GORO_TEST("ER_10_nil_children_are_skipped", "[errors]") {
  CHECK_FALSE(goro::as<ErrorT>(multi({Error{}})).has_value());
  auto r = goro::as<ErrorT>(multi({Error{}, goro::make_error(ErrorT{"x"})}));
  REQUIRE(r.has_value());
  CHECK(r->s == "x");
  CHECK(goro::is(multi({Error{}, err1}), err1));
  CHECK(goro::unwrap_all(multi({Error{}, err1, Error{}})) == std::vector<Error>{err1});
}

// ---------------------------------------------------------------------------------------------------
// ER-11: unwrap is one level and single-only

GORO_TEST("ER_11_unwrap_one_level", "[errors]") {
  const Error erra = wrapped("wrap 2", err1);
  const Error errb = wrapped("wrap 3", erra);
  CHECK(goro::unwrap(Error{}) == Error{});
  CHECK(goro::unwrap(wrapped("x", Error{})) == Error{});
  CHECK(goro::unwrap(err1) == Error{});
  CHECK(goro::unwrap(erra) == err1);
  CHECK(goro::unwrap(errb) == erra);
  CHECK(goro::unwrap(goro::errorf("ctx: {:w}", err1)) == err1);
  CHECK(goro::unwrap(goro::errorf("ctx: {}", err1)) == Error{});
}

GORO_TEST("ER_11_unwrap_ignores_lists", "[errors]") {
  CHECK(goro::unwrap(goro::join(err1, err3)) == Error{});
  CHECK(goro::unwrap(goro::join(err1)) == Error{});
  CHECK(goro::unwrap(goro::errorf("{:w} {:w}", err1, err3)) == Error{});
  CHECK(goro::unwrap(multi({err1})) == Error{});
}

GORO_TEST("ER_11_unwrap_all_returns_either_kind", "[errors]") {
  CHECK(goro::unwrap_all(Error{}).empty());
  CHECK(goro::unwrap_all(err1).empty());
  CHECK(goro::unwrap_all(wrapped("x", Error{})).empty());
  CHECK(goro::unwrap_all(wrapped("x", err1)) == std::vector<Error>{err1});
  CHECK(goro::unwrap_all(goro::join(err1, err3)) == std::vector<Error>{err1, err3});
  CHECK(goro::unwrap_all(goro::errorf("{:w} {:w}", err3, err1)) == std::vector<Error>{err3, err1});
}

// ---------------------------------------------------------------------------------------------------
// ER-12: join of nothing is nil

GORO_TEST("ER_12_join_returns_nil_when_all_nil", "[errors]") {
  CHECK(goro::join() == Error{});
  CHECK(goro::join({}) == Error{});
  CHECK(goro::join(Error{}) == Error{});
  CHECK(goro::join(Error{}, Error{}) == Error{});
  CHECK(goro::join(std::vector<Error>{}) == Error{});
  CHECK(goro::join(std::vector<Error>{Error{}, Error{}}) == Error{});
  CHECK_FALSE(goro::join(Error{}, Error{}));
}

// ---------------------------------------------------------------------------------------------------
// ER-13: join keeps order, drops nils, joins messages with "\n", never flattens

GORO_TEST("ER_13_join_children_and_message", "[errors]") {
  const Error e1 = goro::new_error("err1");
  const Error e2 = goro::new_error("err2");
  const Error j = goro::join(e1, Error{}, e2);
  CHECK(goro::unwrap_all(j) == std::vector<Error>{e1, e2});
  CHECK(j.message() == "err1\nerr2");
  CHECK(goro::join({e1, e2}).message() == "err1\nerr2");
  CHECK(goro::join(std::vector<Error>{Error{}, e2, e1}).message() == "err2\nerr1");
  CHECK(goro::join(e1).message() == "err1");
  CHECK(goro::join(e1, e2) != goro::join(e1, e2));  // a new error each call
  CHECK(goro::is(j, e2));
}

GORO_TEST("ER_13_join_never_flattens", "[errors]") {
  const Error e1 = goro::new_error("err1");
  const Error e2 = goro::new_error("err2");
  const Error inner = goro::join(e1);
  const Error outer = goro::join(inner, e2);
  CHECK(outer.message() == "err1\nerr2");
  const auto kids = goro::unwrap_all(outer);
  REQUIRE(kids.size() == 2);
  CHECK(kids[0] == inner);
  CHECK(kids[1] == e2);
  CHECK(goro::unwrap_all(kids[0]) == std::vector<Error>{e1});
  CHECK(goro::is(outer, e1));
}

// ---------------------------------------------------------------------------------------------------
// ER-14: one {:w}

GORO_TEST("ER_14_errorf_single_w", "[errors]") {
  const Error inner = goro::new_error("inner error");
  const Error e = goro::errorf("added context: {:w}", inner);
  CHECK(e.message() == "added context: inner error");
  CHECK(goro::unwrap(e) == inner);
  CHECK(goro::is(e, inner));

  const Error pos = goro::errorf("{1}: {0:w}", inner, "positional verb");
  CHECK(pos.message() == "positional verb: inner error");
  CHECK(goro::unwrap(pos) == inner);
}

GORO_TEST("ER_14_plain_braces_format_but_never_wrap", "[errors]") {
  const Error inner = goro::new_error("inner error");
  const Error e = goro::errorf("added context: {}", inner);
  CHECK(e.message() == "added context: inner error");
  CHECK(goro::unwrap(e) == Error{});
  CHECK_FALSE(goro::is(e, inner));
  // The same object twice: only the {:w} argument index is wrapped (single, not a list).
  const Error twice = goro::errorf("{} {:w}", inner, inner);
  CHECK(goro::unwrap(twice) == inner);
  CHECK(goro::unwrap_all(twice) == std::vector<Error>{inner});
}

// ---------------------------------------------------------------------------------------------------
// ER-15: bad {:w} operands

GORO_TEST("ER_15_nil_operand_of_w", "[errors]") {
  const Error e = goro::errorf("{:w}", Error{});
  REQUIRE(e);
  CHECK(e.message() == "%!w(<nil>)");
  CHECK(goro::unwrap(e) == Error{});
  CHECK(goro::unwrap_all(e).empty());
  CHECK(goro::errorf("{}", Error{}).message() == "<nil>");
  CHECK(goro::errorf("ctx: {:w}", Error{}).message() == "ctx: %!w(<nil>)");
}

GORO_TEST("ER_15_non_error_operand_of_w_is_rejected", "[errors]") {
  // With a literal format string this does not compile; with a runtime one fmt throws.
  CHECK_THROWS_AS(goro::errorf(fmt::runtime("{:w}"), std::string("not-an-error")), fmt::format_error);
  CHECK_THROWS_AS(goro::errorf(fmt::runtime("{:x}"), err1), fmt::format_error);
  // Outside errorf, {:w} only formats.
  CHECK(fmt::format("{:w}", err1) == "1");
  CHECK(fmt::format("{:w}", Error{}) == "%!w(<nil>)");
}

// ---------------------------------------------------------------------------------------------------
// ER-16: several {:w}

GORO_TEST("ER_16_multiple_w_in_argument_index_order", "[errors]") {
  const Error e1 = goro::new_error("1");
  const Error e2 = goro::new_error("2");
  const Error e3 = goro::new_error("3");
  const Error e = goro::errorf("{2:w} {1:w} {0:w}", e1, e2, e3);
  CHECK(e.message() == "3 2 1");
  CHECK(goro::unwrap(e) == Error{});
  CHECK(goro::unwrap_all(e) == std::vector<Error>{e1, e2, e3});
  CHECK(goro::is(e, e1));
  CHECK(goro::is(e, e3));
}

GORO_TEST("ER_16_multiple_w_duplicates_removed", "[errors]") {
  const Error e1 = goro::new_error("1");
  const Error e2 = goro::new_error("2");
  const Error e = goro::errorf("{0:w} {0:w} {1:w} {0:w}", e1, e2);
  CHECK(e.message() == "1 1 2 1");
  CHECK(goro::unwrap_all(e) == std::vector<Error>{e1, e2});

  // Same argument twice: still a list (two {:w}), holding it once.
  const Error same_arg = goro::errorf("{0:w} {0:w}", e1);
  CHECK(goro::unwrap(same_arg) == Error{});
  CHECK(goro::unwrap_all(same_arg) == std::vector<Error>{e1});

  // Duplicates are by argument index, not by error: the same error at two indices stays twice.
  const Error two_args = goro::errorf("{:w} {:w}", e1, e1);
  CHECK(goro::unwrap_all(two_args) == std::vector<Error>{e1, e1});
}

GORO_TEST("ER_16_nil_operands_left_out_of_the_list", "[errors]") {
  const Error e1 = goro::new_error("1");
  const Error e = goro::errorf("{:w} {:w} {}", Error{}, e1, 7);
  CHECK(e.message() == "%!w(<nil>) 1 7");
  CHECK(goro::unwrap(e) == Error{});
  CHECK(goro::unwrap_all(e) == std::vector<Error>{e1});
  const Error all_nil = goro::errorf("{:w}{:w}", Error{}, Error{});
  CHECK(all_nil.message() == "%!w(<nil>)%!w(<nil>)");
  CHECK(goro::unwrap_all(all_nil).empty());
}

// ---------------------------------------------------------------------------------------------------
// ER-17: AsType == as<T> returning std::optional<T>

GORO_TEST("ER_17_as_returns_optional_copy", "[errors]") {
  static_assert(std::is_same_v<decltype(goro::as<ErrorT>(Error{})), std::optional<ErrorT>>);
  const Error x = goro::make_error(ErrorT{"x"});
  const Error e = goro::errorf("{:w} {:w}", x, goro::make_error(ErrorT{"y"}));
  auto got = goro::as<ErrorT>(e);
  REQUIRE(got.has_value());
  CHECK(got->s == "x");
  got->s = "changed";  // a copy: the error is immutable
  REQUIRE(x.get_if<ErrorT>() != nullptr);
  CHECK(x.get_if<ErrorT>()->s == "x");
}

GORO_TEST("ER_17_get_if_is_shallow", "[errors]") {
  const Error x = goro::make_error(ErrorT{"x"});
  const Error w = goro::errorf("w: {:w}", x);
  CHECK(x.get_if<ErrorT>() != nullptr);
  CHECK(x.get_if<MyErr>() == nullptr);
  CHECK(w.get_if<ErrorT>() == nullptr);
  CHECK(Error{}.get_if<ErrorT>() == nullptr);
  CHECK(goro::as<ErrorT>(w).has_value());
}

// ---------------------------------------------------------------------------------------------------
// Sharing between threads (errors are immutable; copies only touch the reference count).

TEST_CASE("errors_are_shareable_between_threads", "[errors]") {
  const Error root = goro::errorf("root: {:w}", goro::join(err1, goro::make_error(ErrorT{"t"})));
  std::vector<std::thread> threads;
  std::vector<int> hits(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Error copy = root;
        Error wrapped_again = goro::errorf("t{}: {:w}", t, copy);
        if (goro::is(wrapped_again, err1) && goro::as<ErrorT>(wrapped_again)) ++hits[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(hits == std::vector<int>(4, 200));
}

// ---------------------------------------------------------------------------------------------------
// Result<T>

namespace {

goro::Result<int> parse_positive(int n) {
  if (n <= 0) return goro::errorf("parse: {} is not positive", n);
  return n;
}

template <class T>
concept TupleLike = requires { std::tuple_size<T>::value; };

struct NoDefault {
  explicit NoDefault(int v) : v(v) {}
  int v;
};

}  // namespace

TEST_CASE("Result_holds_a_value", "[errors][result]") {
  auto r = parse_positive(5);
  CHECK(r.ok());
  CHECK(static_cast<bool>(r));
  CHECK(r.value() == 5);
  CHECK(*r == 5);
  CHECK(r.error() == Error{});
  CHECK(r.value_or(9) == 5);
  r.value() = 6;
  CHECK(*r == 6);
}

TEST_CASE("Result_holds_an_error", "[errors][result]") {
  auto r = parse_positive(-1);
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r);
  REQUIRE(r.error());
  CHECK(r.error().message() == "parse: -1 is not positive");
  CHECK(r.value_or(9) == 9);
  CHECK_THROWS_AS(r.value(), std::logic_error);
  CHECK_THROWS_WITH(r.value(), Catch::Contains("parse: -1 is not positive"));
  CHECK_THROWS_AS(*r, std::logic_error);
  const Error sentinel = goro::new_error("sentinel");
  const goro::Result<int> s = sentinel;
  CHECK(s.error() == sentinel);
}

TEST_CASE("Result_from_nil_error_is_a_logic_error", "[errors][result]") {
  CHECK_THROWS_AS(goro::Result<int>(Error{}), std::logic_error);
}

TEST_CASE("Result_structured_bindings_go_style", "[errors][result]") {
  {
    auto [v, err] = parse_positive(3);
    static_assert(std::is_same_v<decltype(v), int>);
    static_assert(std::is_same_v<decltype(err), Error>);
    CHECK(v == 3);
    CHECK_FALSE(err);
  }
  {
    auto [v, err] = parse_positive(0);
    CHECK(v == 0);
    REQUIRE(err);
    CHECK(err.message() == "parse: 0 is not positive");
  }
  {
    const goro::Result<std::string> r = std::string("kept");
    const auto& [s, err] = r;
    CHECK(s == "kept");
    CHECK_FALSE(err);
    CHECK(r.value() == "kept");
  }
  static_assert(TupleLike<goro::Result<int>>);
  static_assert(!TupleLike<goro::Result<NoDefault>>);
}

TEST_CASE("Result_of_class_types", "[errors][result]") {
  goro::Result<std::string> r = "abc";  // implicit conversion from what T accepts
  CHECK(r->size() == 3);
  std::string moved = std::move(r).value();
  CHECK(moved == "abc");

  goro::Result<std::unique_ptr<int>> up = std::make_unique<int>(4);
  REQUIRE(up.ok());
  CHECK(**up == 4);
  auto [p, err] = std::move(up);
  REQUIRE(p != nullptr);
  CHECK(*p == 4);
  CHECK_FALSE(err);

  goro::Result<NoDefault> nd = NoDefault(7);
  CHECK(nd->v == 7);
  goro::Result<NoDefault> nd_err = goro::new_error("none");
  CHECK(nd_err.value_or(NoDefault(1)).v == 1);

  goro::Result<bool> b = false;  // value false, still ok
  CHECK(b.ok());
  CHECK_FALSE(*b);
}
