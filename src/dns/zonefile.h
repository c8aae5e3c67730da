// RFC 1035 §5 master-file (zone file) parser: directives, relative names, parentheses, comments,
// quoted strings, TTL units; errors name file, line and column.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr.h"

namespace zk::dns {

struct ZoneParseOptions {
  // Origin for relative names and '@' until a $ORIGIN. Without one (and without $ORIGIN) the owner
  // of the first SOA record, which must then be absolute, becomes the origin.
  std::optional<Name> origin;
  // TTL of records without one when there is no $TTL and no earlier explicit TTL (RFC 2308 §4,
  // RFC 1035 §5.1 "last stated").
  uint32_t default_ttl = 3600;
  uint16_t default_class = 1;      // IN; a record without a class takes the previous record's class
  bool allow_include = false;      // $INCLUDE reads files: only for trusted zone files
  std::string file_name = "zone";  // used in error messages and to resolve $INCLUDE paths
};

// Parses zone text into records in file order. Supports $ORIGIN, $TTL, $INCLUDE (when allowed;
// relative paths are taken from the including file's directory; the included file cannot change
// the includer's origin), '@', blank owner = previous owner, ( ) across lines, ';' comments,
// quoted strings with \" \\ \DDD escapes, TTL and class in either order, TTL units (1h30m, 1w).
// RDATA uses rdataFromText (RFC 3597 `\#` accepted for every type). Meta types (OPT, AXFR, ANY,
// ...) are rejected. Errors look like "zone.db:12:5: unknown record type 'AAA'" (1-based line and
// column of the offending token). Stateless: safe to call from several threads at once.
Result<std::vector<ResourceRecord>> parseZoneText(std::string_view text, const ZoneParseOptions& options);

// Reads and parses a file; options.file_name is replaced by `path` when left at its default.
Result<std::vector<ResourceRecord>> parseZoneFile(const std::string& path, const ZoneParseOptions& options);

// The owner of the (first) SOA record, i.e. the zone's origin; NotFound when there is none.
Result<Name> zoneOrigin(const std::vector<ResourceRecord>& records);

}  // namespace zk::dns
