// IamSqliteStore: IAM users, keys, groups, roles, policies, instance profiles and OIDC providers in SQLite.
#include "storage/sqlite/iam_store.h"

#include <chrono>
#include <optional>

#include "storage/sqlite/rows.h"

namespace zk::storage {

using iam::AccessKey;
using iam::Account;
using iam::Attachment;
using iam::Group;
using iam::InlinePolicy;
using iam::InstanceProfile;
using iam::KeyStatus;
using iam::ManagedPolicy;
using iam::OidcProvider;
using iam::PolicyVersion;
using iam::PrincipalKind;
using iam::Role;
using iam::Tags;
using iam::Time;
using iam::User;

// Prepares `sql` (cached) on `db` into `var`, returning the error from the enclosing function.
#define ZK_STMT(var, db, sql)                            \
  Result<Statement> var##_r = (db).cached(sql);          \
  if (!var##_r.ok()) return std::move(var##_r).status(); \
  Statement& var = *var##_r

#define ZK_USER_COLUMNS "account_id, name, path, id, arn, permissions_boundary, tags, created_at_us"
#define ZK_GROUP_COLUMNS "account_id, name, path, id, arn, created_at_us"
#define ZK_ROLE_COLUMNS                                                                                      \
  "account_id, name, path, id, arn, trust_policy, description, max_session_duration, permissions_boundary, " \
  "tags, created_at_us"
#define ZK_POLICY_COLUMNS                                                                                 \
  "account_id, name, path, id, arn, description, default_version_id, next_version, tags, created_at_us, " \
  "updated_at_us"
#define ZK_KEY_COLUMNS                                                                                 \
  "access_key_id, account_id, secret, user_name, principal_arn, status, created_at_us, last_used_us, " \
  "last_used_service, last_used_region"
#define ZK_PROFILE_COLUMNS "account_id, name, path, id, arn, created_at_us"
#define ZK_OIDC_COLUMNS "account_id, url, arn, client_ids, thumbprints, tags, created_at_us"

namespace {

int64_t toMicros(Time t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
Time fromMicros(int64_t us) {
  return Time(std::chrono::duration_cast<Time::duration>(std::chrono::microseconds(us)));
}

// IAM compares names case-insensitively (ASCII: names are [\w+=,.@-]).
std::string key(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

const char* kindText(PrincipalKind k) {
  switch (k) {
    case PrincipalKind::kUser:
      return "user";
    case PrincipalKind::kGroup:
      return "group";
    case PrincipalKind::kRole:
      return "role";
  }
  return "user";
}
PrincipalKind kindFromText(const std::string& s) {
  if (s == "group") return PrincipalKind::kGroup;
  if (s == "role") return PrincipalKind::kRole;
  return PrincipalKind::kUser;
}

// String lists as (4-byte big-endian length, bytes) items, as in sqlite_store.cc.
std::string encodeList(const std::vector<std::string>& items) {
  std::string out;
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
std::string encodeTags(const Tags& tags) {
  std::vector<std::string> flat;
  for (const auto& [k, v] : tags) {
    flat.push_back(k);
    flat.push_back(v);
  }
  return encodeList(flat);
}
Result<Tags> decodeTags(const std::string& blob) {
  auto flat = decodeList(blob);
  if (!flat.ok()) return flat.status();
  if (flat->size() % 2 != 0) return internalError("corrupt tag list in database");
  Tags out;
  for (size_t i = 0; i < flat->size(); i += 2) out.emplace_back((*flat)[i], (*flat)[i + 1]);
  return out;
}

Result<User> readUser(const Statement& s) {
  User u;
  u.account_id = s.columnText(0);
  u.name = s.columnText(1);
  u.path = s.columnText(2);
  u.id = s.columnText(3);
  u.arn = s.columnText(4);
  u.permissions_boundary = s.columnText(5);
  auto tags = decodeTags(s.columnBlobString(6));
  if (!tags.ok()) return tags.status();
  u.tags = std::move(*tags);
  u.created_at = fromMicros(s.columnInt(7));
  return u;
}

Result<Group> readGroup(const Statement& s) {
  Group g;
  g.account_id = s.columnText(0);
  g.name = s.columnText(1);
  g.path = s.columnText(2);
  g.id = s.columnText(3);
  g.arn = s.columnText(4);
  g.created_at = fromMicros(s.columnInt(5));
  return g;
}

Result<Role> readRole(const Statement& s) {
  Role r;
  r.account_id = s.columnText(0);
  r.name = s.columnText(1);
  r.path = s.columnText(2);
  r.id = s.columnText(3);
  r.arn = s.columnText(4);
  r.trust_policy = s.columnText(5);
  r.description = s.columnText(6);
  r.max_session_duration = s.columnInt(7);
  r.permissions_boundary = s.columnText(8);
  auto tags = decodeTags(s.columnBlobString(9));
  if (!tags.ok()) return tags.status();
  r.tags = std::move(*tags);
  r.created_at = fromMicros(s.columnInt(10));
  return r;
}

Result<ManagedPolicy> readPolicy(const Statement& s) {
  ManagedPolicy p;
  p.account_id = s.columnText(0);
  p.name = s.columnText(1);
  p.path = s.columnText(2);
  p.id = s.columnText(3);
  p.arn = s.columnText(4);
  p.description = s.columnText(5);
  p.default_version_id = s.columnText(6);
  p.next_version = s.columnInt(7);
  auto tags = decodeTags(s.columnBlobString(8));
  if (!tags.ok()) return tags.status();
  p.tags = std::move(*tags);
  p.created_at = fromMicros(s.columnInt(9));
  p.updated_at = fromMicros(s.columnInt(10));
  return p;
}

Result<AccessKey> readKey(const Statement& s) {
  AccessKey k;
  k.access_key_id = s.columnText(0);
  k.account_id = s.columnText(1);
  k.encrypted_secret = s.columnBlob(2);
  k.user_name = s.columnText(3);
  k.principal_arn = s.columnText(4);
  k.status = s.columnText(5) == "Active" ? KeyStatus::kActive : KeyStatus::kInactive;
  k.created_at = fromMicros(s.columnInt(6));
  if (!s.isNull(7)) k.last_used = fromMicros(s.columnInt(7));
  k.last_used_service = s.columnText(8);
  k.last_used_region = s.columnText(9);
  return k;
}

Result<OidcProvider> readOidc(const Statement& s) {
  OidcProvider p;
  p.account_id = s.columnText(0);
  p.url = s.columnText(1);
  p.arn = s.columnText(2);
  auto ids = decodeList(s.columnBlobString(3));
  if (!ids.ok()) return ids.status();
  p.client_ids = std::move(*ids);
  auto th = decodeList(s.columnBlobString(4));
  if (!th.ok()) return th.status();
  p.thumbprints = std::move(*th);
  auto tags = decodeTags(s.columnBlobString(5));
  if (!tags.ok()) return tags.status();
  p.tags = std::move(*tags);
  p.created_at = fromMicros(s.columnInt(6));
  return p;
}

Result<Attachment> readAttachment(const Statement& s) {
  return Attachment{s.columnText(0), kindFromText(s.columnText(1)), s.columnText(2), s.columnText(3)};
}

Result<InlinePolicy> readInline(const Statement& s) {
  return InlinePolicy{s.columnText(0), kindFromText(s.columnText(1)), s.columnText(2), s.columnText(3),
                      s.columnText(4)};
}

// Runs `sql` with ?1 = account, ?2 = second, ?3 = third (optional) and says whether a row exists.
Result<bool> rowExists(Database& db, const char* sql, std::string_view a, std::string_view b,
                       std::string_view c = {}) {
  Result<Statement> q = db.cached(sql);
  if (!q.ok()) return std::move(q).status();
  q->bind(1, a).bind(2, b);
  if (!c.empty()) q->bind(3, c);
  return exists(*q);
}

Status runWith(Database& db, const char* sql, std::initializer_list<std::string_view> params) {
  Result<Statement> q = db.cached(sql);
  if (!q.ok()) return std::move(q).status();
  int i = 1;
  for (std::string_view p : params) q->bind(i++, p);
  return q->run();
}

std::string noSuch(std::string_view kind, std::string_view name) {
  return "The " + std::string(kind) + " with name " + std::string(name) + " cannot be found.";
}

Status requireUser(Database& db, std::string_view account, std::string_view name) {
  auto e =
      rowExists(db, "SELECT 1 FROM iam_users WHERE account_id = ?1 AND name_key = ?2", account, key(name));
  if (!e.ok()) return e.status();
  return *e ? Status() : notFound(noSuch("user", name));
}

Status requirePrincipal(Database& db, std::string_view account, PrincipalKind kind, std::string_view name) {
  const char* sql =
      kind == PrincipalKind::kUser    ? "SELECT 1 FROM iam_users WHERE account_id = ?1 AND name_key = ?2"
      : kind == PrincipalKind::kGroup ? "SELECT 1 FROM iam_groups WHERE account_id = ?1 AND name_key = ?2"
                                      : "SELECT 1 FROM iam_roles WHERE account_id = ?1 AND name_key = ?2";
  auto e = rowExists(db, sql, account, key(name));
  if (!e.ok()) return e.status();
  return *e ? Status() : notFound(noSuch(kindText(kind), name));
}

}  // namespace

// ---- accounts

Status IamSqliteStore::createAccount(const Account& a) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(i, db, "INSERT INTO accounts (id, name, created_at_us) VALUES (?, ?, ?)");
    i.bind(1, a.id).bind(2, a.name).bind(3, toMicros(a.created_at));
    Status st = i.run();
    if (st.code() == Code::kAlreadyExists) return alreadyExists("account " + a.id + " already exists");
    return st;
  });
}

Result<Account> IamSqliteStore::getAccount(std::string_view account_id) {
  std::optional<Account> out;
  Status st = db_.read([&](Database& db) -> Status {
    ZK_STMT(q, db, "SELECT id, name, created_at_us FROM accounts WHERE id = ?");
    q.bind(1, account_id);
    auto a = single<Account>(
        q,
        [](const Statement& s) -> Result<Account> {
          return Account{s.columnText(0), s.columnText(1), fromMicros(s.columnInt(2))};
        },
        "no account " + std::string(account_id));
    if (!a.ok()) return a.status();
    out = std::move(*a);
    return Status();
  });
  if (!st.isOk()) return st;
  return std::move(*out);
}

Result<std::vector<Account>> IamSqliteStore::listAccounts() {
  std::vector<Account> out;
  Status st = db_.read([&](Database& db) -> Status {
    ZK_STMT(q, db, "SELECT id, name, created_at_us FROM accounts ORDER BY id");
    auto r = collect<Account>(q, [](const Statement& s) -> Result<Account> {
      return Account{s.columnText(0), s.columnText(1), fromMicros(s.columnInt(2))};
    });
    if (!r.ok()) return r.status();
    out = std::move(*r);
    return Status();
  });
  if (!st.isOk()) return st;
  return out;
}

// Helpers for the read side: one row or every row of a query on a pooled connection.
namespace {
template <typename T, typename Bind, typename Read>
Result<T> readOne(SqliteStore& store, const char* sql, Bind bind, Read read, std::string missing) {
  std::optional<T> out;
  Status st = store.read([&](Database& db) -> Status {
    ZK_STMT(q, db, sql);
    bind(q);
    auto r = single<T>(q, read, missing);
    if (!r.ok()) return r.status();
    out = std::move(*r);
    return Status();
  });
  if (!st.isOk()) return st;
  return std::move(*out);
}
template <typename T, typename Bind, typename Read>
Result<std::vector<T>> readAll(SqliteStore& store, const char* sql, Bind bind, Read read) {
  std::vector<T> out;
  Status st = store.read([&](Database& db) -> Status {
    ZK_STMT(q, db, sql);
    bind(q);
    auto r = collect<T>(q, read);
    if (!r.ok()) return r.status();
    out = std::move(*r);
    return Status();
  });
  if (!st.isOk()) return st;
  return out;
}
}  // namespace

// ---- users

Status IamSqliteStore::createUser(const User& u) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(i, db,
            "INSERT INTO iam_users (name_key, " ZK_USER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    i.bind(1, key(u.name))
        .bind(2, u.account_id)
        .bind(3, u.name)
        .bind(4, u.path)
        .bind(5, u.id)
        .bind(6, u.arn)
        .bind(7, u.permissions_boundary)
        .bindBlob(8, encodeTags(u.tags))
        .bind(9, toMicros(u.created_at));
    Status st = i.run();
    if (st.code() == Code::kAlreadyExists)
      return alreadyExists("User with name " + u.name + " already exists.");
    return st;
  });
}

Result<User> IamSqliteStore::getUser(std::string_view account_id, std::string_view name) {
  return readOne<User>(
      db_, "SELECT " ZK_USER_COLUMNS " FROM iam_users WHERE account_id = ? AND name_key = ?",
      [&](Statement& q) { q.bind(1, account_id).bind(2, key(name)); }, readUser, noSuch("user", name));
}

Result<std::vector<User>> IamSqliteStore::listUsers(std::string_view account_id) {
  return readAll<User>(
      db_, "SELECT " ZK_USER_COLUMNS " FROM iam_users WHERE account_id = ? ORDER BY name_key",
      [&](Statement& q) { q.bind(1, account_id); }, readUser);
}

Status IamSqliteStore::updateUser(const User& u) {
  return db_.committer().run([&](Database& db) -> Status {
    std::string old_key;
    {
      ZK_STMT(q, db, "SELECT name_key FROM iam_users WHERE account_id = ? AND id = ?");
      q.bind(1, u.account_id).bind(2, u.id);
      auto row = q.step();
      if (!row.ok()) return row.status();
      if (!*row) return notFound(noSuch("user", u.name));
      old_key = q.columnText(0);
    }
    const std::string new_key = key(u.name);
    {
      ZK_STMT(
          up, db,
          "UPDATE iam_users SET name_key = ?1, name = ?2, path = ?3, arn = ?4, permissions_boundary = ?5, "
          "tags = ?6 WHERE account_id = ?7 AND id = ?8");
      up.bind(1, new_key)
          .bind(2, u.name)
          .bind(3, u.path)
          .bind(4, u.arn)
          .bind(5, u.permissions_boundary)
          .bindBlob(6, encodeTags(u.tags))
          .bind(7, u.account_id)
          .bind(8, u.id);
      Status st = up.run();
      if (st.code() == Code::kAlreadyExists)
        return alreadyExists("User with name " + u.name + " already exists.");
      ZK_RETURN_IF_ERROR(st);
    }
    // A renamed (or moved) user keeps its keys, memberships and policies.
    ZK_RETURN_IF_ERROR(
        runWith(db, "UPDATE iam_group_members SET user_key = ?1 WHERE account_id = ?2 AND user_key = ?3",
                {new_key, u.account_id, old_key}));
    ZK_RETURN_IF_ERROR(runWith(db,
                               "UPDATE iam_inline_policies SET principal_key = ?1, principal_name = ?2 WHERE "
                               "account_id = ?3 AND kind = 'user' AND principal_key = ?4",
                               {new_key, u.name, u.account_id, old_key}));
    ZK_RETURN_IF_ERROR(runWith(db,
                               "UPDATE iam_attachments SET principal_key = ?1, principal_name = ?2 WHERE "
                               "account_id = ?3 AND kind = 'user' AND principal_key = ?4",
                               {new_key, u.name, u.account_id, old_key}));
    return runWith(db,
                   "UPDATE access_keys SET user_name = ?1, principal_arn = ?2 WHERE account_id = ?3 AND "
                   "lower(user_name) = ?4",
                   {u.name, u.arn, u.account_id, old_key});
  });
}

Status IamSqliteStore::deleteUser(std::string_view account_id, std::string_view name) {
  return db_.committer().run([&](Database& db) -> Status {
    const std::string k = key(name);
    ZK_RETURN_IF_ERROR(requireUser(db, account_id, name));
    // DeleteUser: "you must delete the items attached to the user manually"
    // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html): DeleteConflict.
    struct Check {
      const char* sql;
      const char* message;
    };
    static const Check kChecks[] = {
        {"SELECT 1 FROM access_keys WHERE account_id = ?1 AND lower(user_name) = ?2 LIMIT 1",
         "Cannot delete entity, must delete access keys first."},
        {"SELECT 1 FROM iam_inline_policies WHERE account_id = ?1 AND kind = 'user' AND principal_key = ?2 "
         "LIMIT 1",
         "Cannot delete entity, must delete policies first."},
        {"SELECT 1 FROM iam_attachments WHERE account_id = ?1 AND kind = 'user' AND principal_key = ?2 LIMIT "
         "1",
         "Cannot delete entity, must detach all policies first."},
        {"SELECT 1 FROM iam_group_members WHERE account_id = ?1 AND user_key = ?2 LIMIT 1",
         "Cannot delete entity, must remove user from all groups first."},
    };
    for (const Check& c : kChecks) {
      auto e = rowExists(db, c.sql, account_id, k);
      if (!e.ok()) return e.status();
      if (*e) return failedPrecondition(c.message);
    }
    return runWith(db, "DELETE FROM iam_users WHERE account_id = ?1 AND name_key = ?2", {account_id, k});
  });
}

// ---- access keys

Status IamSqliteStore::createAccessKey(const AccessKey& k, int max_per_user) {
  return db_.committer().run([&](Database& db) -> Status {
    if (!k.user_name.empty()) {
      ZK_STMT(c, db, "SELECT COUNT(*) FROM access_keys WHERE account_id = ? AND lower(user_name) = ?");
      c.bind(1, k.account_id).bind(2, key(k.user_name));
      auto n = count(c);
      if (!n.ok()) return n.status();
      if (*n >= max_per_user)
        return resourceExhausted("Cannot exceed quota for AccessKeysPerUser: " +
                                 std::to_string(max_per_user));
    }
    ZK_STMT(i, db,
            "INSERT INTO access_keys (access_key_id, account_id, secret, user_name, principal_arn, status, "
            "created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?)");
    i.bind(1, k.access_key_id)
        .bind(2, k.account_id)
        .bindBlob(3, std::span<const uint8_t>(k.encrypted_secret))
        .bind(4, k.user_name)
        .bind(5, k.principal_arn)
        .bind(6, k.status == KeyStatus::kActive ? "Active" : "Inactive")
        .bind(7, toMicros(k.created_at));
    Status st = i.run();
    // Never put key material in a message; the id is not secret.
    if (st.code() == Code::kAlreadyExists)
      return alreadyExists("access key " + k.access_key_id + " already exists");
    if (st.code() == Code::kFailedPrecondition) return failedPrecondition("no account " + k.account_id);
    return st;
  });
}

Result<AccessKey> IamSqliteStore::getAccessKey(std::string_view access_key_id) {
  return readOne<AccessKey>(
      db_, "SELECT " ZK_KEY_COLUMNS " FROM access_keys WHERE access_key_id = ?",
      [&](Statement& q) { q.bind(1, access_key_id); }, readKey,
      "The Access Key with id " + std::string(access_key_id) + " cannot be found.");
}

Result<std::vector<AccessKey>> IamSqliteStore::listAccessKeys(std::string_view account_id,
                                                              std::string_view user_name) {
  return readAll<AccessKey>(
      db_,
      "SELECT " ZK_KEY_COLUMNS
      " FROM access_keys WHERE account_id = ? AND lower(user_name) = ? ORDER BY created_at_us, access_key_id",
      [&](Statement& q) { q.bind(1, account_id).bind(2, key(user_name)); }, readKey);
}

Status IamSqliteStore::setAccessKeyStatus(std::string_view access_key_id, KeyStatus status) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(runWith(db, "UPDATE access_keys SET status = ?1 WHERE access_key_id = ?2",
                               {status == KeyStatus::kActive ? "Active" : "Inactive", access_key_id}));
    if (db.changes() == 0)
      return notFound("The Access Key with id " + std::string(access_key_id) + " cannot be found.");
    return Status();
  });
}

Status IamSqliteStore::recordAccessKeyUse(std::string_view access_key_id, Time when, std::string_view service,
                                          std::string_view region) {
  // Queued, not waited for (see the header).
  db_.committer().submit(
      [id = std::string(access_key_id), us = toMicros(when), service = std::string(service),
       region = std::string(region)](Database& db) -> Status {
        ZK_STMT(u, db,
                "UPDATE access_keys SET last_used_us = ?1, last_used_service = ?2, last_used_region = ?3 "
                "WHERE access_key_id = ?4 AND (last_used_us IS NULL OR last_used_us <= ?1)");
        u.bind(1, us).bind(2, service).bind(3, region).bind(4, id);
        return u.run();
      },
      [](Status) {});
  return Status();
}

Status IamSqliteStore::deleteAccessKey(std::string_view access_key_id) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(runWith(db, "DELETE FROM access_keys WHERE access_key_id = ?1", {access_key_id}));
    if (db.changes() == 0)
      return notFound("The Access Key with id " + std::string(access_key_id) + " cannot be found.");
    return Status();
  });
}

// ---- groups

Status IamSqliteStore::createGroup(const Group& g) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(i, db, "INSERT INTO iam_groups (name_key, " ZK_GROUP_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    i.bind(1, key(g.name))
        .bind(2, g.account_id)
        .bind(3, g.name)
        .bind(4, g.path)
        .bind(5, g.id)
        .bind(6, g.arn)
        .bind(7, toMicros(g.created_at));
    Status st = i.run();
    if (st.code() == Code::kAlreadyExists)
      return alreadyExists("Group with name " + g.name + " already exists.");
    return st;
  });
}

Result<Group> IamSqliteStore::getGroup(std::string_view account_id, std::string_view name) {
  return readOne<Group>(
      db_, "SELECT " ZK_GROUP_COLUMNS " FROM iam_groups WHERE account_id = ? AND name_key = ?",
      [&](Statement& q) { q.bind(1, account_id).bind(2, key(name)); }, readGroup, noSuch("group", name));
}

Result<std::vector<Group>> IamSqliteStore::listGroups(std::string_view account_id) {
  return readAll<Group>(
      db_, "SELECT " ZK_GROUP_COLUMNS " FROM iam_groups WHERE account_id = ? ORDER BY name_key",
      [&](Statement& q) { q.bind(1, account_id); }, readGroup);
}

Status IamSqliteStore::deleteGroup(std::string_view account_id, std::string_view name) {
  return db_.committer().run([&](Database& db) -> Status {
    const std::string k = key(name);
    ZK_RETURN_IF_ERROR(requirePrincipal(db, account_id, PrincipalKind::kGroup, name));
    struct Check {
      const char* sql;
      const char* message;
    };
    static const Check kChecks[] = {
        {"SELECT 1 FROM iam_group_members WHERE account_id = ?1 AND group_key = ?2 LIMIT 1",
         "Cannot delete entity, must remove users from group first."},
        {"SELECT 1 FROM iam_inline_policies WHERE account_id = ?1 AND kind = 'group' AND principal_key = ?2 "
         "LIMIT 1",
         "Cannot delete entity, must delete policies first."},
        {"SELECT 1 FROM iam_attachments WHERE account_id = ?1 AND kind = 'group' AND principal_key = ?2 "
         "LIMIT 1",
         "Cannot delete entity, must detach all policies first."},
    };
    for (const Check& c : kChecks) {
      auto e = rowExists(db, c.sql, account_id, k);
      if (!e.ok()) return e.status();
      if (*e) return failedPrecondition(c.message);
    }
    return runWith(db, "DELETE FROM iam_groups WHERE account_id = ?1 AND name_key = ?2", {account_id, k});
  });
}

Status IamSqliteStore::addUserToGroup(std::string_view account_id, std::string_view group,
                                      std::string_view user) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(requirePrincipal(db, account_id, PrincipalKind::kGroup, group));
    ZK_RETURN_IF_ERROR(requireUser(db, account_id, user));
    ZK_STMT(i, db,
            "INSERT INTO iam_group_members (account_id, group_key, user_key, added_us) VALUES (?, ?, ?, "
            "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) ON CONFLICT DO NOTHING");
    i.bind(1, account_id).bind(2, key(group)).bind(3, key(user));
    return i.run();  // adding a member twice is not an error in IAM
  });
}

Status IamSqliteStore::removeUserFromGroup(std::string_view account_id, std::string_view group,
                                           std::string_view user) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(requirePrincipal(db, account_id, PrincipalKind::kGroup, group));
    ZK_RETURN_IF_ERROR(requireUser(db, account_id, user));
    ZK_RETURN_IF_ERROR(runWith(
        db, "DELETE FROM iam_group_members WHERE account_id = ?1 AND group_key = ?2 AND user_key = ?3",
        {account_id, key(group), key(user)}));
    if (db.changes() == 0)
      return notFound("The user with name " + std::string(user) + " is not in group " + std::string(group) +
                      ".");
    return Status();
  });
}

Result<std::vector<Group>> IamSqliteStore::listGroupsForUser(std::string_view account_id,
                                                             std::string_view user) {
  return readAll<Group>(
      db_,
      "SELECT g.account_id, g.name, g.path, g.id, g.arn, g.created_at_us FROM iam_group_members m JOIN "
      "iam_groups g "
      "ON g.account_id = m.account_id AND g.name_key = m.group_key WHERE m.account_id = ? AND m.user_key = ? "
      "ORDER BY g.name_key",
      [&](Statement& q) { q.bind(1, account_id).bind(2, key(user)); }, readGroup);
}

Result<std::vector<User>> IamSqliteStore::listUsersInGroup(std::string_view account_id,
                                                           std::string_view group) {
  return readAll<User>(
      db_,
      "SELECT u.account_id, u.name, u.path, u.id, u.arn, u.permissions_boundary, u.tags, u.created_at_us "
      "FROM iam_group_members m JOIN iam_users u ON u.account_id = m.account_id AND u.name_key = m.user_key "
      "WHERE m.account_id = ? AND m.group_key = ? ORDER BY u.name_key",
      [&](Statement& q) { q.bind(1, account_id).bind(2, key(group)); }, readUser);
}

// ---- roles

Status IamSqliteStore::createRole(const Role& r) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(i, db,
            "INSERT INTO iam_roles (name_key, " ZK_ROLE_COLUMNS
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    i.bind(1, key(r.name))
        .bind(2, r.account_id)
        .bind(3, r.name)
        .bind(4, r.path)
        .bind(5, r.id)
        .bind(6, r.arn)
        .bind(7, r.trust_policy)
        .bind(8, r.description)
        .bind(9, r.max_session_duration)
        .bind(10, r.permissions_boundary)
        .bindBlob(11, encodeTags(r.tags))
        .bind(12, toMicros(r.created_at));
    Status st = i.run();
    if (st.code() == Code::kAlreadyExists)
      return alreadyExists("Role with name " + r.name + " already exists.");
    return st;
  });
}

Result<Role> IamSqliteStore::getRole(std::string_view account_id, std::string_view name) {
  return readOne<Role>(
      db_, "SELECT " ZK_ROLE_COLUMNS " FROM iam_roles WHERE account_id = ? AND name_key = ?",
      [&](Statement& q) { q.bind(1, account_id).bind(2, key(name)); }, readRole, noSuch("role", name));
}

Result<std::vector<Role>> IamSqliteStore::listRoles(std::string_view account_id) {
  return readAll<Role>(
      db_, "SELECT " ZK_ROLE_COLUMNS " FROM iam_roles WHERE account_id = ? ORDER BY name_key",
      [&](Statement& q) { q.bind(1, account_id); }, readRole);
}

Status IamSqliteStore::updateRole(const Role& r) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(u, db,
            "UPDATE iam_roles SET trust_policy = ?1, description = ?2, max_session_duration = ?3, "
            "permissions_boundary = ?4, tags = ?5 WHERE account_id = ?6 AND name_key = ?7");
    u.bind(1, r.trust_policy)
        .bind(2, r.description)
        .bind(3, r.max_session_duration)
        .bind(4, r.permissions_boundary)
        .bindBlob(5, encodeTags(r.tags))
        .bind(6, r.account_id)
        .bind(7, key(r.name));
    ZK_RETURN_IF_ERROR(u.run());
    if (db.changes() == 0) return notFound(noSuch("role", r.name));
    return Status();
  });
}

Status IamSqliteStore::deleteRole(std::string_view account_id, std::string_view name) {
  return db_.committer().run([&](Database& db) -> Status {
    const std::string k = key(name);
    ZK_RETURN_IF_ERROR(requirePrincipal(db, account_id, PrincipalKind::kRole, name));
    struct Check {
      const char* sql;
      const char* message;
    };
    static const Check kChecks[] = {
        {"SELECT 1 FROM iam_instance_profile_roles WHERE account_id = ?1 AND role_key = ?2 LIMIT 1",
         "Cannot delete entity, must remove roles from instance profile first."},
        {"SELECT 1 FROM iam_inline_policies WHERE account_id = ?1 AND kind = 'role' AND principal_key = ?2 "
         "LIMIT 1",
         "Cannot delete entity, must delete policies first."},
        {"SELECT 1 FROM iam_attachments WHERE account_id = ?1 AND kind = 'role' AND principal_key = ?2 LIMIT "
         "1",
         "Cannot delete entity, must detach all policies first."},
    };
    for (const Check& c : kChecks) {
      auto e = rowExists(db, c.sql, account_id, k);
      if (!e.ok()) return e.status();
      if (*e) return failedPrecondition(c.message);
    }
    return runWith(db, "DELETE FROM iam_roles WHERE account_id = ?1 AND name_key = ?2", {account_id, k});
  });
}

// ---- inline policies

Status IamSqliteStore::putInlinePolicy(const InlinePolicy& p) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(requirePrincipal(db, p.account_id, p.kind, p.principal_name));
    ZK_STMT(i, db,
            "INSERT INTO iam_inline_policies (account_id, kind, principal_key, principal_name, policy_key, "
            "policy_name, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (account_id, kind, "
            "principal_key, policy_key) DO UPDATE SET document = excluded.document");
    i.bind(1, p.account_id)
        .bind(2, kindText(p.kind))
        .bind(3, key(p.principal_name))
        .bind(4, p.principal_name)
        .bind(5, key(p.policy_name))
        .bind(6, p.policy_name)
        .bind(7, p.document);
    return i.run();
  });
}

Result<InlinePolicy> IamSqliteStore::getInlinePolicy(std::string_view account_id, PrincipalKind kind,
                                                     std::string_view principal,
                                                     std::string_view policy_name) {
  return readOne<InlinePolicy>(
      db_,
      "SELECT account_id, kind, principal_name, policy_name, document FROM iam_inline_policies WHERE "
      "account_id = ? "
      "AND kind = ? AND principal_key = ? AND policy_key = ?",
      [&](Statement& q) {
        q.bind(1, account_id).bind(2, kindText(kind)).bind(3, key(principal)).bind(4, key(policy_name));
      },
      readInline,
      "The " + std::string(kindText(kind)) + " policy with name " + std::string(policy_name) +
          " cannot be found.");
}

Result<std::vector<InlinePolicy>> IamSqliteStore::listInlinePolicies(std::string_view account_id,
                                                                     PrincipalKind kind,
                                                                     std::string_view principal) {
  return readAll<InlinePolicy>(
      db_,
      "SELECT account_id, kind, principal_name, policy_name, document FROM iam_inline_policies WHERE "
      "account_id = ? "
      "AND kind = ? AND principal_key = ? ORDER BY policy_key",
      [&](Statement& q) { q.bind(1, account_id).bind(2, kindText(kind)).bind(3, key(principal)); },
      readInline);
}

Status IamSqliteStore::deleteInlinePolicy(std::string_view account_id, PrincipalKind kind,
                                          std::string_view principal, std::string_view policy_name) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(runWith(db,
                               "DELETE FROM iam_inline_policies WHERE account_id = ?1 AND kind = ?2 AND "
                               "principal_key = ?3 AND policy_key = ?4",
                               {account_id, kindText(kind), key(principal), key(policy_name)}));
    if (db.changes() == 0)
      return notFound("The " + std::string(kindText(kind)) + " policy with name " + std::string(policy_name) +
                      " cannot be found.");
    return Status();
  });
}

// ---- managed policies

namespace {
Status insertVersion(Database& db, std::string_view arn, const PolicyVersion& v) {
  ZK_STMT(i, db,
          "INSERT INTO iam_policy_versions (policy_arn, version_id, document, created_at_us) VALUES (?, ?, "
          "?, ?)");
  i.bind(1, arn).bind(2, v.version_id).bind(3, v.document).bind(4, toMicros(v.created_at));
  Status st = i.run();
  if (st.code() == Code::kAlreadyExists)
    return alreadyExists("policy version " + v.version_id + " already exists");
  return st;
}
Status requirePolicy(Database& db, std::string_view arn) {
  ZK_STMT(q, db, "SELECT 1 FROM iam_policies WHERE arn = ?");
  q.bind(1, arn);
  auto e = exists(q);
  if (!e.ok()) return e.status();
  return *e ? Status() : notFound("Policy " + std::string(arn) + " does not exist or is not attachable.");
}
int64_t versionNumber(std::string_view v) {
  if (v.size() < 2 || v[0] != 'v') return 0;
  int64_t n = 0;
  for (char c : v.substr(1)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}
}  // namespace

Status IamSqliteStore::createPolicy(const ManagedPolicy& p, const PolicyVersion& v1) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(i, db,
            "INSERT INTO iam_policies (name_key, " ZK_POLICY_COLUMNS
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    i.bind(1, key(p.name))
        .bind(2, p.account_id)
        .bind(3, p.name)
        .bind(4, p.path)
        .bind(5, p.id)
        .bind(6, p.arn)
        .bind(7, p.description)
        .bind(8, v1.version_id)
        .bind(9, std::max<int64_t>(p.next_version, versionNumber(v1.version_id) + 1))
        .bindBlob(10, encodeTags(p.tags))
        .bind(11, toMicros(p.created_at))
        .bind(12, toMicros(p.updated_at));
    Status st = i.run();
    if (st.code() == Code::kAlreadyExists)
      return alreadyExists("A policy called " + p.name + " already exists. Duplicate names are not allowed.");
    ZK_RETURN_IF_ERROR(st);
    return insertVersion(db, p.arn, v1);
  });
}

Result<ManagedPolicy> IamSqliteStore::getPolicy(std::string_view policy_arn) {
  return readOne<ManagedPolicy>(
      db_, "SELECT " ZK_POLICY_COLUMNS " FROM iam_policies WHERE arn = ?",
      [&](Statement& q) { q.bind(1, policy_arn); }, readPolicy,
      "Policy " + std::string(policy_arn) + " does not exist or is not attachable.");
}

Result<std::vector<ManagedPolicy>> IamSqliteStore::listPolicies(std::string_view account_id) {
  return readAll<ManagedPolicy>(
      db_, "SELECT " ZK_POLICY_COLUMNS " FROM iam_policies WHERE account_id = ? ORDER BY name_key",
      [&](Statement& q) { q.bind(1, account_id); }, readPolicy);
}

Status IamSqliteStore::deletePolicy(std::string_view policy_arn) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(requirePolicy(db, policy_arn));
    {
      ZK_STMT(q, db, "SELECT 1 FROM iam_attachments WHERE policy_arn = ? LIMIT 1");
      q.bind(1, policy_arn);
      auto e = exists(q);
      if (!e.ok()) return e.status();
      if (*e) return failedPrecondition("Cannot delete a policy attached to entities.");
    }
    {
      // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html: delete every
      // non-default version first.
      ZK_STMT(q, db, "SELECT COUNT(*) FROM iam_policy_versions WHERE policy_arn = ?");
      q.bind(1, policy_arn);
      auto n = count(q);
      if (!n.ok()) return n.status();
      if (*n > 1)
        return failedPrecondition(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's "
            "versions. The default version is deleted with the policy.");
    }
    ZK_RETURN_IF_ERROR(runWith(db, "DELETE FROM iam_policy_versions WHERE policy_arn = ?1", {policy_arn}));
    return runWith(db, "DELETE FROM iam_policies WHERE arn = ?1", {policy_arn});
  });
}

Status IamSqliteStore::createPolicyVersion(std::string_view policy_arn, const PolicyVersion& v,
                                           int max_versions) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(requirePolicy(db, policy_arn));
    {
      ZK_STMT(q, db, "SELECT COUNT(*) FROM iam_policy_versions WHERE policy_arn = ?");
      q.bind(1, policy_arn);
      auto n = count(q);
      if (!n.ok()) return n.status();
      if (*n >= max_versions)
        return resourceExhausted(
            "A managed policy can have up to " + std::to_string(max_versions) +
            " versions. Before you create a new version, you must delete an existing version.");
    }
    ZK_RETURN_IF_ERROR(insertVersion(db, policy_arn, v));
    ZK_STMT(u, db,
            "UPDATE iam_policies SET next_version = MAX(next_version, ?1), updated_at_us = ?2, "
            "default_version_id = CASE WHEN ?3 THEN ?4 ELSE default_version_id END WHERE arn = ?5");
    u.bind(1, versionNumber(v.version_id) + 1)
        .bind(2, toMicros(v.created_at))
        .bind(3, int64_t(v.is_default))
        .bind(4, v.version_id)
        .bind(5, policy_arn);
    return u.run();
  });
}

namespace {
Result<PolicyVersion> readVersion(const Statement& s) {
  return PolicyVersion{s.columnText(0), s.columnText(1), s.columnInt(2) != 0, fromMicros(s.columnInt(3))};
}
}  // namespace

Result<PolicyVersion> IamSqliteStore::getPolicyVersion(std::string_view policy_arn,
                                                       std::string_view version_id) {
  return readOne<PolicyVersion>(
      db_,
      "SELECT v.version_id, v.document, v.version_id = p.default_version_id, v.created_at_us FROM "
      "iam_policy_versions "
      "v JOIN iam_policies p ON p.arn = v.policy_arn WHERE v.policy_arn = ? AND v.version_id = ?",
      [&](Statement& q) { q.bind(1, policy_arn).bind(2, version_id); }, readVersion,
      "Policy " + std::string(policy_arn) + " version " + std::string(version_id) +
          " does not exist or is not attachable.");
}

Result<std::vector<PolicyVersion>> IamSqliteStore::listPolicyVersions(std::string_view policy_arn) {
  auto p = getPolicy(policy_arn);
  if (!p.ok()) return p.status();
  auto all = readAll<PolicyVersion>(
      db_,
      "SELECT v.version_id, v.document, v.version_id = p.default_version_id, v.created_at_us FROM "
      "iam_policy_versions "
      "v JOIN iam_policies p ON p.arn = v.policy_arn WHERE v.policy_arn = ? ORDER BY v.created_at_us DESC, "
      "length(v.version_id) DESC, v.version_id DESC",
      [&](Statement& q) { q.bind(1, policy_arn); }, readVersion);
  return all;
}

Status IamSqliteStore::setDefaultPolicyVersion(std::string_view policy_arn, std::string_view version_id) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(requirePolicy(db, policy_arn));
    auto e = rowExists(db, "SELECT 1 FROM iam_policy_versions WHERE policy_arn = ?1 AND version_id = ?2",
                       policy_arn, version_id);
    if (!e.ok()) return e.status();
    if (!*e)
      return notFound("Policy " + std::string(policy_arn) + " version " + std::string(version_id) +
                      " does not exist or is not attachable.");
    return runWith(db, "UPDATE iam_policies SET default_version_id = ?1 WHERE arn = ?2",
                   {version_id, policy_arn});
  });
}

Status IamSqliteStore::deletePolicyVersion(std::string_view policy_arn, std::string_view version_id) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(q, db, "SELECT default_version_id FROM iam_policies WHERE arn = ?");
    q.bind(1, policy_arn);
    auto row = q.step();
    if (!row.ok()) return row.status();
    if (!*row) return notFound("Policy " + std::string(policy_arn) + " does not exist or is not attachable.");
    const bool is_default = q.columnText(0) == version_id;
    q.reset();
    if (is_default) return failedPrecondition("Cannot delete the default version of a policy.");
    ZK_RETURN_IF_ERROR(runWith(db,
                               "DELETE FROM iam_policy_versions WHERE policy_arn = ?1 AND version_id = ?2",
                               {policy_arn, version_id}));
    if (db.changes() == 0)
      return notFound("Policy " + std::string(policy_arn) + " version " + std::string(version_id) +
                      " does not exist or is not attachable.");
    return Status();
  });
}

// ---- attachments

Status IamSqliteStore::attachPolicy(const Attachment& a) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(requirePrincipal(db, a.account_id, a.kind, a.principal_name));
    ZK_STMT(i, db,
            "INSERT INTO iam_attachments (account_id, kind, principal_key, principal_name, policy_arn) "
            "VALUES (?, ?, "
            "?, ?, ?) ON CONFLICT DO NOTHING");
    i.bind(1, a.account_id)
        .bind(2, kindText(a.kind))
        .bind(3, key(a.principal_name))
        .bind(4, a.principal_name)
        .bind(5, a.policy_arn);
    return i.run();  // attaching twice is not an error in IAM
  });
}

Status IamSqliteStore::detachPolicy(const Attachment& a) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(requirePrincipal(db, a.account_id, a.kind, a.principal_name));
    ZK_RETURN_IF_ERROR(
        runWith(db,
                "DELETE FROM iam_attachments WHERE account_id = ?1 AND kind = ?2 AND principal_key = ?3 "
                "AND policy_arn = ?4",
                {a.account_id, kindText(a.kind), key(a.principal_name), a.policy_arn}));
    if (db.changes() == 0) return notFound("Policy " + a.policy_arn + " was not found.");
    return Status();
  });
}

Result<std::vector<Attachment>> IamSqliteStore::listAttachedPolicies(std::string_view account_id,
                                                                     PrincipalKind kind,
                                                                     std::string_view principal) {
  return readAll<Attachment>(
      db_,
      "SELECT account_id, kind, principal_name, policy_arn FROM iam_attachments WHERE account_id = ? AND "
      "kind = ? AND "
      "principal_key = ? ORDER BY policy_arn",
      [&](Statement& q) { q.bind(1, account_id).bind(2, kindText(kind)).bind(3, key(principal)); },
      readAttachment);
}

Result<std::vector<Attachment>> IamSqliteStore::listEntitiesForPolicy(std::string_view account_id,
                                                                      std::string_view policy_arn) {
  return readAll<Attachment>(
      db_,
      "SELECT account_id, kind, principal_name, policy_arn FROM iam_attachments WHERE policy_arn = ? AND "
      "account_id = ? "
      "ORDER BY kind, principal_key",
      [&](Statement& q) { q.bind(1, policy_arn).bind(2, account_id); }, readAttachment);
}

// ---- instance profiles

namespace {
Status loadProfileRoles(Database& db, InstanceProfile& p) {
  ZK_STMT(q, db,
          "SELECT role_name FROM iam_instance_profile_roles WHERE account_id = ? AND profile_key = ? ORDER "
          "BY role_key");
  q.bind(1, p.account_id).bind(2, key(p.name));
  auto names =
      collect<std::string>(q, [](const Statement& s) -> Result<std::string> { return s.columnText(0); });
  if (!names.ok()) return names.status();
  p.role_names = std::move(*names);
  return Status();
}
}  // namespace

Status IamSqliteStore::createInstanceProfile(const InstanceProfile& p) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(i, db,
            "INSERT INTO iam_instance_profiles (name_key, " ZK_PROFILE_COLUMNS
            ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    i.bind(1, key(p.name))
        .bind(2, p.account_id)
        .bind(3, p.name)
        .bind(4, p.path)
        .bind(5, p.id)
        .bind(6, p.arn)
        .bind(7, toMicros(p.created_at));
    Status st = i.run();
    if (st.code() == Code::kAlreadyExists)
      return alreadyExists("Instance Profile " + p.name + " already exists.");
    ZK_RETURN_IF_ERROR(st);
    for (const std::string& r : p.role_names)
      ZK_RETURN_IF_ERROR(
          runWith(db,
                  "INSERT INTO iam_instance_profile_roles (account_id, profile_key, role_key, role_name) "
                  "VALUES (?1, ?2, ?3, ?4)",
                  {p.account_id, key(p.name), key(r), r}));
    return Status();
  });
}

Result<InstanceProfile> IamSqliteStore::getInstanceProfile(std::string_view account_id,
                                                           std::string_view name) {
  std::optional<InstanceProfile> out;
  Status st = db_.read([&](Database& db) -> Status {
    Result<Transaction> tx = Transaction::begin(db);
    if (!tx.ok()) return tx.status();
    {
      ZK_STMT(q, db,
              "SELECT " ZK_PROFILE_COLUMNS
              " FROM iam_instance_profiles WHERE account_id = ? AND name_key = ?");
      q.bind(1, account_id).bind(2, key(name));
      auto p = single<InstanceProfile>(
          q,
          [](const Statement& s) -> Result<InstanceProfile> {
            InstanceProfile p;
            p.account_id = s.columnText(0);
            p.name = s.columnText(1);
            p.path = s.columnText(2);
            p.id = s.columnText(3);
            p.arn = s.columnText(4);
            p.created_at = fromMicros(s.columnInt(5));
            return p;
          },
          "Instance Profile " + std::string(name) + " cannot be found.");
      if (!p.ok()) return p.status();
      out = std::move(*p);
    }
    ZK_RETURN_IF_ERROR(loadProfileRoles(db, *out));
    return tx->commit();
  });
  if (!st.isOk()) return st;
  return std::move(*out);
}

Result<std::vector<InstanceProfile>> IamSqliteStore::listInstanceProfiles(std::string_view account_id) {
  std::vector<InstanceProfile> out;
  Status st = db_.read([&](Database& db) -> Status {
    Result<Transaction> tx = Transaction::begin(db);
    if (!tx.ok()) return tx.status();
    {
      ZK_STMT(q, db,
              "SELECT " ZK_PROFILE_COLUMNS
              " FROM iam_instance_profiles WHERE account_id = ? ORDER BY name_key");
      q.bind(1, account_id);
      auto all = collect<InstanceProfile>(q, [](const Statement& s) -> Result<InstanceProfile> {
        InstanceProfile p;
        p.account_id = s.columnText(0);
        p.name = s.columnText(1);
        p.path = s.columnText(2);
        p.id = s.columnText(3);
        p.arn = s.columnText(4);
        p.created_at = fromMicros(s.columnInt(5));
        return p;
      });
      if (!all.ok()) return all.status();
      out = std::move(*all);
    }
    for (InstanceProfile& p : out) ZK_RETURN_IF_ERROR(loadProfileRoles(db, p));
    return tx->commit();
  });
  if (!st.isOk()) return st;
  return out;
}

Status IamSqliteStore::setInstanceProfileRoles(std::string_view account_id, std::string_view name,
                                               std::vector<std::string> role_names) {
  return db_.committer().run([&](Database& db) -> Status {
    auto e = rowExists(db, "SELECT 1 FROM iam_instance_profiles WHERE account_id = ?1 AND name_key = ?2",
                       account_id, key(name));
    if (!e.ok()) return e.status();
    if (!*e) return notFound("Instance Profile " + std::string(name) + " cannot be found.");
    ZK_RETURN_IF_ERROR(
        runWith(db, "DELETE FROM iam_instance_profile_roles WHERE account_id = ?1 AND profile_key = ?2",
                {account_id, key(name)}));
    for (const std::string& r : role_names) {
      ZK_RETURN_IF_ERROR(requirePrincipal(db, account_id, PrincipalKind::kRole, r));
      ZK_RETURN_IF_ERROR(
          runWith(db,
                  "INSERT INTO iam_instance_profile_roles (account_id, profile_key, role_key, role_name) "
                  "SELECT ?1, ?2, name_key, name FROM iam_roles WHERE account_id = ?1 AND name_key = ?3",
                  {account_id, key(name), key(r)}));
    }
    return Status();
  });
}

Status IamSqliteStore::deleteInstanceProfile(std::string_view account_id, std::string_view name) {
  return db_.committer().run([&](Database& db) -> Status {
    auto e = rowExists(db, "SELECT 1 FROM iam_instance_profiles WHERE account_id = ?1 AND name_key = ?2",
                       account_id, key(name));
    if (!e.ok()) return e.status();
    if (!*e) return notFound("Instance Profile " + std::string(name) + " cannot be found.");
    auto roles =
        rowExists(db, "SELECT 1 FROM iam_instance_profile_roles WHERE account_id = ?1 AND profile_key = ?2",
                  account_id, key(name));
    if (!roles.ok()) return roles.status();
    if (*roles)
      return failedPrecondition("Cannot delete entity, must remove roles from instance profile first.");
    return runWith(db, "DELETE FROM iam_instance_profiles WHERE account_id = ?1 AND name_key = ?2",
                   {account_id, key(name)});
  });
}

// ---- OIDC providers

Status IamSqliteStore::createOidcProvider(const OidcProvider& p) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(i, db, "INSERT INTO iam_oidc_providers (" ZK_OIDC_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    i.bind(1, p.account_id)
        .bind(2, p.url)
        .bind(3, p.arn)
        .bindBlob(4, encodeList(p.client_ids))
        .bindBlob(5, encodeList(p.thumbprints))
        .bindBlob(6, encodeTags(p.tags))
        .bind(7, toMicros(p.created_at));
    Status st = i.run();
    if (st.code() == Code::kAlreadyExists)
      return alreadyExists("Provider with url https://" + p.url + " already exists.");
    return st;
  });
}

Result<OidcProvider> IamSqliteStore::getOidcProvider(std::string_view arn) {
  return readOne<OidcProvider>(
      db_, "SELECT " ZK_OIDC_COLUMNS " FROM iam_oidc_providers WHERE arn = ?",
      [&](Statement& q) { q.bind(1, arn); }, readOidc,
      "OpenIDConnect Provider not found for arn " + std::string(arn));
}

Result<std::vector<OidcProvider>> IamSqliteStore::listOidcProviders(std::string_view account_id) {
  return readAll<OidcProvider>(
      db_, "SELECT " ZK_OIDC_COLUMNS " FROM iam_oidc_providers WHERE account_id = ? ORDER BY arn",
      [&](Statement& q) { q.bind(1, account_id); }, readOidc);
}

Status IamSqliteStore::updateOidcProvider(const OidcProvider& p) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_STMT(u, db,
            "UPDATE iam_oidc_providers SET client_ids = ?1, thumbprints = ?2, tags = ?3 WHERE arn = ?4");
    u.bindBlob(1, encodeList(p.client_ids))
        .bindBlob(2, encodeList(p.thumbprints))
        .bindBlob(3, encodeTags(p.tags))
        .bind(4, p.arn);
    ZK_RETURN_IF_ERROR(u.run());
    if (db.changes() == 0) return notFound("OpenIDConnect Provider not found for arn " + p.arn);
    return Status();
  });
}

Status IamSqliteStore::deleteOidcProvider(std::string_view arn) {
  return db_.committer().run([&](Database& db) -> Status {
    ZK_RETURN_IF_ERROR(runWith(db, "DELETE FROM iam_oidc_providers WHERE arn = ?1", {arn}));
    if (db.changes() == 0) return notFound("OpenIDConnect Provider not found for arn " + std::string(arn));
    return Status();
  });
}

#undef ZK_STMT
#undef ZK_USER_COLUMNS
#undef ZK_GROUP_COLUMNS
#undef ZK_ROLE_COLUMNS
#undef ZK_POLICY_COLUMNS
#undef ZK_KEY_COLUMNS
#undef ZK_PROFILE_COLUMNS
#undef ZK_OIDC_COLUMNS

}  // namespace zk::storage
