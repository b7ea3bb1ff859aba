// Visible examples for exercise 21. The grader runs these first, then its hidden checks.
// Each check runs under several deterministic schedules and once on real threads.
//
// The story: a user directory. The storage layer below your code answers in its own words —
// "no row in users for id 'nobody'" for a missing user — so only goro::is and goro::as can tell
// what its errors mean.
#include <string>
#include <vector>

#include "grader.hpp"
#include "typed_errors.hpp"

using dojo::ex21::classify;
using dojo::ex21::ErrNotFound;
using dojo::ex21::Found;
using dojo::ex21::InvalidKeyError;
using dojo::ex21::lookup_all;
using dojo::ex21::Outcome;
using dojo::ex21::service_lookup;
namespace mistake = dojo::grader::mistake;  // failure classes: what a failing run shows

namespace {

// The storage layer's own not-found error: it unwraps to ErrNotFound, but its text never says so.
struct MissingRow {
  std::string table, id;
  [[nodiscard]] std::string message() const { return fmt::format("no row in {} for id '{}'", table, id); }
  [[nodiscard]] goro::Error unwrap() const { return ErrNotFound; }
};

// "nobody" has no record; a key with a space is refused; every other key is found.
goro::Result<std::string> users(const goro::Context&, const std::string& key) {
  if (key == "nobody") return goro::make_error(MissingRow{"users", key});
  if (key.find(' ') != std::string::npos) return goro::make_error(InvalidKeyError{key, "contains a space"});
  return "user " + key;
}

// "{ada: user ada, grace: user grace}"
std::string show_found(const std::vector<Found>& found) {
  std::vector<std::string> items;
  for (const Found& f : found) items.push_back(f.key + ": " + f.value);
  return fmt::format("{{{}}}", fmt::join(items, ", "));
}

}  // namespace

DOJO_CHECK("example: a missing user, worded \"no row in users ...\": goro::is finds ErrNotFound through both layers",
           "Wrap with goro::errorf(\"... {:w}\", key, err) in each layer: the backend's error stays reachable, "
           "and goro::is(err, ErrNotFound) sees it whatever the words.") {
  check.say("calling service_lookup(background, users, \"nobody\")");
  goro::Result<std::string> r = service_lookup(goro::background(), users, "nobody");
  // The backend's words still there, but not its error: a layer copied the text instead of wrapping.
  const bool text_kept = r.error().message().find("no row in users for id 'nobody'") != std::string::npos;
  check.expect_is(r.error(), ErrNotFound, "ErrNotFound", text_kept ? dojo::grader::Why(mistake::missing_wrap) : dojo::grader::Why());
  check.expect_eq(std::string(to_string(classify(r.error()))), std::string("not_found"), "classify(that error)");
}

DOJO_CHECK("example: a refused key: goro::as<InvalidKeyError> yields the key and the reason",
           "A typed error is data: keep it in the chain (with {:w}) and read it back with goro::as.") {
  check.say("calling service_lookup(background, users, \"a b\")");
  goro::Result<std::string> r = service_lookup(goro::background(), users, "a b");
  auto bad = check.expect_as<InvalidKeyError>(r.error(), "InvalidKeyError");
  check.expect_eq(bad.key + " / " + bad.reason, std::string("a b / contains a space"), "its key / reason");
  check.expect_eq(std::string(to_string(classify(r.error()))), std::string("invalid"), "classify(that error)");
}

DOJO_CHECK("example: lookup_all leaves out the missing user, reports the refused key, returns the rest",
           "A missing key and a bad key are answers, not failures: classify each error and go on.") {
  check.say("calling lookup_all(background, {\"ada\", \"nobody\", \"a b\", \"grace\"}, users)");
  auto [report, err] = lookup_all(goro::background(), {"ada", "nobody", "a b", "grace"}, users);
  check.expect_ok(err, "lookup_all(...)");
  check.expect(report.found == std::vector<Found>{{"ada", "user ada"}, {"grace", "user grace"}},
               "found: {ada: user ada, grace: user grace}", "found: " + show_found(report.found));
  check.expect_eq(report.missing, std::vector<std::string>{"nobody"}, "missing");
  check.expect(report.invalid.size() == 1 && report.invalid[0].key == "a b", "invalid: the key \"a b\"",
               fmt::format("invalid: {} key(s){}", report.invalid.size(),
                           report.invalid.empty() ? "" : ", the first \"" + report.invalid[0].key + "\""));
}
