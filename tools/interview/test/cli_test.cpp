// `./dojo interview` end to end: a mock round scored into the progress file, filters, --json,
// and a progress file it cannot read left as it was.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Run {
  int status = -1;
  std::string out;
};

// Runs the CLI with `args`, feeding `input` on stdin.
Run run_cli(const std::string& args, const std::string& input) {
  const fs::path in = fs::temp_directory_path() / fmt::format("dojo_iv_in_{}", ::getpid());
  {
    std::ofstream f(in);
    f << input;
  }
  Run r;
  std::string cmd = fmt::format("NO_COLOR=1 '{}' {} < '{}' 2>&1", DOJO_INTERVIEW_CLI, args, in.string());
  std::FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  fs::remove(in);
  return r;
}

std::string slurp_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempProgress {
  fs::path dir = fs::temp_directory_path() / fmt::format("dojo_iv_{}", ::getpid());
  fs::path file = dir / "progress.json";
  TempProgress() { fs::create_directories(dir); }
  ~TempProgress() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

TEST_CASE("interview CLI: a senior round reveals each answer and scores it into the progress file", "[docs][cli]") {
  TempProgress tp;
  {
    std::ofstream f(tp.file);
    f << "{\n  \"01_sum\": \"passing\"\n}\n";
  }
  // Question 1: reveal, right. Question 2: reveal, partly. Question 3: reveal, wrong.
  Run r = run_cli(fmt::format("--level senior --count 3 --seed 7 --progress '{}'", tp.file.string()),
                  "\ny\n\np\n\nn\n");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Question 1 of 3 · senior") != std::string::npos);
  CHECK(r.out.find("Model answer") != std::string::npos);
  CHECK(r.out.find("Common wrong answer") != std::string::npos);
  CHECK(r.out.find("This round: 1.5 of 3 points") != std::string::npos);
  auto j = nlohmann::json::parse(slurp_file(tp.file));
  CHECK(j["01_sum"] == "passing");  // the exercises' progress is kept
  int marks = 0;
  for (auto& [k, v] : j.items())
    if (k.rfind("interview/", 0) == 0) {
      ++marks;
      CHECK((v == "right" || v == "partly" || v == "wrong"));
    }
  CHECK(marks == 3);
  Run s = run_cli(fmt::format("--score --progress '{}'", tp.file.string()), "");
  CHECK(s.out.find("1.5 points from   3 answered of") != std::string::npos);
}

TEST_CASE("interview CLI: quitting at once saves nothing and says so in the score", "[docs][cli]") {
  TempProgress tp;
  Run r = run_cli(fmt::format("--level junior --progress '{}'", tp.file.string()), "q\n");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("This round: 0.0 of 0 points") != std::string::npos);
  CHECK_FALSE(fs::exists(tp.file));
}

TEST_CASE("interview CLI: bad filters are refused with the valid choices", "[docs][cli]") {
  Run a = run_cli("--level expert", "");
  CHECK(a.status == 2);
  CHECK(a.out.find("junior, middle, senior, staff") != std::string::npos);
  Run b = run_cli("--id no-such-question", "");
  CHECK(b.status == 2);
  Run c = run_cli("--count zero", "");
  CHECK(c.status == 2);
}

TEST_CASE("interview CLI: --json lists the selected questions with their answers", "[docs][cli]") {
  TempProgress tp;
  Run r = run_cli(fmt::format("--json --level staff --progress '{}'", tp.file.string()), "");
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["questions"].size() >= 5);
  for (const auto& q : j["questions"]) {
    CHECK(q["level"] == "staff");
    CHECK_FALSE(q["answer"].get<std::string>().empty());
    CHECK_FALSE(q["tradeoffs"].get<std::string>().empty());
  }
}

TEST_CASE("interview CLI: a progress file it cannot read is left exactly as it was", "[docs][cli]") {
  TempProgress tp;
  const std::string broken = "{ \"01_sum\": \"passing\", oops";
  {
    std::ofstream f(tp.file);
    f << broken;
  }
  Run r = run_cli(fmt::format("--level junior --count 1 --progress '{}'", tp.file.string()), "\ny\n");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("not saved") != std::string::npos);
  CHECK(slurp_file(tp.file) == broken);
}

TEST_CASE("interview CLI: --run shows a program's outcomes and agrees with the bank", "[docs][cli]") {
  Run r = run_cli("--run errgroup-q30", "");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("wait returned A") != std::string::npos);
  CHECK(r.out.find("wait returned B") != std::string::npos);
}
