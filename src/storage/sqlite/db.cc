// SQLite connection, statement and transaction wrappers.
#include "storage/sqlite/db.h"

#include <sqlite3.h>

namespace zk::storage {

Status statusFromSqlite(int rc, std::string_view what, sqlite3* db) {
  std::string msg(what);
  msg += ": ";
  msg += (db != nullptr) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return alreadyExists(std::move(msg));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
      return failedPrecondition(std::move(msg));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return unavailable(std::move(msg));
    case SQLITE_FULL:
      return resourceExhausted(std::move(msg));
    case SQLITE_CONSTRAINT:
      return failedPrecondition(std::move(msg));
    default:
      return internalError(std::move(msg));
  }
}

// ---- Statement ----

Statement::~Statement() { release(); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_),
      db_(other.db_),
      owned_(other.owned_),
      bind_failed_(other.bind_failed_),
      bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    stmt_ = other.stmt_;
    db_ = other.db_;
    owned_ = other.owned_;
    bind_failed_ = other.bind_failed_;
    bind_rc_ = other.bind_rc_;
    other.stmt_ = nullptr;
  }
  return *this;
}

void Statement::release() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  stmt_ = nullptr;
}

namespace {
inline void noteBind(int rc, bool& failed, int& saved) {
  if (rc != SQLITE_OK && !failed) {
    failed = true;
    saved = rc;
  }
}
}  // namespace

Statement& Statement::bind(int index, int64_t value) {
  noteBind(sqlite3_bind_int64(stmt_, index, value), bind_failed_, bind_rc_);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  noteBind(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
           bind_failed_, bind_rc_);
  return *this;
}

Statement& Statement::bindBlob(int index, std::span<const uint8_t> bytes) {
  // A zero-length blob must still be a BLOB, not NULL: pass a non-null pointer.
  static const uint8_t kEmpty = 0;
  const void* p = bytes.empty() ? &kEmpty : bytes.data();
  noteBind(sqlite3_bind_blob64(stmt_, index, p, bytes.size(), SQLITE_TRANSIENT), bind_failed_, bind_rc_);
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  return bindBlob(index,
                  std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Statement& Statement::bindNull(int index) {
  noteBind(sqlite3_bind_null(stmt_, index), bind_failed_, bind_rc_);
  return *this;
}

Result<bool> Statement::step() {
  if (bind_failed_) return statusFromSqlite(bind_rc_, "binding a parameter", db_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_errmsg is meaningful only until the next call; capture the extended code now.
  int ext = sqlite3_extended_errcode(db_);
  Status st = statusFromSqlite(ext != 0 ? ext : rc, sqlite3_sql(stmt_), db_);
  sqlite3_reset(stmt_);
  return st;
}

Status Statement::run() {
  while (true) {
    Result<bool> r = step();
    if (!r.ok()) return std::move(r).status();
    if (!*r) return Status();
  }
}

void Statement::reset() { sqlite3_reset(stmt_); }

bool Statement::isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int64_t Statement::columnInt(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::columnText(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), size_t(n));
}

std::string Statement::columnBlobString(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), size_t(n));
}

std::vector<uint8_t> Statement::columnBlob(int col) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::vector<uint8_t>() : std::vector<uint8_t>(p, p + n);
}

std::optional<int64_t> Statement::columnOptionalInt(int col) const {
  if (isNull(col)) return std::nullopt;
  return columnInt(col);
}

std::optional<std::string> Statement::columnOptionalText(int col) const {
  if (isNull(col)) return std::nullopt;
  return columnText(col);
}

// ---- Database ----

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, const DatabaseOptions& options) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status st = statusFromSqlite(rc, "opening " + path, raw);
    sqlite3_close_v2(raw);
    return st;
  }
  sqlite3_extended_result_codes(raw, 1);
  std::unique_ptr<Database> db(new Database(raw, path));
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // WAL: readers never block the writer nor each other. synchronous=FULL: in WAL mode a commit
  // fsyncs the WAL before returning, so an acknowledged transaction survives a crash or power loss
  // (https://www.sqlite.org/pragma.html#pragma_synchronous).
  Result<Statement> wal = db->prepare("PRAGMA journal_mode=WAL");
  if (!wal.ok()) return std::move(wal).status();
  Result<bool> row = wal->step();
  if (!row.ok()) return std::move(row).status();
  if (!*row || wal->columnText(0) != "wal")
    return internalError("could not switch " + path + " to WAL journal mode");
  wal = Statement();
  ZK_RETURN_IF_ERROR(db->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  if (options.read_only) ZK_RETURN_IF_ERROR(db->exec("PRAGMA query_only=ON;"));
  return db;
}

Status Database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string what = err != nullptr ? err : "exec";
    sqlite3_free(err);
    int ext = sqlite3_extended_errcode(db_);
    return statusFromSqlite(ext != 0 ? ext : rc, what);
  }
  return Status();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return statusFromSqlite(rc, "preparing " + std::string(sql), db_);
  return Statement(stmt, db_, true);
}

Status Database::execCached(std::string_view sql) {
  Result<Statement> s = cached(sql);
  if (!s.ok()) return std::move(s).status();
  return s->run();
}

Result<Statement> Database::cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return statusFromSqlite(rc, "preparing " + std::string(sql), db_);
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return Statement(it->second, db_, false);
}

int64_t Database::lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }
bool Database::inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---- Transaction ----

Result<Transaction> Transaction::begin(Database& db, Mode mode) {
  ZK_RETURN_IF_ERROR(db.execCached(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db);
}

Transaction::~Transaction() { rollback(); }

Status Transaction::commit() {
  if (db_ == nullptr) return failedPrecondition("transaction already finished");
  Status st = db_->execCached("COMMIT");
  if (!st.isOk()) {
    rollback();
    return st;
  }
  db_ = nullptr;
  return st;
}

void Transaction::rollback() {
  if (db_ == nullptr) return;
  if (db_->inTransaction()) (void)db_->exec("ROLLBACK");
  db_ = nullptr;
}

// ---- Savepoint ----

Result<Savepoint> Savepoint::begin(Database& db, std::string name) {
  ZK_RETURN_IF_ERROR(db.execCached("SAVEPOINT " + name));
  return Savepoint(&db, std::move(name));
}

Savepoint::~Savepoint() { rollback(); }

Status Savepoint::release() {
  if (db_ == nullptr) return failedPrecondition("savepoint already finished");
  Status st = db_->execCached("RELEASE " + name_);
  if (!st.isOk()) {
    rollback();
    return st;
  }
  db_ = nullptr;
  return st;
}

void Savepoint::rollback() {
  if (db_ == nullptr) return;
  // If SQLite already rolled the whole transaction back (e.g. after SQLITE_FULL), there is no
  // savepoint left to roll back to.
  if (db_->inTransaction()) {
    (void)db_->exec("ROLLBACK TO " + name_);
    (void)db_->exec("RELEASE " + name_);
  }
  db_ = nullptr;
}

}  // namespace zk::storage
