#include "dojo/interview/bank.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace dojo::interview {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string s) {
  auto ws = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && ws(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// Splits on " · " (the middle dot the bank uses between fields).
std::vector<std::string> split_dots(const std::string& s) {
  const std::string sep = " \xC2\xB7 ";
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (;;) {
    std::size_t at = s.find(sep, from);
    parts.push_back(trim(s.substr(from, at == std::string::npos ? std::string::npos : at - from)));
    if (at == std::string::npos) break;
    from = at + sep.size();
  }
  return parts;
}

enum class Section { details, answer, wrong, tradeoffs, observed };

struct Label {
  const char* text;
  Section section;
};
const Label kLabels[] = {
    {"**Model answer.**", Section::answer},
    {"**Common wrong answer.**", Section::wrong},
    {"**Trade-offs.**", Section::tradeoffs},
    {"**Observed**", Section::observed},
};

void parse_file(const fs::path& path, const std::string& rel, Bank& bank) {
  std::ifstream in(path);
  if (!in) {
    bank.errors.push_back(fmt::format("{}: cannot be read", rel));
    return;
  }
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);

  Question* q = nullptr;
  Section section = Section::details;
  bool meta_seen = false;
  bool in_fence = false;
  auto err = [&](std::size_t i, const std::string& what) {
    bank.errors.push_back(fmt::format("{}:{}: {}", rel, i + 1, what));
  };
  auto append = [](std::string& to, const std::string& l) {
    if (!to.empty()) to += '\n';
    to += l;
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (starts_with(trim(l), "```")) in_fence = !in_fence;
    if (!in_fence && starts_with(l, "### ")) {
      bank.questions.emplace_back();
      q = &bank.questions.back();
      q->file = rel;
      q->line = static_cast<int>(i + 1);
      auto parts = split_dots(l.substr(4));
      q->id = parts[0];
      if (parts.size() < 2 || parts[1].empty()) err(i, "a question heading is `### ID · TITLE`");
      else q->title = parts[1];
      section = Section::details;
      meta_seen = false;
      continue;
    }
    if (!in_fence && (starts_with(l, "## ") || starts_with(l, "# "))) {  // a level or file heading
      q = nullptr;
      continue;
    }
    if (q == nullptr) continue;
    if (!meta_seen) {
      if (trim(l).empty()) continue;
      meta_seen = true;
      for (const auto& field : split_dots(trim(l))) {
        auto colon = field.find(':');
        if (colon == std::string::npos) {
          err(i, fmt::format("question {}: metadata field '{}' is not `key: value`", q->id, field));
          continue;
        }
        std::string key = trim(field.substr(0, colon)), value = trim(field.substr(colon + 1));
        if (key == "level") q->level = value;
        else if (key == "topic") q->topic = value;
        else if (key == "source") q->source = value;
        else if (key == "program") q->program = value == "yes";
        else if (key == "exercise") q->exercise = value;
        else err(i, fmt::format("question {}: unknown metadata key '{}'", q->id, key));
      }
      continue;
    }
    std::string body = l;
    if (!in_fence) {
      for (const auto& label : kLabels) {
        if (starts_with(l, label.text)) {
          section = label.section;
          body = trim(l.substr(std::string(label.text).size()));
          break;
        }
      }
    }
    switch (section) {
      case Section::details: append(q->details, body); break;
      case Section::answer: append(q->answer, body); break;
      case Section::wrong: append(q->wrong, body); break;
      case Section::tradeoffs: append(q->tradeoffs, body); break;
      case Section::observed: {
        std::string t = trim(body);
        if (starts_with(t, "- `") && t.size() >= 4 && t.back() == '`') {
          q->observed.push_back(t.substr(3, t.size() - 4));
        } else if (starts_with(t, "- ")) {
          err(i, fmt::format("question {}: an observed outcome is written - `OUTCOME`", q->id));
        }
        break;
      }
    }
  }
  for (auto& qq : bank.questions) {
    qq.details = trim(qq.details);
    qq.answer = trim(qq.answer);
    qq.wrong = trim(qq.wrong);
    qq.tradeoffs = trim(qq.tradeoffs);
  }
}

}  // namespace

Bank load_bank(const std::string& root) {
  Bank bank;
  const fs::path dir = fs::path(root) / "docs" / "interview";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    bank.errors.push_back(fmt::format("{}: the question bank is missing", (fs::path("docs") / "interview").string()));
    return bank;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".md" && e.path().filename() != "README.md")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) parse_file(f, fs::relative(f, root, ec).string(), bank);

  for (const auto& q : bank.questions) {
    auto where = fmt::format("{}:{}: question {}", q.file, q.line, q.id);
    if (std::find(kLevels.begin(), kLevels.end(), q.level) == kLevels.end())
      bank.errors.push_back(fmt::format("{}: level '{}' is not one of junior, middle, senior, staff", where, q.level));
    if (q.topic.empty()) bank.errors.push_back(where + ": no topic");
    if (q.source.empty()) bank.errors.push_back(where + ": no source");
    if (q.answer.empty()) bank.errors.push_back(where + ": no model answer");
    if (q.wrong.empty()) bank.errors.push_back(where + ": no common wrong answer");
    if (q.level == "staff" && q.tradeoffs.empty()) bank.errors.push_back(where + ": a staff question needs its trade-offs");
    if (q.program && q.observed.empty()) bank.errors.push_back(where + ": program: yes but no observed outcomes");
    if (!q.program && !q.observed.empty()) bank.errors.push_back(where + ": observed outcomes but no program");
  }
  std::vector<std::string> ids;
  for (const auto& q : bank.questions) ids.push_back(q.id);
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 1; i < ids.size(); ++i)
    if (ids[i] == ids[i - 1]) bank.errors.push_back(fmt::format("question id {} is used twice", ids[i]));
  return bank;
}

}  // namespace dojo::interview
