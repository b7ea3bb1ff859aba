// Exercise 12 — a small SQLite wrapper the exercise gives you (do not edit db.hpp or db.cpp).
//
//   auto opened = Db::open("saga.db");
//   if (!opened) return opened.error();
//   Db& db = opened.value();
//   if (auto err = db.exec("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)")) return err;
//   if (auto err = db.exec("INSERT INTO t VALUES (?, ?)", {"a", "1"})) return err;
//   auto rows = db.query("SELECT k, v FROM t WHERE k = ?", {"a"});   // rows.value()[0][1] == "1"
//
// Every exec and query runs as its own transaction (SQLite's autocommit): when exec returns
// nil, the change is in the file, and a process killed right after it keeps it. Wrap several
// statements in exec("BEGIN") ... exec("COMMIT") to make them one change.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "goro/goro.hpp"

struct sqlite3;

namespace dojo::ex12 {

/// What SQLite reported. Find it with goro::as<DbError>(err).
struct DbError {
  int code = 0;        // SQLite's result code (26: "file is not a database", 14: cannot open, ...)
  std::string detail;  // SQLite's message
  [[nodiscard]] std::string message() const { return detail; }
};

/// One row of a query: each column as text (NULL as "").
using Row = std::vector<std::string>;

/// An open SQLite database file. Movable, not copyable; closed when destroyed.
class Db {
 public:
  /// Opens the database at `path`, creating an empty one if no file is there. Fails with a
  /// DbError when the file cannot be opened or created (its folder does not exist, it is a
  /// folder, ...) or is not an SQLite database. Never changes an existing file that fails.
  [[nodiscard]] static goro::Result<Db> open(const std::string& path);

  /// Runs one SQL statement; each `?` in it takes the next of `params` (bound as text, which
  /// SQLite converts for INTEGER columns). Without params, `sql` may hold several statements
  /// separated by ';'.
  [[nodiscard]] goro::Error exec(std::string_view sql, const std::vector<std::string>& params = {});

  /// Runs one query and returns its rows.
  [[nodiscard]] goro::Result<std::vector<Row>> query(std::string_view sql, const std::vector<std::string>& params = {});

 private:
  struct Close {
    void operator()(sqlite3* db) const noexcept;
  };
  explicit Db(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, Close> db_;
};

}  // namespace dojo::ex12
