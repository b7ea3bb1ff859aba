#include "kit/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "goro/goro.hpp"

extern char** environ;

namespace dojo::grader {

namespace {

std::map<std::string, SubprocessMain>& subprocesses() {
  static std::map<std::string, SubprocessMain> m;
  return m;
}

ProcessResult run_now(const std::string& name, const std::vector<std::string>& args, std::chrono::seconds limit) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  std::vector<std::string> argv_s{"grader", "--subprocess", name};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
  }
  ProcessResult r;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      r.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    const ssize_t got = read(fds[0], buf, sizeof buf);
    if (got <= 0) break;  // EOF: the child (and anything it started) closed its output
    r.output.append(buf, static_cast<std::size_t>(got));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.killed_by = WTERMSIG(status);
  return r;
}

}  // namespace

SubprocessRegistrar::SubprocessRegistrar(const char* name, SubprocessMain fn) { subprocesses()[name] = fn; }

ProcessResult run_subprocess(const std::string& name, const std::vector<std::string>& args, std::chrono::seconds limit) {
  return goro::blocking([&] { return run_now(name, args, limit); });
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/dojo-grader-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int dispatch_subprocess(int argc, char** argv) {
  if (argc < 3 || std::strcmp(argv[1], "--subprocess") != 0) return -1;
  auto it = subprocesses().find(argv[2]);
  if (it == subprocesses().end()) {
    std::fprintf(stderr, "grader: there is no subprocess '%s'\n", argv[2]);
    return 2;
  }
  return it->second(std::vector<std::string>(argv + 3, argv + argc));
}

}  // namespace dojo::grader
