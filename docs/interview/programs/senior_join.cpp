// senior join: what does printing join(one, two) show, and what do is() and unwrap() say?
#include <string>

#include "dojo/interview/program.hpp"
#include "goro/error.hpp"

namespace senior_join {

std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

void run(dojo::interview::Out& out) {
  const goro::Error one = goro::new_error("one");
  const goro::Error two = goro::new_error("two");
  const goro::Error both = goro::join(one, two);
  out.line("message: \"{}\"", escaped(both.message()));
  out.line("is one: {}, is two: {}", goro::is(both, one), goro::is(both, two));
  out.line("unwrap: {}, unwrap_all: {} errors", goro::unwrap(both), goro::unwrap_all(both).size());
}

}  // namespace senior_join

DOJO_PROGRAM("senior-join", senior_join::run);
