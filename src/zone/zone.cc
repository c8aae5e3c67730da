// Zone snapshots: validated bulk build, path-copying apply(), name resolution and canonical export.
#include "zone/zone.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <optional>
#include <string>
#include <unordered_map>

#include "dns/types.h"

namespace zk::zone {

struct Zone::Private {
  dns::Name apex;
  hamt::Slot root = 0;
  size_t record_count = 0;
  size_t name_count = 0;
  size_t cut_count = 0;
};

namespace {

using dns::rrtype::kCNAME;
using dns::rrtype::kDNAME;
using dns::rrtype::kDS;
using dns::rrtype::kNSEC;
using dns::rrtype::kRRSIG;
using dns::rrtype::kSOA;

std::string nameText(std::span<const uint8_t> wire) {
  auto r = dns::Name::fromWire(wire);
  return r.ok() ? r->toText() : std::string("<bad name>");
}

// Case-insensitive three-way comparison of wire names (a strict weak order for grouping).
int ciCompare(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    uint8_t x = dns::asciiLower(a[i]), y = dns::asciiLower(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return 0;
}

bool isStarLabel(const uint8_t* label) { return label[0] == 1 && label[1] == '*'; }

// `rdata` null: only the owner/type/class are checked (deleting a whole RRset).
Status checkRecordShape(std::span<const uint8_t> owner, uint16_t type, uint16_t klass,
                        const std::vector<uint8_t>* rdata_or_null) {
  if (klass != dns::rrclass::kIN)
    return invalidArgument("record " + nameText(owner) + " " + dns::typeToText(type) + ": class " +
                           dns::classToText(klass) + " is not supported (only IN)");
  // RFC 6895 §3.1: 0 is reserved, OPT is a pseudo-RR, 128-255 are query/meta types.
  if (type == 0 || type == dns::rrtype::kOPT || (type >= 128 && type <= 255))
    return invalidArgument("record " + nameText(owner) + ": type " + dns::typeToText(type) +
                           " cannot be stored in a zone");
  if (rdata_or_null == nullptr) return Status();
  const std::vector<uint8_t>& rdata = *rdata_or_null;
  if (rdata.size() > 65535 - NodeFactory::kRRHeader)
    return invalidArgument("record " + nameText(owner) + " " + dns::typeToText(type) + ": RDATA too long");
  if (!rdata_layout::valid(type, rdata))
    return invalidArgument("record " + nameText(owner) + " " + dns::typeToText(type) + ": malformed RDATA");
  return Status();
}

// Per-name rules over the final RRsets of one name (sorted by type, deduplicated).
Status validateOwner(std::span<const uint8_t> owner, bool is_apex, std::span<const RRsetSpec> rrsets) {
  bool has_soa = false, has_cname = false, other_than_cname = false;
  for (const RRsetSpec& s : rrsets) {
    size_t bytes = 0;
    for (size_t i = 0; i < s.count; ++i) bytes += NodeFactory::kRRHeader + s.rdatas[i].size();
    if (bytes > 65535)
      return invalidArgument("RRset " + nameText(owner) + " " + dns::typeToText(s.type) +
                             " is larger than a DNS message");
    if (s.type == kSOA) {
      if (!is_apex)
        return invalidArgument("SOA record at " + nameText(owner) + ", which is not the zone apex");
      if (s.count != 1) return invalidArgument("more than one SOA record at the zone apex");
      has_soa = true;
    } else if (s.type == kCNAME) {
      if (s.count != 1)
        return invalidArgument("more than one CNAME record at " + nameText(owner) + " (RFC 2181 §10.1)");
      has_cname = true;
    } else if (s.type == kDNAME) {
      if (s.count != 1)
        return invalidArgument("more than one DNAME record at " + nameText(owner) + " (RFC 6672 §2.4)");
      other_than_cname = true;
    } else if (s.type != kRRSIG && s.type != kNSEC) {
      other_than_cname = true;
    }
  }
  if (has_cname && (other_than_cname || is_apex))
    return invalidArgument("CNAME at " + nameText(owner) +
                           " cannot coexist with other data (RFC 1034 §3.6.2, RFC 2181 §10.1)");
  if (is_apex && !has_soa)
    return invalidArgument("the zone apex " + nameText(owner) + " must have exactly one SOA record");
  return Status();
}

uint8_t derivedFlags(const Node& n) { return n.flags() & (Node::kApex | Node::kWildcardChild); }

// Open-addressing index from name to position in the node vector (build only).
class BuildIndex {
 public:
  using Nodes = std::vector<hamt::HashedNode>;
  explicit BuildIndex(size_t expected) { resize(expected * 2 + 16); }
  // Position of the node named `name` (any case, hash h), or -1.
  int64_t find(const Nodes& nodes, uint64_t h, std::span<const uint8_t> name) const {
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      uint32_t v = slots_[i];
      if (v == 0) return -1;
      const hamt::HashedNode& n = nodes[v - 1];
      if (n.hash == h && ciCompare(n.node->name(), name) == 0) return int64_t(v - 1);
    }
  }
  // Indexes nodes[pos]; nodes [0, pos) must all be indexed already.
  void insert(const Nodes& nodes, size_t pos) {
    if ((count_ + 1) * 2 > slots_.size()) {
      resize(slots_.size() * 2);
      for (size_t k = 0; k < pos; ++k) place(nodes, k);
    }
    place(nodes, pos);
    ++count_;
  }

 private:
  void place(const Nodes& nodes, size_t pos) {
    if (nodes[pos].node == nullptr) return;  // a secondary run's slot
    for (size_t i = nodes[pos].hash & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == 0) {
        slots_[i] = uint32_t(pos + 1);
        return;
      }
    }
  }
  void resize(size_t n) {
    size_t cap = 16;
    while (cap < n) cap <<= 1;
    slots_.assign(cap, 0);
    mask_ = cap - 1;
  }
  std::vector<uint32_t> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

void readSoa(const Node& apex, uint32_t* serial, uint32_t* negative_ttl) {
  const RRset* soa = apex.find(kSOA);
  *serial = 0;
  *negative_ttl = 0;
  if (soa == nullptr) return;
  soa->forEachRdata([&](std::span<const uint8_t> rd) {
    *serial = rdata_layout::soaSerial(rd);
    *negative_ttl = std::min(soa->ttl(), rdata_layout::soaMinimum(rd));  // RFC 2308 §3
  });
}

}  // namespace

Zone::Zone(const Private& p)
    : apex_(p.apex),
      root_(p.root),
      record_count_(p.record_count),
      name_count_(p.name_count),
      cut_count_(p.cut_count) {
  LookupName ln;
  ln.assign(apex_);
  apex_lower_.assign(ln.wire(), ln.wire() + ln.length());
  apex_hash_ = ln.hash();
  apex_labels_ = ln.labelCount();
  apex_node_ = find(ln);
  readSoa(*apex_node_, &serial_, &negative_ttl_);
}

Zone::~Zone() { hamt::release(root_); }

Result<ZonePtr> Zone::build(const dns::Name& apex, std::vector<dns::ResourceRecord> records) {
  LookupName apex_ln;
  if (!apex_ln.assign(apex)) return invalidArgument("bad zone apex");
  if (records.size() >= 0xFFFFFFFFu) return invalidArgument("too many records");
  const size_t n = records.size();

  // Pass 1, input order: validate, hash each owner (and its parent), cut the input into runs of
  // consecutive records with the same owner. Everything below stays sequential over the input:
  // visiting 1M records in hash order would make each one a cache miss.
  std::vector<uint64_t> hashes(n), parent_hashes_in(n);
  std::vector<uint32_t> runs;  // start of each run; the run ends where the next one starts
  runs.reserve(n / 2 + 1);
  {
    LookupName ln;
    for (size_t i = 0; i < n; ++i) {
      const dns::ResourceRecord& r = records[i];
      ZK_RETURN_IF_ERROR(checkRecordShape(r.owner.wire(), r.type, r.klass, &r.rdata));
      ln.assign(r.owner);
      size_t labels = ln.labelCount();
      if (labels < apex_ln.labelCount() ||
          !ln.suffixEquals(labels - apex_ln.labelCount(), apex_ln.hash(), apex_ln.wire(), apex_ln.length()))
        return invalidArgument("record " + r.owner.toText() + " is outside the zone " + apex.toText());
      hashes[i] = ln.hash();
      parent_hashes_in[i] = labels > 0 ? ln.suffixHash(1) : 0;
      if (i == 0 || hashes[i] != hashes[i - 1] || ciCompare(r.owner.wire(), records[i - 1].owner.wire()) != 0)
        runs.push_back(uint32_t(i));
    }
  }
  const size_t nruns = runs.size();
  runs.push_back(uint32_t(n));

  // Pass 2: run heads sorted by hash. Owners split over several runs (records of one name not
  // adjacent in the input) show up as neighbours; their later runs are attached to the first one.
  // The same order later lays out the trie, so this is the only sort over the whole zone.
  std::vector<hamt::HashedNode> heads(nruns);  // node field holds the run index until pass 3
  for (size_t r = 0; r < nruns; ++r) heads[r] = {hashes[runs[r]], reinterpret_cast<Node*>(uintptr_t(r))};
  std::sort(heads.begin(), heads.end(), [](const hamt::HashedNode& a, const hamt::HashedNode& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.node < b.node;
  });
  auto run_of = [](const hamt::HashedNode& h) { return uint32_t(reinterpret_cast<uintptr_t>(h.node)); };
  std::unordered_map<uint32_t, std::vector<uint32_t>> extra_runs;  // first run -> later runs
  std::vector<bool> secondary;
  for (size_t i = 0; i + 1 < heads.size();) {
    size_t j = i + 1;
    while (j < heads.size() && heads[j].hash == heads[i].hash) ++j;
    for (size_t x = i; x + 1 < j; ++x) {  // equal hashes: group the equal names (usually all)
      if (!secondary.empty() && secondary[run_of(heads[x])]) continue;
      for (size_t y = x + 1; y < j; ++y) {
        uint32_t rx = run_of(heads[x]), ry = run_of(heads[y]);
        if (!secondary.empty() && secondary[ry]) continue;
        if (ciCompare(records[runs[rx]].owner.wire(), records[runs[ry]].owner.wire()) != 0) continue;
        if (secondary.empty()) secondary.assign(nruns, false);
        secondary[ry] = true;  // sorted by (hash, run): rx is the owner's first run
        extra_runs[rx].push_back(ry);
      }
    }
    i = j;
  }

  // nodes[run] (null for secondary runs), then empty non-terminals appended.
  std::vector<hamt::HashedNode> nodes(nruns, hamt::HashedNode{0, nullptr});
  std::vector<uint64_t> parent_hashes(nruns, 0);
  auto fail = [&](Status s) -> Result<ZonePtr> {
    for (auto& x : nodes)
      if (x.node != nullptr) x.node->release();
    return s;
  };

  // Pass 3, input order: one node per owner; its records sorted by (type, canonical RDATA), grouped
  // into RRsets, duplicates dropped, TTLs unified.
  std::vector<uint32_t> idx;
  std::vector<std::span<const uint8_t>> rdatas;
  std::vector<RRsetSpec> specs;
  std::vector<size_t> spec_starts;
  size_t record_count = 0;
  size_t cut_count = 0;
  int64_t apex_pos = -1;
  for (size_t r = 0; r < nruns; ++r) {
    if (!secondary.empty() && secondary[r]) continue;
    idx.clear();
    for (uint32_t i = runs[r]; i < runs[r + 1]; ++i) idx.push_back(i);
    if (!extra_runs.empty()) {
      auto it = extra_runs.find(uint32_t(r));
      if (it != extra_runs.end())
        for (uint32_t x : it->second)
          for (uint32_t i = runs[x]; i < runs[x + 1]; ++i) idx.push_back(i);
    }
    if (idx.size() > 1) {
      std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
        const auto& ra = records[a];
        const auto& rb = records[b];
        if (ra.type != rb.type) return ra.type < rb.type;
        if (int c = rdata_layout::canonicalCompare(ra.type, ra.rdata, rb.rdata)) return c < 0;
        return a < b;
      });
    }
    const dns::ResourceRecord& first = records[runs[r]];
    rdatas.clear();
    specs.clear();
    spec_starts.clear();
    for (uint32_t i : idx) {
      const dns::ResourceRecord& rec = records[i];
      if (specs.empty() || specs.back().type != rec.type) {
        specs.push_back(RRsetSpec{rec.type, rec.ttl, nullptr, 0});
        spec_starts.push_back(rdatas.size());
      } else {
        specs.back().ttl = std::min(specs.back().ttl, rec.ttl);  // RFC 2181 §5.2: the lowest TTL
        if (rdata_layout::canonicalCompare(rec.type, rdatas.back(), rec.rdata) == 0)
          continue;  // duplicate RR
      }
      rdatas.push_back(rec.rdata);
      ++specs.back().count;
    }
    for (size_t k = 0; k < specs.size(); ++k) specs[k].rdatas = rdatas.data() + spec_starts[k];
    const uint64_t h = hashes[runs[r]];
    bool is_apex = h == apex_ln.hash() && ciCompare(first.owner.wire(), apex.wire()) == 0;
    if (Status st = validateOwner(first.owner.wire(), is_apex, specs); !st.isOk()) return fail(st);
    if (is_apex) apex_pos = int64_t(r);
    Node* node = NodeFactory::make(first.owner.wire(), 0, is_apex ? Node::kApex : 0, specs);
    if (node->isDelegation() || node->hasDname()) ++cut_count;
    nodes[r] = {h, node};
    parent_hashes[r] = parent_hashes_in[runs[r]];
    record_count += rdatas.size();
  }
  hashes = {};
  parent_hashes_in = {};
  runs = {};
  if (apex_pos < 0)
    return fail(invalidArgument("the zone " + apex.toText() + " has no SOA record at its apex"));

  // Child counts and empty non-terminals: every name but the apex is a child of its parent name;
  // a missing parent becomes an empty non-terminal (appended, then processed in turn). Children of
  // the apex are recognised without the index, which is only built when some other parent appears.
  Node* apex_node = nodes[size_t(apex_pos)].node;
  std::optional<BuildIndex> index;
  for (size_t k = 0; k < nodes.size(); ++k) {
    if (int64_t(k) == apex_pos || nodes[k].node == nullptr) continue;
    auto name = nodes[k].node->name();
    auto parent = name.subspan(1 + name[0]);
    const uint8_t star = isStarLabel(name.data()) ? Node::kWildcardChild : 0;
    Node* pn = nullptr;
    if (parent_hashes[k] == apex_ln.hash() && parent.size() == apex_ln.length() &&
        wireEqualsLower(parent.data(), apex_ln.wire(), parent.size())) {
      pn = apex_node;
    } else {
      if (!index) {
        index.emplace(nodes.size());
        for (size_t i = 0; i < nodes.size(); ++i) index->insert(nodes, i);
      }
      int64_t p = index->find(nodes, parent_hashes[k], parent);
      if (p >= 0) pn = nodes[size_t(p)].node;
    }
    if (pn != nullptr) {
      NodeFactory::setChildren(pn, pn->childCount() + 1, uint8_t(pn->flags() | star));
    } else {
      LookupName pl;
      pl.assign(parent.data(), parent.size());
      nodes.push_back({parent_hashes[k], NodeFactory::make(parent, 1, star, {})});
      parent_hashes.push_back(pl.labelCount() > 0 ? pl.suffixHash(1) : 0);
      index->insert(nodes, nodes.size() - 1);
    }
  }
  parent_hashes = {};

  // Trie order: the sorted run heads (minus secondary runs) merged with the sorted new ENTs.
  auto by_hash = [](const hamt::HashedNode& a, const hamt::HashedNode& b) { return a.hash < b.hash; };
  std::sort(nodes.begin() + ptrdiff_t(nruns), nodes.end(), by_hash);
  size_t w = 0;
  for (size_t i = 0; i < heads.size(); ++i) {
    uint32_t r = run_of(heads[i]);
    if (nodes[r].node != nullptr) heads[w++] = nodes[r];
  }
  heads.resize(w);
  std::vector<hamt::HashedNode> sorted;
  if (nodes.size() == nruns) {
    sorted = std::move(heads);
  } else {
    sorted.reserve(w + nodes.size() - nruns);
    std::merge(heads.begin(), heads.end(), nodes.begin() + ptrdiff_t(nruns), nodes.end(),
               std::back_inserter(sorted), by_hash);
    heads = {};
  }
  nodes = {};

  Private p;
  p.apex = apex;
  p.record_count = record_count;
  p.name_count = sorted.size();
  p.cut_count = cut_count;
  p.root = hamt::build(sorted);
  return ZonePtr(std::make_shared<const Zone>(p));
}

// apply(): per owner name, decode its node, apply the operations, validate, re-render; then fix
// child counts / empty non-terminals up the tree. Every trie update copies one root-to-leaf path.
struct ZoneEditor {
  struct EditRRset {
    uint16_t type;
    uint32_t ttl;
    std::vector<std::vector<uint8_t>> rdatas;
  };
  struct Op {
    enum Kind : uint8_t { kRemove, kAdd, kReplace } kind;
    const dns::ResourceRecord* rr = nullptr;
    const RRsetReplace* rep = nullptr;
  };
  struct Owner {
    const dns::Name* name;
    std::vector<Op> ops;
  };

  const Zone& base;
  hamt::Slot root;
  size_t record_count, name_count, cut_count;

  explicit ZoneEditor(const Zone& z)
      : base(z),
        root(z.root_),
        record_count(z.record_count_),
        name_count(z.name_count_),
        cut_count(z.cut_count_) {
    hamt::retain(root);
  }
  ~ZoneEditor() { hamt::release(root); }

  void setRoot(hamt::Slot next) {
    hamt::release(root);
    root = next;
  }
  const Node* find(const LookupName& ln, size_t label) const {
    return hamt::find(root, ln.suffixHash(label), ln.suffix(label), ln.suffixLength(label));
  }
  void put(uint64_t hash, Node* n) { setRoot(hamt::insert(root, hash, n)); }
  void erase(const LookupName& ln, size_t label) {
    bool found = false;
    hamt::Slot next =
        hamt::remove(root, ln.suffixHash(label), ln.suffix(label), ln.suffixLength(label), &found);
    if (found) setRoot(next);
  }

  static bool cutLike(const Node* n) { return n != nullptr && (n->isDelegation() || n->hasDname()); }

  // The name at `label` of `ln` (original-case bytes in `orig`) gained a child.
  void addChild(const LookupName& ln, const uint8_t* orig, size_t label, bool child_is_star) {
    const uint8_t star_flag = child_is_star ? Node::kWildcardChild : 0;
    if (const Node* p = find(ln, label)) {
      put(ln.suffixHash(label),
          NodeFactory::withChildren(*p, p->childCount() + 1, uint8_t(p->flags() | star_flag)));
      return;
    }
    put(ln.suffixHash(label),
        NodeFactory::make({orig + ln.labelOffset(label), ln.suffixLength(label)}, 1, star_flag, {}));
    ++name_count;
    addChild(ln, orig, label + 1, isStarLabel(ln.suffix(label)));
  }

  // The name at `label` of `ln` lost a child; removes it when it becomes empty and childless.
  void removeChild(const LookupName& ln, size_t label, bool child_is_star) {
    const Node* p = find(ln, label);
    if (p == nullptr) return;  // cannot happen in a consistent zone
    uint32_t children = p->childCount() > 0 ? p->childCount() - 1 : 0;
    uint8_t flags = uint8_t(p->flags() & ~(child_is_star ? Node::kWildcardChild : 0));
    if (children == 0 && !p->hasData() && !p->isApex()) {
      erase(ln, label);
      --name_count;
      removeChild(ln, label + 1, isStarLabel(ln.suffix(label)));
      return;
    }
    put(ln.suffixHash(label), NodeFactory::withChildren(*p, children, flags));
  }

  static EditRRset* findSet(std::vector<EditRRset>& sets, uint16_t type) {
    for (auto& s : sets)
      if (s.type == type) return &s;
    return nullptr;
  }
  static EditRRset& getSet(std::vector<EditRRset>& sets, uint16_t type, uint32_t ttl) {
    auto it = std::lower_bound(sets.begin(), sets.end(), type,
                               [](const EditRRset& s, uint16_t t) { return s.type < t; });
    if (it != sets.end() && it->type == type) return *it;
    return *sets.insert(it, EditRRset{type, ttl, {}});
  }
  static void normalize(EditRRset& s) {
    auto less = [&](const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
      return rdata_layout::canonicalCompare(s.type, a, b) < 0;
    };
    auto eq = [&](const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
      return rdata_layout::canonicalCompare(s.type, a, b) == 0;
    };
    std::stable_sort(s.rdatas.begin(), s.rdatas.end(), less);
    s.rdatas.erase(std::unique(s.rdatas.begin(), s.rdatas.end(), eq), s.rdatas.end());
  }

  Status applyOwner(const Owner& o) {
    LookupName ln;
    ln.assign(*o.name);
    const uint8_t* orig = o.name->wire().data();
    const bool is_apex = ln.labelCount() == base.apex_labels_;
    const Node* old = find(ln, 0);

    std::vector<EditRRset> sets;
    if (old != nullptr)
      for (const RRset& r : old->rrsetSpan()) sets.push_back(EditRRset{r.type(), r.ttl(), r.rdatas()});

    for (const Op& op : o.ops) {
      if (op.kind == Op::kRemove) {
        const dns::ResourceRecord& rr = *op.rr;
        EditRRset* s = findSet(sets, rr.type);
        bool removed = false;
        if (s != nullptr) {
          for (auto it = s->rdatas.begin(); it != s->rdatas.end(); ++it) {
            if (rdata_layout::canonicalCompare(rr.type, *it, rr.rdata) == 0) {
              s->rdatas.erase(it);
              removed = true;
              break;
            }
          }
          if (s->rdatas.empty()) sets.erase(sets.begin() + (s - sets.data()));
        }
        if (!removed)
          return notFound("cannot delete " + rr.owner.toText() + " " + dns::typeToText(rr.type) +
                          ": no such record");
      } else if (op.kind == Op::kAdd) {
        const dns::ResourceRecord& rr = *op.rr;
        EditRRset& s = getSet(sets, rr.type, rr.ttl);
        s.ttl = std::min(s.ttl, rr.ttl);  // RFC 2181 §5.2
        bool dup = false;
        for (const auto& r : s.rdatas)
          if (rdata_layout::canonicalCompare(rr.type, r, rr.rdata) == 0) dup = true;
        if (!dup) s.rdatas.push_back(rr.rdata);
      } else {
        const RRsetReplace& rep = *op.rep;
        if (EditRRset* s = findSet(sets, rep.type)) sets.erase(sets.begin() + (s - sets.data()));
        if (!rep.rdatas.empty()) {
          EditRRset& s = getSet(sets, rep.type, rep.ttl);
          s.ttl = rep.ttl;
          s.rdatas = rep.rdatas;
        }
      }
    }

    std::vector<std::span<const uint8_t>> spans;
    size_t total = 0;
    for (auto& s : sets) {
      normalize(s);
      total += s.rdatas.size();
    }
    spans.reserve(total);
    std::vector<RRsetSpec> specs;
    for (auto& s : sets) {
      RRsetSpec spec{s.type, s.ttl, spans.data() + spans.size(), s.rdatas.size()};
      for (const auto& r : s.rdatas) spans.emplace_back(r);
      specs.push_back(spec);
    }
    std::span<const uint8_t> owner_wire = old != nullptr ? old->name() : o.name->wire();
    ZK_RETURN_IF_ERROR(validateOwner(owner_wire, is_apex, specs));

    const size_t old_records = old != nullptr ? old->recordCount() : 0;
    record_count = record_count - old_records + total;
    if (cutLike(old)) --cut_count;
    if (old != nullptr) {
      if (!specs.empty() || old->childCount() > 0) {
        Node* n = NodeFactory::make(owner_wire, old->childCount(), derivedFlags(*old), specs);
        if (cutLike(n)) ++cut_count;
        put(ln.hash(), n);
      } else {
        erase(ln, 0);
        --name_count;
        removeChild(ln, 1, isStarLabel(ln.wire()));
      }
    } else if (!specs.empty()) {
      Node* n = NodeFactory::make(owner_wire, 0, is_apex ? Node::kApex : 0, specs);
      if (cutLike(n)) ++cut_count;
      put(ln.hash(), n);
      ++name_count;
      addChild(ln, orig, 1, isStarLabel(ln.wire()));
    }
    return Status();
  }
};

Result<ZonePtr> Zone::apply(const ZoneDelta& delta) const {
  ZoneEditor ed(*this);
  std::vector<ZoneEditor::Owner> owners;
  std::unordered_map<std::string, size_t> by_name;
  LookupName ln;
  auto owner = [&](const dns::Name& name) -> Result<ZoneEditor::Owner*> {
    if (!ln.assign(name) || !contains(ln))
      return Result<ZoneEditor::Owner*>(
          invalidArgument("record " + name.toText() + " is outside the zone " + apex_.toText()));
    std::string key(reinterpret_cast<const char*>(ln.wire()), ln.length());
    auto [it, inserted] = by_name.emplace(std::move(key), owners.size());
    if (inserted) owners.push_back(ZoneEditor::Owner{&name, {}});
    return &owners[it->second];
  };
  for (const auto& rr : delta.remove) {
    ZK_RETURN_IF_ERROR(checkRecordShape(rr.owner.wire(), rr.type, rr.klass, &rr.rdata));
    auto o = owner(rr.owner);
    if (!o.ok()) return o.status();
    (*o)->ops.push_back({ZoneEditor::Op::kRemove, &rr, nullptr});
  }
  for (const auto& rr : delta.add) {
    ZK_RETURN_IF_ERROR(checkRecordShape(rr.owner.wire(), rr.type, rr.klass, &rr.rdata));
    auto o = owner(rr.owner);
    if (!o.ok()) return o.status();
    (*o)->ops.push_back({ZoneEditor::Op::kAdd, &rr, nullptr});
  }
  for (const auto& rep : delta.replace) {
    for (const auto& rd : rep.rdatas)
      ZK_RETURN_IF_ERROR(checkRecordShape(rep.owner.wire(), rep.type, dns::rrclass::kIN, &rd));
    if (rep.rdatas.empty())
      ZK_RETURN_IF_ERROR(checkRecordShape(rep.owner.wire(), rep.type, dns::rrclass::kIN, nullptr));
    auto o = owner(rep.owner);
    if (!o.ok()) return o.status();
    (*o)->ops.push_back({ZoneEditor::Op::kReplace, nullptr, &rep});
  }
  for (const auto& o : owners) ZK_RETURN_IF_ERROR(ed.applyOwner(o));

  Private p;
  p.apex = apex_;
  p.root = ed.root;
  hamt::retain(p.root);
  p.record_count = ed.record_count;
  p.name_count = ed.name_count;
  p.cut_count = ed.cut_count;
  return ZonePtr(std::make_shared<const Zone>(p));
}

void Zone::findMany(const LookupName* names, size_t count, const Node** out) const {
  // hamt::find for up to kChunk names at once: each round moves every unfinished lookup one level
  // down and prefetches the slot it lands on, so the misses of independent lookups overlap
  // (memory-level parallelism) instead of each waiting for the previous one.
  constexpr size_t kChunk = 32;
  hamt::Slot cur[kChunk];
  for (size_t base = 0; base < count; base += kChunk) {
    const size_t n = std::min(kChunk, count - base);
    for (size_t i = 0; i < n; ++i) {
      cur[i] = root_;
      out[base + i] = nullptr;
    }
    bool active = true;
    for (unsigned level = 0; active; ++level) {
      active = false;
      for (size_t i = 0; i < n; ++i) {
        const hamt::Slot s = cur[i];
        if (s == 0) continue;
        const LookupName& ln = names[base + i];
        cur[i] = 0;
        if (hamt::tag(s) == hamt::kTagBranch) {
          const hamt::Branch* b = hamt::asBranch(s);
          const uint32_t bit = uint32_t(1) << hamt::indexAt(ln.hash(), level);
          if (!(b->bitmap & bit)) continue;
          cur[i] = b->slots()[std::popcount(b->bitmap & (bit - 1))];
          __builtin_prefetch(reinterpret_cast<const void*>(cur[i] & ~hamt::kTagMask));
          active = true;
        } else {  // a leaf or a collision list: finish as find() does
          out[base + i] = hamt::find(s, ln.hash(), ln.wire(), ln.length());
        }
      }
    }
  }
}

const Node* Zone::find(const dns::Name& name) const {
  LookupName ln;
  if (!ln.assign(name) || !contains(ln)) return nullptr;
  return find(ln);
}

const Node* Zone::findWildcard(const LookupName& name, size_t label) const {
  size_t slen = name.suffixLength(label);
  if (slen + 2 > dns::kMaxNameLength) return nullptr;
  uint8_t buf[dns::kMaxNameLength + 8];
  std::memset(buf, 0, 8);
  buf[0] = 1;
  buf[1] = '*';
  std::memcpy(buf + 2, name.suffix(label), slen);
  return hamt::find(root_, hashLabel(name.suffixHash(label), buf), buf, slen + 2);
}

LookupResult Zone::lookup(const LookupName& name, uint16_t qtype) const {
  const size_t a = name.labelCount() - apex_labels_;  // label index of the apex in `name`
  if (a == 0) return {LookupResult::kExact, apex_node_, 0};
  auto wildcard_or_nx = [&](const Node* ce, size_t i) -> LookupResult {
    if (ce->hasWildcardChild()) {  // RFC 4592 §3.3.1: source of synthesis = "*." + closest encloser
      if (const Node* w = findWildcard(name, i)) return {LookupResult::kWildcard, w, uint8_t(i)};
    }
    return {LookupResult::kNxdomain, ce, uint8_t(i)};
  };
  if (cut_count_ == 0) {  // no zone cuts or DNAMEs: exact probe, then closest encloser bottom-up
    if (const Node* n = find(name, 0)) return {LookupResult::kExact, n, 0};
    for (size_t i = 1; i < a; ++i)
      if (const Node* ce = find(name, i)) return wildcard_or_nx(ce, i);
    return wildcard_or_nx(apex_node_, a);
  }
  // RFC 1034 §4.3.2 step 3: walk down from the apex; a cut or DNAME above the name wins.
  if (apex_node_->hasDname()) return {LookupResult::kDname, apex_node_, uint8_t(a)};
  const Node* prev = apex_node_;
  for (size_t i = a; i-- > 0;) {
    const Node* n = find(name, i);
    if (n == nullptr) return wildcard_or_nx(prev, i + 1);
    if (n->isDelegation() && !(i == 0 && qtype == kDS)) return {LookupResult::kDelegation, n, uint8_t(i)};
    if (i == 0) return {LookupResult::kExact, n, 0};
    if (n->hasDname()) return {LookupResult::kDname, n, uint8_t(i)};
    prev = n;
  }
  return {LookupResult::kExact, apex_node_, 0};  // unreachable
}

void Zone::forEach(const std::function<void(const Node&)>& fn) const { hamt::forEach(root_, fn); }

int canonicalNameCompare(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  uint8_t oa[128], ob[128];
  size_t na = 0, nb = 0;
  for (size_t p = 0; p < a.size() && a[p] != 0 && na < 128; p += 1 + a[p]) oa[na++] = uint8_t(p);
  for (size_t p = 0; p < b.size() && b[p] != 0 && nb < 128; p += 1 + b[p]) ob[nb++] = uint8_t(p);
  while (na > 0 && nb > 0) {
    const uint8_t* la = a.data() + oa[--na];
    const uint8_t* lb = b.data() + ob[--nb];
    size_t n = std::min(la[0], lb[0]);
    for (size_t i = 1; i <= n; ++i) {
      uint8_t x = dns::asciiLower(la[i]), y = dns::asciiLower(lb[i]);
      if (x != y) return x < y ? -1 : 1;
    }
    if (la[0] != lb[0]) return la[0] < lb[0] ? -1 : 1;
  }
  if (na != nb) return na < nb ? -1 : 1;
  return 0;
}

std::vector<const Node*> Zone::nodesCanonical() const {
  std::vector<const Node*> out;
  out.reserve(name_count_);
  hamt::forEach(root_, [&](const Node& n) { out.push_back(&n); });
  std::sort(out.begin(), out.end(),
            [](const Node* x, const Node* y) { return canonicalNameCompare(x->name(), y->name()) < 0; });
  return out;
}

std::vector<dns::ResourceRecord> Zone::records() const {
  std::vector<dns::ResourceRecord> out;
  out.reserve(record_count_);
  for (const Node* n : nodesCanonical()) {
    if (!n->hasData()) continue;
    dns::Name owner = n->ownerName();
    for (const RRset& s : n->rrsetSpan()) {
      s.forEachRdata([&](std::span<const uint8_t> rd) {
        out.push_back(
            dns::ResourceRecord{owner, s.type(), dns::rrclass::kIN, s.ttl(), {rd.begin(), rd.end()}});
      });
    }
  }
  return out;
}

size_t Zone::memoryBytes() const {
  size_t total = hamt::structureBytes(root_);
  hamt::forEach(root_, [&](const Node& n) { total += n.allocationSize(); });
  return total;
}

}  // namespace zk::zone
