// Database, Statement, Transaction and Savepoint wrappers; migrations.
#include "storage/sqlite/db.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "storage/sqlite/migrations.h"
#include "store_test_util.h"

namespace zk::storage {
namespace {

using testing::TempDir;

std::unique_ptr<Database> openDb(const std::string& path) {
  Result<std::unique_ptr<Database>> db = Database::open(path);
  EXPECT_TRUE(db.ok()) << db.status().toString();
  return db.ok() ? std::move(*db) : nullptr;
}

int64_t scalar(Database& db, const std::string& sql) {
  Result<Statement> q = db.prepare(sql);
  EXPECT_TRUE(q.ok()) << q.status().toString();
  Result<bool> row = q->step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return q->columnInt(0);
}

std::string text(Database& db, const std::string& sql) {
  Result<Statement> q = db.prepare(sql);
  EXPECT_TRUE(q.ok());
  Result<bool> row = q->step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return q->columnText(0);
}

TEST(DatabaseTest, OpensInWalWithFullSyncAndForeignKeys) {
  TempDir dir;
  auto db = openDb(dir.sub("t.db"));
  EXPECT_EQ(text(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(scalar(*db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(scalar(*db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(scalar(*db, "PRAGMA busy_timeout"), 5000);
}

TEST(DatabaseTest, BindsAndReadsEveryType) {
  TempDir dir;
  auto db = openDb(dir.sub("t.db"));
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n INTEGER)").isOk());
  Result<Statement> ins = db->prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
  ASSERT_TRUE(ins.ok());
  std::string blob("a\0b\xff", 4);
  ins->bind(1, int64_t(-42)).bind(2, std::string_view("h\xc3\xa9llo")).bindBlob(3, blob).bindNull(4);
  ASSERT_TRUE(ins->run().isOk());
  ins->reset();
  ins->bind(1, int64_t(1))
      .bind(2, "")
      .bindBlob(3, std::string_view())
      .bindOptional(4, std::optional<int64_t>(7));
  ASSERT_TRUE(ins->run().isOk());
  Result<Statement> q = db->prepare("SELECT i, s, b, n, typeof(b) FROM t ORDER BY i");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->step());
  EXPECT_EQ(q->columnInt(0), -42);
  EXPECT_EQ(q->columnText(1), "h\xc3\xa9llo");
  EXPECT_EQ(q->columnBlobString(2), blob);
  EXPECT_TRUE(q->isNull(3));
  EXPECT_EQ(q->columnOptionalInt(3), std::nullopt);
  ASSERT_TRUE(*q->step());
  EXPECT_EQ(q->columnText(4), "blob");  // an empty blob stays a BLOB, not NULL
  EXPECT_EQ(q->columnOptionalInt(3), 7);
  EXPECT_FALSE(*q->step());
}

TEST(DatabaseTest, MapsConstraintErrors) {
  TempDir dir;
  auto db = openDb(dir.sub("t.db"));
  ASSERT_TRUE(db->exec("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                       "CREATE TABLE c (pid INTEGER REFERENCES p (id), v TEXT NOT NULL);"
                       "INSERT INTO p VALUES (1);")
                  .isOk());
  Status dup = db->exec("INSERT INTO p VALUES (1)");
  EXPECT_EQ(dup.code(), Code::kAlreadyExists) << dup.toString();
  Result<Statement> fk = db->prepare("INSERT INTO c VALUES (2, 'x')");
  ASSERT_TRUE(fk.ok());
  EXPECT_EQ(fk->run().code(), Code::kFailedPrecondition);
  Result<Statement> bad = db->prepare("SELEKT 1");
  EXPECT_EQ(bad.status().code(), Code::kInternal);
}

TEST(DatabaseTest, CachedStatementsAreReusedAndReset) {
  TempDir dir;
  auto db = openDb(dir.sub("t.db"));
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1), (2), (3);").isOk());
  void* first = nullptr;
  for (int round = 0; round < 3; ++round) {
    Result<Statement> q = db->cached("SELECT i FROM t WHERE i >= ? ORDER BY i");
    ASSERT_TRUE(q.ok());
    if (first == nullptr) first = q->raw();
    EXPECT_EQ(q->raw(), first);  // prepared once
    q->bind(1, int64_t(2));
    ASSERT_TRUE(*q->step());
    EXPECT_EQ(q->columnInt(0), 2);
    // Left mid-iteration: the handle's destructor resets it (else the next round would continue).
  }
}

TEST(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  auto db = openDb(dir.sub("t.db"));
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER)").isOk());
  {
    Result<Transaction> tx = Transaction::begin(*db, Transaction::Mode::kImmediate);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)").isOk());
  }
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM t"), 0);
  {
    Result<Transaction> tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (2)").isOk());
    {
      Result<Savepoint> sp = Savepoint::begin(*db, "inner");
      ASSERT_TRUE(sp.ok());
      ASSERT_TRUE(db->exec("INSERT INTO t VALUES (3)").isOk());
    }  // rolled back to the savepoint
    {
      Result<Savepoint> sp = Savepoint::begin(*db, "inner");
      ASSERT_TRUE(sp.ok());
      ASSERT_TRUE(db->exec("INSERT INTO t VALUES (4)").isOk());
      ASSERT_TRUE(sp->release().isOk());
    }
    ASSERT_TRUE(tx->commit().isOk());
  }
  EXPECT_EQ(text(*db, "SELECT group_concat(i) FROM (SELECT i FROM t ORDER BY i)"), "2,4");
  EXPECT_FALSE(db->inTransaction());
}

TEST(MigrationsTest, NewDatabaseGetsEveryMigration) {
  TempDir dir;
  auto db = openDb(dir.sub("t.db"));
  EXPECT_EQ(*schemaVersion(*db), 0);
  ASSERT_TRUE(migrate(*db).isOk());
  EXPECT_EQ(*schemaVersion(*db), latestSchemaVersion());
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM schema_migrations"), latestSchemaVersion());
  ASSERT_TRUE(migrate(*db).isOk());  // idempotent
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM schema_migrations"), latestSchemaVersion());
}

TEST(MigrationsTest, OldDatabaseIsMigratedOnOpenAndKeepsItsData) {
  ASSERT_GE(latestSchemaVersion(), 2);
  TempDir dir;
  std::string path = dir.sub(SqliteStore::kDatabaseFile);
  {
    // A database as the first release left it: schema version 1, one zone with one record set.
    auto db = openDb(path);
    ASSERT_TRUE(migrate(*db, 1).isOk());
    EXPECT_EQ(*schemaVersion(*db), 1);
    EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'accounts'"), 0);
    dns::Name apex = testing::N("old.example.");
    Result<Statement> z = db->prepare(
        "INSERT INTO hosted_zones (id, account_id, name_wire, name_key, caller_reference, name_servers,"
        " created_at_us, record_count, version) VALUES ('ZOLD0000000001', '111111111111', ?, ?, 'r', x'', 0, "
        "1, 1)");
    ASSERT_TRUE(z.ok());
    z->bindBlob(1, apex.wireString()).bindBlob(2, route53::route53NameKey(apex));
    ASSERT_TRUE(z->run().isOk());
    Result<Statement> r = db->prepare(
        "INSERT INTO record_sets (zone_id, name_key, type_key, set_identifier, name_wire, type, ttl, vals)"
        " VALUES ('ZOLD0000000001', ?, 'TXT', '', ?, 16, 60, x'0000000568656c6c6f')");
    ASSERT_TRUE(r.ok());
    r->bindBlob(1, route53::route53NameKey(apex)).bindBlob(2, apex.wireString());
    ASSERT_TRUE(r->run().isOk());
  }
  auto store = testing::openStore(dir.path());
  ASSERT_NE(store, nullptr);
  Result<route53::ZoneData> data = store->loadZone("ZOLD0000000001");
  ASSERT_TRUE(data.ok()) << data.status().toString();
  EXPECT_EQ(data->zone.name, testing::N("old.example."));
  ASSERT_EQ(data->record_sets.size(), 1u);
  EXPECT_EQ(data->record_sets[0].values, std::vector<std::string>{"hello"});
  // Tables from later migrations work; the old zone's caller reference counts as used (migration 4).
  EXPECT_TRUE(*store->callerReferenceUsed("111111111111", "r"));
  EXPECT_FALSE(*store->callerReferenceUsed("111111111111", "s"));
  EXPECT_TRUE(store->createAccount({"111111111111", "old", {}}).isOk());
  EXPECT_TRUE(store->setMeta("k", "v").isOk());
  store.reset();
  auto db = openDb(path);
  EXPECT_EQ(*schemaVersion(*db), latestSchemaVersion());
}

TEST(MigrationsTest, RefusesADatabaseFromANewerProgram) {
  TempDir dir;
  {
    auto db = openDb(dir.sub(SqliteStore::kDatabaseFile));
    ASSERT_TRUE(migrate(*db).isOk());
    ASSERT_TRUE(db->exec("INSERT INTO schema_migrations VALUES (" +
                         std::to_string(latestSchemaVersion() + 1) + ", 0)")
                    .isOk());
  }
  SqliteOptions o;
  o.data_dir = dir.path();
  Result<std::unique_ptr<SqliteStore>> s = SqliteStore::open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition) << s.status().toString();
}

TEST(SqliteStoreOpenTest, CreatesTheDataDirectoryAndAnOwnerOnlyDatabase) {
  TempDir dir;
  std::string data = dir.sub("nested/data");
  auto store = testing::openStore(data);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->databasePath(), data + "/zonekeeper.db");
  struct stat st {};
  ASSERT_EQ(::stat(store->databasePath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(data.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace zk::storage
