// Crash durability: a forked writer is SIGKILLed at random moments; acknowledged batches must all be
// there after reopening, and no batch may be partly there.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "store_test_util.h"

namespace zk::storage {
namespace {

using namespace testing;  // NOLINT
namespace rrtype = dns::rrtype;

constexpr int kWriterThreads = 4;
constexpr const char* kZoneId = "ZDURABILITY00001";

// Batch ids encode who wrote them: round * 10^7 + thread * 10^6 + sequence. Thread 0 writes large
// batches (so that kills land inside long transactions), the others small ones.
int recordsPerBatch(int64_t id) { return (id / 1'000'000) % 10 == 0 ? 150 : 3; }

std::string recordName(int64_t id, int j) {
  return "b" + std::to_string(id) + "-" + std::to_string(j) + ".durable.example.";
}

// The child: commits batches from several threads forever, writing each batch id to `fd` once
// commitChangeBatch has returned ok (= acknowledged). Never returns.
[[noreturn]] void runWriter(const std::string& dir, int round, int fd) {
  SqliteOptions o;
  o.data_dir = dir;
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(o);
  if (!opened.ok()) _exit(10);
  SqliteStore* store = opened->get();
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([store, round, t, fd] {
      for (int64_t seq = 0;; ++seq) {
        int64_t id = int64_t(round) * 10'000'000 + int64_t(t) * 1'000'000 + seq;
        route53::ChangeBatchWrite b;
        b.change.id = "C" + std::to_string(id);
        for (int j = 0; j < recordsPerBatch(id); ++j)
          b.writes.push_back(create(RS(recordName(id, j), rrtype::kTXT, {"\"" + std::to_string(id) + "\""})));
        if (!store->commitChangeBatch(kZoneId, b).ok()) _exit(11);
        if (::write(fd, &id, sizeof id) != sizeof id) _exit(12);
      }
    });
  }
  for (auto& th : threads) th.join();
  _exit(0);
}

// Reads acknowledged ids from `fd` until `deadline`, or until EOF when `deadline` is nullopt.
void readAcks(int fd, std::set<int64_t>& acked, std::string& partial,
              std::optional<std::chrono::steady_clock::time_point> deadline) {
  while (true) {
    int timeout_ms = -1;
    if (deadline) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      timeout_ms = int(left.count());
    }
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, timeout_ms);
    if (n == 0) return;
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    char buf[4096];
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got <= 0) return;  // EOF: the child is gone
    partial.append(buf, size_t(got));
    size_t whole = partial.size() / sizeof(int64_t) * sizeof(int64_t);
    for (size_t off = 0; off < whole; off += sizeof(int64_t)) {
      int64_t id;
      std::memcpy(&id, partial.data() + off, sizeof id);
      acked.insert(id);
    }
    partial.erase(0, whole);
  }
}

TEST(DurabilityTest, AcknowledgedBatchesSurviveSigkillAndNoBatchIsPartial) {
  TempDir dir;
  {
    auto store = openStore(dir.path());
    route53::HostedZone z = zoneNamed("durable.example.");
    z.id = kZoneId;
    ASSERT_TRUE(store->createHostedZone(z, apexRecords(z), changeRequest()).ok());
  }
  unsigned seed = unsigned(std::chrono::steady_clock::now().time_since_epoch().count());
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::set<int64_t> all_acked;
  constexpr int kRounds = 5;
  for (int round = 1; round <= kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      runWriter(dir.path(), round, fds[1]);
    }
    ::close(fds[1]);
    std::set<int64_t> acked;
    std::string partial;
    // Let the child open the store and get a first batch acknowledged (however slow the machine or
    // a sanitizer makes it), commit for a random while more, then kill it mid-flight.
    auto first_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acked.empty() && std::chrono::steady_clock::now() < first_deadline)
      readAcks(fds[0], acked, partial, std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
    auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(rng() % 500);
    readAcks(fds[0], acked, partial, kill_at);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited early with " << WEXITSTATUS(status);
    readAcks(fds[0], acked, partial, std::nullopt);  // acks written before the kill
    ::close(fds[0]);
    all_acked.insert(acked.begin(), acked.end());

    // Reopen as a restarted server would.
    auto store = openStore(dir.path());
    ASSERT_NE(store, nullptr);
    {
      Result<std::unique_ptr<Database>> db = Database::open(store->databasePath());
      ASSERT_TRUE(db.ok());
      Result<Statement> q = (*db)->prepare("PRAGMA integrity_check");
      ASSERT_TRUE(*q->step());
      EXPECT_EQ(q->columnText(0), "ok");
    }
    Result<route53::ZoneData> data = store->loadZone(kZoneId);
    ASSERT_TRUE(data.ok()) << data.status().toString();
    std::map<int64_t, int> present;  // batch id -> record sets found
    for (const auto& rs : data->record_sets) {
      if (rs.type != rrtype::kTXT) continue;
      std::string label(rs.name.firstLabel());
      int64_t id = std::stoll(label.substr(1, label.find('-') - 1));
      ++present[id];
    }
    for (const auto& [id, n] : present) {
      ASSERT_EQ(n, recordsPerBatch(id)) << "batch " << id << " is partial";
      ASSERT_TRUE(store->getChange("C" + std::to_string(id)).ok())
          << "records of " << id << " without its change";
    }
    for (int64_t id : all_acked) {
      ASSERT_TRUE(present.count(id)) << "acknowledged batch " << id << " lost (round " << round << ")";
    }
    int64_t records = 0;
    for (const auto& [id, n] : present) records += n;
    EXPECT_EQ(data->zone.record_count, records + 2);
    EXPECT_EQ(data->zone.version, int64_t(present.size()) + 1);
    std::printf("[ round %d  ] %zu acknowledged, %zu batches present after SIGKILL\n", round, acked.size(),
                present.size());
    EXPECT_GT(acked.size(), 0u) << "the writer never got a batch acknowledged";
  }
}

}  // namespace
}  // namespace zk::storage
