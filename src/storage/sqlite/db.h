// RAII wrappers over the SQLite C API: Database (connection + statement cache), Statement, Transaction.
#pragma once

// Threading: a Database (and its Statements) must be used by one thread at a time; connections are
// opened in SQLite's multi-thread mode (SQLITE_OPEN_NOMUTEX). Errors are returned as Status, mapped
// from SQLite's extended result codes (see statusFromSqlite); nothing here throws.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace zk::storage {

// Maps an SQLite (extended) result code to a canonical code: UNIQUE/PRIMARY KEY constraint ->
// kAlreadyExists, FOREIGN KEY / CHECK / NOT NULL -> kFailedPrecondition, BUSY/LOCKED ->
// kUnavailable, FULL -> kResourceExhausted, anything else -> kInternal.
Status statusFromSqlite(int rc, std::string_view what, sqlite3* db = nullptr);

// A prepared statement. Owning statements finalize on destruction; statements borrowed from a
// Database's cache are reset and their bindings cleared instead. Move-only.
// Parameters and columns are 1-based / 0-based as in SQLite.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt, sqlite3* db, bool owned) : stmt_(stmt), db_(db), owned_(owned) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view text);  // TEXT
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bindBlob(int index, std::span<const uint8_t> bytes);
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bindNull(int index);
  template <typename T>
  Statement& bindOptional(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bindNull(index);
  }

  // Advances: true when a row is available, false when done.
  Result<bool> step();
  // Steps to completion (for statements that return no rows).
  Status run();
  // Resets so the statement can run again (bindings kept).
  void reset();

  bool isNull(int col) const;
  int64_t columnInt(int col) const;
  std::string columnText(int col) const;
  std::string columnBlobString(int col) const;
  std::vector<uint8_t> columnBlob(int col) const;
  std::optional<int64_t> columnOptionalInt(int col) const;
  std::optional<std::string> columnOptionalText(int col) const;

  sqlite3_stmt* raw() const { return stmt_; }

 private:
  void release();
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  bool owned_ = true;
  bool bind_failed_ = false;
  int bind_rc_ = 0;
};

struct DatabaseOptions {
  int busy_timeout_ms = 5000;
  bool read_only = false;  // PRAGMA query_only; the file is still opened read-write for WAL
};

// One SQLite connection with WAL journaling, synchronous=FULL (a commit is fsync'd before it
// returns), foreign keys on, a busy timeout, and a cache of prepared statements keyed by SQL text.
class Database {
 public:
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens (creating if missing) the database file at `path`.
  static Result<std::unique_ptr<Database>> open(const std::string& path, const DatabaseOptions& options = {});

  // Runs one or more statements without results.
  Status exec(std::string_view sql);
  // A new owning statement.
  Result<Statement> prepare(std::string_view sql);
  // A statement from the cache (prepared once per connection); reset when the handle dies.
  Result<Statement> cached(std::string_view sql);
  // Runs one statement without parameters or results from the cache (BEGIN, COMMIT, SAVEPOINT...),
  // so the hot path does not parse it again each time.
  Status execCached(std::string_view sql);

  int64_t lastInsertRowid() const;
  int changes() const;
  bool inTransaction() const;  // false once SQLite rolled back a transaction by itself
  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  // Looked up by string_view without building a std::string (C++20 heterogeneous lookup).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

// BEGIN [IMMEDIATE] ... COMMIT; rolls back on destruction unless committed.
class Transaction {
 public:
  enum class Mode { kDeferred, kImmediate };
  static Result<Transaction> begin(Database& db, Mode mode = Mode::kDeferred);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;

  Status commit();
  void rollback();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

// SAVEPOINT name ... RELEASE; rolls back to the savepoint (and releases it) on destruction unless
// released. Nested inside a transaction.
class Savepoint {
 public:
  static Result<Savepoint> begin(Database& db, std::string name);
  ~Savepoint();
  Savepoint(Savepoint&& other) noexcept : db_(other.db_), name_(std::move(other.name_)) {
    other.db_ = nullptr;
  }
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;

  Status release();
  void rollback();

 private:
  Savepoint(Database* db, std::string name) : db_(db), name_(std::move(name)) {}
  Database* db_;
  std::string name_;
};

}  // namespace zk::storage
