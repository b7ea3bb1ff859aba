// pipelines Q7: sentinel errors and typed errors; can one error match both?
#include <string>

#include "dojo/interview/program.hpp"
#include "goro/goro.hpp"

namespace pipelines_q07 {

inline const goro::Error ErrNotFound = goro::new_error("not found");

// A typed error: carries data, and also answers to the sentinel through its `is` member.
struct MissingError {
  std::string resource;
  [[nodiscard]] std::string message() const { return resource + " not found"; }
  [[nodiscard]] bool is(const goro::Error& target) const { return target == ErrNotFound; }
};

void run(dojo::interview::Out& out) {
  const goro::Error plain = goro::errorf("load config: {:w}", ErrNotFound);
  out.line("sentinel: is = {}, as finds data = {}", goro::is(plain, ErrNotFound),
           goro::as<MissingError>(plain).has_value());

  const goro::Error typed = goro::errorf("get user: {:w}", goro::make_error(MissingError{"user 42"}));
  const auto m = goro::as<MissingError>(typed);
  out.line("typed: is = {}, as finds resource = {}", goro::is(typed, ErrNotFound), m ? m->resource : "nothing");
  out.line("text: {}", typed);
}

}  // namespace pipelines_q07

DOJO_PROGRAM("pipelines-q07", pipelines_q07::run);
