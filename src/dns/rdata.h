// RDATA conversion for every supported record type, driven by one descriptor table per type
// (PowerDNS-style): wire-in, wire-out, text-in and text-out can never drift apart.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/wire.h"

namespace zk::dns {

// Presentation form -> canonical wire RDATA. `text` is everything after the type on a master-file
// line (already joined across parentheses, comments removed), e.g. `10 mail` for MX.
// Relative names are completed with `origin`. Accepts RFC 3597 `\# len hex` for every type.
Result<std::vector<uint8_t>> rdataFromText(uint16_t type, std::string_view text, const Name& origin);

// Canonical wire RDATA -> presentation form (names absolute with trailing dot, TXT quoted).
// Unknown types, and RDATA that does not parse as its type, print as `\# len hex`.
std::string rdataToText(uint16_t type, std::span<const uint8_t> rdata);

// Reads `rdlength` bytes of RDATA at the reader's position from a message, expanding compressed
// names, and validates it against the type's layout. The reader ends just after the RDATA.
Result<std::vector<uint8_t>> rdataFromWire(uint16_t type, WireReader& reader, uint16_t rdlength);

// Validates canonical wire RDATA against the type's layout (lengths, names, field sizes).
Status validateRdata(uint16_t type, std::span<const uint8_t> rdata);

// Calls `fn(offset, name_wire_length, compressible)` for each domain name inside canonical RDATA,
// in order. `compressible` is true for the RFC 1035 types whose names may be compressed
// (NS, CNAME, SOA, PTR, MX, ...; RFC 3597 §4). Used for compression on output and for
// additional-section processing (MX/SRV/NS targets).
void forEachRdataName(uint16_t type, std::span<const uint8_t> rdata,
                      const std::function<void(size_t offset, size_t length, bool compressible)>& fn);

// The target name of NS, MX, SRV, CNAME, DNAME, PTR records (for additional processing / chasing);
// an empty result (root) for other types.
Name rdataTargetName(uint16_t type, std::span<const uint8_t> rdata);

}  // namespace zk::dns
