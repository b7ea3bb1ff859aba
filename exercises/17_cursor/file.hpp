// Exercise 17 — a small POSIX file API the exercise gives you (do not edit file.hpp or file.cpp).
//
//   auto created = File::create("cursor.tmp");          // a new, empty file
//   if (!created) return created.error();
//   File& f = created.value();
//   if (auto err = f.write_all("42\n")) return err;
//   if (auto err = f.sync()) return err;                 // fsync: the bytes are on the disk
//   if (auto err = f.close()) return err;
//   if (auto err = rename_file("cursor.tmp", "cursor")) return err;   // atomic replace
//
//   auto read = read_file("cursor");                     // Result<std::optional<std::string>>
//   if (!read) return read.error();                      // it exists but cannot be read
//   if (!read.value()) ...                               // no such file
//
// Every failure is a goro::Error holding a FileError (find it with goro::as<FileError>).
//
// For the grader: every operation reports itself to the hook set with testing::set_file_hook
// (before it starts and after it succeeded; write_all also between the two halves it writes),
// and every operation that succeeded is recorded in testing::file_ops(). The hidden checks use
// the hook to kill the process at chosen moments (a crash in the middle of a save), and the log
// to see in which order a save touched its files. Neither changes what the operations do.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "goro/goro.hpp"

namespace dojo::ex17 {

/// A file operation that failed. Find it with goro::as<FileError>(err).
struct FileError {
  std::string op;    // "create", "write", "sync", "close", "rename", "read"
  std::string path;  // the file (for rename: the file being renamed)
  int code = 0;      // errno (ENOENT, EACCES, EISDIR, ...)
  /// "create /data/cursor.tmp: No such file or directory".
  [[nodiscard]] std::string message() const;
};

/// A file open for writing. Movable, not copyable. A File still open when it is destroyed is
/// closed then (without reporting errors: call close() to see them).
class File {
 public:
  /// Creates `path` as a new, empty file open for writing (open(2) with O_CREAT | O_TRUNC |
  /// O_WRONLY, mode 0644): an existing file of that name is emptied at once. Fails when the
  /// folder does not exist or cannot be written, or `path` is a folder.
  [[nodiscard]] static goro::Result<File> create(const std::string& path);

  /// Writes all of `data` at the end of what was written so far. It takes two write(2) calls
  /// (the first half, then the rest): a process killed in between leaves half of it in the file.
  [[nodiscard]] goro::Error write_all(std::string_view data);
  /// fsync(2): returns once what was written is on the disk, not only in the OS's cache. Until
  /// then a power cut can lose it — even if a rename of the file already reached the disk.
  [[nodiscard]] goro::Error sync();
  /// Closes the file. A close can report a failed write; after it, the File can do nothing.
  [[nodiscard]] goro::Error close();

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }

  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

 private:
  File(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

/// rename(2): `from` takes the name `to`, replacing any file called `to` in one atomic step —
/// whoever opens `to` sees the old file or the new one, never a mix, even if the process dies
/// during the call. Both must be in the same folder (the same file system).
[[nodiscard]] goro::Error rename_file(const std::string& from, const std::string& to);

/// The whole content of `path`, or nullopt when there is no such file (ENOENT, also when its
/// folder is missing). Any other failure (it is a folder, it cannot be read) is a FileError.
[[nodiscard]] goro::Result<std::optional<std::string>> read_file(const std::string& path);

namespace testing {

/// One moment of one file operation, as the hook sees it.
struct FileOp {
  std::string op;    // "create", "write", "sync", "close", "rename", "read"
  std::string path;  // the file it acts on (for rename: `from`)
  std::string to;    // rename's target; "" for the others
  std::string when;  // "before" (about to start), "half" (write_all: first half written),
                     // "after" (it succeeded)
};

/// Called at every moment of every file operation, on the calling thread. Nil by default;
/// the grader sets it to crash the process at a chosen moment.
using FileHook = std::function<void(const FileOp& op)>;
void set_file_hook(FileHook hook);

/// Every operation that succeeded since the last clear_file_ops(), in order ("after" moments;
/// a close by ~File is listed as "close" too).
[[nodiscard]] std::vector<FileOp> file_ops();
void clear_file_ops();

}  // namespace testing

}  // namespace dojo::ex17
