// Node and RRset: one immutable, refcounted allocation per owner name holding its pre-rendered RRsets.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "dns/name.h"

namespace zk::zone {

// One RRset inside a Node's allocation. Its RRs are pre-rendered at publish time (NSD-style) in the
// form they take in an answer section:
//   C0 0C | TYPE | CLASS IN | TTL | RDLENGTH | RDATA (names uncompressed, case as loaded)
// i.e. each owner is a compression pointer to the question name at offset 12 (RFC 1035 §4.1.4), so
// a direct answer is a single memcpy; elsewhere the writer patches the 2-byte owner pointer.
// Offsets below are relative to this entry, so `const RRset*` is self-contained.
class RRset {
 public:
  uint16_t type() const { return type_; }
  uint16_t count() const { return count_; }  // number of RRs
  uint32_t ttl() const { return ttl_; }
  // The pre-rendered RRs (see above).
  std::span<const uint8_t> wire() const { return {base() + wire_off_, wireLength()}; }
  // For NS, CNAME, DNAME, PTR, MX, SRV (types with one target name): offset in wire() of each RR's
  // target name, one per RR in order. Empty for other types. Used to chase CNAME/DNAME and as
  // compression targets for additional-section owners.
  std::span<const uint16_t> targets() const {
    if (!(wire_len_ & kHasTargets)) return {};
    return {reinterpret_cast<const uint16_t*>(base() + ((wire_off_ + wireLength() + 1) & ~uint32_t(1))),
            count_};
  }
  // Compressible RDATA names (RFC 3597 §4 types: NS, CNAME, SOA, PTR, MX, ...) that share labels
  // with the owner: the answer writer replaces their last `labels` labels by a pointer to the
  // owner's suffix (RFC 1035 §4.1.4). Offsets are into wire(), in order.
  struct Reloc {
    uint16_t offset;     // start of the name in wire()
    uint8_t prefix_len;  // octets of the leading labels kept as they are
    uint8_t labels;      // labels shared with the owner (>= 1), replaced by a pointer
  };
  std::span<const Reloc> relocs() const {
    if (!(wire_len_ & kHasRelocs)) return {};
    const uint8_t* p = base() + relocsOffset();
    uint16_t n;
    std::memcpy(&n, p, 2);
    return {reinterpret_cast<const Reloc*>(p + 4), n};
  }
  // Calls fn(std::span<const uint8_t> rdata) for each RR in order.
  template <typename F>
  void forEachRdata(F&& fn) const {
    const uint8_t* p = base() + wire_off_;
    for (uint16_t i = 0; i < count_; ++i) {
      size_t rdlen = size_t(p[10]) << 8 | p[11];
      fn(std::span<const uint8_t>(p + 12, rdlen));
      p += 12 + rdlen;
    }
  }
  std::vector<std::vector<uint8_t>> rdatas() const;

 private:
  friend struct NodeFactory;
  friend class Node;
  static constexpr uint32_t kHasTargets = 0x80000000u;  // targets follow the wire (2-aligned)
  static constexpr uint32_t kHasRelocs = 0x40000000u;   // then u16 count, 2 pad, Reloc[count] (4-aligned)
  const uint8_t* base() const { return reinterpret_cast<const uint8_t*>(this); }
  uint32_t wireLength() const { return wire_len_ & ~(kHasTargets | kHasRelocs); }
  uint32_t targetsEnd() const {
    uint32_t end = wire_off_ + wireLength();
    return (wire_len_ & kHasTargets) ? ((end + 1) & ~uint32_t(1)) + 2u * count_ : end;
  }
  uint32_t relocsOffset() const { return (targetsEnd() + 3) & ~uint32_t(3); }
  // Offset (from this entry) of the first byte after this RRset's data.
  uint32_t endOffset() const {
    if (!(wire_len_ & kHasRelocs)) return targetsEnd();
    uint16_t n;
    std::memcpy(&n, base() + relocsOffset(), 2);
    return relocsOffset() + 4 + 4u * n;
  }
  uint16_t type_ = 0;
  uint16_t count_ = 0;
  uint32_t ttl_ = 0;
  uint32_t wire_off_ = 0;
  uint32_t wire_len_ = 0;  // | kHasTargets
};
static_assert(sizeof(RRset) == 16);

// A name of the zone: either it owns RRsets, or it is an empty non-terminal (no RRsets, but names
// exist below it, RFC 4592 §2.2.2 / RFC 8020). A name that exists in the zone always has a Node, so
// NXDOMAIN vs NODATA is "is there a node". Immutable once published; shared between zone snapshots
// through its reference count.
class Node {
 public:
  enum Flag : uint8_t {
    kApex = 1,
    kHasNs = 2,
    kHasCname = 4,
    kHasDname = 8,
    kWildcardChild = 16,  // "*.<this name>" exists (RFC 4592 source of synthesis)
    kHasSoa = 32,
  };

  // Owner name, wire form, case as loaded.
  std::span<const uint8_t> name() const { return {reinterpret_cast<const uint8_t*>(this + 1), name_len_}; }
  dns::Name ownerName() const;
  // Hash of the lowercased name (zone/lookup_name.h); computed, not stored.
  uint64_t hash() const;
  // Number of names exactly one label below this one that exist in the zone.
  uint32_t childCount() const { return children_; }
  uint8_t flags() const { return flags_; }

  bool hasData() const { return rrset_count_ != 0; }
  bool isEmptyNonTerminal() const { return rrset_count_ == 0; }
  bool isApex() const { return flags_ & kApex; }
  // NS at a name other than the apex: a zone cut (RFC 1034 §4.2.1).
  bool isDelegation() const { return (flags_ & (kHasNs | kApex)) == kHasNs; }
  bool hasCname() const { return flags_ & kHasCname; }
  bool hasDname() const { return flags_ & kHasDname; }
  bool hasWildcardChild() const { return flags_ & kWildcardChild; }

  size_t rrsetCount() const { return rrset_count_; }
  const RRset& rrset(size_t i) const { return rrsets()[i]; }
  std::span<const RRset> rrsetSpan() const { return {rrsets(), rrset_count_}; }
  const RRset* find(uint16_t type) const {
    const RRset* r = rrsets();
    for (size_t i = 0; i < rrset_count_; ++i)
      if (r[i].type() == type) return &r[i];
    return nullptr;
  }
  // Number of RRs over all RRsets.
  size_t recordCount() const;
  // Bytes of the allocation.
  size_t allocationSize() const;

  // Reference counting (used by the zone's node table; not for general use).
  void retain() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Frees the node when the last reference goes.
  void release() const;

 private:
  friend struct NodeFactory;
  Node() = default;
  const RRset* rrsets() const {
    return reinterpret_cast<const RRset*>(reinterpret_cast<const uint8_t*>(this) + rrsetsOffset(name_len_));
  }
  static size_t rrsetsOffset(size_t name_len) { return (sizeof(Node) + name_len + 3) & ~size_t(3); }

  // 12 bytes, then the name, then (4-aligned) the RRset entries, then their data: an A record at
  // a 20-octet name takes 12 + 20 + 16 + 16 = 64 bytes in one allocation.
  mutable std::atomic<uint32_t> refs_{1};
  uint32_t children_ = 0;
  uint16_t rrset_count_ = 0;
  uint8_t name_len_ = 0;
  uint8_t flags_ = 0;
};
static_assert(sizeof(Node) == 12);

// One RRset to render into a node: `count` RDATAs starting at `rdatas`.
struct RRsetSpec {
  uint16_t type = 0;
  uint32_t ttl = 0;
  const std::span<const uint8_t>* rdatas = nullptr;
  size_t count = 0;
};

// Creation of nodes (internal to the zone module; the result has one reference).
struct NodeFactory {
  // `rrsets` must be sorted by type, each with >= 1 RDATA, RDATA valid for its type, the rendered
  // RRset <= 65535 bytes (callers validate). Flags derived from the types, plus `extra_flags`
  // (kApex, kWildcardChild).
  static Node* make(std::span<const uint8_t> name, uint32_t children, uint8_t extra_flags,
                    std::span<const RRsetSpec> rrsets);
  // A copy of `node` with another child count and flags (for empty-non-terminal bookkeeping).
  static Node* withChildren(const Node& node, uint32_t children, uint8_t flags);
  // Changes a node that is not yet shared (zone build only).
  static void setChildren(Node* node, uint32_t children, uint8_t flags) {
    node->children_ = children;
    node->flags_ = flags;
  }
  // Bytes of RR header after the 2-byte owner pointer + TYPE, CLASS, TTL, RDLENGTH: 12 in total.
  static constexpr size_t kRRHeader = 12;
};

// RDATA layout knowledge needed by the zone (independent of the dns module's full descriptor table).
namespace rdata_layout {
// Offset of the single target name in RDATA of NS, CNAME, DNAME, PTR (0), MX (2), SRV (6);
// -1 for other types.
int targetOffset(uint16_t type);
// Length of the uncompressed name at `p` (<= `avail` bytes), 0 when malformed.
size_t nameLength(const uint8_t* p, size_t avail);
// The domain names in RDATA that RFC 4034 §6.2 lowercases in the canonical form (NS, CNAME, DNAME,
// PTR, MX, KX, AFSDB, RT, SRV, SOA, RP, MINFO, NAPTR replacement): writes (offset, length) pairs to
// `out` and returns their number (<= 2); returns -1 when the RDATA does not parse for its type.
struct NameRange {
  uint16_t offset;
  uint16_t length;
};
int canonicalNames(uint16_t type, std::span<const uint8_t> rdata, NameRange out[2]);
// RFC 3597 §4: types whose RDATA names may be compressed (NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR,
// MINFO, MX).
bool compressible(uint16_t type);
// Validates what the zone itself interprets: the target name of targetOffset() types, SOA layout.
bool valid(uint16_t type, std::span<const uint8_t> rdata);
// Three-way comparison of RDATA in canonical form (names compared case-insensitively), RFC 4034 §6.3.
int canonicalCompare(uint16_t type, std::span<const uint8_t> a, std::span<const uint8_t> b);
// SOA fields (RDATA assumed valid).
uint32_t soaSerial(std::span<const uint8_t> rdata);
uint32_t soaMinimum(std::span<const uint8_t> rdata);
}  // namespace rdata_layout

}  // namespace zk::zone
