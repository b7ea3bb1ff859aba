// Whether a runnable answer and its question in the bank agree.
#pragma once

#include <string>
#include <vector>

#include "dojo/interview/bank.hpp"
#include "dojo/interview/program.hpp"

namespace dojo::interview {

/// The disagreements between what `q` lists under **Observed** and what its program showed:
/// an outcome a schedule showed that the bank does not list, a listed outcome no schedule
/// showed, a real-threads outcome the bank does not list. Empty when they agree.
[[nodiscard]] std::vector<std::string> compare(const Question& q, const Observation& obs);

}  // namespace dojo::interview
