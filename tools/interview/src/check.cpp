#include "dojo/interview/check.hpp"

#include <fmt/format.h>

#include <set>

namespace dojo::interview {

std::vector<std::string> compare(const Question& q, const Observation& obs) {
  std::vector<std::string> problems;
  std::set<std::string> seen;
  for (const auto& out : obs.outcomes) seen.insert(out.text);
  const std::set<std::string> listed(q.observed.begin(), q.observed.end());
  for (const auto& s : seen)
    if (!listed.count(s)) problems.push_back(fmt::format("the program shows `{}`, which the bank does not list", s));
  for (const auto& l : listed)
    if (!seen.count(l)) problems.push_back(fmt::format("the bank lists `{}`, which no schedule showed", l));
  if (obs.real_ran && !listed.count(obs.real))
    problems.push_back(fmt::format("on real threads the program showed `{}`, which the bank does not list", obs.real));
  return problems;
}

}  // namespace dojo::interview
