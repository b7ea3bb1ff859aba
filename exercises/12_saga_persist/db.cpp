// Exercise 12 — the SQLite wrapper of db.hpp (given; do not edit).
#include "db.hpp"

#include <sqlite3.h>

#include <string>

namespace dojo::ex12 {

namespace {

goro::Error db_error(sqlite3* db, int code, std::string_view what) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return goro::make_error(DbError{code, fmt::format("{}: {}", what, msg)});
}

// A prepared statement, finalized when it goes out of scope.
struct Statement {
  sqlite3_stmt* s = nullptr;
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(s); }
};

goro::Error prepare(sqlite3* db, std::string_view sql, const std::vector<std::string>& params, Statement& st) {
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st.s, nullptr);
  if (rc != SQLITE_OK) return db_error(db, rc, "sql");
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(st.s))
    return goro::make_error(DbError{SQLITE_RANGE, fmt::format("sql: the statement has {} '?' but {} params were given",
                                                         sqlite3_bind_parameter_count(st.s), params.size())});
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int b = sqlite3_bind_text(st.s, static_cast<int>(i + 1), params[i].data(),
                                    static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
    if (b != SQLITE_OK) return db_error(db, b, "sql bind");
  }
  return {};
}

}  // namespace

void Db::Close::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

goro::Result<Db> Db::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw);  // closes even a handle that failed to open
  if (rc != SQLITE_OK) return db_error(raw, rc, fmt::format("open {}", path));
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 0);
  // SQLite reads the file lazily: look at it now, so that a file that is not a database fails here.
  if (const int check = sqlite3_exec(raw, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr); check != SQLITE_OK)
    return db_error(raw, check, fmt::format("open {}", path));
  return db;
}

goro::Error Db::exec(std::string_view sql, const std::vector<std::string>& params) {
  if (params.empty()) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &msg);
    if (rc == SQLITE_OK) return {};
    std::string text = msg != nullptr ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return goro::make_error(DbError{rc, "sql: " + text});
  }
  Statement st;
  if (auto err = prepare(db_.get(), sql, params, st)) return err;
  int rc = sqlite3_step(st.s);
  while (rc == SQLITE_ROW) rc = sqlite3_step(st.s);
  if (rc != SQLITE_DONE) return db_error(db_.get(), rc, "sql");
  return {};
}

goro::Result<std::vector<Row>> Db::query(std::string_view sql, const std::vector<std::string>& params) {
  Statement st;
  if (auto err = prepare(db_.get(), sql, params, st)) return err;
  std::vector<Row> rows;
  int rc = 0;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    Row row;
    for (int c = 0; c < sqlite3_column_count(st.s); ++c) {
      const auto* text = sqlite3_column_text(st.s, c);
      row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return db_error(db_.get(), rc, "sql");
  return rows;
}

}  // namespace dojo::ex12
