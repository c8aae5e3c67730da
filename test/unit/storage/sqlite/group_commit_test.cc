// Group commit: per-job savepoints inside one transaction, concurrency, and a stress of SqliteStore writes.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "storage/sqlite/group_committer.h"
#include "store_test_util.h"

namespace zk::storage {
namespace {

using namespace testing;  // NOLINT
namespace rrtype = dns::rrtype;

std::unique_ptr<Database> openTable(const std::string& path) {
  Result<std::unique_ptr<Database>> db = Database::open(path);
  EXPECT_TRUE(db.ok());
  EXPECT_TRUE((*db)->exec("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v BLOB)").isOk());
  return std::move(*db);
}

Status insertRow(Database& db, int64_t k, size_t blob_size = 1) {
  Result<Statement> s = db.cached("INSERT INTO t (k, v) VALUES (?, zeroblob(?))");
  if (!s.ok()) return s.status();
  s->bind(1, k).bind(2, int64_t(blob_size));
  return s->run();
}

std::set<int64_t> rows(const std::string& path) {
  auto db = openTable(path);
  Result<Statement> q = db->prepare("SELECT k FROM t ORDER BY k");
  std::set<int64_t> out;
  while (*q->step()) out.insert(q->columnInt(0));
  return out;
}

// Holds the writer thread inside a job until released, so that the jobs submitted meanwhile are
// committed together as one group.
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  std::atomic<bool> entered{false};
  GroupCommitter::Work job(int64_t k) {
    return [this, k](Database& db) {
      entered = true;
      opened.wait();
      return insertRow(db, k);
    };
  }
  void waitEntered() {
    while (!entered) std::this_thread::yield();
  }
};

// A committer (no gather wait) on a fresh table whose writer is held inside job 0: what the test
// submits next is committed as one group once `gate.open` is set.
struct HeldCommitter {
  TempDir dir;
  std::string path = dir.sub("t.db");
  GroupCommitter gc{openTable(path), noGatherWait()};
  Gate gate;
  std::future<Status> f0 = gc.submit(gate.job(0));
  HeldCommitter() { gate.waitEntered(); }
  static GroupCommitter::Options noGatherWait() {
    GroupCommitter::Options o;
    o.gather_wait = std::chrono::microseconds(0);
    return o;
  }
};

TEST(GroupCommitterTest, AFailingJobRollsBackOnlyItselfAndTheOthersCommitTogether) {
  HeldCommitter held;
  const std::string& path = held.path;
  GroupCommitter& gc = held.gc;
  std::future<Status>& f0 = held.f0;
  auto f1 = gc.submit([](Database& db) { return insertRow(db, 1); });
  auto f2 = gc.submit([](Database& db) { return insertRow(db, 1); });  // duplicate of f1's row
  auto f3 = gc.submit([](Database& db) {
    Status st = insertRow(db, 3);
    if (!st.isOk()) return st;
    st = insertRow(db, 33);
    if (!st.isOk()) return st;
    return invalidArgument("rejected after writing");  // both rows must vanish
  });
  auto f4 = gc.submit([](Database& db) { return insertRow(db, 4); });
  held.gate.open.set_value();
  EXPECT_TRUE(f0.get().isOk());
  EXPECT_TRUE(f1.get().isOk());
  EXPECT_EQ(f2.get().code(), Code::kAlreadyExists);
  EXPECT_EQ(f3.get().code(), Code::kInvalidArgument);
  EXPECT_TRUE(f4.get().isOk());
  GroupCommitter::Stats s = gc.stats();
  EXPECT_EQ(s.commits, 2u);  // {f0} and {f1, f2, f3, f4}
  EXPECT_EQ(s.jobs, 5u);
  EXPECT_EQ(rows(path), (std::set<int64_t>{0, 1, 4}));
}

TEST(GroupCommitterTest, DatabaseFullFailsOneJobAndTheRestStillCommit) {
  TempDir dir;
  std::string path = dir.sub("t.db");
  auto db = openTable(path);
  ASSERT_TRUE(insertRow(*db, 100).isOk());
  // Leave room for small rows only: a 1 MiB row hits SQLITE_FULL, after which SQLite may abandon
  // the whole transaction; the committer must still commit the other jobs of the group.
  Result<Statement> pc = db->prepare("PRAGMA page_count");
  ASSERT_TRUE(*pc->step());
  int64_t pages = pc->columnInt(0);
  pc = Statement();
  ASSERT_TRUE(db->exec("PRAGMA max_page_count = " + std::to_string(pages + 4)).isOk());
  GroupCommitter::Options o;
  o.gather_wait = std::chrono::microseconds(0);
  GroupCommitter gc(std::move(db), o);
  Gate gate;
  auto f0 = gc.submit(gate.job(0));
  gate.waitEntered();
  auto f1 = gc.submit([](Database& d) { return insertRow(d, 1); });
  auto f2 = gc.submit([](Database& d) { return insertRow(d, 2, 1 << 20); });
  auto f3 = gc.submit([](Database& d) { return insertRow(d, 3); });
  gate.open.set_value();
  EXPECT_TRUE(f0.get().isOk());
  EXPECT_TRUE(f1.get().isOk());
  Status full = f2.get();
  EXPECT_EQ(full.code(), Code::kResourceExhausted) << full.toString();
  EXPECT_TRUE(f3.get().isOk());
  EXPECT_EQ(rows(path), (std::set<int64_t>{0, 1, 3, 100}));
}

TEST(GroupCommitterTest, CallbacksRunOnTheWriterThreadOnceTheGroupIsCommitted) {
  HeldCommitter held;
  const std::string& path = held.path;
  GroupCommitter& gc = held.gc;
  std::future<Status>& f0 = held.f0;
  struct Seen {
    std::promise<Status> status;
    std::thread::id thread;
    std::set<int64_t> rows;  // what another connection reads when the callback runs
  };
  std::vector<Seen> seen(3);
  auto done = [&](size_t i) {
    return [&, i](Status st) {
      seen[i].thread = std::this_thread::get_id();
      if (st.isOk()) seen[i].rows = rows(path);  // a failed job hears of it mid-transaction
      seen[i].status.set_value(std::move(st));
    };
  };
  gc.submit([](Database& db) { return insertRow(db, 1); }, done(0));
  gc.submit([](Database& db) { return insertRow(db, 1); }, done(1));  // duplicate: fails alone
  gc.submit([](Database& db) { return insertRow(db, 2); }, done(2));
  held.gate.open.set_value();
  EXPECT_TRUE(f0.get().isOk());
  EXPECT_TRUE(seen[0].status.get_future().get().isOk());
  EXPECT_EQ(seen[1].status.get_future().get().code(), Code::kAlreadyExists);
  EXPECT_TRUE(seen[2].status.get_future().get().isOk());
  // A successful job hears of it only after the commit: its row is already visible elsewhere.
  EXPECT_EQ(seen[0].rows, (std::set<int64_t>{0, 1, 2}));
  EXPECT_EQ(seen[2].rows, (std::set<int64_t>{0, 1, 2}));
  EXPECT_NE(seen[0].thread, std::this_thread::get_id());
  EXPECT_EQ(seen[0].thread, seen[2].thread);
  EXPECT_EQ(gc.stats().commits, 2u);
}

TEST(GroupCommitterTest, DrainsTheQueueOnShutdownAndRefusesLateWork) {
  TempDir dir;
  std::string path = dir.sub("t.db");
  std::vector<std::future<Status>> fs;
  {
    GroupCommitter gc(openTable(path), {});
    for (int i = 0; i < 50; ++i) fs.push_back(gc.submit([i](Database& d) { return insertRow(d, i); }));
  }
  for (auto& f : fs) EXPECT_TRUE(f.get().isOk());
  EXPECT_EQ(rows(path).size(), 50u);
}

// Many threads commit batches into one zone, some of which must fail. Every successful batch gets
// its own zone version (no gaps, no repeats), failed ones leave nothing, the final contents are
// what the version order says, and commits were shared (fewer fsyncs than batches).
TEST(GroupCommitStressTest, ConcurrentBatchesCommitExactlyOnceInVersionOrder) {
  TempDir dir;
  auto store = openStore(dir.path());
  route53::HostedZone z = zoneNamed("stress.example.");
  ASSERT_TRUE(store->createHostedZone(z, apexRecords(z), changeRequest()).ok());
  auto before = store->commitStats();

  constexpr int kThreads = 12, kPerThread = 120;
  struct Outcome {
    int64_t version;
    std::string value;
  };
  std::mutex mu;
  std::vector<Outcome> shared_writes;  // successful upserts of the shared record set
  std::vector<int64_t> versions;
  std::atomic<int> failures{0}, unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string value = "\"t" + std::to_string(t) + "-" + std::to_string(i) + "\"";
        std::string own = "t" + std::to_string(t) + "-" + std::to_string(i % 10) + ".stress.example.";
        std::vector<route53::RecordSetWrite> w;
        w.push_back(upsert(RS("shared.stress.example.", rrtype::kTXT, {value})));
        // Every 10th round re-CREATEs a record set this thread created before: must fail whole.
        if (i >= 10 && i % 10 == 0) {
          w.push_back(create(RS(own, rrtype::kTXT, {"\"again\""})));
        } else if (i < 10) {
          w.push_back(create(RS(own, rrtype::kTXT, {value})));
        } else {
          w.push_back(upsert(RS(own, rrtype::kTXT, {value})));
        }
        auto b = batchOf(std::move(w));
        Result<route53::ChangeInfo> c = store->commitChangeBatch(z.id, b);
        bool should_fail = i >= 10 && i % 10 == 0;
        if (c.ok() == should_fail) ++unexpected;
        if (!c.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lk(mu);
        versions.push_back(c->zone_version);
        shared_writes.push_back({c->zone_version, value});
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected.load(), 0);
  int expected_failures = kThreads * ((kPerThread - 10 + 9) / 10);
  EXPECT_EQ(failures.load(), expected_failures);

  std::sort(versions.begin(), versions.end());
  ASSERT_EQ(versions.size(), size_t(kThreads * kPerThread - expected_failures));
  for (size_t i = 0; i < versions.size(); ++i) ASSERT_EQ(versions[i], int64_t(i) + 2);  // 1 = creation

  auto data = store->loadZone(z.id);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->zone.version, int64_t(versions.size()) + 1);
  EXPECT_EQ(data->zone.record_count, int64_t(data->record_sets.size()));
  EXPECT_EQ(data->record_sets.size(), size_t(2 + 1 + kThreads * 10));
  auto last = std::max_element(shared_writes.begin(), shared_writes.end(),
                               [](const Outcome& a, const Outcome& b) { return a.version < b.version; });
  auto shared = store->getRecordSets(z.id, N("shared.stress.example."), rrtype::kTXT);
  ASSERT_EQ(shared->size(), 1u);
  EXPECT_EQ((*shared)[0].values, std::vector<std::string>{last->value});
  for (const auto& rs : data->record_sets)
    EXPECT_NE(rs.values.at(0), "\"again\"") << route53::route53NameText(rs.name);

  auto after = store->commitStats();
  uint64_t jobs = after.jobs - before.jobs, commits = after.commits - before.commits;
  EXPECT_EQ(jobs, uint64_t(kThreads * kPerThread));
  EXPECT_LT(commits, jobs) << "no two batches ever shared a commit";
  std::printf("[ stats    ] %llu batches in %llu commits (%.2f per fsync)\n",
              static_cast<unsigned long long>(jobs), static_cast<unsigned long long>(commits),
              commits ? double(jobs) / double(commits) : 0.0);
}

// Readers running beside the writer never see half of a batch: each batch upserts two record sets
// with the same value, and every snapshot must show them equal.
TEST(GroupCommitStressTest, ReadersSeeWholeBatchesOnly) {
  TempDir dir;
  auto store = openStore(dir.path());
  route53::HostedZone z = zoneNamed("snap.example.");
  ASSERT_TRUE(store->createHostedZone(z, apexRecords(z), changeRequest()).ok());
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::vector<std::thread> writers, readers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        std::string v = "\"" + std::to_string(t * 1000 + i) + "\"";
        auto b = batchOf({upsert(RS("x.snap.example.", rrtype::kTXT, {v})),
                          upsert(RS("y.snap.example.", rrtype::kTXT, {v}))});
        EXPECT_TRUE(store->commitChangeBatch(z.id, b).ok());
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        auto data = store->loadZone(z.id);
        if (!data.ok()) {
          ++torn;
          continue;
        }
        std::map<std::string, std::string> by_name;
        for (auto& rs : data->record_sets)
          if (rs.type == rrtype::kTXT) by_name[rs.name.toText()] = rs.values.at(0);
        if (by_name["x.snap.example."] != by_name["y.snap.example."]) ++torn;
        if (data->zone.record_count != int64_t(data->record_sets.size())) ++torn;
        ++reads;
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

// Under sustained concurrent writes the WAL stays bounded (the background checkpoint never sees an
// idle writer, so the writer must checkpoint itself now and then), and nothing is lost by it.
TEST(GroupCommitStressTest, WalStaysBoundedUnderSustainedWrites) {
  TempDir dir;
  SqliteOptions o;
  o.data_dir = dir.path();
  o.checkpoint_pages = 16;  // inline checkpoint at 8 x 16 frames
  auto opened = SqliteStore::open(o);
  ASSERT_TRUE(opened.ok());
  auto store = std::move(*opened);
  route53::HostedZone z = zoneNamed("wal.example.");
  ASSERT_TRUE(store->createHostedZone(z, apexRecords(z), changeRequest()).ok());
  // Keep a reader busy too: readers pin WAL frames while they read.
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) (void)store->listRecordSets(z.id, std::nullopt, 50);
  });
  constexpr int kThreads = 8, kPerThread = 150;
  std::vector<std::thread> writers;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string name = "w" + std::to_string(t) + "-" + std::to_string(i) + ".wal.example.";
        if (!store
                 ->commitChangeBatch(z.id, batchOf({create(RS(name, rrtype::kTXT, {std::string(300, 'x')}))}))
                 .ok())
          ++errors;
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(store->getHostedZone(z.id)->record_count, 2 + kThreads * kPerThread);
  std::error_code ec;
  auto wal_bytes = std::filesystem::file_size(store->databasePath() + "-wal", ec);
  ASSERT_FALSE(ec);
  // Unbounded, the WAL would hold every page written: > 1200 batches x ~4 pages x 4 KiB = ~19 MiB.
  EXPECT_LT(wal_bytes, 4u << 20) << "WAL grew to " << wal_bytes << " bytes";
  std::printf("[ stats    ] WAL %llu bytes after %d batches\n", static_cast<unsigned long long>(wal_bytes),
              kThreads * kPerThread);
}

}  // namespace
}  // namespace zk::storage
