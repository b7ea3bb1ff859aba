// Visible examples for exercise 26. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a basket holds product ids, and a price service answers one id at a time. The
// checkout looks up every price at once, a few lookups in flight at a time, and needs the prices
// in the order of the basket.
#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "grader.hpp"
#include "parallel_map.hpp"

using dojo::ex26::MapFn;
using dojo::ex26::parallel_map;
using namespace std::chrono_literals;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

const goro::Error ErrNoPrice = goro::new_error("no price on record");

// The price service's answer for a product id, in cents.
int price_of(int id) { return id * 25 + 99; }

}  // namespace

DOJO_CHECK("example: six ids, two lookups at a time: every price in the place of its id",
           "results[i] is the price of ids[i], whichever lookup finishes first: put each result in the place of "
           "its item (a slot per item, or its index kept with it), not where it happens to arrive.") {
  const std::vector<int> ids{7, 3, 9, 1, 4, 8};
  auto calls = std::make_shared<std::atomic<int>>(0);
  // A larger id takes longer, so the lookups finish out of order. (A tenth of it on real threads.)
  const goro::Duration unit = check.deterministic() ? goro::Duration(1ms) : goro::Duration(100us);
  MapFn lookup = [calls, unit](const goro::Context&, int id) -> goro::Result<int> {
    ++*calls;
    goro::sleep(id * unit);
    return price_of(id);
  };
  check.say("calling parallel_map(background, {7, 3, 9, 1, 4, 8}, 2, lookup), where lookup(id) sleeps id ms and "
            "returns id * 25 + 99");
  auto r = parallel_map(goro::background(), ids, 2, lookup);
  check.expect_ok(r.error(), "parallel_map(...)");
  std::vector<int> want;
  for (int id : ids) want.push_back(price_of(id));
  // Every price there, in another order: the results were placed as they arrived.
  std::vector<int> got_sorted = *r, want_sorted = want;
  std::sort(got_sorted.begin(), got_sorted.end());
  std::sort(want_sorted.begin(), want_sorted.end());
  check.expect_eq(fmt::format("{}", fmt::join(*r, ", ")), fmt::format("{}", fmt::join(want, ", ")),
                  "the prices",
                  got_sorted == want_sorted ? dojo::grader::Why(mistake::wrong_order) : dojo::grader::Why());
  check.expect_eq(calls->load(), 6, "lookups made");
}

DOJO_CHECK("example: one lookup fails: the error names the item's index and wraps the lookup's error",
           "Wrap the failing call's error with its index: goro::errorf(\"item {}: {:w}\", i, err). {:w} keeps "
           "the lookup's error findable with goro::is.") {
  MapFn lookup = [](const goro::Context&, int id) -> goro::Result<int> {
    if (id == 13) return ErrNoPrice;
    return price_of(id);
  };
  check.say("calling parallel_map(background, {11, 12, 13, 14}, 2, lookup), where lookup(13) fails with "
            "ErrNoPrice (\"no price on record\")");
  auto r = parallel_map(goro::background(), {11, 12, 13, 14}, 2, lookup);
  check.expect(!r.ok(), "an error", "parallel_map returned prices, no error");
  check.expect_eq(r.error().message(), std::string("item 2: no price on record"), "the error's text",
                  "13 is items[2]: the text names the index, then the lookup's own text.");
  check.expect_is(r.error(), ErrNoPrice, "ErrNoPrice");
}

DOJO_CHECK("example: an empty basket: an empty result, and no lookup", "No items: nothing to start, nothing to wait for.") {
  auto calls = std::make_shared<std::atomic<int>>(0);
  MapFn lookup = [calls](const goro::Context&, int id) -> goro::Result<int> {
    ++*calls;
    return price_of(id);
  };
  check.say("calling parallel_map(background, {}, 4, lookup)");
  auto r = parallel_map(goro::background(), {}, 4, lookup);
  check.expect_ok(r.error(), "parallel_map(background, {}, 4, lookup)");
  check.expect_eq(r->size(), std::size_t{0}, "the number of results");
  check.expect_eq(calls->load(), 0, "lookups made");
}
