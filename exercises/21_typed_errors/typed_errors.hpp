// Exercise 21 — typed_errors: recognise an error by identity and type, never by its text.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex21 {

/// The sentinel for "this key has no record". The storage layer returns it itself, wrapped, or
/// inside an error of its own that unwraps to it or matches it through a custom `is` member —
/// and it words that error as it likes ("no row in users for id 'ada'"). Recognise it with
/// goro::is(err, ErrNotFound), never by looking for "not found" in the message: another
/// error's text may say "not found" too ("shard map not found") and mean an outage.
inline const goro::Error ErrNotFound = goro::new_error("not found");

/// The typed error for a key the storage layer refuses to look up (empty, a bad character, too
/// long). goro::as<InvalidKeyError>(err) finds it anywhere in a wrap chain and returns a copy,
/// with the key and the reason. It wraps nothing.
struct InvalidKeyError {
  std::string key;
  std::string reason;
  [[nodiscard]] std::string message() const { return fmt::format("key '{}' rejected: {}", key, reason); }
};

/// What became of one lookup, as the code above the service needs to know it.
///   found      no error
///   not_found  the key has no record: leave it out and go on
///   invalid    the key itself is bad: report it and go on
///   cancelled  the caller gave up (goro::Canceled) or its deadline passed (goro::DeadlineExceeded)
///   failed     anything else — an outage, a bug: stop
enum class Outcome { found, not_found, invalid, cancelled, failed };

/// "found", "not_found", "invalid", "cancelled", "failed".
[[nodiscard]] constexpr std::string_view to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::found: return "found";
    case Outcome::not_found: return "not_found";
    case Outcome::invalid: return "invalid";
    case Outcome::cancelled: return "cancelled";
    case Outcome::failed: return "failed";
  }
  return "?";
}

/// The storage layer, the lowest one (given to you): the value stored under `key`, or an error.
/// It is handed the caller's context and may stop when it ends. Its errors, wrapped any number of
/// times or not at all: ErrNotFound, an InvalidKeyError, the context's error, or anything else.
/// Their texts are the storage layer's own: they may say anything.
using Backend = std::function<goro::Result<std::string>(const goro::Context& ctx, const std::string& key)>;

/// Layer 1, the repository. Calls backend(ctx, key) once and returns its value unchanged, or its
/// error wrapped with {:w} as
///   repo: find '<key>': <the backend's error>
[[nodiscard]] goro::Result<std::string> repo_find(const goro::Context& ctx, const Backend& backend,
                                                  const std::string& key);

/// Layer 2, the service. Calls repo_find(ctx, backend, key) once and returns its value unchanged,
/// or its error wrapped with {:w} as
///   service: lookup '<key>': <repo_find's error>
/// so a missing key reads "service: lookup 'ada': repo: find 'ada': no row in users for id 'ada'",
/// and goro::is / goro::as still find the backend's error behind both layers.
[[nodiscard]] goro::Result<std::string> service_lookup(const goro::Context& ctx, const Backend& backend,
                                                       const std::string& key);

/// Classifies `err` by identity and type — goro::is and goro::as, never its message — checking
/// in this order:
///   nil                                                              → found
///   goro::is(err, goro::Canceled) or goro::is(err, goro::DeadlineExceeded) → cancelled
///   goro::is(err, ErrNotFound)                                       → not_found
///   goro::as<InvalidKeyError>(err) finds one                         → invalid
///   anything else                                                    → failed
[[nodiscard]] Outcome classify(const goro::Error& err);

/// One key that was found, with its value.
struct Found {
  std::string key;
  std::string value;
  bool operator==(const Found&) const = default;
};

/// What lookup_all learned, each list in the order of the keys.
struct Report {
  std::vector<Found> found;              // the keys found, with their values
  std::vector<std::string> missing;      // the keys that have no record
  std::vector<InvalidKeyError> invalid;  // for each bad key, the InvalidKeyError goro::as found
};

/// Looks up `keys` one at a time, in order, with service_lookup, in the calling task:
///   * before each key it checks ctx: once ctx has ended, it stops and returns ctx.err()
///     wrapped with {:w} as "lookup_all: <ctx.err()>"; the remaining keys are not asked for;
///   * by classify of service_lookup's result:
///       found     → report.found, and go on;
///       not_found → report.missing (the key), and go on;
///       invalid   → report.invalid (the InvalidKeyError goro::as finds), and go on;
///       cancelled or failed → stop at once: return the error wrapped with {:w} as
///                 "lookup_all: <service_lookup's error>"; the remaining keys are not asked for.
/// Returns the report when every key was found, missing or invalid (an empty report for no keys).
/// The error it returns still lets goro::is / goro::as find what the backend returned.
[[nodiscard]] goro::Result<Report> lookup_all(const goro::Context& ctx, const std::vector<std::string>& keys,
                                              const Backend& backend);

}  // namespace dojo::ex21
