// Reading a prepared Statement's rows: every row, the one row, whether there is one, a COUNT(*).
#pragma once

// Shared by the store classes over the one database (SqliteStore, IamSqliteStore). Header-only.

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "storage/sqlite/db.h"

namespace zk::storage {

// Runs `s` and collects every row with `read`.
template <typename T, typename F>
Result<std::vector<T>> collect(Statement& s, F read) {
  std::vector<T> out;
  while (true) {
    Result<bool> row = s.step();
    if (!row.ok()) return std::move(row).status();
    if (!*row) return out;
    Result<T> item = read(s);
    if (!item.ok()) return std::move(item).status();
    out.push_back(std::move(*item));
  }
}

// Runs `s` and reads its single row; kNotFound with `missing` when there is none.
template <typename T, typename F>
Result<T> single(Statement& s, F read, const std::string& missing) {
  Result<bool> row = s.step();
  if (!row.ok()) return std::move(row).status();
  if (!*row) return notFound(missing);
  return read(s);
}

// Runs `s`: whether it yields a row.
inline Result<bool> exists(Statement& s) {
  Result<bool> row = s.step();
  if (!row.ok()) return std::move(row).status();
  return *row;
}

// Runs `s` (a SELECT COUNT(*)): its first column, 0 without a row.
inline Result<int64_t> count(Statement& s) {
  Result<bool> row = s.step();
  if (!row.ok()) return std::move(row).status();
  return *row ? s.columnInt(0) : 0;
}

}  // namespace zk::storage
