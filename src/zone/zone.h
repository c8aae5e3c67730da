// Zone: an immutable snapshot of one DNS zone; apply() makes a new snapshot sharing all unchanged names.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr.h"
#include "dns/types.h"
#include "zone/hamt.h"
#include "zone/lookup_name.h"
#include "zone/node.h"

namespace zk::zone {

class Zone;
using ZonePtr = std::shared_ptr<const Zone>;

// Replaces the whole RRset <owner, type> (class IN) with `rdatas` at `ttl`; empty `rdatas` deletes
// the RRset (deleting an absent RRset is not an error).
struct RRsetReplace {
  dns::Name owner;
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::vector<std::vector<uint8_t>> rdatas;
};

// A change to a zone, applied in this order: `remove` (exact RRs: owner, type, RDATA; TTL ignored;
// an absent RR is kNotFound), then `add` (RRs; an RR already present is merged silently), then
// `replace` (whole RRsets).
struct ZoneDelta {
  std::vector<dns::ResourceRecord> remove;
  std::vector<dns::ResourceRecord> add;
  std::vector<RRsetReplace> replace;
};

// Result of resolving a name inside the zone (RFC 1034 §4.3.2 step 3, RFC 4592 §3.3.1, RFC 6672).
// `label` is a label index into the LookupName that was resolved (0 = the whole name).
struct LookupResult {
  enum Kind : uint8_t {
    kExact,       // node = the name itself (may be an empty non-terminal: NODATA)
    kWildcard,    // node = "*.<closest encloser>", which synthesizes the answer; label = closest encloser
    kDelegation,  // node = the zone cut at or above the name; label = the cut's suffix
    kDname,       // node = the DNAME owner strictly above the name; label = its suffix
    kNxdomain,    // node = the closest encloser; label = its suffix
  };
  Kind kind = kNxdomain;
  const Node* node = nullptr;
  uint8_t label = 0;
};

// An immutable zone snapshot: a persistent hash trie of Nodes (one per existing name, including
// empty non-terminals), each holding its RRsets pre-rendered for answers (zone/node.h).
//
// Threading: immutable after construction; any number of threads may read a snapshot while other
// threads build or apply() further snapshots from it. Lifetime: Nodes returned by lookups live as
// long as the snapshot (hold the ZonePtr).
//
// Validation (build and apply): every record in class IN inside the zone; no meta/query types
// (OPT, 128-255, 0); exactly one SOA RR, at the apex and nowhere else; CNAME alone at its name
// except with RRSIG/NSEC (RFC 1034 §3.6.2, RFC 2181 §10.1, RFC 4035 §2.5) and never at the apex;
// one CNAME / one DNAME RR per name (RFC 6672 §2.4); RDATA valid where the zone interprets it (names
// in NS/CNAME/DNAME/PTR/MX/SRV/SOA..., A = 4 bytes, AAAA = 16); each rendered RRset <= 65535 bytes.
// Duplicate RRs (equal RDATA in canonical form, names case-insensitive, RFC 2181 §5 / RFC 4034 §6.2)
// are merged silently. RRs of one RRset with different TTLs get the lowest one: RFC 2181 §5.2 tells
// a receiver to treat such an RRset as if every TTL were the lowest, so serving that value is what
// a compliant cache would do anyway; it is independent of input order and never keeps data longer
// than any one record asked for.
class Zone {
 public:
  // Builds a snapshot from records (any order). Cost O(n log n); no parsing.
  static Result<ZonePtr> build(const dns::Name& apex, std::vector<dns::ResourceRecord> records);

  // A new snapshot with `delta` applied, sharing every node that did not change: cost proportional
  // to the change (O(changed names x trie depth)), not to the zone. This snapshot is unchanged.
  // Errors: kInvalidArgument (validation, see above), kNotFound (removing an absent RR).
  Result<ZonePtr> apply(const ZoneDelta& delta) const;

  ~Zone();
  Zone(const Zone&) = delete;
  Zone& operator=(const Zone&) = delete;

  const dns::Name& apex() const { return apex_; }
  size_t apexLabelCount() const { return apex_labels_; }
  uint64_t apexHash() const { return apex_hash_; }
  uint32_t serial() const { return serial_; }
  // TTL of negative answers: min(SOA TTL, SOA MINIMUM) (RFC 2308 §3, §5).
  uint32_t negativeTtl() const { return negative_ttl_; }
  size_t recordCount() const { return record_count_; }  // RRs
  size_t nameCount() const { return name_count_; }      // nodes, empty non-terminals included
  // Names with NS below the apex plus names with DNAME (0 lets lookups skip the zone-cut walk).
  size_t cutCount() const { return cut_count_; }
  const Node& apexNode() const { return *apex_node_; }
  const RRset& soa() const { return *apex_node_->find(dns::rrtype::kSOA); }

  // True when `name` is the apex or below it.
  bool contains(const LookupName& name) const {
    size_t n = name.labelCount();
    return n >= apex_labels_ &&
           name.suffixEquals(n - apex_labels_, apex_hash_, apex_lower_.data(), apex_lower_.size());
  }
  // The node for the suffix of `name` starting at `label`, or null. Hot path: hash trie probe.
  const Node* find(const LookupName& name, size_t label = 0) const {
    return hamt::find(root_, name.suffixHash(label), name.suffix(label), name.suffixLength(label));
  }
  const Node* find(const dns::Name& name) const;
  // find(names[i]) into out[i] for i < count, the lookups interleaved level by level with
  // prefetches so their cache misses overlap: for bulk probes (a reload's diff of 1M names).
  void findMany(const LookupName* names, size_t count, const Node** out) const;
  // "*.<suffix of name at label>", or null.
  const Node* findWildcard(const LookupName& name, size_t label) const;

  // Resolves `name` (which must satisfy contains()) per RFC 1034 §4.3.2 step 3: zone cuts and
  // DNAMEs above it, exact match (a DS query at a cut is answered from this side, RFC 4035
  // §3.1.4.1), else wildcard from the closest encloser (RFC 4592 §3.3.1: no synthesis when the
  // closest encloser's "*" child is absent, including when the name's ancestor exists as an empty
  // non-terminal), else NXDOMAIN.
  LookupResult lookup(const LookupName& name, uint16_t qtype) const;

  // Every node, in hash order (cheap; no allocation).
  void forEach(const std::function<void(const Node&)>& fn) const;
  // Nodes in DNSSEC canonical order (RFC 4034 §6.1); O(n log n), for export and AXFR.
  std::vector<const Node*> nodesCanonical() const;
  // All records in canonical order: names canonical, RRsets by type, RRs in canonical RDATA order.
  std::vector<dns::ResourceRecord> records() const;
  // Approximate bytes held by this snapshot alone (nodes + trie), for diagnostics.
  size_t memoryBytes() const;

  struct Private;  // construction detail (zone.cc)
  Zone(const Private&);

 private:
  friend struct ZoneEditor;
  dns::Name apex_;
  std::vector<uint8_t> apex_lower_;
  uint64_t apex_hash_ = 0;
  size_t apex_labels_ = 0;
  hamt::Slot root_ = 0;  // owns one reference
  const Node* apex_node_ = nullptr;
  uint32_t serial_ = 0;
  uint32_t negative_ttl_ = 0;
  size_t record_count_ = 0;
  size_t name_count_ = 0;
  size_t cut_count_ = 0;
};

// DNSSEC canonical name order (RFC 4034 §6.1) on uncompressed wire names of any case.
int canonicalNameCompare(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace zk::zone
