// Rendering of owner names and RRsets into one node allocation; the RDATA layouts the zone relies on.
#include "zone/node.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "dns/types.h"
#include "zone/lookup_name.h"

namespace zk::zone {

std::vector<std::vector<uint8_t>> RRset::rdatas() const {
  std::vector<std::vector<uint8_t>> out;
  out.reserve(count_);
  forEachRdata([&](std::span<const uint8_t> r) { out.emplace_back(r.begin(), r.end()); });
  return out;
}

dns::Name Node::ownerName() const {
  auto r = dns::Name::fromWire(name());
  return r.ok() ? std::move(r).value() : dns::Name();
}

size_t Node::recordCount() const {
  size_t n = 0;
  for (const RRset& r : rrsetSpan()) n += r.count();
  return n;
}

uint64_t Node::hash() const { return hashName(name()); }

size_t Node::allocationSize() const {
  if (rrset_count_ == 0) return rrsetsOffset(name_len_);
  const RRset& last = rrsets()[rrset_count_ - 1];
  return size_t(reinterpret_cast<const uint8_t*>(&last) - reinterpret_cast<const uint8_t*>(this)) +
         last.endOffset();
}

void Node::release() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~Node();
    std::free(const_cast<Node*>(this));
  }
}

namespace {

// Label start offsets of an uncompressed name; returns the label count (root excluded).
size_t labelOffsets(std::span<const uint8_t> name, uint8_t* out) {
  size_t n = 0;
  for (size_t p = 0; p < name.size() && name[p] != 0 && n < 128; p += 1 + name[p]) out[n++] = uint8_t(p);
  return n;
}

// Calls fn(RRset::Reloc) for each compressible name of `rdata` (at `rd_off` in the RRset's wire)
// that shares at least one label with the owner. A leading "*" label of the owner is never shared:
// wildcard answers are owned by the query name, which has other labels there.
template <typename F>
void forEachReloc(std::span<const uint8_t> owner, const uint8_t* owner_offs, size_t owner_labels,
                  uint16_t type, std::span<const uint8_t> rdata, size_t rd_off, F&& fn) {
  if (!rdata_layout::compressible(type)) return;
  rdata_layout::NameRange names[2];
  int count = rdata_layout::canonicalNames(type, rdata, names);
  size_t max_shared = owner_labels;
  if (owner_labels > 0 && owner[0] == 1 && owner[1] == '*') --max_shared;
  for (int i = 0; i < count; ++i) {
    auto name = rdata.subspan(names[i].offset, names[i].length);
    uint8_t offs[128];
    size_t n = labelOffsets(name, offs);
    size_t k = 0;
    while (k < n && k < max_shared) {
      const uint8_t* a = name.data() + offs[n - 1 - k];
      const uint8_t* b = owner.data() + owner_offs[owner_labels - 1 - k];
      if (a[0] != b[0]) break;
      bool same = true;
      for (size_t j = 1; j <= a[0] && same; ++j) same = dns::asciiLower(a[j]) == dns::asciiLower(b[j]);
      if (!same) break;
      ++k;
    }
    if (k == 0) continue;
    fn(RRset::Reloc{uint16_t(rd_off + names[i].offset), uint8_t(k == n ? 0 : offs[n - k]), uint8_t(k)});
  }
}

}  // namespace

Node* NodeFactory::make(std::span<const uint8_t> name, uint32_t children, uint8_t extra_flags,
                        std::span<const RRsetSpec> rrsets) {
  uint8_t owner_offs[128];
  const size_t owner_labels = labelOffsets(name, owner_offs);
  const size_t entries = Node::rrsetsOffset(name.size());
  size_t data = entries + sizeof(RRset) * rrsets.size();
  uint8_t flags = extra_flags;
  for (const RRsetSpec& s : rrsets) {
    size_t relocs = 0, rr = 0;
    for (size_t i = 0; i < s.count; ++i) {
      forEachReloc(name, owner_offs, owner_labels, s.type, s.rdatas[i], rr + kRRHeader,
                   [&](const RRset::Reloc&) { ++relocs; });
      rr += kRRHeader + s.rdatas[i].size();
    }
    data += rr;
    if (rdata_layout::targetOffset(s.type) >= 0) data = ((data + 1) & ~size_t(1)) + 2 * s.count;
    if (relocs > 0) data = ((data + 3) & ~size_t(3)) + 4 + 4 * relocs;
    switch (s.type) {
      case dns::rrtype::kNS:
        flags |= Node::kHasNs;
        break;
      case dns::rrtype::kCNAME:
        flags |= Node::kHasCname;
        break;
      case dns::rrtype::kDNAME:
        flags |= Node::kHasDname;
        break;
      case dns::rrtype::kSOA:
        flags |= Node::kHasSoa;
        break;
      default:
        break;
    }
  }
  void* mem = std::malloc(data);
  if (mem == nullptr) throw std::bad_alloc();  // like operator new; callers run outside the DNS path
  Node* node = new (mem) Node();
  uint8_t* base = static_cast<uint8_t*>(mem);
  node->children_ = children;
  node->rrset_count_ = uint16_t(rrsets.size());
  node->name_len_ = uint8_t(name.size());
  node->flags_ = flags;
  std::memcpy(base + sizeof(Node), name.data(), name.size());
  // Zero the alignment padding after the name so identical nodes are byte-identical.
  std::memset(base + sizeof(Node) + name.size(), 0, entries - sizeof(Node) - name.size());

  size_t pos = entries + sizeof(RRset) * rrsets.size();
  for (size_t k = 0; k < rrsets.size(); ++k) {
    const RRsetSpec& s = rrsets[k];
    RRset* e = new (base + entries + sizeof(RRset) * k) RRset();
    const size_t entry_off = entries + sizeof(RRset) * k;
    e->type_ = s.type;
    e->count_ = uint16_t(s.count);
    e->ttl_ = s.ttl;
    e->wire_off_ = uint32_t(pos - entry_off);
    const int target = rdata_layout::targetOffset(s.type);
    size_t start = pos;
    for (size_t i = 0; i < s.count; ++i) {
      const auto& rd = s.rdatas[i];
      uint8_t* p = base + pos;
      p[0] = 0xC0;
      p[1] = 0x0C;
      p[2] = uint8_t(s.type >> 8);
      p[3] = uint8_t(s.type);
      p[4] = 0;
      p[5] = uint8_t(dns::rrclass::kIN);
      p[6] = uint8_t(s.ttl >> 24);
      p[7] = uint8_t(s.ttl >> 16);
      p[8] = uint8_t(s.ttl >> 8);
      p[9] = uint8_t(s.ttl);
      p[10] = uint8_t(rd.size() >> 8);
      p[11] = uint8_t(rd.size());
      if (!rd.empty()) std::memcpy(p + 12, rd.data(), rd.size());
      pos += kRRHeader + rd.size();
    }
    e->wire_len_ = uint32_t(pos - start);
    if (target >= 0) {
      e->wire_len_ |= RRset::kHasTargets;
      if (pos & 1) base[pos++] = 0;
      uint16_t* t = reinterpret_cast<uint16_t*>(base + pos);
      size_t rr = 0;
      for (size_t i = 0; i < s.count; ++i) {
        t[i] = uint16_t(rr + kRRHeader + size_t(target));
        rr += kRRHeader + s.rdatas[i].size();
      }
      pos += 2 * s.count;
    }
    uint16_t nrelocs = 0;
    const size_t relocs_at = (pos + 3) & ~size_t(3);
    size_t rr = 0;
    for (size_t i = 0; i < s.count; ++i) {
      forEachReloc(name, owner_offs, owner_labels, s.type, s.rdatas[i], rr + kRRHeader,
                   [&](const RRset::Reloc& r) {
                     std::memcpy(base + relocs_at + 4 + 4 * nrelocs, &r, sizeof r);
                     ++nrelocs;
                   });
      rr += kRRHeader + s.rdatas[i].size();
    }
    if (nrelocs > 0) {
      std::memset(base + pos, 0, relocs_at - pos);
      std::memcpy(base + relocs_at, &nrelocs, 2);
      std::memset(base + relocs_at + 2, 0, 2);
      e->wire_len_ |= RRset::kHasRelocs;
      pos = relocs_at + 4 + 4 * size_t(nrelocs);
    }
  }
  return node;
}

Node* NodeFactory::withChildren(const Node& node, uint32_t children, uint8_t flags) {
  const size_t size = node.allocationSize();
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  Node* copy = new (mem) Node();
  copy->children_ = children;
  copy->rrset_count_ = node.rrset_count_;
  copy->name_len_ = node.name_len_;
  copy->flags_ = flags;
  std::memcpy(static_cast<uint8_t*>(mem) + sizeof(Node),
              reinterpret_cast<const uint8_t*>(&node) + sizeof(Node), size - sizeof(Node));
  return copy;
}

namespace rdata_layout {

int targetOffset(uint16_t type) {
  switch (type) {
    case dns::rrtype::kNS:
    case dns::rrtype::kCNAME:
    case dns::rrtype::kDNAME:
    case dns::rrtype::kPTR:
      return 0;
    case dns::rrtype::kMX:
      return 2;
    case dns::rrtype::kSRV:
      return 6;
    default:
      return -1;
  }
}

size_t nameLength(const uint8_t* p, size_t avail) {
  size_t pos = 0;
  while (true) {
    if (pos >= avail) return 0;
    uint8_t l = p[pos];
    if (l == 0) return pos + 1 <= dns::kMaxNameLength ? pos + 1 : 0;
    if (l > dns::kMaxLabelLength) return 0;
    pos += 1 + l;
    if (pos >= dns::kMaxNameLength) return 0;
  }
}

namespace {

// Names at `first` (fixed-size prefix) then `names` consecutive names, then exactly `tail` bytes.
int fixedNames(std::span<const uint8_t> r, size_t first, int names, size_t tail, NameRange out[2]) {
  size_t pos = first;
  if (pos > r.size()) return -1;
  for (int i = 0; i < names; ++i) {
    size_t n = nameLength(r.data() + pos, r.size() - pos);
    if (n == 0) return -1;
    out[i] = {uint16_t(pos), uint16_t(n)};
    pos += n;
  }
  return pos + tail == r.size() ? names : -1;
}

}  // namespace

int canonicalNames(uint16_t type, std::span<const uint8_t> r, NameRange out[2]) {
  using namespace dns::rrtype;
  switch (type) {
    case kNS:
    case 3 /*MD*/:
    case 4 /*MF*/:
    case kCNAME:
    case 7 /*MB*/:
    case 8 /*MG*/:
    case 9 /*MR*/:
    case kPTR:
    case kDNAME:
      return fixedNames(r, 0, 1, 0, out);
    case kMX:
    case 18 /*AFSDB*/:
    case 21 /*RT*/:
    case 36 /*KX*/:
      return fixedNames(r, 2, 1, 0, out);
    case kSRV:
      return fixedNames(r, 6, 1, 0, out);
    case kSOA:
      return fixedNames(r, 0, 2, 20, out);
    case 14 /*MINFO*/:
    case 17 /*RP*/:
      return fixedNames(r, 0, 2, 0, out);
    case kNAPTR: {
      size_t pos = 4;                // ORDER, PREFERENCE
      for (int i = 0; i < 3; ++i) {  // FLAGS, SERVICES, REGEXP character-strings
        if (pos >= r.size()) return -1;
        pos += 1 + r[pos];
      }
      return fixedNames(r, pos, 1, 0, out);
    }
    default:
      return 0;
  }
}

bool compressible(uint16_t type) {
  switch (type) {
    case dns::rrtype::kNS:
    case 3:
    case 4:
    case dns::rrtype::kCNAME:
    case dns::rrtype::kSOA:
    case 7:
    case 8:
    case 9:
    case dns::rrtype::kPTR:
    case 14:
    case dns::rrtype::kMX:
      return true;
    default:
      return false;
  }
}

bool valid(uint16_t type, std::span<const uint8_t> rdata) {
  NameRange names[2];
  if (canonicalNames(type, rdata, names) < 0) return false;
  switch (type) {
    case dns::rrtype::kA:
      return rdata.size() == 4;
    case dns::rrtype::kAAAA:
      return rdata.size() == 16;
    default:
      return true;
  }
}

int canonicalCompare(uint16_t type, std::span<const uint8_t> a, std::span<const uint8_t> b) {
  NameRange na[2], nb[2];
  int ca = canonicalNames(type, a, na);
  int cb = canonicalNames(type, b, nb);
  size_t n = std::min(a.size(), b.size());
  if (ca <= 0 && cb <= 0) {
    int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
    if (c != 0) return c < 0 ? -1 : 1;
  } else {
    auto in = [](const NameRange* r, int c, size_t i) {
      for (int k = 0; k < c; ++k)
        if (i >= r[k].offset && i < size_t(r[k].offset) + r[k].length) return true;
      return false;
    };
    for (size_t i = 0; i < n; ++i) {
      uint8_t x = in(na, ca, i) ? dns::asciiLower(a[i]) : a[i];
      uint8_t y = in(nb, cb, i) ? dns::asciiLower(b[i]) : b[i];
      if (x != y) return x < y ? -1 : 1;
    }
  }
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return 0;
}

uint32_t soaSerial(std::span<const uint8_t> r) {
  const uint8_t* p = r.data() + r.size() - 20;
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

uint32_t soaMinimum(std::span<const uint8_t> r) {
  const uint8_t* p = r.data() + r.size() - 4;
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

}  // namespace rdata_layout

}  // namespace zk::zone
