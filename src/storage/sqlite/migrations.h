// Numbered schema migrations: an ordered list of SQL scripts applied once each, recorded in
// schema_migrations.
#pragma once

#include <span>
#include <string_view>

#include "base/result.h"
#include "storage/sqlite/db.h"

namespace zk::storage {

// kMigrations[i] brings the schema from version i to version i + 1. Never edit a released entry:
// append a new one.
std::span<const std::string_view> migrations();
int latestSchemaVersion();

// The version recorded in schema_migrations (0 for a new, empty database).
Result<int> schemaVersion(Database& db);

// Applies every migration above the current version up to `target` (default: the latest), each in
// its own transaction together with its schema_migrations row. kFailedPrecondition when the database
// is newer than this program (refuses to run against a schema it does not know).
Status migrate(Database& db, int target = -1);

}  // namespace zk::storage
