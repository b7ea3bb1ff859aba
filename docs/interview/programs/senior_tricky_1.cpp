// senior tricky 1: two stages fail with different StageErrors at the same moment. Does
// as<StageError> on wait's result work, and which one does it find?
#include <string>

#include "dojo/interview/program.hpp"
#include "goro/errgroup.hpp"

namespace senior_tricky_1 {

struct StageError {
  std::string stage;
  goro::Error err;
  [[nodiscard]] std::string message() const { return stage + ": " + err.message(); }
  [[nodiscard]] goro::Error unwrap() const { return err; }
};

void run(dojo::interview::Out& out) {
  const goro::Error invalid = goro::new_error("invalid record");
  const goro::Error disk_full = goro::new_error("disk full");
  goro::ErrGroup g;
  g.go([invalid] { return goro::make_error(StageError{"parse", invalid}); });
  g.go([disk_full] { return goro::make_error(StageError{"store", disk_full}); });
  const goro::Error err = g.wait();
  const auto se = goro::as<StageError>(err);
  out.line("as found stage {}", se ? se->stage : "none");
  out.line("is invalid: {}, is disk full: {}", goro::is(err, invalid), goro::is(err, disk_full));
}

}  // namespace senior_tricky_1

DOJO_PROGRAM("senior-tricky-1", senior_tricky_1::run);
