// The interview question bank: docs/interview/*.md (every file but README.md), parsed.
//
// A question is a level-3 heading followed by one metadata line and bold-labelled sections:
//
//   ### errgroup-q04 · What does wait() return when three tasks fail?
//
//   level: junior · topic: errgroup · source: errgroup Q4 · program: yes
//
//   (the question's details: text, code; may be empty)
//
//   **Model answer.** ...            required
//   **Common wrong answer.** ...     required
//   **Trade-offs.** ...              required for level staff (the design's alternatives)
//   **Observed** ...                 required when `program: yes`: one `- `outcome`` line per
//                                    outcome the program shows (see program.hpp)
//
// Metadata keys: level (junior, middle, senior, staff), topic (a word), source (where the
// question comes from: "errgroup Q4", "senior quiz 3", ...), program (yes: a runnable answer
// with the question's id exists), exercise (NN_slug: a coding question graded as that exercise).
#pragma once

#include <string>
#include <vector>

namespace dojo::interview {

struct Question {
  std::string id;
  std::string title;
  std::string level;
  std::string topic;
  std::string source;
  bool program = false;
  std::string exercise;        // "26_parallel_map" or empty
  std::string details;         // Markdown between the metadata line and the first section
  std::string answer;          // Markdown of the model answer
  std::string wrong;           // the common wrong answer
  std::string tradeoffs;       // staff questions
  std::vector<std::string> observed;  // the outcomes listed under **Observed**
  std::string file;            // path relative to the repository root
  int line = 0;                // the heading's line
};

struct Bank {
  std::vector<Question> questions;  // in file order, files sorted by name
  std::vector<std::string> errors;  // "docs/interview/x.md:12: ..." for every malformed part
};

/// Reads every bank file under `dir` (docs/interview). `root` is the repository root, used to
/// print paths relative to it. Never throws on bad input: problems are listed in `errors`.
[[nodiscard]] Bank load_bank(const std::string& root);

/// The levels in order, for display and for `--level`.
inline const std::vector<std::string> kLevels{"junior", "middle", "senior", "staff"};

}  // namespace dojo::interview
