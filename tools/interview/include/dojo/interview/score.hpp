// The interview score, kept in the learner's progress file (.dojo/progress.json) next to the
// exercises' status: one key per answered question, "interview/<id>": "right" | "partly" |
// "wrong" (the latest mark). Keys that are not the interview's are kept as they are.
#pragma once

#include <map>
#include <string>

namespace dojo::interview {

class Score {
 public:
  /// Reads `path`. A missing file is an empty score. A file that is not a flat JSON object of
  /// strings leaves the score empty and `error()` set: save() then refuses to overwrite it.
  explicit Score(std::string path);

  [[nodiscard]] const std::string& error() const { return error_; }
  /// "right", "partly", "wrong" or "" (never answered).
  [[nodiscard]] std::string mark(const std::string& id) const;
  void set(const std::string& id, const std::string& mark);
  /// Writes the file atomically (temporary file, then rename). False (with error()) on failure.
  [[nodiscard]] bool save();
  /// Every interview mark, by question id.
  [[nodiscard]] std::map<std::string, std::string> marks() const;
  /// Forgets every interview mark (the exercises' entries stay).
  void clear();

 private:
  std::string path_;
  std::map<std::string, std::string> entries_;  // the whole file, interview keys included
  std::string error_;
};

/// Points for a mark: right 1, partly 0.5, otherwise 0.
[[nodiscard]] double points(const std::string& mark);

}  // namespace dojo::interview
