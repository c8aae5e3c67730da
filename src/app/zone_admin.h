// Offline zone administration on the data folder: import, export, list (the `zone` subcommands).
#pragma once

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
Result<std::string> importZone(const std::string& data_dir, const std::string& file, const std::string& origin);
// The stored zone as a master file.
Result<std::string> exportZone(const std::string& data_dir, const std::string& name);
// One line per stored zone: id, name, record sets.
Result<std::string> listZones(const std::string& data_dir);

}  // namespace zk::app
