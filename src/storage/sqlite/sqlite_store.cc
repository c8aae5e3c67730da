// SqliteStore: hosted zones, record sets, changes, tags, credentials and settings in SQLite.
#include "storage/sqlite/sqlite_store.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <unordered_set>

#include "storage/sqlite/migrations.h"
#include "storage/sqlite/rows.h"

namespace zk::storage {

using route53::AccessKey;
using route53::AccessKeyStatus;
using route53::Account;
using route53::ChangeBatchWrite;
using route53::ChangeInfo;
using route53::ChangeRequest;
using route53::ChangeStatus;
using route53::HostedZone;
using route53::RecordSet;
using route53::Timestamp;
using route53::WriteAction;

// Column lists shared by the statements below (string literals, so SQL texts are built at compile
// time and serve as statement-cache keys).
#define ZK_ZONE_COLUMNS                                                                                   \
  "id, account_id, name_wire, caller_reference, comment, private_zone, name_servers, delegation_set_id, " \
  "created_at_us, record_count, version"
#define ZK_RECORD_COLUMNS                                                                                 \
  "name_wire, type, set_identifier, ttl, vals, weight, region, failover, multivalue, health_check_id, "   \
  "traffic_policy_instance_id, geo_location, geoproximity_location, cidr_routing_config, alias_zone_id, " \
  "alias_dns_name, alias_evaluate"
#define ZK_RECORD_ORDER " ORDER BY name_key, type_key, set_identifier"
#define ZK_RECORD_IDENTITY " zone_id = ?1 AND name_key = ?2 AND type_key = ?3 AND set_identifier = ?4"

namespace {

int64_t toMicros(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
Timestamp fromMicros(int64_t us) {
  return Timestamp(std::chrono::duration_cast<Timestamp::duration>(std::chrono::microseconds(us)));
}

// String lists as (4-byte big-endian length, bytes) items: any bytes round-trip.
std::string encodeList(const std::vector<std::string>& items) {
  std::string out;
  size_t total = 0;
  for (const auto& s : items) total += 4 + s.size();
  out.reserve(total);
  for (const auto& s : items) {
    uint32_t n = uint32_t(s.size());
    out.push_back(char(n >> 24));
    out.push_back(char(n >> 16));
    out.push_back(char(n >> 8));
    out.push_back(char(n));
    out += s;
  }
  return out;
}

Result<std::vector<std::string>> decodeList(const std::string& blob) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < blob.size()) {
    if (blob.size() - pos < 4) return internalError("corrupt string list in database");
    uint32_t n = (uint32_t(uint8_t(blob[pos])) << 24) | (uint32_t(uint8_t(blob[pos + 1])) << 16) |
                 (uint32_t(uint8_t(blob[pos + 2])) << 8) | uint32_t(uint8_t(blob[pos + 3]));
    pos += 4;
    if (blob.size() - pos < n) return internalError("corrupt string list in database");
    out.emplace_back(blob, pos, n);
    pos += n;
  }
  return out;
}

Result<dns::Name> nameColumn(const Statement& s, int col) {
  std::string w = s.columnBlobString(col);
  Result<dns::Name> n = dns::Name::fromWire({reinterpret_cast<const uint8_t*>(w.data()), w.size()});
  if (!n.ok()) return internalError("corrupt domain name in database: " + n.status().message());
  return n;
}

Result<HostedZone> readZone(const Statement& s) {
  HostedZone z;
  z.id = s.columnText(0);
  z.account_id = s.columnText(1);
  Result<dns::Name> name = nameColumn(s, 2);
  if (!name.ok()) return std::move(name).status();
  z.name = std::move(*name);
  z.caller_reference = s.columnText(3);
  z.comment = s.columnText(4);
  z.private_zone = s.columnInt(5) != 0;
  Result<std::vector<std::string>> ns = decodeList(s.columnBlobString(6));
  if (!ns.ok()) return std::move(ns).status();
  z.name_servers = std::move(*ns);
  z.delegation_set_id = s.columnText(7);
  z.created_at = fromMicros(s.columnInt(8));
  z.record_count = s.columnInt(9);
  z.version = s.columnInt(10);
  return z;
}

Result<RecordSet> readRecordSet(const Statement& s) {
  RecordSet r;
  Result<dns::Name> name = nameColumn(s, 0);
  if (!name.ok()) return std::move(name).status();
  r.name = std::move(*name);
  r.type = uint16_t(s.columnInt(1));
  r.set_identifier = s.columnText(2);
  r.ttl = uint32_t(s.columnInt(3));
  Result<std::vector<std::string>> vals = decodeList(s.columnBlobString(4));
  if (!vals.ok()) return std::move(vals).status();
  r.values = std::move(*vals);
  r.weight = s.columnOptionalInt(5);
  r.region = s.columnOptionalText(6);
  r.failover = s.columnOptionalText(7);
  if (!s.isNull(8)) r.multivalue_answer = s.columnInt(8) != 0;
  r.health_check_id = s.columnOptionalText(9);
  r.traffic_policy_instance_id = s.columnOptionalText(10);
  r.geo_location = s.columnOptionalText(11);
  r.geoproximity_location = s.columnOptionalText(12);
  r.cidr_routing_config = s.columnOptionalText(13);
  if (!s.isNull(14)) {
    r.alias = route53::AliasTarget{s.columnText(14), s.columnText(15), s.columnInt(16) != 0};
  }
  return r;
}

#define ZK_INSERT_RECORD                                                                                    \
  "INSERT INTO record_sets (zone_id, name_key, type_key, set_identifier, name_wire, type, ttl, vals, "      \
  "weight, "                                                                                                \
  "region, failover, multivalue, health_check_id, traffic_policy_instance_id, geo_location, "               \
  "geoproximity_location, cidr_routing_config, alias_zone_id, alias_dns_name, alias_evaluate) VALUES (?1, " \
  "?2, "                                                                                                    \
  "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
constexpr const char* kInsertRecordSet = ZK_INSERT_RECORD;
constexpr const char* kUpsertRecordSet = ZK_INSERT_RECORD
    " ON CONFLICT (zone_id, name_key, type_key, set_identifier) DO UPDATE SET name_wire = excluded.name_wire,"
    " type = excluded.type, ttl = excluded.ttl, vals = excluded.vals, weight = excluded.weight,"
    " region = excluded.region, failover = excluded.failover, multivalue = excluded.multivalue,"
    " health_check_id = excluded.health_check_id,"
    " traffic_policy_instance_id = excluded.traffic_policy_instance_id, geo_location = excluded.geo_location,"
    " geoproximity_location = excluded.geoproximity_location,"
    " cidr_routing_config = excluded.cidr_routing_config, alias_zone_id = excluded.alias_zone_id,"
    " alias_dns_name = excluded.alias_dns_name, alias_evaluate = excluded.alias_evaluate";

// Binds ?1..?20 of kInsertRecordSet / kUpsertRecordSet.
void bindRecordSet(Statement& s, std::string_view zone_id, const RecordSet& r) {
  s.bind(1, zone_id)
      .bindBlob(2, route53::route53NameKey(r.name))
      .bind(3, route53::route53TypeKey(r.type))
      .bind(4, r.set_identifier)
      .bindBlob(5, r.name.wireString())
      .bind(6, int64_t(r.type))
      .bind(7, int64_t(r.ttl))
      .bindBlob(8, encodeList(r.values))
      .bindOptional(9, r.weight)
      .bindOptional(10, r.region)
      .bindOptional(11, r.failover)
      .bindOptional(12, r.multivalue_answer)
      .bindOptional(13, r.health_check_id)
      .bindOptional(14, r.traffic_policy_instance_id)
      .bindOptional(15, r.geo_location)
      .bindOptional(16, r.geoproximity_location)
      .bindOptional(17, r.cidr_routing_config);
  if (r.alias) {
    s.bind(18, r.alias->hosted_zone_id)
        .bind(19, r.alias->dns_name)
        .bind(20, int64_t(r.alias->evaluate_target_health));
  } else {
    s.bindNull(18).bindNull(19).bindNull(20);
  }
}

void bindIdentity(Statement& s, std::string_view zone_id, const RecordSet& r) {
  s.bind(1, zone_id)
      .bindBlob(2, route53::route53NameKey(r.name))
      .bind(3, route53::route53TypeKey(r.type))
      .bind(4, r.set_identifier);
}

Status insertChange(Database& db, std::string_view zone_id, std::string_view account_id,
                    const ChangeRequest& req, int64_t zone_version, ChangeInfo& out) {
  Result<Statement> s = db.cached(
      "INSERT INTO changes (id, zone_id, status, submitted_at_us, comment, zone_version, account_id)"
      " VALUES (?, ?, 'PENDING', ?, ?, ?, ?)");
  if (!s.ok()) return std::move(s).status();
  s->bind(1, req.id)
      .bind(2, zone_id)
      .bind(3, toMicros(req.submitted_at))
      .bind(4, req.comment)
      .bind(5, zone_version)
      .bind(6, account_id);
  Status st = s->run();
  if (st.code() == Code::kAlreadyExists) return alreadyExists("change id " + req.id + " already exists");
  ZK_RETURN_IF_ERROR(st);
  out = ChangeInfo{req.id,      std::string(zone_id), ChangeStatus::kPending, req.submitted_at,
                   req.comment, zone_version,         std::string(account_id)};
  return Status();
}

Status notInZone(const dns::Name& name, const dns::Name& zone) {
  // Route 53's InvalidChangeBatch wording.
  return invalidArgument("RRSet with DNS name " + route53::route53NameText(name) +
                         " is not permitted in zone " + route53::route53NameText(zone));
}

// The body of commitChangeBatch, run by the writer thread inside a savepoint.
Status applyBatch(Database& db, std::string_view zone_id, const ChangeBatchWrite& batch, ChangeInfo& out) {
  dns::Name zone_name;
  std::string account_id;
  int64_t old_count = 0, version = 0;
  {
    Result<Statement> q =
        db.cached("SELECT name_wire, record_count, version, account_id FROM hosted_zones WHERE id = ?");
    if (!q.ok()) return std::move(q).status();
    q->bind(1, zone_id);
    Result<bool> row = q->step();
    if (!row.ok()) return std::move(row).status();
    if (!*row) return notFound("No hosted zone found with ID: " + std::string(zone_id));
    Result<dns::Name> n = nameColumn(*q, 0);
    if (!n.ok()) return std::move(n).status();
    zone_name = std::move(*n);
    old_count = q->columnInt(1);
    version = q->columnInt(2);
    account_id = q->columnText(3);
  }
  int64_t count = old_count;
  for (const route53::RecordSetWrite& w : batch.writes) {
    const RecordSet& rs = w.record_set;
    if (!rs.name.isSubdomainOf(zone_name)) return notInZone(rs.name, zone_name);
    if (w.action == WriteAction::kDelete) {
      Result<Statement> q =
          db.cached("SELECT " ZK_RECORD_COLUMNS " FROM record_sets WHERE" ZK_RECORD_IDENTITY);
      if (!q.ok()) return std::move(q).status();
      bindIdentity(*q, zone_id, rs);
      Result<bool> row = q->step();
      if (!row.ok()) return std::move(row).status();
      if (!*row)
        return failedPrecondition("Tried to delete resource record set " + route53::describeRecordSet(rs) +
                                  " but it was not found");
      Result<RecordSet> current = readRecordSet(*q);
      if (!current.ok()) return std::move(current).status();
      if (!route53::recordSetMatches(*current, rs))
        return failedPrecondition("Tried to delete resource record set " + route53::describeRecordSet(rs) +
                                  " but the values provided do not match the current values");
      q = Statement();  // reset before modifying the table it reads
      Result<Statement> d = db.cached("DELETE FROM record_sets WHERE" ZK_RECORD_IDENTITY);
      if (!d.ok()) return std::move(d).status();
      bindIdentity(*d, zone_id, rs);
      ZK_RETURN_IF_ERROR(d->run());
      --count;
      continue;
    }
    bool existed = false;
    {
      Result<Statement> q = db.cached("SELECT 1 FROM record_sets WHERE" ZK_RECORD_IDENTITY);
      if (!q.ok()) return std::move(q).status();
      bindIdentity(*q, zone_id, rs);
      Result<bool> e = exists(*q);
      if (!e.ok()) return std::move(e).status();
      existed = *e;
    }
    if (w.action == WriteAction::kCreate && existed)
      return failedPrecondition("Tried to create resource record set " + route53::describeRecordSet(rs) +
                                " but it already exists");
    Result<Statement> ins = db.cached(w.action == WriteAction::kCreate ? kInsertRecordSet : kUpsertRecordSet);
    if (!ins.ok()) return std::move(ins).status();
    bindRecordSet(*ins, zone_id, rs);
    ZK_RETURN_IF_ERROR(ins->run());
    if (!existed) ++count;
  }
  if (batch.inspect_name) {
    std::unordered_set<std::string> seen;
    for (const route53::RecordSetWrite& w : batch.writes) {
      std::string key = route53::route53NameKey(w.record_set.name);
      if (!seen.insert(key).second) continue;
      Result<Statement> q =
          db.cached("SELECT " ZK_RECORD_COLUMNS
                    " FROM record_sets WHERE zone_id = ?1 AND name_key = ?2" ZK_RECORD_ORDER);
      if (!q.ok()) return std::move(q).status();
      q->bind(1, zone_id).bindBlob(2, key);
      Result<std::vector<RecordSet>> sets = collect<RecordSet>(*q, readRecordSet);
      if (!sets.ok()) return std::move(sets).status();
      ZK_RETURN_IF_ERROR(batch.inspect_name(w.record_set.name, *sets));
    }
  }
  if (batch.max_record_sets && count > *batch.max_record_sets && count > old_count)
    return resourceExhausted("The hosted zone would contain " + std::to_string(count) +
                             " resource record sets, above its limit of " +
                             std::to_string(*batch.max_record_sets));
  {
    Result<Statement> u = db.cached("UPDATE hosted_zones SET record_count = ?, version = ? WHERE id = ?");
    if (!u.ok()) return std::move(u).status();
    u->bind(1, count).bind(2, version + 1).bind(3, zone_id);
    ZK_RETURN_IF_ERROR(u->run());
  }
  return insertChange(db, zone_id, account_id, batch.change, version + 1, out);
}

// The name rule of createHostedZone (store.h), inside its transaction. Every zone is served by the
// same name servers, so Route 53's rule for public zones that share name servers applies across
// accounts: "Two hosted zones that have the same name or that have a parent/child relationship
// (example.com and test.example.com) can't have any common name servers" (ConflictingDomainExists,
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html#API_CreateHostedZone_Errors).
// Within one account a parent and a child zone stay allowed: the DNS answers from the closest
// enclosing zone, as a delegation would. Lookups use hosted_zones_by_name_key (migration 6).
Status checkZoneName(Database& db, const HostedZone& zone) {
  const Status conflict = failedPrecondition("The hosted zone " + route53::route53NameText(zone.name) +
                                             " conflicts with an existing hosted zone.");
  // The name itself and every enclosing name but the root, by exact key.
  for (dns::Name n = zone.name;; n = n.parent()) {
    Result<Statement> q =
        db.cached("SELECT 1 FROM hosted_zones WHERE name_key = ?1 AND account_id <> ?2 LIMIT 1");
    if (!q.ok()) return std::move(q).status();
    q->bindBlob(1, route53::route53NameKey(n)).bind(2, zone.account_id);
    Result<bool> e = exists(*q);
    if (!e.ok()) return std::move(e).status();
    if (*e) return conflict;
    if (n.labelCount() <= 1) break;
  }
  // Children: keys that extend this one ("com.example." < child < "com.example/"; '.' separates
  // labels only, a '.' inside a label is escaped).
  const std::string key = route53::route53NameKey(zone.name);
  std::string end = key;
  end.back() = '/';
  Result<Statement> q = db.cached(
      "SELECT 1 FROM hosted_zones WHERE name_key > ?1 AND name_key < ?2 AND account_id <> ?3 LIMIT 1");
  if (!q.ok()) return std::move(q).status();
  q->bindBlob(1, key).bindBlob(2, end).bind(3, zone.account_id);
  Result<bool> e = exists(*q);
  if (!e.ok()) return std::move(e).status();
  if (*e) return conflict;
  return Status();
}

Status applyCreateZone(Database& db, const HostedZone& zone, std::span<const RecordSet> records,
                       const ChangeRequest& change, ChangeInfo& out) {
  {
    Result<Statement> q = db.cached("SELECT 1 FROM hosted_zones WHERE id = ?");
    if (!q.ok()) return std::move(q).status();
    q->bind(1, zone.id);
    Result<bool> e = exists(*q);
    if (!e.ok()) return std::move(e).status();
    if (*e) return alreadyExists("hosted zone id " + zone.id + " already exists");
  }
  ZK_RETURN_IF_ERROR(checkZoneName(db, zone));
  {
    // A caller reference is used up for good, also once its zone is deleted (Route 53
    // CreateHostedZone: HostedZoneAlreadyExists; migration 4).
    Result<Statement> ins = db.cached(
        "INSERT INTO used_caller_references (account_id, caller_reference, zone_id, used_at_us)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
    if (!ins.ok()) return std::move(ins).status();
    ins->bind(1, zone.account_id)
        .bind(2, zone.caller_reference)
        .bind(3, zone.id)
        .bind(4, toMicros(zone.created_at));
    ZK_RETURN_IF_ERROR(ins->run());
    if (db.changes() == 0)
      return alreadyExists("A hosted zone has already been created with the specified caller reference.");
  }
  {
    Result<Statement> ins = db.cached("INSERT INTO hosted_zones (" ZK_ZONE_COLUMNS
                                      ", name_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)");
    if (!ins.ok()) return std::move(ins).status();
    ins->bind(1, zone.id)
        .bind(2, zone.account_id)
        .bindBlob(3, zone.name.wireString())
        .bind(4, zone.caller_reference)
        .bind(5, zone.comment)
        .bind(6, int64_t(zone.private_zone))
        .bindBlob(7, encodeList(zone.name_servers))
        .bind(8, zone.delegation_set_id)
        .bind(9, toMicros(zone.created_at))
        .bind(10, int64_t(records.size()))
        .bindBlob(11, route53::route53NameKey(zone.name));
    ZK_RETURN_IF_ERROR(ins->run());
  }
  for (const RecordSet& rs : records) {
    if (!rs.name.isSubdomainOf(zone.name)) return notInZone(rs.name, zone.name);
    Result<Statement> ins = db.cached(kInsertRecordSet);
    if (!ins.ok()) return std::move(ins).status();
    bindRecordSet(*ins, zone.id, rs);
    Status st = ins->run();
    if (st.code() == Code::kAlreadyExists)
      return invalidArgument("duplicate resource record set " + route53::describeRecordSet(rs));
    ZK_RETURN_IF_ERROR(st);
  }
  return insertChange(db, zone.id, zone.account_id, change, 1, out);
}

}  // namespace

// ---- ReaderLease / open / close ----

class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore* store, Database* db) : store_(store), db_(db) {}
  ~ReaderLease() {
    if (db_ == nullptr) return;
    {
      std::lock_guard<std::mutex> lk(store_->readers_mu_);
      store_->free_readers_.push_back(db_);
    }
    store_->readers_cv_.notify_one();
  }
  ReaderLease(ReaderLease&& o) noexcept : store_(o.store_), db_(o.db_) { o.db_ = nullptr; }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  ReaderLease& operator=(ReaderLease&&) = delete;
  Database& operator*() const { return *db_; }
  Database* operator->() const { return db_; }

 private:
  SqliteStore* store_;
  Database* db_;
};

SqliteStore::ReaderLease SqliteStore::reader() {
  std::unique_lock<std::mutex> lk(readers_mu_);
  readers_cv_.wait(lk, [this] { return !free_readers_.empty(); });
  Database* db = free_readers_.back();
  free_readers_.pop_back();
  return ReaderLease(this, db);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteOptions& options) {
  if (options.data_dir.empty()) return invalidArgument("no data directory given");
  std::error_code ec;
  std::filesystem::path dir(options.data_dir);
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return internalError("creating data directory " + options.data_dir + ": " + ec.message());
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  std::string path = (dir / kDatabaseFile).string();
  DatabaseOptions db_options;
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  Result<std::unique_ptr<Database>> writer = Database::open(path, db_options);
  if (!writer.ok()) return std::move(writer).status();
  // The database holds (encrypted) credentials: owner-only. SQLite gives -wal/-shm the same mode.
  ::chmod(path.c_str(), 0600);
  ZK_RETURN_IF_ERROR(migrate(**writer));

  std::unique_ptr<SqliteStore> store(new SqliteStore());
  store->path_ = path;
  db_options.read_only = true;
  int n = options.reader_connections < 1 ? 1 : options.reader_connections;
  for (int i = 0; i < n; ++i) {
    Result<std::unique_ptr<Database>> r = Database::open(path, db_options);
    if (!r.ok()) return std::move(r).status();
    store->free_readers_.push_back(r->get());
    store->all_readers_.push_back(std::move(*r));
  }
  db_options.read_only = false;
  Result<std::unique_ptr<Database>> cp = Database::open(path, db_options);
  if (!cp.ok()) return std::move(cp).status();
  store->checkpointer_ = std::make_unique<Checkpointer>(std::move(*cp), options.checkpoint_pages);
  store->checkpointer_->attachTo(**writer);
  GroupCommitter::Options copts;
  copts.max_group = options.max_group;
  copts.gather_wait = options.gather_wait;
  store->committer_ = std::make_unique<GroupCommitter>(std::move(*writer), copts);
  return store;
}

Status SqliteStore::read(const std::function<Status(Database&)>& fn) {
  ReaderLease db = reader();
  return fn(*db);
}

SqliteStore::~SqliteStore() {
  committer_.reset();  // finishes queued writes, closes the writer
  checkpointer_.reset();
  all_readers_.clear();
}

// ---- hosted zones ----

Result<ChangeInfo> SqliteStore::createHostedZone(const HostedZone& zone, std::span<const RecordSet> initial,
                                                 const ChangeRequest& change) {
  ChangeInfo out;
  Status st = committer_->run([&](Database& db) { return applyCreateZone(db, zone, initial, change, out); });
  if (!st.isOk()) return st;
  return out;
}

Result<HostedZone> SqliteStore::getHostedZone(std::string_view zone_id) {
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT " ZK_ZONE_COLUMNS " FROM hosted_zones WHERE id = ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, zone_id);
  return single<HostedZone>(*q, readZone, "No hosted zone found with ID: " + std::string(zone_id));
}

Result<bool> SqliteStore::callerReferenceUsed(std::string_view account_id,
                                              std::string_view caller_reference) {
  ReaderLease db = reader();
  Result<Statement> q =
      db->cached("SELECT 1 FROM used_caller_references WHERE account_id = ? AND caller_reference = ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, account_id).bind(2, caller_reference);
  return exists(*q);
}

Result<HostedZone> SqliteStore::findHostedZoneByCallerReference(std::string_view account_id,
                                                                std::string_view caller_reference) {
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT " ZK_ZONE_COLUMNS
                                   " FROM hosted_zones WHERE account_id = ? AND caller_reference = ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, account_id).bind(2, caller_reference);
  return single<HostedZone>(*q, readZone,
                            "no hosted zone with caller reference " + std::string(caller_reference));
}

Result<route53::HostedZonePage> SqliteStore::listHostedZones(std::string_view account_id,
                                                             std::string_view marker, size_t max_items) {
  if (max_items == 0) return invalidArgument("max_items must be at least 1");
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT " ZK_ZONE_COLUMNS
                                   " FROM hosted_zones WHERE account_id = ? AND id >= ? ORDER BY id LIMIT ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, account_id).bind(2, marker).bind(3, int64_t(max_items) + 1);
  Result<std::vector<HostedZone>> zones = collect<HostedZone>(*q, readZone);
  if (!zones.ok()) return std::move(zones).status();
  route53::HostedZonePage page;
  page.zones = std::move(*zones);
  if (page.zones.size() > max_items) {
    page.next_marker = page.zones.back().id;
    page.zones.pop_back();
  }
  return page;
}

Result<route53::HostedZonesByNamePage> SqliteStore::listHostedZonesByName(
    std::string_view account_id, const std::optional<dns::Name>& dns_name, std::string_view zone_id,
    size_t max_items) {
  if (max_items == 0) return invalidArgument("max_items must be at least 1");
  ReaderLease db = reader();
  const char* sql;
  if (!dns_name) {
    sql =
        ("SELECT " ZK_ZONE_COLUMNS " FROM hosted_zones WHERE account_id = ?1 ORDER BY name_key, id LIMIT ?2");
  } else if (zone_id.empty()) {
    sql = ("SELECT " ZK_ZONE_COLUMNS
           " FROM hosted_zones WHERE account_id = ?1 AND name_key >= ?3 ORDER BY name_key, id LIMIT ?2");
  } else {
    sql = ("SELECT " ZK_ZONE_COLUMNS
           " FROM hosted_zones WHERE account_id = ?1 AND (name_key, id) >= (?3, ?4)"
           " ORDER BY name_key, id LIMIT ?2");
  }
  Result<Statement> q = db->cached(sql);
  if (!q.ok()) return std::move(q).status();
  q->bind(1, account_id).bind(2, int64_t(max_items) + 1);
  if (dns_name) q->bindBlob(3, route53::route53NameKey(*dns_name));
  if (dns_name && !zone_id.empty()) q->bind(4, zone_id);
  Result<std::vector<HostedZone>> zones = collect<HostedZone>(*q, readZone);
  if (!zones.ok()) return std::move(zones).status();
  route53::HostedZonesByNamePage page;
  page.zones = std::move(*zones);
  if (page.zones.size() > max_items) {
    page.next_dns_name = page.zones.back().name;
    page.next_zone_id = page.zones.back().id;
    page.zones.pop_back();
  }
  return page;
}

Result<std::vector<HostedZone>> SqliteStore::allHostedZones() {
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT " ZK_ZONE_COLUMNS " FROM hosted_zones ORDER BY name_key, id");
  if (!q.ok()) return std::move(q).status();
  return collect<HostedZone>(*q, readZone);
}

Result<int64_t> SqliteStore::countHostedZones(std::string_view account_id) {
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT COUNT(*) FROM hosted_zones WHERE account_id = ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, account_id);
  return single<int64_t>(
      *q, [](const Statement& s) -> Result<int64_t> { return s.columnInt(0); }, "count");
}

Result<HostedZone> SqliteStore::updateHostedZoneComment(std::string_view zone_id, std::string_view comment) {
  std::optional<HostedZone> out;
  Status st = committer_->run([&](Database& db) -> Status {
    {
      Result<Statement> u = db.cached("UPDATE hosted_zones SET comment = ? WHERE id = ?");
      if (!u.ok()) return std::move(u).status();
      u->bind(1, comment).bind(2, zone_id);
      ZK_RETURN_IF_ERROR(u->run());
      if (db.changes() == 0) return notFound("No hosted zone found with ID: " + std::string(zone_id));
    }
    Result<Statement> q = db.cached("SELECT " ZK_ZONE_COLUMNS " FROM hosted_zones WHERE id = ?");
    if (!q.ok()) return std::move(q).status();
    q->bind(1, zone_id);
    Result<HostedZone> z = single<HostedZone>(*q, readZone, "zone vanished");
    if (!z.ok()) return std::move(z).status();
    out = std::move(*z);
    return Status();
  });
  if (!st.isOk()) return st;
  return std::move(*out);
}

Result<ChangeInfo> SqliteStore::deleteHostedZone(std::string_view zone_id, const ChangeRequest& change,
                                                 bool force) {
  ChangeInfo out;
  Status st = committer_->run([&](Database& db) -> Status {
    std::string name_key, account_id;
    int64_t version = 0;
    {
      Result<Statement> q = db.cached("SELECT name_key, version, account_id FROM hosted_zones WHERE id = ?");
      if (!q.ok()) return std::move(q).status();
      q->bind(1, zone_id);
      Result<bool> row = q->step();
      if (!row.ok()) return std::move(row).status();
      if (!*row) return notFound("No hosted zone found with ID: " + std::string(zone_id));
      name_key = q->columnBlobString(0);
      version = q->columnInt(1);
      account_id = q->columnText(2);
    }
    if (!force) {
      Result<Statement> q = db.cached(
          "SELECT 1 FROM record_sets WHERE zone_id = ?1 AND NOT (name_key = ?2 AND set_identifier = ''"
          " AND type_key IN ('NS', 'SOA')) LIMIT 1");
      if (!q.ok()) return std::move(q).status();
      q->bind(1, zone_id).bindBlob(2, name_key);
      Result<bool> e = exists(*q);
      if (!e.ok()) return std::move(e).status();
      // Route 53 HostedZoneNotEmpty.
      if (*e)
        return failedPrecondition(
            "The specified hosted zone contains non-required resource record sets and so cannot be deleted.");
    }
    for (const char* sql :
         {"DELETE FROM record_sets WHERE zone_id = ?", "DELETE FROM hosted_zones WHERE id = ?",
          "DELETE FROM tags WHERE resource_type = 'hostedzone' AND resource_id = ?"}) {
      Result<Statement> d = db.cached(sql);
      if (!d.ok()) return std::move(d).status();
      d->bind(1, zone_id);
      ZK_RETURN_IF_ERROR(d->run());
    }
    return insertChange(db, zone_id, account_id, change, version + 1, out);
  });
  if (!st.isOk()) return st;
  return out;
}

// ---- record sets and changes ----

Result<ChangeInfo> SqliteStore::commitChangeBatch(std::string_view zone_id, const ChangeBatchWrite& batch) {
  ChangeInfo out;
  Status st = committer_->run([&](Database& db) { return applyBatch(db, zone_id, batch, out); });
  if (!st.isOk()) return st;
  return out;
}

void SqliteStore::commitChangeBatchAsync(std::string zone_id, std::shared_ptr<const ChangeBatchWrite> batch,
                                         ChangeDone done) {
  // The job and its completion share the output; both run on the writer thread.
  auto out = std::make_shared<ChangeInfo>();
  committer_->submit([zone_id = std::move(zone_id), batch,
                      out](Database& db) { return applyBatch(db, zone_id, *batch, *out); },
                     [out, done = std::move(done)](Status st) {
                       if (st.isOk()) {
                         done(std::move(*out));
                       } else {
                         done(std::move(st));
                       }
                     });
}

Result<route53::RecordSetPage> SqliteStore::listRecordSets(
    std::string_view zone_id, const std::optional<route53::RecordSetPosition>& start, size_t max_items) {
  if (max_items == 0) return invalidArgument("max_items must be at least 1");
  ReaderLease db = reader();
  const char* sql;
  bool with_type = start && start->type.has_value();
  bool with_id = with_type && start->set_identifier.has_value();
  if (!start) {
    sql = ("SELECT " ZK_RECORD_COLUMNS " FROM record_sets WHERE zone_id = ?1" ZK_RECORD_ORDER " LIMIT ?2");
  } else if (!with_type) {
    sql = ("SELECT " ZK_RECORD_COLUMNS
           " FROM record_sets WHERE zone_id = ?1 AND name_key >= ?3" ZK_RECORD_ORDER " LIMIT ?2");
  } else if (!with_id) {
    sql = ("SELECT " ZK_RECORD_COLUMNS
           " FROM record_sets WHERE zone_id = ?1 AND (name_key, type_key) >= (?3, ?4)" ZK_RECORD_ORDER
           " LIMIT ?2");
  } else {
    sql = ("SELECT " ZK_RECORD_COLUMNS
           " FROM record_sets WHERE zone_id = ?1 AND (name_key, type_key, set_identifier) >= (?3, ?4, "
           "?5)" ZK_RECORD_ORDER " LIMIT ?2");
  }
  Result<Statement> q = db->cached(sql);
  if (!q.ok()) return std::move(q).status();
  q->bind(1, zone_id).bind(2, int64_t(max_items) + 1);
  if (start) q->bindBlob(3, route53::route53NameKey(start->name));
  if (with_type) q->bind(4, route53::route53TypeKey(*start->type));
  if (with_id) q->bind(5, *start->set_identifier);
  Result<std::vector<RecordSet>> rs = collect<RecordSet>(*q, readRecordSet);
  if (!rs.ok()) return std::move(rs).status();
  route53::RecordSetPage page;
  page.record_sets = std::move(*rs);
  if (page.record_sets.size() > max_items) {
    const RecordSet& n = page.record_sets.back();
    page.next = route53::RecordSetPosition{
        n.name, n.type,
        n.set_identifier.empty() ? std::nullopt : std::optional<std::string>(n.set_identifier)};
    page.record_sets.pop_back();
  }
  return page;
}

Result<std::vector<RecordSet>> SqliteStore::getRecordSets(std::string_view zone_id, const dns::Name& name,
                                                          std::optional<uint16_t> type) {
  ReaderLease db = reader();
  Result<Statement> q =
      type ? db->cached(
                 "SELECT " ZK_RECORD_COLUMNS
                 " FROM record_sets WHERE zone_id = ?1 AND name_key = ?2 AND type_key = ?3" ZK_RECORD_ORDER)
           : db->cached("SELECT " ZK_RECORD_COLUMNS
                        " FROM record_sets WHERE zone_id = ?1 AND name_key = ?2" ZK_RECORD_ORDER);
  if (!q.ok()) return std::move(q).status();
  q->bind(1, zone_id).bindBlob(2, route53::route53NameKey(name));
  if (type) q->bind(3, route53::route53TypeKey(*type));
  return collect<RecordSet>(*q, readRecordSet);
}

Result<HostedZone> SqliteStore::scanZone(std::string_view zone_id,
                                         const std::function<Status(RecordSet&&)>& fn) {
  ReaderLease db = reader();
  Result<Transaction> tx = Transaction::begin(*db);  // one snapshot for the zone row and its records
  if (!tx.ok()) return std::move(tx).status();
  HostedZone zone;
  {
    Result<Statement> q = db->cached("SELECT " ZK_ZONE_COLUMNS " FROM hosted_zones WHERE id = ?");
    if (!q.ok()) return std::move(q).status();
    q->bind(1, zone_id);
    Result<HostedZone> z =
        single<HostedZone>(*q, readZone, "No hosted zone found with ID: " + std::string(zone_id));
    if (!z.ok()) return std::move(z).status();
    zone = std::move(*z);
  }
  {
    Result<Statement> q =
        db->cached("SELECT " ZK_RECORD_COLUMNS " FROM record_sets WHERE zone_id = ?1" ZK_RECORD_ORDER);
    if (!q.ok()) return std::move(q).status();
    q->bind(1, zone_id);
    while (true) {
      Result<bool> row = q->step();
      if (!row.ok()) return std::move(row).status();
      if (!*row) break;
      Result<RecordSet> rs = readRecordSet(*q);
      if (!rs.ok()) return std::move(rs).status();
      ZK_RETURN_IF_ERROR(fn(std::move(*rs)));
    }
  }
  ZK_RETURN_IF_ERROR(tx->commit());
  return zone;
}

Result<route53::ZoneData> SqliteStore::loadZone(std::string_view zone_id) {
  route53::ZoneData data;
  Result<HostedZone> zone = scanZone(zone_id, [&](RecordSet&& rs) {
    data.record_sets.push_back(std::move(rs));
    return Status();
  });
  if (!zone.ok()) return std::move(zone).status();
  data.zone = std::move(*zone);
  return data;
}

Result<ChangeInfo> SqliteStore::getChange(std::string_view change_id) {
  ReaderLease db = reader();
  Result<Statement> q = db->cached(
      "SELECT id, zone_id, status, submitted_at_us, comment, zone_version, account_id FROM changes WHERE id "
      "= ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, change_id);
  return single<ChangeInfo>(
      *q,
      [](const Statement& s) -> Result<ChangeInfo> {
        return ChangeInfo{s.columnText(0),
                          s.columnText(1),
                          s.columnText(2) == "INSYNC" ? ChangeStatus::kInSync : ChangeStatus::kPending,
                          fromMicros(s.columnInt(3)),
                          s.columnText(4),
                          s.columnInt(5),
                          s.columnText(6)};
      },
      "A change with the specified change ID does not exist.");
}

Status SqliteStore::markChangesInSync(std::span<const std::string> change_ids) {
  if (change_ids.empty()) return Status();
  return committer_->run([&](Database& db) -> Status {
    for (const std::string& id : change_ids) {
      Result<Statement> u =
          db.cached("UPDATE changes SET status = 'INSYNC' WHERE id = ? AND status = 'PENDING'");
      if (!u.ok()) return std::move(u).status();
      u->bind(1, id);
      ZK_RETURN_IF_ERROR(u->run());
    }
    return Status();
  });
}

Status SqliteStore::markAllChangesInSync() {
  return committer_->run(
      [](Database& db) { return db.exec("UPDATE changes SET status = 'INSYNC' WHERE status = 'PENDING'"); });
}

// ---- tags ----

Result<route53::TagMap> SqliteStore::listTags(std::string_view resource_type, std::string_view resource_id) {
  ReaderLease db = reader();
  Result<Statement> q =
      db->cached("SELECT key, value FROM tags WHERE resource_type = ? AND resource_id = ? ORDER BY key");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, resource_type).bind(2, resource_id);
  route53::TagMap tags;
  while (true) {
    Result<bool> row = q->step();
    if (!row.ok()) return std::move(row).status();
    if (!*row) break;
    tags.emplace(q->columnText(0), q->columnText(1));
  }
  return tags;
}

Result<std::vector<route53::ResourceTags>> SqliteStore::listTagsForResources(
    std::string_view resource_type, std::span<const std::string> resource_ids) {
  std::vector<route53::ResourceTags> out;
  out.reserve(resource_ids.size());
  for (const std::string& id : resource_ids) {
    Result<route53::TagMap> tags = listTags(resource_type, id);
    if (!tags.ok()) return std::move(tags).status();
    out.push_back({std::string(resource_type), id, std::move(*tags)});
  }
  return out;
}

Status SqliteStore::changeTags(std::string_view resource_type, std::string_view resource_id,
                               const route53::TagMap& add, std::span<const std::string> remove_keys,
                               std::optional<size_t> max_tags) {
  return committer_->run([&](Database& db) -> Status {
    for (const std::string& key : remove_keys) {
      Result<Statement> d =
          db.cached("DELETE FROM tags WHERE resource_type = ? AND resource_id = ? AND key = ?");
      if (!d.ok()) return std::move(d).status();
      d->bind(1, resource_type).bind(2, resource_id).bind(3, key);
      ZK_RETURN_IF_ERROR(d->run());
    }
    for (const auto& [key, value] : add) {
      Result<Statement> i = db.cached(
          "INSERT INTO tags (resource_type, resource_id, key, value) VALUES (?, ?, ?, ?)"
          " ON CONFLICT (resource_type, resource_id, key) DO UPDATE SET value = excluded.value");
      if (!i.ok()) return std::move(i).status();
      i->bind(1, resource_type).bind(2, resource_id).bind(3, key).bind(4, value);
      ZK_RETURN_IF_ERROR(i->run());
    }
    if (max_tags) {
      Result<Statement> c =
          db.cached("SELECT COUNT(*) FROM tags WHERE resource_type = ? AND resource_id = ?");
      if (!c.ok()) return std::move(c).status();
      c->bind(1, resource_type).bind(2, resource_id);
      Result<bool> row = c->step();
      if (!row.ok()) return std::move(row).status();
      if (size_t(c->columnInt(0)) > *max_tags)
        return resourceExhausted("The resource would have more than " + std::to_string(*max_tags) + " tags");
    }
    return Status();
  });
}

// ---- accounts and access keys ----

Status SqliteStore::createAccount(const Account& account) {
  return committer_->run([&](Database& db) -> Status {
    Result<Statement> i = db.cached("INSERT INTO accounts (id, name, created_at_us) VALUES (?, ?, ?)");
    if (!i.ok()) return std::move(i).status();
    i->bind(1, account.id).bind(2, account.name).bind(3, toMicros(account.created_at));
    Status st = i->run();
    if (st.code() == Code::kAlreadyExists) return alreadyExists("account " + account.id + " already exists");
    return st;
  });
}

namespace {
Result<Account> readAccount(const Statement& s) {
  return Account{s.columnText(0), s.columnText(1), fromMicros(s.columnInt(2))};
}
Result<AccessKey> readAccessKey(const Statement& s) {
  AccessKey k;
  k.access_key_id = s.columnText(0);
  k.account_id = s.columnText(1);
  k.encrypted_secret = s.columnBlob(2);
  k.user_name = s.columnText(3);
  k.principal_arn = s.columnText(4);
  k.status = s.columnText(5) == "Active" ? AccessKeyStatus::kActive : AccessKeyStatus::kInactive;
  k.created_at = fromMicros(s.columnInt(6));
  return k;
}
#define ZK_KEY_COLUMNS "access_key_id, account_id, secret, user_name, principal_arn, status, created_at_us"
}  // namespace

Result<Account> SqliteStore::getAccount(std::string_view account_id) {
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT id, name, created_at_us FROM accounts WHERE id = ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, account_id);
  return single<Account>(*q, readAccount, "no account " + std::string(account_id));
}

Result<std::vector<Account>> SqliteStore::listAccounts() {
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT id, name, created_at_us FROM accounts ORDER BY id");
  if (!q.ok()) return std::move(q).status();
  return collect<Account>(*q, readAccount);
}

Status SqliteStore::createAccessKey(const AccessKey& key) {
  return committer_->run([&](Database& db) -> Status {
    Result<Statement> i =
        db.cached("INSERT INTO access_keys (" ZK_KEY_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!i.ok()) return std::move(i).status();
    i->bind(1, key.access_key_id)
        .bind(2, key.account_id)
        .bindBlob(3, std::span<const uint8_t>(key.encrypted_secret))
        .bind(4, key.user_name)
        .bind(5, key.principal_arn)
        .bind(6, route53::accessKeyStatusText(key.status))
        .bind(7, toMicros(key.created_at));
    Status st = i->run();
    // Never put the key material in a message; the id is not secret.
    if (st.code() == Code::kAlreadyExists)
      return alreadyExists("access key " + key.access_key_id + " already exists");
    if (st.code() == Code::kFailedPrecondition) return failedPrecondition("no account " + key.account_id);
    return st;
  });
}

Result<AccessKey> SqliteStore::getAccessKey(std::string_view access_key_id) {
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT " ZK_KEY_COLUMNS " FROM access_keys WHERE access_key_id = ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, access_key_id);
  return single<AccessKey>(*q, readAccessKey, "no access key " + std::string(access_key_id));
}

Result<std::vector<AccessKey>> SqliteStore::listAccessKeys(std::string_view account_id) {
  ReaderLease db = reader();
  Result<Statement> q =
      db->cached("SELECT " ZK_KEY_COLUMNS
                 " FROM access_keys WHERE account_id = ? ORDER BY created_at_us, access_key_id");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, account_id);
  return collect<AccessKey>(*q, readAccessKey);
}

Status SqliteStore::setAccessKeyStatus(std::string_view access_key_id, AccessKeyStatus status) {
  return committer_->run([&](Database& db) -> Status {
    Result<Statement> u = db.cached("UPDATE access_keys SET status = ? WHERE access_key_id = ?");
    if (!u.ok()) return std::move(u).status();
    u->bind(1, route53::accessKeyStatusText(status)).bind(2, access_key_id);
    ZK_RETURN_IF_ERROR(u->run());
    if (db.changes() == 0) return notFound("no access key " + std::string(access_key_id));
    return Status();
  });
}

Status SqliteStore::deleteAccessKey(std::string_view access_key_id) {
  return committer_->run([&](Database& db) -> Status {
    Result<Statement> d = db.cached("DELETE FROM access_keys WHERE access_key_id = ?");
    if (!d.ok()) return std::move(d).status();
    d->bind(1, access_key_id);
    ZK_RETURN_IF_ERROR(d->run());
    if (db.changes() == 0) return notFound("no access key " + std::string(access_key_id));
    return Status();
  });
}

// ---- meta ----

Result<std::optional<std::string>> SqliteStore::getMeta(std::string_view key) {
  ReaderLease db = reader();
  Result<Statement> q = db->cached("SELECT value FROM meta WHERE key = ?");
  if (!q.ok()) return std::move(q).status();
  q->bind(1, key);
  Result<bool> row = q->step();
  if (!row.ok()) return std::move(row).status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(q->columnText(0));
}

Status SqliteStore::setMeta(std::string_view key, std::string_view value) {
  return committer_->run([&](Database& db) -> Status {
    Result<Statement> i = db.cached(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!i.ok()) return std::move(i).status();
    i->bind(1, key).bind(2, value);
    return i->run();
  });
}

Status SqliteStore::deleteMeta(std::string_view key) {
  return committer_->run([&](Database& db) -> Status {
    Result<Statement> d = db.cached("DELETE FROM meta WHERE key = ?");
    if (!d.ok()) return std::move(d).status();
    d->bind(1, key);
    return d->run();
  });
}

#undef ZK_ZONE_COLUMNS
#undef ZK_RECORD_COLUMNS
#undef ZK_RECORD_ORDER
#undef ZK_RECORD_IDENTITY
#undef ZK_KEY_COLUMNS
#undef ZK_INSERT_RECORD

}  // namespace zk::storage
