// Exercise 21 — typed_errors. Edit this file, then run: ./dojo grade 21
//
// This file works the old way, and its tests passed for a long time: each layer rebuilds the
// error below from its text, and classify() reads the text, looking for "not found" and
// "invalid". Then the storage team reworded its errors ("no row in users for id 'ada'"), and an
// outage started to say "leader not found". Make it recognise errors by identity and type
// instead (the full statement is in README.md):
//   1. repo_find / service_lookup: return the value unchanged; wrap an error with goro::errorf and
//      {:w}, as "repo: find '<key>': ..." and "service: lookup '<key>': ...". Never rebuild an
//      error from err.message(): that keeps the words and loses the error.
//   2. classify: nil → found; goro::is Canceled or DeadlineExceeded → cancelled; goro::is
//      ErrNotFound → not_found; goro::as<InvalidKeyError> finds one → invalid; else failed.
//      Never read err.message().
//   3. lookup_all: before each key, check ctx.err() (stop: "lookup_all: ..." with {:w}). Missing
//      keys go to report.missing, bad keys to report.invalid (the InvalidKeyError goro::as finds);
//      on cancelled or failed stop and return "lookup_all: <the error>", wrapped with {:w}.
#include "typed_errors.hpp"

namespace dojo::ex21 {

goro::Result<std::string> repo_find(const goro::Context& ctx, const Backend& backend, const std::string& key) {
  goro::Result<std::string> r = backend(ctx, key);
  if (!r) return goro::new_error(fmt::format("repo: find '{}': {}", key, r.error().message()));  // old way: text only
  return r;
}

goro::Result<std::string> service_lookup(const goro::Context& ctx, const Backend& backend, const std::string& key) {
  goro::Result<std::string> r = repo_find(ctx, backend, key);
  if (!r) return goro::new_error(fmt::format("service: lookup '{}': {}", key, r.error().message()));  // old way
  return r;
}

Outcome classify(const goro::Error& err) {
  if (!err) return Outcome::found;
  const std::string text = err.message();  // old way: the words decide
  if (text.find("not found") != std::string::npos) return Outcome::not_found;
  if (text.find("invalid") != std::string::npos) return Outcome::invalid;
  return Outcome::failed;
}

goro::Result<Report> lookup_all(const goro::Context& ctx, const std::vector<std::string>& keys,
                                const Backend& backend) {
  Report report;
  for (const std::string& key : keys) {
    goro::Result<std::string> r = service_lookup(ctx, backend, key);
    switch (classify(r.error())) {
      case Outcome::found:
        report.found.push_back(Found{key, *r});
        break;
      case Outcome::not_found:
        report.missing.push_back(key);
        break;
      case Outcome::invalid:
        report.invalid.push_back(InvalidKeyError{key, r.error().message()});  // old way: the reason as text
        break;
      case Outcome::cancelled:
      case Outcome::failed:
        return goro::new_error(fmt::format("lookup_all: {}", r.error().message()));  // old way
    }
  }
  return report;
}

}  // namespace dojo::ex21
