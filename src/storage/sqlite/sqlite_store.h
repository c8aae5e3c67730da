// SqliteStore: the embedded implementation of the Route 53 zone, tag and credential stores.
#pragma once

// Layout: DATA_DIR/zonekeeper.db (+ -wal, -shm), created with the directory (0700) if missing;
// the database file is made 0600. Schema: numbered migrations (migrations.h), applied on open.
//
// Threading: thread-safe. Writes go to one writer connection owned by a GroupCommitter thread
// (group commit: many concurrent writes share one fsync); reads use a pool of read-only
// connections (WAL lets them run beside the writer); a Checkpointer thread copies the WAL back
// into the database file in the background. A write is durable when its method returns;
// a read started after a write returned sees it.
//
// Lifetime: destroying the store finishes queued writes, then closes every connection. Other
// processes (e.g. the CLI beside a running server) may open the same file; SQLite's locking and
// the busy timeout serialize their writes.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "services/route53/credential_store.h"
#include "services/route53/store.h"
#include "storage/sqlite/checkpointer.h"
#include "storage/sqlite/db.h"
#include "storage/sqlite/group_committer.h"

namespace zk::storage {

struct SqliteOptions {
  std::string data_dir;                        // required; the database is data_dir/zonekeeper.db
  int reader_connections = 4;                  // size of the read pool (>= 1)
  size_t max_group = 1024;                     // most writes committed together
  std::chrono::microseconds gather_wait{200};  // see GroupCommitter::Options::gather_wait
  int busy_timeout_ms = 5000;
  int checkpoint_pages = 1000;  // background checkpoint once the WAL holds this many pages
};

class SqliteStore final : public route53::ZoneStore,
                          public route53::TagStore,
                          public route53::CredentialStore {
 public:
  static constexpr const char* kDatabaseFile = "zonekeeper.db";

  // Creates the data directory if missing, opens the database and migrates it to the latest
  // schema. kFailedPrecondition when the database was written by a newer program.
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteOptions& options);
  ~SqliteStore() override;

  // route53::ZoneStore
  Result<route53::ChangeInfo> createHostedZone(const route53::HostedZone& zone,
                                               std::span<const route53::RecordSet> initial_record_sets,
                                               const route53::ChangeRequest& change) override;
  Result<route53::HostedZone> getHostedZone(std::string_view zone_id) override;
  Result<route53::HostedZone> findHostedZoneByCallerReference(std::string_view account_id,
                                                              std::string_view caller_reference) override;
  Result<bool> callerReferenceUsed(std::string_view account_id, std::string_view caller_reference) override;
  Result<route53::HostedZonePage> listHostedZones(std::string_view account_id, std::string_view marker,
                                                  size_t max_items) override;
  Result<route53::HostedZonesByNamePage> listHostedZonesByName(std::string_view account_id,
                                                               const std::optional<dns::Name>& dns_name,
                                                               std::string_view zone_id,
                                                               size_t max_items) override;
  Result<std::vector<route53::HostedZone>> allHostedZones() override;
  Result<int64_t> countHostedZones(std::string_view account_id) override;
  Result<route53::HostedZone> updateHostedZoneComment(std::string_view zone_id,
                                                      std::string_view comment) override;
  Result<route53::ChangeInfo> deleteHostedZone(std::string_view zone_id, const route53::ChangeRequest& change,
                                               bool force = false) override;
  Result<route53::ChangeInfo> commitChangeBatch(std::string_view zone_id,
                                                const route53::ChangeBatchWrite& batch) override;
  // No thread waits: `done` runs on the writer thread right after the group's commit (fsync).
  void commitChangeBatchAsync(std::string zone_id, std::shared_ptr<const route53::ChangeBatchWrite> batch,
                              ChangeDone done) override;
  Result<route53::RecordSetPage> listRecordSets(std::string_view zone_id,
                                                const std::optional<route53::RecordSetPosition>& start,
                                                size_t max_items) override;
  Result<std::vector<route53::RecordSet>> getRecordSets(std::string_view zone_id, const dns::Name& name,
                                                        std::optional<uint16_t> type) override;
  Result<route53::ZoneData> loadZone(std::string_view zone_id) override;
  Result<route53::HostedZone> scanZone(std::string_view zone_id,
                                       const std::function<Status(route53::RecordSet&&)>& fn) override;
  Result<route53::ChangeInfo> getChange(std::string_view change_id) override;
  Status markChangesInSync(std::span<const std::string> change_ids) override;
  Status markAllChangesInSync() override;

  // route53::TagStore
  Result<route53::TagMap> listTags(std::string_view resource_type, std::string_view resource_id) override;
  Result<std::vector<route53::ResourceTags>> listTagsForResources(
      std::string_view resource_type, std::span<const std::string> resource_ids) override;
  Status changeTags(std::string_view resource_type, std::string_view resource_id, const route53::TagMap& add,
                    std::span<const std::string> remove_keys,
                    std::optional<size_t> max_tags = std::nullopt) override;

  // route53::CredentialStore
  Status createAccount(const route53::Account& account) override;
  Result<route53::Account> getAccount(std::string_view account_id) override;
  Result<std::vector<route53::Account>> listAccounts() override;
  Status createAccessKey(const route53::AccessKey& key) override;
  Result<route53::AccessKey> getAccessKey(std::string_view access_key_id) override;
  Result<std::vector<route53::AccessKey>> listAccessKeys(std::string_view account_id) override;
  Status setAccessKeyStatus(std::string_view access_key_id, route53::AccessKeyStatus status) override;
  Status deleteAccessKey(std::string_view access_key_id) override;

  // Server settings: a small durable key-value table. getMeta yields nullopt for a missing key.
  Result<std::optional<std::string>> getMeta(std::string_view key);
  Status setMeta(std::string_view key, std::string_view value);
  Status deleteMeta(std::string_view key);

  // The shared writer and read pool, for the other stores over this database (iam_store.h).
  GroupCommitter& committer() { return *committer_; }
  // Runs `fn` on a pooled read-only connection.
  Status read(const std::function<Status(Database&)>& fn);

  const std::string& databasePath() const { return path_; }
  GroupCommitter::Stats commitStats() const { return committer_->stats(); }

 private:
  class ReaderLease;
  SqliteStore() = default;
  ReaderLease reader();

  std::string path_;
  std::unique_ptr<Checkpointer> checkpointer_;  // outlives the writer (its WAL hook points here)
  std::unique_ptr<GroupCommitter> committer_;
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<Database*> free_readers_;                 // guarded by readers_mu_
  std::vector<std::unique_ptr<Database>> all_readers_;  // owns them; fixed after open()
};

}  // namespace zk::storage
