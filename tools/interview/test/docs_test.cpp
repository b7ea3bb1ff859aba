// The docs consistency test: the interview bank is complete and its runnable answers tell the
// truth; every link in docs/ resolves; the learning path and the workshop agendas name
// exercises, mutants and scenarios that exist.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dojo/interview/bank.hpp"
#include "dojo/interview/check.hpp"
#include "dojo/interview/program.hpp"

namespace fs = std::filesystem;
namespace di = dojo::interview;

namespace {

const fs::path kRoot = DOJO_ROOT;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const di::Bank& bank() {
  static const di::Bank b = di::load_bank(kRoot.string());
  return b;
}

// Every Markdown file under docs/, plus the README.
std::vector<fs::path> doc_files() {
  std::vector<fs::path> files{kRoot / "README.md"};
  for (const auto& e : fs::recursive_directory_iterator(kRoot / "docs"))
    if (e.is_regular_file() && e.path().extension() == ".md") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string rel(const fs::path& p) { return fs::relative(p, kRoot).string(); }

// GitHub's heading anchor: lower case; letters, digits, '-' and '_' kept; spaces become '-';
// other ASCII punctuation and the common non-ASCII punctuation and symbols are dropped.
std::string slug(const std::string& heading) {
  static const std::array<std::string, 12> dropped{"\xC2\xB7", "\xE2\x80\x94", "\xE2\x80\x93", "\xE2\x86\x92",
                                                   "\xE2\x80\xA6", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98",
                                                   "\xE2\x80\x99", "\xC3\x97", "\xE2\x89\xA4", "\xE2\x89\xA5"};
  std::string s;
  for (std::size_t i = 0; i < heading.size();) {
    bool skip = false;
    for (const auto& d : dropped)
      if (heading.compare(i, d.size(), d) == 0) {
        i += d.size();
        skip = true;
        break;
      }
    if (skip) continue;
    unsigned char c = static_cast<unsigned char>(heading[i]);
    if (c >= 0x80) s += heading[i];
    else if (std::isalnum(c)) s += static_cast<char>(std::tolower(c));
    else if (c == ' ') s += '-';
    else if (c == '-' || c == '_') s += heading[i];
    ++i;
  }
  return s;
}

// The anchors of a Markdown file's headings (outside code fences), with GitHub's -1, -2 for repeats.
std::set<std::string> anchors(const fs::path& p) {
  std::set<std::string> out;
  std::map<std::string, int> seen;
  std::istringstream in(read_file(p));
  bool fence = false;
  for (std::string l; std::getline(in, l);) {
    if (l.rfind("```", 0) == 0) fence = !fence;
    if (fence || l.empty() || l[0] != '#') continue;
    auto text = l.substr(l.find_first_not_of('#'));
    text.erase(0, text.find_first_not_of(' '));
    // Inline code and emphasis marks do not reach the anchor.
    text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '`' || c == '*'; }), text.end());
    std::string a = slug(text);
    int n = seen[a]++;
    out.insert(n == 0 ? a : fmt::format("{}-{}", a, n));
  }
  return out;
}

struct Link {
  std::string target;
  int line;
};

// The [text](target) links of a Markdown file, outside code fences and inline code.
std::vector<Link> links(const fs::path& p) {
  std::vector<Link> out;
  std::istringstream in(read_file(p));
  bool fence = false;
  int n = 0;
  static const std::regex link(R"(\]\(([^)\s]+)\))");
  static const std::regex code("`[^`]*`");
  for (std::string l; std::getline(in, l);) {
    ++n;
    if (l.rfind("```", 0) == 0) fence = !fence;
    if (fence) continue;
    std::string plain = std::regex_replace(l, code, "``");
    for (auto it = std::sregex_iterator(plain.begin(), plain.end(), link); it != std::sregex_iterator(); ++it)
      out.push_back({(*it)[1].str(), n});
  }
  return out;
}

std::set<std::string> exercise_dirs() {
  std::set<std::string> out;
  std::istringstream in(read_file(kRoot / "tools" / "exercises.txt"));
  for (std::string l; std::getline(in, l);) {
    if (l.empty() || l[0] == '#') continue;
    std::istringstream f(l);
    std::string num, slug_;
    std::getline(f, num, '\t');
    std::getline(f, slug_, '\t');
    out.insert(num + "_" + slug_);
  }
  return out;
}

std::set<std::string> scenario_names() {
  std::set<std::string> out;
  std::FILE* p = ::popen(DOJO_VIZ_SCENARIOS " --list", "r");
  REQUIRE(p != nullptr);
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) {
    std::string l = buf.data();
    auto sp = l.find(' ');
    if (sp != std::string::npos && sp > 0) out.insert(l.substr(0, sp));
  }
  REQUIRE(::pclose(p) == 0);
  return out;
}

std::vector<std::string> sources_of(const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& q : bank().questions)
    if (q.source.rfind(prefix, 0) == 0) out.push_back(q.source);
  return out;
}

}  // namespace

TEST_CASE("interview bank: every question parses, with a model answer and the common wrong answer", "[docs]") {
  const auto& b = bank();
  for (const auto& e : b.errors) UNSCOPED_INFO(e);
  CHECK(b.errors.empty());
  CHECK(b.questions.size() >= 100);
  for (const auto& level : di::kLevels) {
    INFO(level);
    CHECK(std::count_if(b.questions.begin(), b.questions.end(), [&](const auto& q) { return q.level == level; }) >= 5);
  }
}

TEST_CASE("interview bank: every question of the material it is built from has its entry", "[docs]") {
  // What the Go interview material asks, by the labels the bank's `source:` fields use.
  std::vector<std::string> want;
  for (int i = 1; i <= 30; ++i) want.push_back(fmt::format("errgroup Q{}", i));
  for (int i = 1; i <= 3; ++i) want.push_back(fmt::format("errgroup T{}", i));
  for (int i = 1; i <= 4; ++i) want.push_back(fmt::format("errgroup S{}", i));
  for (int i = 1; i <= 30; ++i) want.push_back(fmt::format("pipelines Q{}", i));
  want.push_back("pipelines coding");
  for (int i = 1; i <= 15; ++i) want.push_back(fmt::format("senior quiz {}", i));
  for (int i = 1; i <= 5; ++i) want.push_back(fmt::format("senior tricky {}", i));
  for (int i = 1; i <= 6; ++i) want.push_back(fmt::format("senior point {}", i));
  want.push_back("senior join");
  for (int i = 1; i <= 3; ++i) want.push_back(fmt::format("production {}", i));
  std::set<std::string> have;
  for (const auto& q : bank().questions) have.insert(q.source);
  for (const auto& w : want) {
    INFO("no question has source: " << w);
    CHECK(have.count(w) == 1);
  }
  // Per source, at least as many questions as the material asks.
  CHECK(sources_of("errgroup ").size() >= 37);
  CHECK(sources_of("pipelines ").size() >= 31);
  CHECK(sources_of("senior ").size() >= 27);
  CHECK(sources_of("production ").size() >= 3);
}

TEST_CASE("interview bank: each runnable answer shows exactly the outcomes the bank lists", "[docs]") {
  int checked = 0;
  for (const auto& q : bank().questions) {
    if (!q.program) continue;
    INFO(q.file << ":" << q.line << ": " << q.id);
    const di::Program* p = di::find_program(q.id);
    REQUIRE(p != nullptr);
    for (const auto& problem : di::compare(q, di::observe(*p))) FAIL_CHECK(problem);
    ++checked;
  }
  CHECK(checked >= 40);
}

TEST_CASE("interview bank: every program answers a question; coding questions are exercises", "[docs]") {
  std::set<std::string> with_program;
  for (const auto& q : bank().questions)
    if (q.program) with_program.insert(q.id);
  for (const auto& p : di::programs()) {
    INFO("program " << p.id << " has no question with `program: yes`");
    CHECK(with_program.count(p.id) == 1);
  }
  const auto dirs = exercise_dirs();
  int coding = 0;
  for (const auto& q : bank().questions) {
    if (q.exercise.empty()) continue;
    ++coding;
    INFO(q.id << " names exercise " << q.exercise);
    CHECK(dirs.count(q.exercise) == 1);
    CHECK(fs::is_directory(kRoot / "exercises" / q.exercise));
    CHECK(fs::is_directory(kRoot / "tests" / "graders" / q.exercise));
  }
  CHECK(coding >= 4);
}

TEST_CASE("docs: every relative link resolves, anchors included", "[docs]") {
  int n = 0;
  for (const auto& file : doc_files()) {
    for (const auto& link : links(file)) {
      const std::string& t = link.target;
      if (t.rfind("http://", 0) == 0 || t.rfind("https://", 0) == 0 || t.rfind("mailto:", 0) == 0) continue;
      ++n;
      INFO(rel(file) << ":" << link.line << ": link " << t);
      auto hash = t.find('#');
      std::string path = t.substr(0, hash);
      fs::path target = path.empty() ? file : file.parent_path() / path;
      REQUIRE(fs::exists(target));
      if (hash != std::string::npos && target.extension() == ".md") CHECK(anchors(target).count(t.substr(hash + 1)) == 1);
    }
  }
  CHECK(n > 50);
}

TEST_CASE("docs: the repository stands alone: no link leaves it", "[docs]") {
  const fs::path root = fs::weakly_canonical(kRoot);
  for (const auto& file : doc_files()) {
    for (const auto& link : links(file)) {
      const std::string& t = link.target;
      if (t.find("://") != std::string::npos || t.rfind("mailto:", 0) == 0 || t[0] == '#') continue;
      const fs::path target = fs::weakly_canonical(file.parent_path() / t.substr(0, t.find('#')));
      INFO(rel(file) << ":" << link.line << ": link " << t);
      const auto r = target.lexically_relative(root);
      CHECK((!r.empty() && *r.begin() != ".."));
    }
  }
}

TEST_CASE("docs: the path and the workshops name exercises, mutants and scenarios that exist", "[docs]") {
  const auto dirs = exercise_dirs();
  const auto scenarios = scenario_names();
  REQUIRE(scenarios.count("sum_pipeline") == 1);
  std::vector<fs::path> files{kRoot / "docs" / "path.md"};
  for (const auto& e : fs::directory_iterator(kRoot / "docs" / "workshops")) files.push_back(e.path());
  REQUIRE(files.size() >= 6);
  static const std::regex exercise_tok(R"(`(\d\d_[a-z_]+)(/([a-z0-9_]+))?`)");
  static const std::regex scenario_flag(R"(--scenario[ =]([a-z0-9_]+))");
  for (const auto& f : files) {
    const std::string text = read_file(f);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), exercise_tok); it != std::sregex_iterator(); ++it) {
      INFO(rel(f) << " names " << (*it)[0].str());
      CHECK(dirs.count((*it)[1].str()) == 1);
      if ((*it)[3].matched)
        CHECK(fs::exists(kRoot / "tests" / "mutants" / (*it)[1].str() / ((*it)[3].str() + ".cpp")));
    }
    for (auto it = std::sregex_iterator(text.begin(), text.end(), scenario_flag); it != std::sregex_iterator(); ++it) {
      INFO(rel(f) << " runs --scenario " << (*it)[1].str());
      CHECK(scenarios.count((*it)[1].str()) == 1);
    }
  }
  // The path: one row per exercise, each with a scenario to watch that exists.
  std::istringstream in(read_file(kRoot / "docs" / "path.md"));
  std::map<std::string, int> rows;
  static const std::regex row(R"(^\| *(\d+) *\| *`(\d\d_[a-z_]+)` *\|(.*)$)");
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_match(l, m, row)) continue;
    ++rows[m[2].str()];
    // The cells: concept | read | watch | then
    std::vector<std::string> cells;
    std::string rest = m[3].str(), cell;
    std::istringstream cs(rest);
    while (std::getline(cs, cell, '|')) cells.push_back(cell);
    REQUIRE(cells.size() >= 3);
    std::smatch w;
    INFO("path row for " << m[2].str() << ": watch cell '" << cells[2] << "'");
    REQUIRE(std::regex_search(cells[2], w, std::regex("`([a-z0-9_]+)`")));
    CHECK(scenarios.count(w[1].str()) == 1);
  }
  for (const auto& d : dirs) {
    INFO("the path's row for " << d);
    CHECK(rows[d] == 1);
  }
}
