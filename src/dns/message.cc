// DNS message parsing and writing (RFC 1035 §4.1) with name compression (§4.1.4), whole-RR
// truncation (RFC 2181 §9) and the EDNS(0) OPT record (RFC 6891 §6).
#include "dns/message.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "dns/rdata.h"
#include "dns/wire.h"

namespace zk::dns {
namespace {

// Header flag bits (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD).
constexpr uint16_t kFlagQR = 0x8000, kFlagAA = 0x0400, kFlagTC = 0x0200, kFlagRD = 0x0100, kFlagRA = 0x0080,
                   kFlagAD = 0x0020, kFlagCD = 0x0010;
constexpr uint32_t kEdnsDO = 0x8000;  // in the OPT TTL, RFC 3225 §3

Status formErr(std::string why) { return invalidArgument("malformed message: " + std::move(why)); }

// RFC 6891 §6.1.2: OPTION-CODE, OPTION-LENGTH, OPTION-DATA, repeated.
bool validOptions(std::span<const uint8_t> d) {
  size_t p = 0;
  while (p < d.size()) {
    if (d.size() - p < 4) return false;
    size_t len = size_t(d[p + 2]) << 8 | d[p + 3];
    p += 4;
    if (d.size() - p < len) return false;
    p += len;
  }
  return true;
}

}  // namespace

Result<Message> parseMessage(std::span<const uint8_t> wire) {
  if (wire.size() < kHeaderSize) return formErr("shorter than the 12-octet header");
  WireReader r(wire);
  Message m;
  m.id = r.u16();
  uint16_t flags = r.u16();
  m.qr = flags & kFlagQR;
  m.opcode = Opcode((flags >> 11) & 0xF);
  m.aa = flags & kFlagAA;
  m.tc = flags & kFlagTC;
  m.rd = flags & kFlagRD;
  m.ra = flags & kFlagRA;
  m.ad = flags & kFlagAD;
  m.cd = flags & kFlagCD;
  uint16_t rcode = flags & 0xF;
  const uint16_t qdcount = r.u16(), ancount = r.u16(), nscount = r.u16(), arcount = r.u16();

  // Every question takes at least 5 octets and every RR 11: reject absurd counts before
  // reserving memory for them.
  if (size_t(qdcount) * 5 + (size_t(ancount) + nscount + arcount) * 11 > wire.size() - kHeaderSize)
    return formErr("section counts exceed the message size");

  m.questions.reserve(qdcount);
  for (size_t i = 0; i < qdcount; ++i) {
    Question q;
    q.name = r.name();
    q.type = r.u16();
    q.klass = r.u16();
    if (!r.ok()) return formErr("bad question " + std::to_string(i + 1));
    m.questions.push_back(std::move(q));
  }

  auto readSection = [&](std::vector<ResourceRecord>& out, size_t count, const char* section,
                         bool additional) -> Status {
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      ResourceRecord rr;
      rr.owner = r.name();
      rr.type = r.u16();
      rr.klass = r.u16();
      rr.ttl = r.u32();
      uint16_t rdlength = r.u16();
      if (!r.ok()) return formErr(std::string("truncated record in ") + section + " section");
      if (rr.type == rrtype::kOPT) {
        if (!additional) return formErr(std::string("OPT record in ") + section + " section");
        if (m.edns) return formErr("more than one OPT record");
        if (!rr.owner.isRoot()) return formErr("OPT record owner is not the root");
        auto rdata = r.bytes(rdlength);
        if (!r.ok()) return formErr("truncated OPT record");
        if (!validOptions(rdata)) return formErr("malformed EDNS options");
        Edns e;
        e.udp_size = rr.klass;
        e.version = uint8_t(rr.ttl >> 16);
        e.do_bit = rr.ttl & kEdnsDO;
        rcode = uint16_t(rcode | (rr.ttl >> 24) << 4);
        m.edns = e;
        continue;
      }
      auto rdata = rdataFromWire(rr.type, r, rdlength);
      if (!rdata.ok())
        return formErr(std::string(section) + " record " + std::to_string(i + 1) + ": " +
                       rdata.status().message());
      rr.rdata = std::move(rdata).value();
      out.push_back(std::move(rr));
    }
    return Status();
  };
  ZK_RETURN_IF_ERROR(readSection(m.answer, ancount, "answer", false));
  ZK_RETURN_IF_ERROR(readSection(m.authority, nscount, "authority", false));
  ZK_RETURN_IF_ERROR(readSection(m.additional, arcount, "additional", true));
  if (r.remaining() != 0) return formErr("trailing octets after the last record");
  m.rcode = Rcode(rcode);
  return m;
}

// ---------------------------------------------------------------------------------------------

namespace {

// Writes records into one buffer, remembering where each name suffix was written so that later
// names can point to it (RFC 1035 §4.1.4). Matching is exact (case-sensitive), so compression never
// changes the case of any name; each candidate is verified against the bytes actually in the
// buffer, so entries left behind by a rolled-back record are harmless.
class MessageWriter {
 public:
  MessageWriter(std::vector<uint8_t>& out, bool compress) : out_(out), compress_(compress) {}

  void u16(uint16_t v) {
    out_.push_back(uint8_t(v >> 8));
    out_.push_back(uint8_t(v));
  }
  void u32(uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out_.push_back(uint8_t(v >> s));
  }

  // `wire` is an uncompressed name; `may_compress` says whether this occurrence may use a pointer.
  void name(std::span<const uint8_t> wire, bool may_compress) {
    // Label offsets within `wire` and the hash of each suffix, computed right to left.
    size_t starts[128];
    size_t n = 0;
    for (size_t p = 0; wire[p] != 0; p += 1 + wire[p]) starts[n++] = p;
    uint64_t hashes[128];
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = n; i-- > 0;) {
      size_t p = starts[i];
      for (size_t k = 0; k <= wire[p]; ++k) {
        h ^= wire[p + k];
        h *= 0x100000001b3ull;
      }
      hashes[i] = h;
    }
    const bool use = compress_ && may_compress;
    for (size_t i = 0; i < n; ++i) {
      auto suffix = wire.subspan(starts[i]);
      if (use) {
        auto it = table_.find(hashes[i]);
        if (it != table_.end() && matchesAt(it->second, suffix)) {
          u16(uint16_t(0xC000 | it->second));
          return;
        }
      }
      size_t at = out_.size();
      if (compress_ && at < 0x3FFF) table_[hashes[i]] = uint16_t(at);
      out_.insert(out_.end(), suffix.begin(), suffix.begin() + 1 + suffix[0]);
    }
    out_.push_back(0);
  }

  void record(const ResourceRecord& rr) {
    name(rr.owner.wire(), true);
    u16(rr.type);
    u16(rr.klass);
    u32(rr.ttl);
    size_t len_at = out_.size();
    u16(0);
    size_t start = out_.size();
    if (!compress_) {
      out_.insert(out_.end(), rr.rdata.begin(), rr.rdata.end());
    } else {
      // Copy the RDATA, writing its names through name() so they may be compressed (when the type
      // allows it) and may serve as pointer targets.
      struct Ctx {
        MessageWriter* self;
        std::span<const uint8_t> rdata;
        size_t copied;
      } ctx{this, rr.rdata, 0};
      forEachRdataName(rr.type, rr.rdata, [c = &ctx](size_t off, size_t len, bool compressible) {
        c->self->out_.insert(c->self->out_.end(), c->rdata.begin() + long(c->copied),
                             c->rdata.begin() + long(off));
        c->self->name(c->rdata.subspan(off, len), compressible);
        c->copied = off + len;
      });
      out_.insert(out_.end(), rr.rdata.begin() + long(ctx.copied), rr.rdata.end());
    }
    size_t rdlen = out_.size() - start;
    out_[len_at] = uint8_t(rdlen >> 8);
    out_[len_at + 1] = uint8_t(rdlen);
  }

 private:
  // True when the bytes at `off` decode (with backward pointers only, as WireReader requires)
  // to exactly `suffix`.
  bool matchesAt(size_t off, std::span<const uint8_t> suffix) const {
    size_t p = off, i = 0, bound = out_.size();
    while (true) {
      if (p >= out_.size()) return false;
      uint8_t b = out_[p];
      if ((b & 0xC0) == 0xC0) {
        if (p + 1 >= out_.size()) return false;
        size_t target = size_t(b & 0x3F) << 8 | out_[p + 1];
        if (target >= bound || target >= p) return false;
        bound = target;
        p = target;
        continue;
      }
      if (b > kMaxLabelLength || i >= suffix.size() || suffix[i] != b) return false;
      if (p + 1 + b > out_.size()) return false;
      if (std::memcmp(&out_[p + 1], &suffix[i + 1], b) != 0) return false;
      if (b == 0) return true;
      i += 1 + b;
      p += 1 + b;
    }
  }

  std::vector<uint8_t>& out_;
  bool compress_;
  std::unordered_map<uint64_t, uint16_t> table_;
};

}  // namespace

std::vector<uint8_t> writeMessage(const Message& m, const WriteOptions& options) {
  std::vector<uint8_t> out;
  out.reserve(std::min<size_t>(options.max_size, 512));
  MessageWriter w(out, options.compress);
  w.u16(m.id);
  w.u16(0);                              // flags, patched below
  for (int i = 0; i < 4; ++i) w.u16(0);  // counts, patched below

  const size_t opt_size = m.edns ? 11 : 0;  // root, type, class, TTL, RDLENGTH
  const size_t limit = options.max_size > opt_size ? options.max_size - opt_size : 0;
  bool truncated = false;
  uint16_t counts[4] = {0, 0, 0, 0};

  for (const Question& q : m.questions) {
    size_t mark = out.size();
    w.name(q.name.wire(), true);
    w.u16(q.type);
    w.u16(q.klass);
    if (out.size() > limit) {
      out.resize(mark);
      truncated = true;
      break;
    }
    ++counts[0];
  }
  const std::vector<ResourceRecord>* sections[3] = {&m.answer, &m.authority, &m.additional};
  for (int s = 0; s < 3 && !truncated; ++s) {
    const auto& records = *sections[s];
    for (size_t i = 0; i < records.size(); ++i) {
      size_t mark = out.size();
      w.record(records[i]);
      if (out.size() > limit || counts[s + 1] == 0xFFFF) {
        out.resize(mark);
        // RFC 2181 §9: leaving out optional additional data does not set TC.
        if (s < 2 || i < options.required_additional) truncated = true;
        break;
      }
      ++counts[s + 1];
    }
  }
  if (m.edns) {
    // RFC 6891 §6.1.2-3: root owner, CLASS = UDP size, TTL = extended RCODE, version, DO.
    out.push_back(0);
    w.u16(rrtype::kOPT);
    w.u16(m.edns->udp_size);
    uint32_t ttl = uint32_t((unsigned(m.rcode) >> 4) & 0xFF) << 24 | uint32_t(m.edns->version) << 16 |
                   (m.edns->do_bit ? kEdnsDO : 0);
    w.u32(ttl);
    w.u16(0);
  }
  uint16_t flags = uint16_t((unsigned(m.opcode) & 0xF) << 11 | (unsigned(m.rcode) & 0xF));
  if (m.qr) flags |= kFlagQR;
  if (m.aa) flags |= kFlagAA;
  if (m.tc || truncated) flags |= kFlagTC;
  if (m.rd) flags |= kFlagRD;
  if (m.ra) flags |= kFlagRA;
  if (m.ad) flags |= kFlagAD;
  if (m.cd) flags |= kFlagCD;
  out[2] = uint8_t(flags >> 8);
  out[3] = uint8_t(flags);
  counts[3] += m.edns ? 1 : 0;
  for (int i = 0; i < 4; ++i) {
    out[4 + 2 * i] = uint8_t(counts[i] >> 8);
    out[5 + 2 * i] = uint8_t(counts[i]);
  }
  return out;
}

std::vector<uint8_t> writeMessage(const Message& message, size_t max_size, bool compress) {
  WriteOptions o;
  o.max_size = max_size;
  o.compress = compress;
  return writeMessage(message, o);
}

std::string messageToText(const Message& m) {
  std::string out = ";; ->>HEADER<<- opcode: " + opcodeToText(m.opcode) +
                    ", status: " + rcodeToText(m.rcode) + ", id: " + std::to_string(m.id) + "\n";
  out += ";; flags:";
  if (m.qr) out += " qr";
  if (m.aa) out += " aa";
  if (m.tc) out += " tc";
  if (m.rd) out += " rd";
  if (m.ra) out += " ra";
  if (m.ad) out += " ad";
  if (m.cd) out += " cd";
  out += "; QUERY: " + std::to_string(m.questions.size()) + ", ANSWER: " + std::to_string(m.answer.size()) +
         ", AUTHORITY: " + std::to_string(m.authority.size()) +
         ", ADDITIONAL: " + std::to_string(m.additional.size() + (m.edns ? 1 : 0)) + "\n";
  if (m.edns) {
    out += "\n;; OPT PSEUDOSECTION:\n; EDNS: version: " + std::to_string(m.edns->version) +
           ", flags:" + (m.edns->do_bit ? " do" : "") + "; udp: " + std::to_string(m.edns->udp_size) + "\n";
  }
  if (!m.questions.empty()) {
    out += "\n;; QUESTION SECTION:\n";
    for (const Question& q : m.questions)
      out += ";" + q.name.toText() + "\t\t" + classToText(q.klass) + "\t" + typeToText(q.type) + "\n";
  }
  auto section = [&](const char* title, const std::vector<ResourceRecord>& rrs) {
    if (rrs.empty()) return;
    out += std::string("\n;; ") + title + " SECTION:\n";
    for (const ResourceRecord& rr : rrs) out += recordToText(rr) + "\n";
  };
  section("ANSWER", m.answer);
  section("AUTHORITY", m.authority);
  section("ADDITIONAL", m.additional);
  return out;
}

}  // namespace zk::dns
