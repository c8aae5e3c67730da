// Offline zone administration on the data folder: import, export, list (the `zone` subcommands).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "base/result.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::app {

// The account that owns zones made outside the API (zone import) and the first admin key:
// created on first use and remembered in the store's meta table.
Result<std::string> ensureDefaultAccount(storage::SqliteStore& store);

// Parses FILE and stores it as a zone: creates the hosted zone, or replaces the record sets of the
// zone of that name (one change batch: all or nothing). Signals a server running on the same data
// folder (pid file) to publish it. Returns a one-line summary.
Result<std::string> importZone(const std::string& data_dir, const std::string& file,
                               const std::string& origin);

// How importZone retries when API writes land in the zone between its read and its commit (a DELETE
// of the difference then no longer matches: kFailedPrecondition): it reads the zone again and
// recomputes the difference, up to max_attempts times, waiting a little longer each time.
struct ImportOptions {
  int max_attempts = 64;
  std::chrono::milliseconds max_backoff{50};
  // Test hook: runs after the zone was read and before the difference is committed (attempt from 0).
  std::function<void(int attempt)> before_commit;
};
Result<std::string> importZone(const std::string& data_dir, const std::string& file,
                               const std::string& origin, const ImportOptions& options);
// The stored zone as a master file.
Result<std::string> exportZone(const std::string& data_dir, const std::string& name);
// One line per stored zone: id, name, record sets.
Result<std::string> listZones(const std::string& data_dir);

}  // namespace zk::app
