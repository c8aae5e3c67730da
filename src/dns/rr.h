// A resource record with its RDATA in uncompressed canonical wire form.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/name.h"
#include "dns/types.h"

namespace zk::dns {

// RDATA is always stored uncompressed (names inside it expanded, case preserved), so that two
// records compare equal byte for byte and can be re-rendered with or without compression.
struct ResourceRecord {
  Name owner;
  uint16_t type = 0;
  uint16_t klass = rrclass::kIN;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;

  bool operator==(const ResourceRecord&) const = default;
};

// Master-file form: "owner TTL CLASS TYPE RDATA", tab-separated, owner absolute.
std::string recordToText(const ResourceRecord& rr);

}  // namespace zk::dns
