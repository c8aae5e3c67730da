// Query parsing, answer assembly from pre-rendered RRsets, truncation, EDNS, and AXFR streaming.
#include "authdns/query_engine.h"

#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/types.h"
#include "zone/lookup_name.h"
#include "zone/node.h"
#include "zone/zone.h"

namespace zk::authdns {

namespace {

using zone::LookupName;
using zone::LookupResult;
using zone::Node;
using zone::RRset;
using zone::Zone;
namespace rrtype = dns::rrtype;

constexpr size_t kHeader = 12;
constexpr size_t kOptLen = 11;  // root owner, TYPE, CLASS, TTL, RDLENGTH 0
constexpr uint16_t kRcodeNoError = 0, kRcodeFormErr = 1, kRcodeNxDomain = 3, kRcodeNotImp = 4,
                   kRcodeRefused = 5, kRcodeYxDomain = 6, kRcodeNotAuth = 9, kRcodeBadVers = 16;
constexpr size_t kMaxTargets = 64;

inline uint16_t rd16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline void wr16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void wr32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

// Names inside our own response may be compressed (owner pointers, RDATA names compressed against
// their owner, RFC 1035 §4.1.4). We only write pointers to earlier offsets, so walks terminate;
// they are bounded anyway.

// Octets the stored form of the name at p occupies (labels up to the root or the first pointer).
inline size_t storedNameLen(const uint8_t* p) {
  size_t n = 0;
  while (true) {
    if (p[n] == 0) return n + 1;
    if ((p[n] & 0xC0) == 0xC0) return n + 2;
    n += 1 + size_t(p[n]);
  }
}

// Calls fn(offset, length octet) for each label of the name at `off`, the root label included,
// following compression pointers (at most 64 hops: RFC 1035 §4.1.4 pointers may chain, loops must
// end). Stops when fn returns false or after the root label.
template <typename Fn>
inline void walkLabels(const uint8_t* buf, size_t off, Fn&& fn) {
  for (int hops = 0; hops < 64;) {
    const uint8_t b = buf[off];
    if ((b & 0xC0) == 0xC0) {
      off = size_t(b & 0x3F) << 8 | buf[off + 1];
      ++hops;
      continue;
    }
    if (!fn(off, b) || b == 0) return;
    off += 1 + size_t(b);
  }
}

// Message offsets of the labels of the name at `off` (following pointers); pos[count] is the
// offset of its root label. Returns the label count.
size_t labelPositions(const uint8_t* buf, size_t off, uint16_t* pos /* [LookupName::kMaxLabels + 1] */) {
  size_t n = 0;
  walkLabels(buf, off, [&](size_t at, uint8_t b) {
    pos[n] = uint16_t(at);
    if (b == 0 || n == LookupName::kMaxLabels) return false;
    ++n;
    return true;
  });
  return n;
}

// Writes the uncompressed form of the name at `off` to `out` (>= 255 octets); returns its length
// (1, the root name, when the name is too long or its pointers loop).
size_t expandName(const uint8_t* buf, size_t off, uint8_t* out) {
  size_t len = 0;
  bool complete = false;
  walkLabels(buf, off, [&](size_t at, uint8_t b) {
    if (len + 1 + b > dns::kMaxNameLength) return false;
    std::memcpy(out + len, buf + at, 1 + size_t(b));
    len += 1 + size_t(b);
    complete = b == 0;
    return !complete;
  });
  if (complete) return len;
  out[0] = 0;
  return 1;
}

// Skips a possibly compressed name in a query (RFC 1035 §4.1.4); false when malformed.
bool skipName(const uint8_t* m, size_t len, size_t& pos) {
  size_t total = 0;
  while (true) {
    if (pos >= len) return false;
    uint8_t b = m[pos];
    if ((b & 0xC0) == 0xC0) {
      if (pos + 2 > len) return false;
      pos += 2;
      return true;
    }
    if (b & 0xC0) return false;  // extended label types (RFC 6891 §5) are not supported
    if (b == 0) {
      pos += 1;
      return true;
    }
    total += 1 + size_t(b);
    if (total >= dns::kMaxNameLength) return false;
    pos += 1 + size_t(b);
  }
}

enum class Parse { kDrop, kFormErr, kFormErrWithQuestion, kOk };

struct Query {
  const uint8_t* msg = nullptr;
  size_t len = 0;
  uint8_t opcode = 0;
  bool rd = false, cd = false;
  size_t question_end = 0;  // 0 = no usable question
  uint16_t qtype = 0, qclass = 0;
  bool has_opt = false;  // an OPT was seen and is well-formed
  uint16_t udp_size = 0;
  uint8_t edns_version = 0;
  bool do_bit = false;
  LookupName qname;
};

// RFC 1035 §4.1 header + question, then the other sections only to find the OPT (RFC 6891 §6.1).
Parse parseQuery(std::span<const uint8_t> in, Query& q) {
  if (in.size() < kHeader) return Parse::kDrop;
  const uint8_t* m = in.data();
  const size_t len = in.size();
  if (m[2] & 0x80) return Parse::kDrop;  // a response: never answer it
  q.msg = m;
  q.len = len;
  q.opcode = (m[2] >> 3) & 0x0F;
  q.rd = m[2] & 0x01;
  q.cd = m[3] & 0x10;
  const uint16_t qdcount = rd16(m + 4);
  if (qdcount > 1) return Parse::kFormErr;
  size_t pos = kHeader;
  if (qdcount == 1) {
    if (!q.qname.parse(m, len, pos) || pos + 4 > len) return Parse::kFormErr;
    q.qtype = rd16(m + pos);
    q.qclass = rd16(m + pos + 2);
    pos += 4;
    q.question_end = pos;
  }
  const uint32_t an_ns = uint32_t(rd16(m + 6)) + rd16(m + 8);
  const uint32_t ar = rd16(m + 10);
  for (uint32_t i = 0; i < an_ns + ar; ++i) {
    const size_t owner = pos;
    if (!skipName(m, len, pos) || pos + 10 > len) return Parse::kFormErrWithQuestion;
    const uint16_t type = rd16(m + pos);
    const size_t rdlen = rd16(m + pos + 8);
    const size_t rdata = pos + 10;
    if (rdata + rdlen > len) return Parse::kFormErrWithQuestion;
    if (type == rrtype::kOPT) {
      // RFC 6891 §6.1.1: only in the additional section, at most one, owned by the root.
      if (i < an_ns || q.has_opt || pos != owner + 1 || m[owner] != 0) return Parse::kFormErrWithQuestion;
      q.has_opt = true;
      q.udp_size = rd16(m + pos + 2);
      q.edns_version = m[pos + 5];
      q.do_bit = m[pos + 6] & 0x80;
      size_t o = rdata;
      while (o < rdata + rdlen) {  // options: CODE, LENGTH, DATA (RFC 6891 §6.1.2)
        if (o + 4 > rdata + rdlen) return Parse::kFormErrWithQuestion;
        o += 4 + size_t(rd16(m + o + 2));
      }
      if (o != rdata + rdlen) return Parse::kFormErrWithQuestion;
    }
    pos = rdata + rdlen;
  }
  // As NSD: a query carries no RCODE, nothing in the answer section and nothing in the authority
  // section (except IXFR's SOA, RFC 1995 §3); QDCOUNT must be 1 (RFC 1035 §4.1.2). The OPT of such
  // a query is still honoured in the FORMERR reply (e.g. a QDCOUNT=0 cookie probe, RFC 7873 §5.4).
  if (qdcount != 1 || (m[3] & 0x0F) != 0 || rd16(m + 6) != 0 ||
      (rd16(m + 8) != 0 && q.qtype != rrtype::kIXFR)) {
    q.question_end = 0;
    return Parse::kFormErr;
  }
  return Parse::kOk;
}

// Writes the OPT pseudo-RR of a response (RFC 6891 §6.1.2-3): payload size, upper 8 bits of the
// extended RCODE, version 0, DO copied (RFC 3225 §3), no options.
void writeOpt(uint8_t* p, uint16_t rcode, bool do_bit) {
  p[0] = 0;
  wr16(p + 1, rrtype::kOPT);
  wr16(p + 3, QueryEngine::kEdnsUdpSize);
  p[5] = uint8_t(rcode >> 4);
  p[6] = 0;
  p[7] = do_bit ? 0x80 : 0;
  p[8] = 0;
  wr16(p + 9, 0);
}

// Builds one answer in the caller's buffer. Sections are written strictly in order (answer,
// authority, additional); owners are compression pointers to names already in the message.
class Answerer {
 public:
  enum Section { kAnswer = 0, kAuthority = 1, kAdditional = 2 };

  Answerer(const zone::ZoneSet& zones, const Zone* zone, const Query& q, uint8_t* buf, size_t limit,
           bool minimal_any, bool minimal_responses)
      : zones_(zones),
        zone_(zone),
        q_(q),
        buf_(buf),
        limit_(limit),
        pos_(q.question_end),
        minimal_any_(minimal_any),
        minimal_responses_(minimal_responses) {}

  void resolve();
  void additional();

  size_t pos() const { return pos_; }
  uint16_t count(Section s) const { return count_[s]; }
  uint16_t rcode() const { return rcode_; }
  bool aa() const { return aa_; }
  bool tc() const { return tc_; }

 private:
  struct Target {
    uint16_t off;   // where the target name is in the message
    bool referral;  // NS target of a referral: glue at or below the cut is required (RFC 9471)
  };

  // Appends every RR of `rs`, its owners referring to the name at `owner_off` in the message.
  // Fast path (no compressible RDATA names): one memcpy of the pre-rendered RRs, whose owner is
  // the pointer C0 0C to the question, patched when the owner is another name. False (nothing
  // committed) if it does not fit. `first_target`: message offset of the first RR's target name.
  bool put(const RRset& rs, size_t owner_off, Section section, bool add_targets, bool referral,
           size_t* first_target = nullptr) {
    if (!rs.relocs().empty() || owner_off >= 0x4000)
      return putAssembled(rs, owner_off, section, add_targets, referral, first_target);
    const auto w = rs.wire();
    const auto tg = rs.targets();
    const size_t n = w.size();
    if (pos_ + n > limit_) return false;
    uint8_t* dst = buf_ + pos_;
    std::memcpy(dst, w.data(), n);
    if (owner_off != kHeader) {
      const uint8_t hi = uint8_t(0xC0 | (owner_off >> 8)), lo = uint8_t(owner_off);
      for (size_t p = 0, i = 0; i < rs.count(); ++i) {
        dst[p] = hi;
        dst[p + 1] = lo;
        p += 12 + rd16(dst + p + 10);
      }
    }
    if (!tg.empty()) {
      if (first_target != nullptr) *first_target = pos_ + tg[0];
      if (add_targets)
        for (uint16_t t : tg) addTarget(pos_ + t, referral);
    }
    pos_ += n;
    count_[section] = uint16_t(count_[section] + rs.count());
    return true;
  }

  // RR by RR: each RDATA name listed in rs.relocs() keeps its leading labels and ends in a pointer
  // to the owner's matching suffix (RFC 1035 §4.1.4), as NSD compresses them; owners past offset
  // 0x3FFF (beyond a 14-bit pointer) are written out in full.
  bool putAssembled(const RRset& rs, size_t owner_off, Section section, bool add_targets, bool referral,
                    size_t* first_target) {
    const auto relocs = rs.relocs();
    const auto tg = rs.targets();
    const uint8_t* src = rs.wire().data();
    uint16_t lpos[LookupName::kMaxLabels + 1];
    const size_t nl = relocs.empty() ? 0 : labelPositions(buf_, owner_off, lpos);
    uint8_t owner_full[dns::kMaxNameLength];
    size_t owner_len = 2;
    if (owner_off >= 0x4000) owner_len = expandName(buf_, owner_off, owner_full);
    size_t p = 0, out = pos_, ri = 0;
    for (size_t i = 0; i < rs.count(); ++i) {
      const size_t end = p + 12 + rd16(src + p + 10);
      if (out + owner_len + 10 > limit_) return false;
      if (owner_off < 0x4000) {
        wr16(buf_ + out, uint16_t(0xC000 | owner_off));
      } else {
        std::memcpy(buf_ + out, owner_full, owner_len);
      }
      out += owner_len;
      std::memcpy(buf_ + out, src + p + 2, 8);  // TYPE, CLASS, TTL
      const size_t rdlen_at = out + 8;
      out += 10;
      const size_t rd_out = out;
      const size_t target_src = tg.empty() ? SIZE_MAX : tg[i];
      size_t target_dst = SIZE_MAX;
      auto copy = [&](size_t from, size_t to) {
        if (out + (to - from) > limit_) return false;
        std::memcpy(buf_ + out, src + from, to - from);
        if (target_src >= from && target_src < to) target_dst = out + (target_src - from);
        out += to - from;
        return true;
      };
      size_t cur = p + 12;
      while (ri < relocs.size() && relocs[ri].offset < end) {
        const RRset::Reloc& r = relocs[ri++];
        if (!copy(cur, r.offset)) return false;
        if (target_src == r.offset) target_dst = out;
        if (!copy(r.offset, r.offset + r.prefix_len)) return false;
        const size_t suffix = size_t(r.offset) + r.prefix_len;
        const size_t suffix_len = storedNameLen(src + suffix);
        if (r.labels <= nl && lpos[nl - r.labels] < 0x4000) {
          if (out + 2 > limit_) return false;
          wr16(buf_ + out, uint16_t(0xC000 | lpos[nl - r.labels]));
          out += 2;
        } else if (!copy(suffix, suffix + suffix_len)) {
          return false;
        }
        cur = suffix + suffix_len;
      }
      if (!copy(cur, end)) return false;
      wr16(buf_ + rdlen_at, uint16_t(out - rd_out));
      if (target_dst != SIZE_MAX) {
        if (i == 0 && first_target != nullptr) *first_target = target_dst;
        if (add_targets) addTarget(target_dst, referral);
      }
      p = end;
    }
    pos_ = out;
    count_[section] = uint16_t(count_[section] + rs.count());
    return true;
  }

  void addTarget(size_t off, bool referral) {
    if (ntargets_ < kMaxTargets && off <= 0xFFFF) targets_[ntargets_++] = Target{uint16_t(off), referral};
  }

  // TC: header, question and OPT only (what NSD sends when the answer does not fit).
  void truncate() {
    tc_ = true;
    pos_ = q_.question_end;
    count_[0] = count_[1] = count_[2] = 0;
    ntargets_ = 0;
  }

  // NXDOMAIN / NODATA for the name at `name_off`: the SOA of its zone in authority, with TTL
  // min(SOA TTL, MINIMUM) (RFC 2308 §3). Its owner points at the apex labels of that name.
  void negative(bool nxdomain, size_t name_off) {
    if (nxdomain) rcode_ = kRcodeNxDomain;
    uint16_t lpos[LookupName::kMaxLabels + 1];
    const size_t nl = labelPositions(buf_, name_off, lpos);
    const size_t apex_off = lpos[nl - zone_->apexLabelCount()];
    const size_t at = pos_;
    if (!put(zone_->soa(), apex_off, kAuthority, false, false)) return truncate();
    wr32(buf_ + at + storedNameLen(buf_ + at) + 4, zone_->negativeTtl());
  }

  bool wantsAdditional(uint16_t type) const {  // RFC 1035 §3.3.9/§3.3.11, RFC 2782
    if (type == rrtype::kNS) return true;
    return !minimal_responses_ && (type == rrtype::kMX || type == rrtype::kSRV);
  }

  bool visit(const Node* n) {  // false on a loop or when the chain is too long
    for (size_t i = 0; i < nvisited_; ++i)
      if (visited_[i] == n) return false;
    if (nvisited_ == QueryEngine::kMaxChain) return false;
    visited_[nvisited_++] = n;
    return true;
  }

  // Continues with the CNAME/DNAME target at `off`: false when no zone we serve holds it.
  bool follow(size_t off) {
    uint8_t name[dns::kMaxNameLength];
    const size_t len = expandName(buf_, off, name);
    if (!chain_.assign(name, len)) return false;
    if (zone_->contains(chain_)) return true;
    const Zone* z = zones_.findZone(chain_);  // another zone served here (NSD follows too)
    if (z == nullptr) return false;
    zone_ = z;
    return true;
  }

  const zone::ZoneSet& zones_;
  const Zone* zone_;
  const Query& q_;
  uint8_t* buf_;
  size_t limit_;
  size_t pos_;
  bool minimal_any_;
  bool minimal_responses_;
  uint16_t count_[3] = {0, 0, 0};
  uint16_t rcode_ = kRcodeNoError;
  bool aa_ = true;
  bool tc_ = false;
  Target targets_[kMaxTargets];
  size_t ntargets_ = 0;
  const Node* visited_[QueryEngine::kMaxChain];
  size_t nvisited_ = 0;
  // The zone cut of a referral (lowercased suffix of the name being resolved).
  const uint8_t* cut_lower_ = nullptr;
  size_t cut_len_ = 0, cut_labels_ = 0;
  uint64_t cut_hash_ = 0;
  LookupName chain_;  // the CNAME/DNAME target being resolved
};

void Answerer::resolve() {
  const LookupName* name = &q_.qname;
  size_t name_off = kHeader;  // where `name` is in the message (possibly compressed)
  const uint16_t qtype = q_.qtype;
  while (true) {
    const LookupResult r = zone_->lookup(*name, qtype);
    switch (r.kind) {
      case LookupResult::kExact:
      case LookupResult::kWildcard: {  // a wildcard answers with the name itself as owner (RFC 4592 §3.3.1)
        const Node* node = r.node;
        if (qtype == rrtype::kANY) {
          if (!node->hasData()) return negative(false, name_off);
          if (minimal_any_) {  // RFC 8482 §4.1: one RRset (the SOA at the apex, as NSD)
            const RRset* soa = node->find(rrtype::kSOA);
            const RRset& rs = soa != nullptr ? *soa : node->rrset(0);
            if (!put(rs, name_off, kAnswer, wantsAdditional(rs.type()), false)) return truncate();
            return;
          }
          for (const RRset& rs : node->rrsetSpan())
            if (!put(rs, name_off, kAnswer, wantsAdditional(rs.type()), false)) return truncate();
          return;
        }
        if (node->hasCname() && qtype != rrtype::kCNAME) {  // RFC 1034 §4.3.2 step 3.a
          if (!visit(node)) return;
          size_t target = 0;
          if (!put(*node->find(rrtype::kCNAME), name_off, kAnswer, false, false, &target)) return truncate();
          if (!follow(target)) return;
          name = &chain_;
          name_off = target;
          continue;
        }
        const RRset* rs = node->find(qtype);
        if (rs == nullptr) return negative(false, name_off);
        if (!put(*rs, name_off, kAnswer, wantsAdditional(qtype), false)) return truncate();
        return;
      }
      case LookupResult::kDelegation: {  // RFC 1034 §4.3.2 step 3.b: referral
        aa_ = count_[kAnswer] > 0;
        cut_lower_ = name->suffix(r.label);
        cut_len_ = name->suffixLength(r.label);
        cut_hash_ = name->suffixHash(r.label);
        cut_labels_ = name->labelCount() - r.label;
        uint16_t lpos[LookupName::kMaxLabels + 1];
        labelPositions(buf_, name_off, lpos);
        if (!put(*r.node->find(rrtype::kNS), lpos[r.label], kAuthority, true, true)) return truncate();
        return;
      }
      case LookupResult::kDname: {  // RFC 6672 §3.1: the DNAME, then a CNAME synthesized from it
        if (!visit(r.node)) return;
        const RRset* dn = r.node->find(rrtype::kDNAME);
        uint16_t lpos[LookupName::kMaxLabels + 1];
        labelPositions(buf_, name_off, lpos);
        size_t target = 0;
        if (!put(*dn, lpos[r.label], kAnswer, false, false, &target)) return truncate();
        uint8_t cur[dns::kMaxNameLength], tname[dns::kMaxNameLength];
        expandName(buf_, name_off, cur);
        const size_t prefix = name->labelOffset(r.label);  // the labels below the DNAME owner
        const size_t tlen = expandName(buf_, target, tname);
        if (prefix + tlen > dns::kMaxNameLength) {  // RFC 6672 §2.2
          rcode_ = kRcodeYxDomain;
          return;
        }
        uint8_t owner_full[dns::kMaxNameLength];
        const size_t owner_len = name_off < 0x4000 ? 2 : expandName(buf_, name_off, owner_full);
        const size_t tail = target < 0x4000 ? 2 : tlen;  // the target: a pointer to the DNAME's RDATA
        if (pos_ + owner_len + 10 + prefix + tail > limit_) return truncate();
        uint8_t* p = buf_ + pos_;
        if (name_off < 0x4000) {
          wr16(p, uint16_t(0xC000 | name_off));
        } else {
          std::memcpy(p, owner_full, owner_len);
        }
        p += owner_len;
        wr16(p, rrtype::kCNAME);
        wr16(p + 2, dns::rrclass::kIN);
        wr32(p + 4, dn->ttl());
        wr16(p + 8, uint16_t(prefix + tail));
        std::memcpy(p + 10, cur, prefix);
        if (target < 0x4000) {
          wr16(p + 10 + prefix, uint16_t(0xC000 | target));
        } else {
          std::memcpy(p + 10 + prefix, tname, tlen);
        }
        const size_t new_off = pos_ + owner_len + 10;
        pos_ = new_off + prefix + tail;
        ++count_[kAnswer];
        if (qtype == rrtype::kCNAME) return;  // the synthesized CNAME is the answer
        if (!follow(new_off)) return;
        name = &chain_;
        name_off = new_off;
        continue;
      }
      case LookupResult::kNxdomain:
        return negative(true, name_off);
    }
    return;
  }
}

// A and AAAA of NS/MX/SRV targets in zones served here, wildcards included (RFC 1034 §4.3.2
// step 6, as NSD); owners point at the target names already in the message.
void Answerer::additional() {
  if (tc_) return;
  uint64_t added[kMaxTargets];
  size_t nadded = 0;
  LookupName t;
  uint8_t name[dns::kMaxNameLength];
  for (size_t i = 0; i < ntargets_; ++i) {
    const Target& tg = targets_[i];
    if (!t.assign(name, expandName(buf_, tg.off, name))) continue;
    const Zone* z = zone_->contains(t) ? zone_ : zones_.findZone(t);
    if (z == nullptr) continue;
    const Node* node = z->find(t);
    if (node == nullptr) {
      const LookupResult r = z->lookup(t, rrtype::kA);
      if (r.kind != LookupResult::kWildcard) continue;
      node = r.node;
    }
    bool dup = false;
    for (size_t k = 0; k < nadded; ++k) dup |= added[k] == t.hash();
    if (dup) continue;
    added[nadded++] = t.hash();
    const bool required = tg.referral && t.labelCount() >= cut_labels_ &&
                          t.suffixEquals(t.labelCount() - cut_labels_, cut_hash_, cut_lower_, cut_len_);
    for (uint16_t type : {rrtype::kA, rrtype::kAAAA}) {
      const RRset* rs = node->find(type);
      if (rs == nullptr) continue;
      if (!put(*rs, tg.off, kAdditional, false, false)) {
        if (required) return truncate();  // RFC 9471 §3: in-domain glue must fit
        break;
      }
    }
  }
}

// Header flags + counts, then the OPT.
size_t finish(uint8_t* o, size_t pos, const Query& q, uint16_t rcode, bool aa, bool tc, bool question,
              uint16_t an, uint16_t ns, uint16_t ar, bool opt) {
  o[2] = uint8_t(0x80 | (q.opcode << 3) | (aa ? 0x04 : 0) | (tc ? 0x02 : 0) | (q.rd ? 0x01 : 0));
  o[3] = uint8_t((q.cd ? 0x10 : 0) | (rcode & 0x0F));
  wr16(o + 4, question ? 1 : 0);
  wr16(o + 6, an);
  wr16(o + 8, ns);
  wr16(o + 10, uint16_t(ar + (opt ? 1 : 0)));
  if (opt) {
    writeOpt(o + pos, rcode, q.do_bit);
    pos += kOptLen;
  }
  return pos;
}

// A response with no records: header, the question when usable, the OPT when the query had one.
size_t emptyResponse(uint8_t* o, size_t cap, const Query& q, uint16_t rcode, bool with_question, bool opt) {
  size_t pos = kHeader;
  with_question = with_question && q.question_end != 0 && q.question_end + (opt ? kOptLen : 0) <= cap;
  if (with_question) {
    std::memcpy(o + kHeader, q.msg + kHeader, q.question_end - kHeader);
    pos = q.question_end;
  }
  if (opt && pos + kOptLen > cap) opt = false;
  if (rcode > 15 && !opt) rcode = kRcodeFormErr;  // extended RCODEs need the OPT
  return finish(o, pos, q, rcode, false, false, with_question, 0, 0, 0, opt);
}

// ---- AXFR (RFC 5936) ----

class AxfrWriter {
 public:
  AxfrWriter(const Query& q, const std::function<bool(std::span<const uint8_t>)>& sink) : q_(q), sink_(sink) {
    msg_.reserve(65535);
    start(true);
  }

  // Appends one RR, starting a new message first when this one would pass the size target.
  bool add(std::span<const uint8_t> owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata) {
    const size_t bound = owner.size() + 10 + rdata.size();
    if (an_ > 0 && msg_.size() + bound + reserve() > QueryEngine::kAxfrMessageSize) {
      if (!flush()) return false;
      start(false);
    }
    writeName(owner, true);
    const size_t fixed = msg_.size();
    msg_.resize(fixed + 10);
    wr16(&msg_[fixed], type);
    wr16(&msg_[fixed + 2], dns::rrclass::kIN);
    wr32(&msg_[fixed + 4], ttl);
    const size_t rdstart = msg_.size();
    if (zone::rdata_layout::compressible(type)) {  // RFC 3597 §4
      zone::rdata_layout::NameRange names[2];
      int count = zone::rdata_layout::canonicalNames(type, rdata, names);
      size_t at = 0;
      for (int i = 0; i < count; ++i) {
        msg_.insert(msg_.end(), rdata.begin() + ptrdiff_t(at), rdata.begin() + names[i].offset);
        writeName(rdata.subspan(names[i].offset, names[i].length), true);
        at = size_t(names[i].offset) + names[i].length;
      }
      msg_.insert(msg_.end(), rdata.begin() + ptrdiff_t(at), rdata.end());
    } else {
      msg_.insert(msg_.end(), rdata.begin(), rdata.end());
    }
    wr16(&msg_[fixed + 8], uint16_t(msg_.size() - rdstart));
    ++an_;
    return true;
  }

  bool flush() {
    wr16(&msg_[6], an_);
    if (q_.has_opt) {
      size_t at = msg_.size();
      msg_.resize(at + kOptLen);
      writeOpt(&msg_[at], 0, q_.do_bit);
      wr16(&msg_[10], 1);
    }
    return sink_(msg_);
  }

 private:
  size_t reserve() const { return q_.has_opt ? kOptLen : 0; }

  void start(bool first) {
    msg_.assign(kHeader, 0);
    comp_.clear();
    an_ = 0;
    msg_[0] = q_.msg[0];
    msg_[1] = q_.msg[1];
    msg_[2] = uint8_t(0x80 | (q_.opcode << 3) | 0x04 | (q_.rd ? 1 : 0));  // QR, AA
    msg_[3] = 0;
    if (first) {  // RFC 5936 §2.2.1: the question in the first message
      msg_.insert(msg_.end(), q_.msg + kHeader, q_.msg + q_.question_end);
      wr16(&msg_[4], 1);
    }
  }

  // RFC 1035 §4.1.4 compression against earlier names of this message (case-insensitive).
  void writeName(std::span<const uint8_t> name, bool compress) {
    size_t offs[128];
    size_t n = 0;
    for (size_t p = 0; name[p] != 0 && n < 128; p += 1 + name[p]) offs[n++] = p;
    std::string key;
    size_t match = n;  // labels [match, n) are replaced by a pointer
    uint16_t ptr = 0;
    if (compress) {
      for (size_t i = 0; i < n; ++i) {
        key.assign(reinterpret_cast<const char*>(name.data() + offs[i]), name.size() - offs[i]);
        for (char& c : key) c = char(dns::asciiLower(uint8_t(c)));
        auto it = comp_.find(key);
        if (it != comp_.end()) {
          match = i;
          ptr = it->second;
          break;
        }
      }
    }
    const size_t base = msg_.size();
    const size_t head = match < n ? offs[match] : name.size();
    msg_.insert(msg_.end(), name.begin(), name.begin() + ptrdiff_t(head));
    if (match < n) {
      msg_.push_back(uint8_t(0xC0 | (ptr >> 8)));
      msg_.push_back(uint8_t(ptr));
    }
    if (!compress) return;
    for (size_t i = 0; i < match; ++i) {
      if (base + offs[i] >= 0x4000) break;
      key.assign(reinterpret_cast<const char*>(name.data() + offs[i]), name.size() - offs[i]);
      for (char& c : key) c = char(dns::asciiLower(uint8_t(c)));
      comp_.emplace(key, uint16_t(base + offs[i]));
    }
  }

  const Query& q_;
  const std::function<bool(std::span<const uint8_t>)>& sink_;
  std::vector<uint8_t> msg_;
  std::unordered_map<std::string, uint16_t> comp_;
  uint16_t an_ = 0;
};

}  // namespace

size_t QueryEngine::answer(const zone::ZoneSet& zones, std::span<const uint8_t> query, std::span<uint8_t> out,
                           const QueryContext& ctx) const {
  Query q;
  const Parse parsed = parseQuery(query, q);
  if (parsed == Parse::kDrop || out.size() < kHeader) return 0;
  uint8_t* o = out.data();
  o[0] = query[0];
  o[1] = query[1];

  // Size limit (RFC 1035 §4.2.1, RFC 6891 §6.2.5), keeping room for our OPT.
  size_t limit;
  if (ctx.transport == Transport::kTcp) {
    limit = std::min<size_t>(out.size(), 65535);
  } else if (parsed != Parse::kFormErrWithQuestion && q.has_opt) {
    limit = std::min<size_t>(out.size(), std::max<size_t>(512, q.udp_size));
  } else {
    limit = std::min<size_t>(out.size(), 512);
  }
  const bool opt = parsed != Parse::kFormErrWithQuestion && q.has_opt;

  if (q.opcode != uint8_t(dns::Opcode::kQuery)) return emptyResponse(o, limit, q, kRcodeNotImp, true, opt);
  if (parsed == Parse::kFormErr) return emptyResponse(o, limit, q, kRcodeFormErr, false, opt);
  if (parsed == Parse::kFormErrWithQuestion) return emptyResponse(o, limit, q, kRcodeFormErr, true, false);
  if (q.edns_version > 0) return emptyResponse(o, limit, q, kRcodeBadVers, true, true);  // RFC 6891 §6.1.3
  // QCLASS * (RFC 1035 §3.2.5) is answered from the IN data, not authoritatively (as NSD).
  if (q.qclass != dns::rrclass::kIN && q.qclass != dns::rrclass::kANY)
    return emptyResponse(o, limit, q, kRcodeRefused, true, opt);
  if (q.qtype == rrtype::kAXFR || q.qtype == rrtype::kIXFR) {
    // Allowed transfers are streamed by the server through answerAxfr(); AXFR over UDP is not
    // defined (RFC 5936 §4.2), NSD answers it NOTIMP.
    bool udp_axfr = ctx.transport == Transport::kUdp && q.qtype == rrtype::kAXFR;
    return emptyResponse(o, limit, q, udp_axfr ? kRcodeNotImp : kRcodeRefused, true, opt);
  }
  const Zone* zone = zones.findZone(q.qname);
  if (zone == nullptr) return emptyResponse(o, limit, q, kRcodeRefused, true, opt);

  const size_t body_limit = limit - (opt ? kOptLen : 0);
  if (q.question_end > body_limit) return 0;
  std::memcpy(o + kHeader, query.data() + kHeader, q.question_end - kHeader);  // case preserved
  Answerer a(zones, zone, q, o, body_limit, options_.minimal_any && ctx.transport == Transport::kUdp,
             options_.minimal_responses);
  a.resolve();
  a.additional();
  const bool aa = a.aa() && q.qclass == dns::rrclass::kIN;
  return finish(o, a.pos(), q, a.rcode(), aa, a.tc(), true, a.count(Answerer::kAnswer),
                a.count(Answerer::kAuthority), a.count(Answerer::kAdditional), opt);
}

bool QueryEngine::isZoneTransfer(std::span<const uint8_t> query) const {
  const uint8_t* m = query.data();
  const size_t len = query.size();
  if (len < kHeader || (m[2] & 0x80) || ((m[2] >> 3) & 0x0F) != 0 || rd16(m + 4) != 1) return false;
  size_t pos = kHeader;
  while (pos < len && m[pos] != 0) {
    if (m[pos] > dns::kMaxLabelLength) return false;
    pos += 1 + size_t(m[pos]);
  }
  if (pos + 5 > len) return false;
  const uint16_t qtype = rd16(m + pos + 1);
  return qtype == rrtype::kAXFR || qtype == rrtype::kIXFR;
}

Status QueryEngine::answerAxfr(const zone::ZoneSet& zones, std::span<const uint8_t> query,
                               const std::function<bool(std::span<const uint8_t>)>& sink) const {
  Query q;
  const Parse parsed = parseQuery(query, q);
  if (parsed == Parse::kDrop) return invalidArgument("not a DNS query");
  auto single = [&](uint16_t rcode, bool with_question) -> Status {
    std::vector<uint8_t> buf(q.question_end + kOptLen + kHeader);
    buf[0] = query[0];
    buf[1] = query[1];
    const bool opt = parsed != Parse::kFormErrWithQuestion && q.has_opt;
    size_t n = emptyResponse(buf.data(), buf.size(), q, rcode, with_question, opt || rcode > 15);
    if (!sink(std::span<const uint8_t>(buf.data(), n)))
      return unavailable("zone transfer aborted by the peer");
    return Status();
  };
  if (q.opcode != uint8_t(dns::Opcode::kQuery)) return single(kRcodeNotImp, true);
  if (parsed == Parse::kFormErr) return single(kRcodeFormErr, false);
  if (parsed == Parse::kFormErrWithQuestion) return single(kRcodeFormErr, true);
  if (q.edns_version > 0) return single(kRcodeBadVers, true);
  if (q.qclass != dns::rrclass::kIN || (q.qtype != rrtype::kAXFR && q.qtype != rrtype::kIXFR))
    return single(kRcodeRefused, true);
  const Zone* zone = zones.findZone(q.qname);
  if (zone == nullptr || zone->apexLabelCount() != q.qname.labelCount())
    return single(kRcodeNotAuth, true);  // RFC 5936 §2.2.1

  AxfrWriter w(q, sink);
  const Node& apex = zone->apexNode();
  std::span<const uint8_t> soa_rdata;
  zone->soa().forEachRdata([&](std::span<const uint8_t> rd) { soa_rdata = rd; });
  // RFC 5936 §2.2: the SOA first, then every other RR, then the SOA again.
  if (!w.add(apex.name(), rrtype::kSOA, zone->soa().ttl(), soa_rdata))
    return unavailable("zone transfer aborted");
  for (const Node* node : zone->nodesCanonical()) {
    for (const RRset& rs : node->rrsetSpan()) {
      if (rs.type() == rrtype::kSOA) continue;
      bool ok = true;
      rs.forEachRdata([&](std::span<const uint8_t> rd) {
        if (ok) ok = w.add(node->name(), rs.type(), rs.ttl(), rd);
      });
      if (!ok) return unavailable("zone transfer aborted by the peer");
    }
  }
  if (!w.add(apex.name(), rrtype::kSOA, zone->soa().ttl(), soa_rdata) || !w.flush())
    return unavailable("zone transfer aborted by the peer");
  return Status();
}

}  // namespace zk::authdns
