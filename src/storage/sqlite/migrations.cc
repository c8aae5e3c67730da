// The schema, as numbered migrations, and the code that applies them.
#include "storage/sqlite/migrations.h"

#include <array>
#include <string>

namespace zk::storage {
namespace {

// Conventions: names and ordering keys are BLOBs compared bytewise (always bind them as BLOBs:
// SQLite orders every TEXT before every BLOB); times are microseconds since the Unix epoch; string
// lists are BLOBs of (4-byte big-endian length, bytes) items (see sqlite_store.cc).
constexpr std::array<std::string_view, 7> kMigrations{{
    // 1: hosted zones, record sets, changes, tags.
    R"sql(
CREATE TABLE hosted_zones (
  id                TEXT PRIMARY KEY,
  account_id        TEXT NOT NULL,
  name_wire         BLOB NOT NULL,
  name_key          BLOB NOT NULL,   -- route53NameKey(name)
  caller_reference  TEXT NOT NULL,
  comment           TEXT NOT NULL DEFAULT '',
  private_zone      INTEGER NOT NULL DEFAULT 0,
  name_servers      BLOB NOT NULL,
  delegation_set_id TEXT NOT NULL DEFAULT '',
  created_at_us     INTEGER NOT NULL,
  record_count      INTEGER NOT NULL DEFAULT 0,
  version           INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, caller_reference)
) WITHOUT ROWID;
CREATE INDEX hosted_zones_by_account ON hosted_zones (account_id, id);
CREATE INDEX hosted_zones_by_name ON hosted_zones (account_id, name_key, id);

CREATE TABLE record_sets (
  zone_id          TEXT NOT NULL REFERENCES hosted_zones (id) ON DELETE CASCADE,
  name_key         BLOB NOT NULL,   -- route53NameKey(name)
  type_key         TEXT NOT NULL,   -- route53TypeKey(type)
  set_identifier   TEXT NOT NULL DEFAULT '',
  name_wire        BLOB NOT NULL,
  type             INTEGER NOT NULL,
  ttl              INTEGER NOT NULL,
  vals             BLOB NOT NULL,
  weight           INTEGER,
  region           TEXT,
  failover         TEXT,
  multivalue       INTEGER,
  health_check_id  TEXT,
  traffic_policy_instance_id TEXT,
  geo_location     TEXT,
  geoproximity_location TEXT,
  cidr_routing_config TEXT,
  alias_zone_id    TEXT,
  alias_dns_name   TEXT,
  alias_evaluate   INTEGER,
  PRIMARY KEY (zone_id, name_key, type_key, set_identifier)
) WITHOUT ROWID;

CREATE TABLE changes (
  id              TEXT PRIMARY KEY,
  zone_id         TEXT NOT NULL,    -- no foreign key: GetChange outlives DeleteHostedZone
  status          TEXT NOT NULL CHECK (status IN ('PENDING', 'INSYNC')),
  submitted_at_us INTEGER NOT NULL,
  comment         TEXT NOT NULL DEFAULT '',
  zone_version    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX changes_pending ON changes (status) WHERE status = 'PENDING';

CREATE TABLE tags (
  resource_type TEXT NOT NULL,
  resource_id   TEXT NOT NULL,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  PRIMARY KEY (resource_type, resource_id, key)
) WITHOUT ROWID;
)sql",
    // 2: accounts and access keys (secrets are opaque encrypted blobs).
    R"sql(
CREATE TABLE accounts (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  created_at_us INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_keys (
  access_key_id TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts (id),
  secret        BLOB NOT NULL,
  user_name     TEXT NOT NULL,
  principal_arn TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
  created_at_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_keys_by_account ON access_keys (account_id, created_at_us, access_key_id);
)sql",
    // 3: server settings.
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql",
    // 4: every caller reference an account has used for CreateHostedZone, kept after its zone is
    // deleted: Route 53 never accepts one twice ("You must use a unique CallerReference string every
    // time you submit a CreateHostedZone request";
    // https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html). The
    // zones that exist now seed it.
    R"sql(
CREATE TABLE used_caller_references (
  account_id       TEXT NOT NULL,
  caller_reference TEXT NOT NULL,
  zone_id          TEXT NOT NULL,
  used_at_us       INTEGER NOT NULL,
  PRIMARY KEY (account_id, caller_reference)
) WITHOUT ROWID;
INSERT OR IGNORE INTO used_caller_references (account_id, caller_reference, zone_id, used_at_us)
  SELECT account_id, caller_reference, id, created_at_us FROM hosted_zones;
)sql",
    // 5: IAM (services/iam/store.h, storage/sqlite/iam_store.h). Names are unique per account and kind
    // case-insensitively (name_key = ASCII-lowercased name), the given spelling is kept
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names).
    // Tags and string lists are length-prefixed BLOB lists (tags: key, value, key, value...). The
    // access_keys table SigV4 uses gains its GetAccessKeyLastUsed columns; every user that already has
    // a key (the first-start admin, `credentials create`) becomes an IAM user with AdministratorAccess,
    // which is what such a key could do before IAM existed.
    R"sql(
ALTER TABLE access_keys ADD COLUMN last_used_us INTEGER;
ALTER TABLE access_keys ADD COLUMN last_used_service TEXT NOT NULL DEFAULT '';
ALTER TABLE access_keys ADD COLUMN last_used_region TEXT NOT NULL DEFAULT '';
CREATE INDEX access_keys_by_user ON access_keys (account_id, user_name, created_at_us);

CREATE TABLE iam_users (
  account_id           TEXT NOT NULL,
  name_key             TEXT NOT NULL,
  name                 TEXT NOT NULL,
  path                 TEXT NOT NULL,
  id                   TEXT NOT NULL UNIQUE,
  arn                  TEXT NOT NULL,
  permissions_boundary TEXT NOT NULL DEFAULT '',
  tags                 BLOB NOT NULL,
  created_at_us        INTEGER NOT NULL,
  PRIMARY KEY (account_id, name_key)
) WITHOUT ROWID;

CREATE TABLE iam_groups (
  account_id    TEXT NOT NULL,
  name_key      TEXT NOT NULL,
  name          TEXT NOT NULL,
  path          TEXT NOT NULL,
  id            TEXT NOT NULL UNIQUE,
  arn           TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  PRIMARY KEY (account_id, name_key)
) WITHOUT ROWID;

CREATE TABLE iam_group_members (
  account_id TEXT NOT NULL,
  group_key  TEXT NOT NULL,
  user_key   TEXT NOT NULL,
  added_us   INTEGER NOT NULL,
  PRIMARY KEY (account_id, group_key, user_key)
) WITHOUT ROWID;
CREATE INDEX iam_group_members_by_user ON iam_group_members (account_id, user_key);

CREATE TABLE iam_roles (
  account_id           TEXT NOT NULL,
  name_key             TEXT NOT NULL,
  name                 TEXT NOT NULL,
  path                 TEXT NOT NULL,
  id                   TEXT NOT NULL UNIQUE,
  arn                  TEXT NOT NULL,
  trust_policy         TEXT NOT NULL,
  description          TEXT NOT NULL DEFAULT '',
  max_session_duration INTEGER NOT NULL,
  permissions_boundary TEXT NOT NULL DEFAULT '',
  tags                 BLOB NOT NULL,
  created_at_us        INTEGER NOT NULL,
  PRIMARY KEY (account_id, name_key)
) WITHOUT ROWID;

CREATE TABLE iam_inline_policies (
  account_id     TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('user', 'group', 'role')),
  principal_key  TEXT NOT NULL,
  principal_name TEXT NOT NULL,
  policy_key     TEXT NOT NULL,
  policy_name    TEXT NOT NULL,
  document       TEXT NOT NULL,
  PRIMARY KEY (account_id, kind, principal_key, policy_key)
) WITHOUT ROWID;

CREATE TABLE iam_policies (
  arn                TEXT PRIMARY KEY,
  account_id         TEXT NOT NULL,
  name_key           TEXT NOT NULL,
  name               TEXT NOT NULL,
  path               TEXT NOT NULL,
  id                 TEXT NOT NULL UNIQUE,
  description        TEXT NOT NULL DEFAULT '',
  default_version_id TEXT NOT NULL,
  next_version       INTEGER NOT NULL,
  tags               BLOB NOT NULL,
  created_at_us      INTEGER NOT NULL,
  updated_at_us      INTEGER NOT NULL,
  UNIQUE (account_id, name_key)
) WITHOUT ROWID;

CREATE TABLE iam_policy_versions (
  policy_arn    TEXT NOT NULL REFERENCES iam_policies (arn) ON DELETE CASCADE,
  version_id    TEXT NOT NULL,
  document      TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  PRIMARY KEY (policy_arn, version_id)
) WITHOUT ROWID;

CREATE TABLE iam_attachments (
  account_id     TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('user', 'group', 'role')),
  principal_key  TEXT NOT NULL,
  principal_name TEXT NOT NULL,
  policy_arn     TEXT NOT NULL,
  PRIMARY KEY (account_id, kind, principal_key, policy_arn)
) WITHOUT ROWID;
CREATE INDEX iam_attachments_by_policy ON iam_attachments (policy_arn, account_id);

CREATE TABLE iam_instance_profiles (
  account_id    TEXT NOT NULL,
  name_key      TEXT NOT NULL,
  name          TEXT NOT NULL,
  path          TEXT NOT NULL,
  id            TEXT NOT NULL UNIQUE,
  arn           TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  PRIMARY KEY (account_id, name_key)
) WITHOUT ROWID;

CREATE TABLE iam_instance_profile_roles (
  account_id  TEXT NOT NULL,
  profile_key TEXT NOT NULL,
  role_key    TEXT NOT NULL,
  role_name   TEXT NOT NULL,
  PRIMARY KEY (account_id, profile_key, role_key)
) WITHOUT ROWID;
CREATE INDEX iam_instance_profile_roles_by_role ON iam_instance_profile_roles (account_id, role_key);

CREATE TABLE iam_oidc_providers (
  arn           TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL,
  url           TEXT NOT NULL,
  client_ids    BLOB NOT NULL,
  thumbprints   BLOB NOT NULL,
  tags          BLOB NOT NULL,
  created_at_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX iam_oidc_providers_by_account ON iam_oidc_providers (account_id, arn);

-- Users ids: "AIDA" + 17 characters of A-Z2-7 (hex digits with 0, 1, 8, 9 mapped to Q, R, S, T).
INSERT OR IGNORE INTO iam_users (account_id, name_key, name, path, id, arn, tags, created_at_us)
  SELECT account_id, lower(user_name), user_name, '/',
         'AIDA' || replace(replace(replace(replace(substr(hex(randomblob(9)), 1, 17), '0', 'Q'), '1', 'R'),
                                   '8', 'S'), '9', 'T'),
         principal_arn, X'', MIN(created_at_us)
  FROM access_keys WHERE user_name != '' AND principal_arn LIKE 'arn:aws:iam::%:user/%'
  GROUP BY account_id, lower(user_name);
INSERT OR IGNORE INTO iam_attachments (account_id, kind, principal_key, principal_name, policy_arn)
  SELECT account_id, 'user', name_key, name, 'arn:aws:iam::aws:policy/AdministratorAccess' FROM iam_users;
)sql",
    // 6: zones by name across accounts, for createHostedZone's name checks (one zone per name; no
    // parent/child zones of different accounts).
    R"sql(
CREATE INDEX hosted_zones_by_name_key ON hosted_zones (name_key);
)sql",
    // 7: the account of every change, so GetChange answers for a change of a deleted zone after a
    // restart too (Route 53 GetChange takes any change id it returned:
    // https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html). Existing changes take
    // it from their zone, or, once the zone is gone, from the caller reference that created it.
    R"sql(
ALTER TABLE changes ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
UPDATE changes SET account_id = COALESCE(
  (SELECT account_id FROM hosted_zones WHERE hosted_zones.id = changes.zone_id),
  (SELECT account_id FROM used_caller_references u WHERE u.zone_id = changes.zone_id LIMIT 1),
  '');
)sql",
}};

}  // namespace

std::span<const std::string_view> migrations() { return kMigrations; }
int latestSchemaVersion() { return int(kMigrations.size()); }

Result<int> schemaVersion(Database& db) {
  ZK_RETURN_IF_ERROR(
      db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at_us "
              "INTEGER NOT NULL)"));
  Result<Statement> q = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!q.ok()) return std::move(q).status();
  Result<bool> row = q->step();
  if (!row.ok()) return std::move(row).status();
  return int(q->columnInt(0));
}

Status migrate(Database& db, int target) {
  int latest = latestSchemaVersion();
  if (target < 0) target = latest;
  if (target > latest) return invalidArgument("no schema migration to version " + std::to_string(target));
  // Serialize concurrent openers (e.g. the CLI beside a running server): take the write lock first,
  // then read the version.
  Result<Transaction> tx = Transaction::begin(db, Transaction::Mode::kImmediate);
  if (!tx.ok()) return std::move(tx).status();
  Result<int> current = schemaVersion(db);
  if (!current.ok()) return std::move(current).status();
  if (*current > latest)
    return failedPrecondition("database schema version " + std::to_string(*current) +
                              " is newer than this program's " + std::to_string(latest));
  ZK_RETURN_IF_ERROR(tx->commit());
  for (int v = *current; v < target; ++v) {
    Result<Transaction> step = Transaction::begin(db, Transaction::Mode::kImmediate);
    if (!step.ok()) return std::move(step).status();
    Result<int> again = schemaVersion(db);  // another process may have migrated meanwhile
    if (!again.ok()) return std::move(again).status();
    if (*again > v) {
      ZK_RETURN_IF_ERROR(step->commit());
      v = *again - 1;
      continue;
    }
    Status st = db.exec(kMigrations[size_t(v)]);
    if (!st.isOk())
      return Status(st.code(), "schema migration " + std::to_string(v + 1) + ": " + st.message());
    Result<Statement> ins = db.prepare(
        "INSERT INTO schema_migrations (version, applied_at_us) VALUES (?, CAST((julianday('now') - "
        "2440587.5) * 86400000000 AS INTEGER))");
    if (!ins.ok()) return std::move(ins).status();
    ins->bind(1, int64_t(v + 1));
    ZK_RETURN_IF_ERROR(ins->run());
    ins = Statement();
    ZK_RETURN_IF_ERROR(step->commit());
  }
  return Status();
}

}  // namespace zk::storage
