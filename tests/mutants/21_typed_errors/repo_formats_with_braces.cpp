// Mutant of exercise 21: repo_find adds its context with {} instead of {:w}. The message reads
// exactly right, but the new error wraps nothing: behind "repo: find 'k': ..." the chain ends, and
// goro::is / goro::as can no longer find ErrNotFound, the InvalidKeyError or the outage.
// mistake: missing-wrap
// expect: the chain ends at "repo: find
#include "typed_errors.hpp"

namespace dojo::ex21 {

goro::Result<std::string> repo_find(const goro::Context& ctx, const Backend& backend, const std::string& key) {
  goro::Result<std::string> r = backend(ctx, key);
  if (!r) return goro::errorf("repo: find '{}': {}", key, r.error());  // BUG: {} copies the text only
  return r;
}

goro::Result<std::string> service_lookup(const goro::Context& ctx, const Backend& backend, const std::string& key) {
  goro::Result<std::string> r = repo_find(ctx, backend, key);
  if (!r) return goro::errorf("service: lookup '{}': {:w}", key, r.error());
  return r;
}

Outcome classify(const goro::Error& err) {
  if (!err) return Outcome::found;
  // goro::is and goro::as walk the whole wrap chain and compare identity and type; the words of
  // the message never matter, so a rewording below cannot change the answer.
  if (goro::is(err, goro::Canceled) || goro::is(err, goro::DeadlineExceeded)) return Outcome::cancelled;
  if (goro::is(err, ErrNotFound)) return Outcome::not_found;
  if (goro::as<InvalidKeyError>(err)) return Outcome::invalid;
  return Outcome::failed;
}

goro::Result<Report> lookup_all(const goro::Context& ctx, const std::vector<std::string>& keys,
                                const Backend& backend) {
  Report report;
  for (const std::string& key : keys) {
    // The backend may ignore ctx: look at it ourselves before asking for the next key.
    if (goro::Error err = ctx.err()) return goro::errorf("lookup_all: {:w}", err);
    goro::Result<std::string> r = service_lookup(ctx, backend, key);
    switch (classify(r.error())) {
      case Outcome::found:
        report.found.push_back(Found{key, *r});
        break;
      case Outcome::not_found:  // a key without a record is an answer, not a failure
        report.missing.push_back(key);
        break;
      case Outcome::invalid:  // the typed error carries the key and the reason: keep them as data
        report.invalid.push_back(*goro::as<InvalidKeyError>(r.error()));
        break;
      case Outcome::cancelled:
      case Outcome::failed:  // wrap once more: the caller can still ask goro::is what happened
        return goro::errorf("lookup_all: {:w}", r.error());
    }
  }
  return report;
}

}  // namespace dojo::ex21
