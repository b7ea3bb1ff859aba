// Mutant of exercise 21: the layers wrap correctly, but classify still reads the message and
// looks for words — "not found", "invalid", "canceled", "deadline". A missing row worded "no row
// in users ..." becomes a failure, and an outage that says "leader not found" becomes a missing
// key that lookup_all quietly leaves out.
// mistake: wrong-result
// expect: the text says "not found", but the error is not ErrNotFound
#include "typed_errors.hpp"

namespace dojo::ex21 {

goro::Result<std::string> repo_find(const goro::Context& ctx, const Backend& backend, const std::string& key) {
  goro::Result<std::string> r = backend(ctx, key);
  // {:w} adds our context to the text AND keeps the backend's error reachable behind it.
  if (!r) return goro::errorf("repo: find '{}': {:w}", key, r.error());
  return r;
}

goro::Result<std::string> service_lookup(const goro::Context& ctx, const Backend& backend, const std::string& key) {
  goro::Result<std::string> r = repo_find(ctx, backend, key);
  if (!r) return goro::errorf("service: lookup '{}': {:w}", key, r.error());
  return r;
}

Outcome classify(const goro::Error& err) {
  if (!err) return Outcome::found;
  // BUG: the words decide. They are whatever the layer below chose to write.
  const std::string text = err.message();
  if (text.find("context canceled") != std::string::npos || text.find("deadline exceeded") != std::string::npos)
    return Outcome::cancelled;
  if (text.find("not found") != std::string::npos) return Outcome::not_found;
  if (text.find("invalid") != std::string::npos) return Outcome::invalid;
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
