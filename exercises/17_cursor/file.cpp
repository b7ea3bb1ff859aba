// Exercise 17 — the POSIX file API of file.hpp (given; do not edit).
#include "file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <utility>

namespace dojo::ex17 {

namespace {

struct Testing {
  std::mutex mu;
  testing::FileHook hook;
  std::vector<testing::FileOp> ops;
};

Testing& state() {
  static Testing t;
  return t;
}

// One moment of an operation: to the hook, and ("after") into the log.
void report(const char* op, const std::string& path, const char* when, const std::string& to = {}) {
  testing::FileOp event{op, path, to, when};
  testing::FileHook hook;
  {
    std::lock_guard lk(state().mu);
    hook = state().hook;
    if (std::strcmp(when, "after") == 0) state().ops.push_back(event);
  }
  if (hook) hook(event);
}

goro::Error file_error(const char* op, const std::string& path, int code) {
  return goro::make_error(FileError{op, path, code});
}

// write(2) until all of `data` is written (a short write is not an error).
int write_fully(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace

std::string FileError::message() const { return op + " " + path + ": " + std::strerror(code); }

goro::Result<File> File::create(const std::string& path) {
  report("create", path, "before");
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return file_error("create", path, errno);
  File f(fd, path);
  report("create", path, "after");
  return f;
}

goro::Error File::write_all(std::string_view data) {
  report("write", path_, "before");
  if (fd_ < 0) return file_error("write", path_, EBADF);
  const std::size_t half = data.size() / 2;
  if (const int code = write_fully(fd_, data.data(), half)) return file_error("write", path_, code);
  report("write", path_, "half");
  if (const int code = write_fully(fd_, data.data() + half, data.size() - half)) return file_error("write", path_, code);
  report("write", path_, "after");
  return {};
}

goro::Error File::sync() {
  report("sync", path_, "before");
  if (fd_ < 0) return file_error("sync", path_, EBADF);
  if (::fsync(fd_) != 0) return file_error("sync", path_, errno);
  report("sync", path_, "after");
  return {};
}

goro::Error File::close() {
  report("close", path_, "before");
  if (fd_ < 0) return file_error("close", path_, EBADF);
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return file_error("close", path_, errno);
  report("close", path_, "after");
  return {};
}

File::File(File&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) (void)close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) (void)close();
}

goro::Error rename_file(const std::string& from, const std::string& to) {
  report("rename", from, "before", to);
  if (std::rename(from.c_str(), to.c_str()) != 0) return file_error("rename", from, errno);
  report("rename", from, "after", to);
  return {};
}

goro::Result<std::optional<std::string>> read_file(const std::string& path) {
  report("read", path, "before");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      report("read", path, "after");
      return std::optional<std::string>();
    }
    return file_error("read", path, errno);
  }
  std::string content;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int code = errno;
      ::close(fd);
      return file_error("read", path, code);
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  report("read", path, "after");
  return std::optional<std::string>(std::move(content));
}

namespace testing {

void set_file_hook(FileHook hook) {
  std::lock_guard lk(state().mu);
  state().hook = std::move(hook);
}

std::vector<FileOp> file_ops() {
  std::lock_guard lk(state().mu);
  return state().ops;
}

void clear_file_ops() {
  std::lock_guard lk(state().mu);
  state().ops.clear();
}

}  // namespace testing

}  // namespace dojo::ex17
