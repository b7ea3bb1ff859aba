// senior point 2: does is() look inside every branch of a joined error, including joins nested
// in other wrappers? What does as() return when two branches hold a match?
#include <string>

#include "dojo/interview/program.hpp"
#include "goro/error.hpp"

namespace senior_point_2 {

struct ShardError {
  int shard = 0;
  goro::Error err;
  [[nodiscard]] std::string message() const { return "shard " + std::to_string(shard) + ": " + err.message(); }
  [[nodiscard]] goro::Error unwrap() const { return err; }
};

void run(dojo::interview::Out& out) {
  const goro::Error timeout = goro::new_error("timeout");
  const goro::Error quota = goro::new_error("quota exceeded");
  const goro::Error shards = goro::join(goro::make_error(ShardError{1, timeout}), goro::make_error(ShardError{3, quota}));
  const goro::Error err = goro::join(goro::new_error("2 rows invalid"), goro::errorf("store: {:w}", shards));
  out.line("is(err, timeout): {}, is(err, quota): {}", goro::is(err, timeout), goro::is(err, quota));
  const auto first = goro::as<ShardError>(err);
  out.line("as<ShardError> finds shard {}", first ? first->shard : -1);
  out.line("unwrap(err) (single-error unwrap): {}", goro::unwrap(err));
}

}  // namespace senior_point_2

DOJO_PROGRAM("senior-point-2", senior_point_2::run);
