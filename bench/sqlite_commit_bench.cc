// Durable change batches per second through SqliteStore (group commit), 1 and 8 client threads.
// zk-bench-libs: zk_storage_sqlite zk_dns zk_base
//
// Each iteration is one ChangeResourceRecordSets-sized commit: a single-record UPSERT, durable
// (WAL fsync'd) before commitChangeBatch returns. Reported: items_per_second = batches/s over all
// threads, and batches_per_fsync = how many batches each COMMIT carried on average.
// Run: build-storage/bench/sqlite_commit_bench
// The data directory is under $ZK_BENCH_DIR (default /tmp), on the same disk as a real DATA_DIR
// should be for the figure to mean anything.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "dns/name.h"
#include "dns/types.h"
#include "services/route53/store.h"
#include "storage/sqlite/sqlite_store.h"

namespace {

using namespace zk;  // NOLINT

struct Shared {
  std::mutex mu;
  int users = 0;
  std::string dir;
  std::unique_ptr<storage::SqliteStore> store;
  std::string zone_id = "ZBENCH00000000001";
  storage::GroupCommitter::Stats start{};
};
Shared g;
std::atomic<uint64_t> g_change_seq{0};

void setUp(benchmark::State& state) {
  std::lock_guard<std::mutex> lk(g.mu);
  if (g.users++ > 0) return;
  const char* base = getenv("ZK_BENCH_DIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/zk-commit-bench-XXXXXX";
  g.dir = mkdtemp(tmpl.data());
  storage::SqliteOptions o;
  o.data_dir = g.dir;
  o.gather_wait = std::chrono::microseconds(state.range(0));
  g.store = std::move(*storage::SqliteStore::open(o));
  route53::HostedZone z;
  z.id = g.zone_id;
  z.account_id = "123456789012";
  z.name = *dns::Name::fromText("bench.example.");
  z.caller_reference = "bench";
  if (!g.store->createHostedZone(z, {}, {"CBENCH0", "", {}}).ok()) std::abort();
  g.start = g.store->commitStats();
}

void tearDown(benchmark::State& state) {
  std::lock_guard<std::mutex> lk(g.mu);
  if (--g.users > 0) return;
  auto end = g.store->commitStats();
  double commits = double(end.commits - g.start.commits);
  if (commits > 0) state.counters["batches_per_fsync"] = double(end.jobs - g.start.jobs) / commits;
  g.store.reset();
  std::error_code ec;
  std::filesystem::remove_all(g.dir, ec);
}

void BM_DurableUpsert(benchmark::State& state) {
  // Every thread joins before the timed loop (which starts and ends at a barrier of all threads);
  // the first opens the store, the last to leave closes it.
  setUp(state);
  route53::ChangeBatchWrite batch;
  route53::RecordSet rs;
  char name[64];
  std::snprintf(name, sizeof name, "t%d.bench.example.", state.thread_index());
  rs.name = *dns::Name::fromText(name);
  rs.type = dns::rrtype::kTXT;
  rs.ttl = 60;
  batch.writes.push_back({route53::WriteAction::kUpsert, rs});
  uint64_t i = 0;
  for (auto _ : state) {
    batch.change.id = "C" + std::to_string(++g_change_seq);
    batch.writes[0].record_set.values = {"\"" + std::to_string(++i) + "\""};
    Result<route53::ChangeInfo> c = g.store->commitChangeBatch(g.zone_id, batch);
    if (!c.ok()) {
      state.SkipWithError(c.status().toString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  tearDown(state);
}

}  // namespace

// Argument: the committer's gather wait in microseconds (0 = commit whatever is queued at once).
BENCHMARK(BM_DurableUpsert)->Arg(200)->Threads(1)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_DurableUpsert)->Arg(0)->Arg(200)->Arg(500)->Threads(8)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_DurableUpsert)->Arg(200)->Threads(32)->UseRealTime()->MinTime(2.0);
BENCHMARK_MAIN();
