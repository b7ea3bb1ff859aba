#include "dojo/interview/score.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace dojo::interview {

namespace {
const std::string kPrefix = "interview/";
}

Score::Score(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    error_ = fmt::format("{} is not a JSON object; the score is not saved so that it stays as it is", path_);
    return;
  }
  for (auto& [k, v] : j.items()) {
    if (!v.is_string()) {
      error_ = fmt::format("{}: the entry '{}' is not a string; the score is not saved so that the file stays as it is", path_, k);
      entries_.clear();
      return;
    }
    entries_[k] = v.get<std::string>();
  }
}

std::string Score::mark(const std::string& id) const {
  auto it = entries_.find(kPrefix + id);
  return it == entries_.end() ? "" : it->second;
}

void Score::set(const std::string& id, const std::string& mark) { entries_[kPrefix + id] = mark; }

std::map<std::string, std::string> Score::marks() const {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : entries_)
    if (k.rfind(kPrefix, 0) == 0) m[k.substr(kPrefix.size())] = v;
  return m;
}

void Score::clear() {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = it->first.rfind(kPrefix, 0) == 0 ? entries_.erase(it) : std::next(it);
}

bool Score::save() {
  if (!error_.empty()) return false;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(path_).parent_path(), ec);
  // One entry per line, as tools/learn.sh reads and writes the file.
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : entries_) j[k] = v;
  const std::string tmp = fmt::format("{}.tmp.{}", path_, ::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << '\n';
    out.flush();
    if (!out) {
      error_ = fmt::format("cannot write {}", tmp);
      std::remove(tmp.c_str());
      return false;
    }
  }
  fs::rename(tmp, path_, ec);
  if (ec) {
    error_ = fmt::format("cannot replace {}: {}", path_, ec.message());
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

double points(const std::string& mark) {
  if (mark == "right") return 1.0;
  if (mark == "partly") return 0.5;
  return 0.0;
}

}  // namespace dojo::interview
