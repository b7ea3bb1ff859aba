// senior point 1: what does join return when given nothing, or only nil errors?
#include <vector>

#include "dojo/interview/program.hpp"
#include "goro/error.hpp"

namespace senior_point_1 {

void run(dojo::interview::Out& out) {
  const goro::Error invalid = goro::new_error("invalid");
  out.line("join() of an empty list: {}", goro::join(std::vector<goro::Error>{}));
  out.line("join(nil, nil): {}", goro::join(goro::Error{}, goro::Error{}));
  const goro::Error one = goro::join(goro::Error{}, invalid, goro::Error{});
  out.line("join(nil, invalid, nil): \"{}\" with {} child", one, goro::unwrap_all(one).size());
  out.line("join(nil, invalid, nil) == invalid: {}", one == invalid);
}

}  // namespace senior_point_1

DOJO_PROGRAM("senior-point-1", senior_point_1::run);
