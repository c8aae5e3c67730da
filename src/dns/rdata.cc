// RDATA for every supported type from ONE descriptor table (a list of field kinds per type) that
// drives wire-in, validation, text-in, text-out and name enumeration (PowerDNS-style).
#include "dns/rdata.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>

#include "dns/presentation.h"
#include "dns/types.h"

namespace zk::dns {
namespace {

constexpr size_t kBad = size_t(-1);

enum class F : uint8_t {
  kName,              // domain name, compressible on output (RFC 1035 types, RFC 3597 §4)
  kNameUncompressed,  // domain name never compressed on output (SRV, NAPTR, DNAME, SVCB, ...)
  kU8,
  kU16,
  kU32,
  kPeriod,  // 32-bit seconds; text accepts TTL units (SOA timers)
  kIPv4,
  kIPv6,
  kCharString,       // one <character-string> (RFC 1035 §3.3)
  kCharStringsRest,  // one or more <character-string>s to the end (TXT, SPF)
  kHexRest,          // at least one octet, hex in text, to the end
  kBase64Rest,       // at least one octet, base64 in text, to the end
  kSvcParams,        // RFC 9460 §2.2 SvcParams to the end
  kCaaTag,           // RFC 8659 §4.1: length octet + 1..255 alphanumerics, bare in text
  kStringRest,       // octets to the end without length octet, quoted in text (CAA value)
  kType,             // 16-bit RR type, mnemonic in text (RRSIG type covered)
  kTimestamp,        // 32-bit time, YYYYMMDDHHmmSS in text (RFC 4034 §3.2)
  kTypeBitmap,       // RFC 4034 §4.1.2 type bit maps to the end
};

struct RdataDescriptor {
  uint16_t type = 0;
  uint8_t count = 0;
  std::array<F, 9> fields{};
};

constexpr RdataDescriptor make(uint16_t type, std::initializer_list<F> fields) {
  RdataDescriptor d;
  d.type = type;
  for (F f : fields) d.fields[d.count++] = f;
  return d;
}

using enum F;
// The one table. Each entry cites the RFC defining the RDATA layout.
constexpr RdataDescriptor kDescriptors[] = {
    make(rrtype::kA, {kIPv4}),                                                     // RFC 1035 §3.4.1
    make(rrtype::kNS, {kName}),                                                    // RFC 1035 §3.3.11
    make(rrtype::kCNAME, {kName}),                                                 // RFC 1035 §3.3.1
    make(rrtype::kSOA, {kName, kName, kU32, kPeriod, kPeriod, kPeriod, kPeriod}),  // §3.3.13
    make(rrtype::kPTR, {kName}),                                                   // RFC 1035 §3.3.12
    make(rrtype::kHINFO, {kCharString, kCharString}),                              // RFC 1035 §3.3.2
    make(rrtype::kMX, {kU16, kName}),                                              // RFC 1035 §3.3.9
    make(rrtype::kTXT, {kCharStringsRest}),                                        // RFC 1035 §3.3.14
    make(rrtype::kAAAA, {kIPv6}),                                                  // RFC 3596 §2.2
    make(rrtype::kSRV, {kU16, kU16, kU16, kNameUncompressed}),                     // RFC 2782
    make(rrtype::kNAPTR,
         {kU16, kU16, kCharString, kCharString, kCharString, kNameUncompressed}),  // RFC 3403 §4.1
    make(rrtype::kDNAME, {kNameUncompressed}),                                     // RFC 6672 §2.1
    make(rrtype::kDS, {kU16, kU8, kU8, kHexRest}),                                 // RFC 4034 §5.1
    make(rrtype::kSSHFP, {kU8, kU8, kHexRest}),                                    // RFC 4255 §3.1
    make(rrtype::kRRSIG, {kType, kU8, kU8, kU32, kTimestamp, kTimestamp, kU16, kNameUncompressed,
                          kBase64Rest}),                          // RFC 4034 §3.1
    make(rrtype::kNSEC, {kNameUncompressed, kTypeBitmap}),        // RFC 4034 §4.1
    make(rrtype::kDNSKEY, {kU16, kU8, kU8, kBase64Rest}),         // RFC 4034 §2.1
    make(rrtype::kTLSA, {kU8, kU8, kU8, kHexRest}),               // RFC 6698 §2.1
    make(rrtype::kSVCB, {kU16, kNameUncompressed, kSvcParams}),   // RFC 9460 §2.2
    make(rrtype::kHTTPS, {kU16, kNameUncompressed, kSvcParams}),  // RFC 9460 §9
    make(rrtype::kSPF, {kCharStringsRest}),                       // RFC 7208 §3.1
    make(rrtype::kCAA, {kU8, kCaaTag, kStringRest}),              // RFC 8659 §4.1
};

// type -> index into kDescriptors, for types up to CAA (257); -1 when none.
constexpr auto kIndex = [] {
  std::array<int8_t, 258> idx{};
  for (auto& v : idx) v = -1;
  for (size_t i = 0; i < std::size(kDescriptors); ++i) idx[kDescriptors[i].type] = int8_t(i);
  return idx;
}();

const RdataDescriptor* descriptorFor(uint16_t type) {
  if (type >= kIndex.size() || kIndex[type] < 0) return nullptr;
  return &kDescriptors[size_t(kIndex[type])];
}

bool isNameField(F f) { return f == kName || f == kNameUncompressed; }

const char* fieldLabel(F f) {
  switch (f) {
    case kName:
    case kNameUncompressed:
      return "domain name";
    case kU8:
      return "8-bit number";
    case kU16:
      return "16-bit number";
    case kU32:
      return "32-bit number";
    case kPeriod:
      return "time value";
    case kIPv4:
      return "IPv4 address";
    case kIPv6:
      return "IPv6 address";
    case kCharString:
    case kCharStringsRest:
      return "character string";
    case kHexRest:
      return "hex data";
    case kBase64Rest:
      return "base64 data";
    case kSvcParams:
      return "SvcParams";
    case kCaaTag:
      return "CAA tag";
    case kStringRest:
      return "string value";
    case kType:
      return "record type";
    case kTimestamp:
      return "timestamp";
    case kTypeBitmap:
      return "type list";
  }
  return "field";
}

// ---------------------------------------------------------------------------------------------
// Canonical wire layout: the length of field `f` at `pos` in `d`, validating its content.

size_t nameLength(std::span<const uint8_t> d, size_t pos) {
  size_t p = pos;
  while (true) {
    if (p >= d.size()) return kBad;
    uint8_t len = d[p];
    if (len > kMaxLabelLength) return kBad;  // also rejects compression pointers
    p += 1 + len;
    if (p - pos > kMaxNameLength) return kBad;
    if (len == 0) return p - pos;
  }
}

bool isAlnum(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 4034 §4.1.2: window blocks in increasing order, 1..32 octets, no trailing zero octet.
bool validBitmap(std::span<const uint8_t> d) {
  size_t p = 0;
  int last_window = -1;
  while (p < d.size()) {
    if (d.size() - p < 2) return false;
    int window = d[p];
    size_t len = d[p + 1];
    if (window <= last_window || len < 1 || len > 32 || d.size() - p - 2 < len) return false;
    if (d[p + 1 + len] == 0) return false;
    last_window = window;
    p += 2 + len;
  }
  return true;
}

// RFC 9460 §2.2 / §7: keys strictly increasing; the values of the keys we know are well formed.
bool validSvcParams(std::span<const uint8_t> d) {
  size_t p = 0;
  int last_key = -1;
  std::span<const uint8_t> mandatory;
  std::vector<uint16_t> keys;
  while (p < d.size()) {
    if (d.size() - p < 4) return false;
    int key = d[p] << 8 | d[p + 1];
    size_t len = size_t(d[p + 2]) << 8 | d[p + 3];
    p += 4;
    if (key <= last_key || key == 65535 || d.size() - p < len) return false;
    auto v = d.subspan(p, len);
    switch (key) {
      case 0: {  // mandatory: ascending keys, not itself
        if (len == 0 || len % 2) return false;
        int prev = -1;
        for (size_t i = 0; i < len; i += 2) {
          int k = v[i] << 8 | v[i + 1];
          if (k <= prev || k == 0 || k == 65535) return false;
          prev = k;
        }
        break;
      }
      case 1: {  // alpn: one or more non-empty character-strings
        if (len == 0) return false;
        size_t q = 0;
        while (q < len) {
          size_t l = v[q];
          if (l == 0 || len - q - 1 < l) return false;
          q += 1 + l;
        }
        break;
      }
      case 2:
        if (len != 0) return false;
        break;  // no-default-alpn
      case 3:
        if (len != 2) return false;
        break;  // port
      case 4:
        if (len == 0 || len % 4) return false;
        break;  // ipv4hint
      case 5:
        if (len == 0) return false;
        break;  // ech
      case 6:
        if (len == 0 || len % 16) return false;
        break;  // ipv6hint
      default:
        break;
    }
    if (key == 0) mandatory = v;
    keys.push_back(uint16_t(key));
    last_key = key;
    p += len;
  }
  // RFC 9460 §8: every key listed in "mandatory" must be present.
  for (size_t i = 0; i + 1 < mandatory.size(); i += 2)
    if (!std::binary_search(keys.begin(), keys.end(), uint16_t(mandatory[i] << 8 | mandatory[i + 1])))
      return false;
  return true;
}

size_t fieldLength(F f, std::span<const uint8_t> d, size_t pos) {
  const size_t avail = pos <= d.size() ? d.size() - pos : 0;
  auto fixed = [&](size_t n) { return avail >= n ? n : kBad; };
  switch (f) {
    case kName:
    case kNameUncompressed:
      return nameLength(d, pos);
    case kU8:
      return fixed(1);
    case kU16:
    case kType:
      return fixed(2);
    case kU32:
    case kPeriod:
    case kTimestamp:
    case kIPv4:
      return fixed(4);
    case kIPv6:
      return fixed(16);
    case kCharString: {
      if (avail < 1 || avail - 1 < d[pos]) return kBad;
      return 1 + size_t(d[pos]);
    }
    case kCaaTag: {
      if (avail < 1 || d[pos] == 0 || avail - 1 < d[pos]) return kBad;
      for (size_t i = 1; i <= d[pos]; ++i)
        if (!isAlnum(d[pos + i])) return kBad;
      return 1 + size_t(d[pos]);
    }
    case kCharStringsRest: {
      if (avail == 0) return kBad;
      size_t p = pos;
      while (p < d.size()) {
        if (d.size() - p - 1 < d[p]) return kBad;
        p += 1 + size_t(d[p]);
      }
      return avail;
    }
    case kHexRest:
    case kBase64Rest:
      return avail >= 1 ? avail : kBad;
    case kStringRest:
      return avail;
    case kSvcParams:
      return validSvcParams(d.subspan(pos, avail)) ? avail : kBad;
    case kTypeBitmap:
      return validBitmap(d.subspan(pos, avail)) ? avail : kBad;
  }
  return kBad;
}

// Calls fn(field, offset, length) for each field; false when the RDATA does not fit the layout.
template <typename Fn>
bool walk(const RdataDescriptor& desc, std::span<const uint8_t> d, Fn&& fn) {
  size_t pos = 0;
  for (size_t i = 0; i < desc.count; ++i) {
    size_t len = fieldLength(desc.fields[i], d, pos);
    if (len == kBad) return false;
    fn(desc.fields[i], pos, len);
    pos += len;
  }
  return pos == d.size();
}

uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}
void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
}

// ---------------------------------------------------------------------------------------------
// Time stamps (RFC 4034 §3.2): seconds since the epoch modulo 2^32 <-> YYYYMMDDHHmmSS (UTC).

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

void appendTimestamp(std::string& out, uint32_t t) {
  int64_t z = int64_t(t / 86400) + 719468;
  uint32_t secs = t % 86400;
  const int64_t era = z / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld%02u%02u%02u%02u%02u", static_cast<long long>(y), m, d, secs / 3600,
                (secs / 60) % 60, secs % 60);
  out += buf;
}

std::optional<uint32_t> parseTimestamp(std::string_view s) {
  if (s.size() != 14) {
    auto v = parseDecimal(s, 0xFFFFFFFFu);
    if (!v) return std::nullopt;
    return uint32_t(*v);
  }
  auto num = [&](size_t at, size_t n) { return parseDecimal(s.substr(at, n), 9999); };
  auto y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(8, 2), mi = num(10, 2), se = num(12, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *se > 59) return std::nullopt;
  int64_t days = daysFromCivil(int64_t(*y), unsigned(*mo), unsigned(*d));
  int64_t t = days * 86400 + int64_t(*h * 3600 + *mi * 60 + *se);
  return uint32_t(uint64_t(t));  // serial arithmetic: modulo 2^32
}

// ---------------------------------------------------------------------------------------------
// SvcParams presentation (RFC 9460 §2.1, Appendix A).

constexpr std::string_view kSvcKeyNames[] = {"mandatory", "alpn", "no-default-alpn", "port",
                                             "ipv4hint",  "ech",  "ipv6hint"};

std::optional<uint16_t> svcKeyFromText(std::string_view s) {
  for (size_t i = 0; i < std::size(kSvcKeyNames); ++i)
    if (s == kSvcKeyNames[i]) return uint16_t(i);
  if (s.size() > 3 && s.substr(0, 3) == "key") {
    auto v = parseDecimal(s.substr(3), 65534);  // 65535 is reserved ("Invalid key")
    if (v) return uint16_t(*v);
  }
  return std::nullopt;
}

std::string svcKeyToText(uint16_t key) {
  if (key < std::size(kSvcKeyNames)) return std::string(kSvcKeyNames[key]);
  return "key" + std::to_string(key);
}

// RFC 9460 Appendix A.1: a comma-separated list where "\," and "\\" are literal (after the
// character-string escapes have been decoded).
bool splitValueList(std::span<const uint8_t> v, std::vector<std::vector<uint8_t>>& items) {
  items.emplace_back();
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\') {
      if (i + 1 >= v.size()) return false;
      items.back().push_back(v[++i]);
    } else if (v[i] == ',') {
      items.emplace_back();
    } else {
      items.back().push_back(v[i]);
    }
  }
  for (const auto& it : items)
    if (it.empty()) return false;
  return true;
}

Status svcParamValue(uint16_t key, bool has_value, std::span<const uint8_t> v, std::vector<uint8_t>& out) {
  std::string_view sv(reinterpret_cast<const char*>(v.data()), v.size());
  auto bad = [&](const char* what) {
    return invalidArgument(std::string("invalid ") + what + " value '" + std::string(sv) + "'");
  };
  switch (key) {
    case 0: {
      std::vector<std::vector<uint8_t>> items;
      if (!has_value || !splitValueList(v, items)) return bad("mandatory");
      std::vector<uint16_t> keys;
      for (const auto& it : items) {
        auto k = svcKeyFromText(std::string_view(reinterpret_cast<const char*>(it.data()), it.size()));
        if (!k || *k == 0) return bad("mandatory");
        keys.push_back(*k);
      }
      std::sort(keys.begin(), keys.end());
      if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return bad("mandatory");
      for (uint16_t k : keys) put16(out, k);
      return Status();
    }
    case 1: {
      std::vector<std::vector<uint8_t>> items;
      if (!has_value || !splitValueList(v, items)) return bad("alpn");
      for (const auto& it : items) {
        if (it.size() > 255) return bad("alpn");
        out.push_back(uint8_t(it.size()));
        out.insert(out.end(), it.begin(), it.end());
      }
      return Status();
    }
    case 2:
      if (has_value) return invalidArgument("no-default-alpn takes no value");
      return Status();
    case 3: {
      auto p = parseDecimal(sv, 65535);
      if (!p) return bad("port");
      put16(out, uint16_t(*p));
      return Status();
    }
    case 4:
    case 6: {
      if (!has_value || sv.empty()) return bad(key == 4 ? "ipv4hint" : "ipv6hint");
      size_t start = 0;
      while (start <= sv.size()) {
        size_t comma = sv.find(',', start);
        std::string_view a = sv.substr(start, comma == std::string_view::npos ? sv.npos : comma - start);
        uint8_t buf[16];
        if (key == 4 ? !parseIPv4(a, buf) : !parseIPv6(a, buf))
          return bad(key == 4 ? "ipv4hint" : "ipv6hint");
        out.insert(out.end(), buf, buf + (key == 4 ? 4 : 16));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      return Status();
    }
    case 5: {
      if (!has_value || sv.empty() || !decodeBase64(sv, out)) return bad("ech");
      return Status();
    }
    default:
      out.insert(out.end(), v.begin(), v.end());
      return Status();
  }
}

void appendSvcParamsText(std::string& out, std::span<const uint8_t> d) {
  size_t p = 0;
  while (p < d.size()) {
    uint16_t key = get16(&d[p]);
    size_t len = get16(&d[p + 2]);
    auto v = d.subspan(p + 4, len);
    p += 4 + len;
    out.push_back(' ');
    out += svcKeyToText(key);
    switch (key) {
      case 0:
        out.push_back('=');
        for (size_t i = 0; i < len; i += 2) {
          if (i) out.push_back(',');
          out += svcKeyToText(get16(&v[i]));
        }
        break;
      case 1: {
        out += "=\"";
        size_t q = 0;
        bool first = true;
        while (q < len) {
          size_t l = v[q];
          if (!first) out.push_back(',');
          first = false;
          for (size_t i = q + 1; i <= q + l; ++i) {
            uint8_t c = v[i];
            if (c == ',' || c == '\\') {
              out += "\\\\";  // value-list escape, itself escaped as a character-string
              if (c == '\\')
                out += "\\\\";
              else
                out.push_back(',');
            } else if (c == '"') {
              out += "\\\"";
            } else if (c < 0x20 || c >= 0x7f) {
              char buf[8];
              std::snprintf(buf, sizeof(buf), "\\%03u", c);
              out += buf;
            } else {
              out.push_back(char(c));
            }
          }
          q += 1 + l;
        }
        out.push_back('"');
        break;
      }
      case 2:
        break;
      case 3:
        out += "=" + std::to_string(get16(v.data()));
        break;
      case 4:
      case 6: {
        out.push_back('=');
        size_t step = key == 4 ? 4 : 16;
        for (size_t i = 0; i < len; i += step) {
          if (i) out.push_back(',');
          if (key == 4)
            appendIPv4(out, &v[i]);
          else
            appendIPv6(out, &v[i]);
        }
        break;
      }
      case 5:
        out.push_back('=');
        appendBase64(out, v);
        break;
      default:
        if (len > 0) {
          out.push_back('=');
          appendQuoted(out, v);
        }
        break;
    }
  }
}

Status parseSvcParams(Tokenizer& tk, std::vector<uint8_t>& out, size_t* error_offset) {
  struct Param {
    uint16_t key;
    std::vector<uint8_t> value;
  };
  std::vector<Param> params;
  Token t;
  while (tk.next(t)) {
    if (error_offset) *error_offset = t.offset;
    std::string_view raw = t.raw;
    if (t.quoted) return invalidArgument("unexpected quoted string '" + std::string(raw) + "' in SvcParams");
    size_t eq = raw.find('=');
    std::string_view key_text = raw.substr(0, eq);
    auto key = svcKeyFromText(key_text);
    if (!key) return invalidArgument("unknown SvcParamKey '" + std::string(key_text) + "'");
    for (const auto& p : params)
      if (p.key == *key) return invalidArgument("duplicate SvcParamKey '" + std::string(key_text) + "'");
    bool has_value = eq != std::string_view::npos;
    std::vector<uint8_t> decoded;
    if (has_value) {
      std::string_view value_text = raw.substr(eq + 1);
      if (value_text.empty()) {
        // key="value": the quoted part is the next, adjacent token.
        Tokenizer save = tk;
        Token q;
        if (tk.next(q) && q.quoted && q.adjacent) {
          value_text = q.raw;
        } else {
          tk = save;
        }
      }
      if (!decodeEscapes(value_text, decoded))
        return invalidArgument("invalid escape in SvcParam '" + std::string(raw) + "'");
    }
    Param p{*key, {}};
    ZK_RETURN_IF_ERROR(svcParamValue(*key, has_value, decoded, p.value));
    if (p.value.size() > 65535) return invalidArgument("SvcParam value too long");
    params.push_back(std::move(p));
  }
  if (tk.error()) return invalidArgument("unterminated quoted string");
  std::sort(params.begin(), params.end(), [](const Param& a, const Param& b) { return a.key < b.key; });
  for (const auto& p : params) {
    if (p.key == 0) {  // RFC 9460 §8: mandatory keys must be present, itself excluded
      for (size_t i = 0; i < p.value.size(); i += 2) {
        uint16_t k = get16(&p.value[i]);
        bool found = std::any_of(params.begin(), params.end(), [&](const Param& x) { return x.key == k; });
        if (!found) return invalidArgument("mandatory SvcParamKey '" + svcKeyToText(k) + "' is missing");
      }
    }
    put16(out, p.key);
    put16(out, uint16_t(p.value.size()));
    out.insert(out.end(), p.value.begin(), p.value.end());
  }
  return Status();
}

// ---------------------------------------------------------------------------------------------
// Text-in.

std::string typeName(uint16_t type) { return typeToText(type); }

Status parseGeneric(uint16_t type, Tokenizer& tk, std::vector<uint8_t>& out, size_t* error_offset) {
  // RFC 3597 §5: \# <length> <hex>...
  Token t;
  if (!tk.next(t)) return invalidArgument("missing RDATA length after \\#");
  if (error_offset) *error_offset = t.offset;
  auto len = parseDecimal(t.raw, 65535);
  if (!len || t.quoted) return invalidArgument("invalid RDATA length '" + std::string(t.raw) + "'");
  size_t start = out.size();
  std::string hex;
  while (tk.next(t)) {
    if (error_offset) *error_offset = t.offset;
    hex.append(t.raw);
  }
  if (!decodeHex(hex, out)) return invalidArgument("invalid hex data in \\# RDATA");
  if (out.size() - start != *len)
    return invalidArgument("\\# RDATA length " + std::to_string(*len) + " does not match " +
                           std::to_string(out.size() - start) + " octets of data");
  if (const RdataDescriptor* desc = descriptorFor(type)) {
    auto d = std::span<const uint8_t>(out).subspan(start);
    if (!walk(*desc, d, [](F, size_t, size_t) {}))
      return invalidArgument("\\# RDATA is not valid " + typeName(type) + " RDATA");
  }
  return Status();
}

Status parseField(F f, Tokenizer& tk, const Name* origin, std::vector<uint8_t>& out, size_t* error_offset) {
  Token t;
  if (!tk.next(t)) {
    if (tk.error()) return invalidArgument("unterminated quoted string");
    return invalidArgument(std::string("missing ") + fieldLabel(f));
  }
  if (error_offset) *error_offset = t.offset;
  std::string_view raw = t.raw;
  auto invalid = [&](const char* what) {
    return invalidArgument(std::string("invalid ") + what + " '" + std::string(raw) + "'");
  };
  switch (f) {
    case kName:
    case kNameUncompressed: {
      uint8_t buf[kMaxNameLength];
      std::string err;
      size_t n = t.quoted ? 0 : parseNameInto(raw, origin, buf, &err);
      if (n == 0) return invalidArgument(t.quoted ? "invalid domain name '" + std::string(raw) + "'" : err);
      out.insert(out.end(), buf, buf + n);
      return Status();
    }
    case kU8:
    case kU16:
    case kU32: {
      uint64_t max = f == kU8 ? 0xFF : f == kU16 ? 0xFFFF : 0xFFFFFFFFu;
      auto v = parseDecimal(raw, max);
      if (!v) return invalid(fieldLabel(f));
      if (f == kU8)
        out.push_back(uint8_t(*v));
      else if (f == kU16)
        put16(out, uint16_t(*v));
      else
        put32(out, uint32_t(*v));
      return Status();
    }
    case kPeriod: {
      auto v = parseTtl(raw);
      if (!v) return invalid("time value");
      put32(out, *v);
      return Status();
    }
    case kTimestamp: {
      auto v = parseTimestamp(raw);
      if (!v) return invalid("timestamp");
      put32(out, *v);
      return Status();
    }
    case kIPv4: {
      uint8_t a[4];
      if (!parseIPv4(raw, a)) return invalid("IPv4 address");
      out.insert(out.end(), a, a + 4);
      return Status();
    }
    case kIPv6: {
      uint8_t a[16];
      if (!parseIPv6(raw, a)) return invalid("IPv6 address");
      out.insert(out.end(), a, a + 16);
      return Status();
    }
    case kType: {
      auto v = typeFromText(raw);
      if (!v) return invalid("record type");
      put16(out, *v);
      return Status();
    }
    case kCaaTag: {
      if (raw.empty() || raw.size() > 255) return invalid("CAA tag");
      for (char c : raw)
        if (!isAlnum(uint8_t(c))) return invalid("CAA tag");
      out.push_back(uint8_t(raw.size()));
      out.insert(out.end(), raw.begin(), raw.end());
      return Status();
    }
    case kStringRest: {
      if (!decodeEscapes(raw, out)) return invalid("escape in string");
      return Status();
    }
    case kCharString:
    case kCharStringsRest: {
      while (true) {
        size_t at = out.size();
        out.push_back(0);
        if (!decodeEscapes(raw, out)) return invalid("escape in character string");
        size_t len = out.size() - at - 1;
        if (len <= 255) {
          out[at] = uint8_t(len);
        } else if (f == kCharString) {
          return invalidArgument("character string longer than 255 octets");
        } else {
          // TXT/SPF: split long strings into 255-octet chunks (as BIND and Knot do).
          std::vector<uint8_t> bytes(out.begin() + long(at) + 1, out.end());
          out.resize(at);
          for (size_t i = 0; i < bytes.size(); i += 255) {
            size_t n = std::min<size_t>(255, bytes.size() - i);
            out.push_back(uint8_t(n));
            out.insert(out.end(), bytes.begin() + long(i), bytes.begin() + long(i + n));
          }
        }
        if (f == kCharString || !tk.next(t)) break;
        if (error_offset) *error_offset = t.offset;
        raw = t.raw;
      }
      if (tk.error()) return invalidArgument("unterminated quoted string");
      return Status();
    }
    case kHexRest:
    case kBase64Rest: {
      std::string joined(raw);
      while (tk.next(t)) joined.append(t.raw);
      if (tk.error()) return invalidArgument("unterminated quoted string");
      size_t at = out.size();
      bool ok = f == kHexRest ? decodeHex(joined, out) : decodeBase64(joined, out);
      if (!ok || out.size() == at) return invalidArgument(std::string("invalid ") + fieldLabel(f));
      return Status();
    }
    case kTypeBitmap: {
      std::vector<uint16_t> types;
      while (true) {
        auto v = typeFromText(raw);
        if (!v) return invalid("record type");
        types.push_back(*v);
        if (!tk.next(t)) break;
        if (error_offset) *error_offset = t.offset;
        raw = t.raw;
      }
      std::sort(types.begin(), types.end());
      types.erase(std::unique(types.begin(), types.end()), types.end());
      // RFC 4034 §4.1.2: one block per 256-type window, trailing zero octets omitted.
      size_t i = 0;
      while (i < types.size()) {
        uint8_t window = uint8_t(types[i] >> 8);
        uint8_t bits[32] = {};
        size_t used = 0;
        for (; i < types.size() && (types[i] >> 8) == window; ++i) {
          uint8_t low = uint8_t(types[i]);
          bits[low / 8] |= uint8_t(0x80 >> (low % 8));
          used = std::max<size_t>(used, low / 8 + 1);
        }
        out.push_back(window);
        out.push_back(uint8_t(used));
        out.insert(out.end(), bits, bits + used);
      }
      return Status();
    }
    case kSvcParams:
      break;  // handled by the caller (it may be empty)
  }
  return internalError("unhandled RDATA field");
}

// Names in types that compress them (RFC 1035 types), for RFC 3597 §4 output compression.
std::string nameText(std::span<const uint8_t> wire) {
  auto n = Name::fromWire(wire);
  return n.ok() ? n->toText() : std::string("?");
}

}  // namespace

// =============================================================================================

Status appendRdataFromText(uint16_t type, std::string_view text, const Name* origin,
                           std::vector<uint8_t>& out, size_t* error_offset) {
  Tokenizer tk(text);
  size_t start = out.size();
  {
    Tokenizer peek = tk;
    Token t;
    if (peek.next(t) && !t.quoted && t.raw == "\\#") {
      tk = peek;
      ZK_RETURN_IF_ERROR(parseGeneric(type, tk, out, error_offset));
      if (out.size() - start > 65535) return invalidArgument("RDATA longer than 65535 octets");
      return Status();
    }
  }
  const RdataDescriptor* desc = descriptorFor(type);
  if (desc == nullptr)
    return invalidArgument("RDATA of type " + typeName(type) + " must use the RFC 3597 \\# form");
  for (size_t i = 0; i < desc->count; ++i) {
    F f = desc->fields[i];
    if (f == kSvcParams) {
      ZK_RETURN_IF_ERROR(parseSvcParams(tk, out, error_offset));
      continue;
    }
    if (f == kTypeBitmap && tk.atEnd()) continue;  // an empty type list is valid
    ZK_RETURN_IF_ERROR(parseField(f, tk, origin, out, error_offset));
  }
  if (!tk.atEnd()) {
    if (error_offset) *error_offset = tk.pos();
    std::string_view rest = tk.rest();
    size_t end = 0;
    while (end < rest.size() && !isBlank(rest[end])) ++end;
    return invalidArgument("trailing data '" + std::string(rest.substr(0, end)) + "' in " + typeName(type) +
                           " RDATA");
  }
  if (tk.error()) return invalidArgument("unterminated quoted string");
  if (out.size() - start > 65535) return invalidArgument("RDATA longer than 65535 octets");
  return Status();
}

Result<std::vector<uint8_t>> rdataFromText(uint16_t type, std::string_view text, const Name& origin) {
  std::vector<uint8_t> out;
  Status s = appendRdataFromText(type, text, &origin, out, nullptr);
  if (!s.isOk()) return s;
  return out;
}

std::string rdataToText(uint16_t type, std::span<const uint8_t> rdata) {
  std::string out;
  const RdataDescriptor* desc = descriptorFor(type);
  if (desc != nullptr && walk(*desc, rdata, [](F, size_t, size_t) {})) {
    walk(*desc, rdata, [&](F f, size_t pos, size_t len) {
      const uint8_t* p = rdata.data() + pos;
      if (f != kSvcParams && !out.empty()) out.push_back(' ');
      switch (f) {
        case kName:
        case kNameUncompressed:
          out += nameText(rdata.subspan(pos, len));
          break;
        case kU8:
          out += std::to_string(p[0]);
          break;
        case kU16:
          out += std::to_string(get16(p));
          break;
        case kU32:
        case kPeriod:
          out += std::to_string(get32(p));
          break;
        case kTimestamp:
          appendTimestamp(out, get32(p));
          break;
        case kIPv4:
          appendIPv4(out, p);
          break;
        case kIPv6:
          appendIPv6(out, p);
          break;
        case kType:
          out += typeToText(get16(p));
          break;
        case kCharString:
          appendQuoted(out, rdata.subspan(pos + 1, len - 1));
          break;
        case kCharStringsRest: {
          size_t q = pos;
          while (q < pos + len) {
            if (q != pos) out.push_back(' ');
            appendQuoted(out, rdata.subspan(q + 1, rdata[q]));
            q += 1 + size_t(rdata[q]);
          }
          break;
        }
        case kCaaTag:
          out.append(reinterpret_cast<const char*>(p + 1), len - 1);
          break;
        case kStringRest:
          appendQuoted(out, rdata.subspan(pos, len));
          break;
        case kHexRest:
          appendHex(out, rdata.subspan(pos, len));
          break;
        case kBase64Rest:
          appendBase64(out, rdata.subspan(pos, len));
          break;
        case kSvcParams:
          appendSvcParamsText(out, rdata.subspan(pos, len));
          break;
        case kTypeBitmap: {
          bool first = true;
          size_t q = pos;
          while (q < pos + len) {
            uint8_t window = rdata[q];
            size_t blen = rdata[q + 1];
            for (size_t i = 0; i < blen * 8; ++i) {
              if (rdata[q + 2 + i / 8] & (0x80 >> (i % 8))) {
                if (!first) out.push_back(' ');
                first = false;
                out += typeToText(uint16_t(window << 8 | i));
              }
            }
            q += 2 + blen;
          }
          if (first && !out.empty() && out.back() == ' ') out.pop_back();
          break;
        }
      }
    });
    return out;
  }
  // RFC 3597 §5 generic form.
  out = "\\# " + std::to_string(rdata.size());
  if (!rdata.empty()) {
    out.push_back(' ');
    appendHex(out, rdata);
  }
  return out;
}

Result<std::vector<uint8_t>> rdataFromWire(uint16_t type, WireReader& reader, uint16_t rdlength) {
  if (!reader.ok() || reader.remaining() < rdlength) {
    reader.fail();
    return invalidArgument("RDATA runs past the end of the message");
  }
  const size_t end = reader.pos() + rdlength;
  const RdataDescriptor* desc = descriptorFor(type);
  std::vector<uint8_t> out;
  if (desc == nullptr) {
    auto b = reader.bytes(rdlength);
    out.assign(b.begin(), b.end());
    return out;
  }
  out.reserve(rdlength);
  auto fail = [&](std::string why) -> Status {
    reader.fail();
    return invalidArgument("malformed " + typeToText(type) + " RDATA: " + why);
  };
  for (size_t i = 0; i < desc->count; ++i) {
    F f = desc->fields[i];
    if (isNameField(f)) {
      // RFC 3597 §4: names are decompressed in every known type on input, even where senders
      // must not compress them, to be liberal in what we accept.
      if (reader.pos() >= end) return fail("missing domain name");
      uint8_t buf[kMaxNameLength];
      size_t n = reader.nameInto(buf);
      if (!reader.ok() || n == 0) return fail("bad domain name");
      if (reader.pos() > end) return fail("domain name runs past RDLENGTH");
      out.insert(out.end(), buf, buf + n);
      continue;
    }
    auto window = reader.message().subspan(reader.pos(), end - reader.pos());
    size_t len = fieldLength(f, window, 0);
    if (len == kBad) return fail(std::string("bad ") + fieldLabel(f));
    auto b = reader.bytes(len);
    out.insert(out.end(), b.begin(), b.end());
  }
  if (reader.pos() != end) return fail("trailing octets");
  if (out.size() > 65535) return fail("expanded RDATA longer than 65535 octets");
  return out;
}

Status validateRdata(uint16_t type, std::span<const uint8_t> rdata) {
  if (rdata.size() > 65535) return invalidArgument("RDATA longer than 65535 octets");
  const RdataDescriptor* desc = descriptorFor(type);
  if (desc == nullptr) return Status();
  if (!walk(*desc, rdata, [](F, size_t, size_t) {}))
    return invalidArgument("malformed " + typeToText(type) + " RDATA");
  return Status();
}

void forEachRdataName(uint16_t type, std::span<const uint8_t> rdata,
                      const std::function<void(size_t offset, size_t length, bool compressible)>& fn) {
  const RdataDescriptor* desc = descriptorFor(type);
  if (desc == nullptr) return;
  // Names precede any variable-length tail in every layout, so report them as they are found;
  // stop at the first field that does not fit.
  size_t pos = 0;
  for (size_t i = 0; i < desc->count; ++i) {
    F f = desc->fields[i];
    size_t len = fieldLength(f, rdata, pos);
    if (len == kBad) return;
    if (isNameField(f)) fn(pos, len, f == kName);
    pos += len;
  }
}

Name rdataTargetName(uint16_t type, std::span<const uint8_t> rdata) {
  switch (type) {
    case rrtype::kNS:
    case rrtype::kMX:
    case rrtype::kSRV:
    case rrtype::kCNAME:
    case rrtype::kDNAME:
    case rrtype::kPTR:
      break;
    default:
      return Name();
  }
  Name result;
  bool found = false;
  forEachRdataName(type, rdata, [&](size_t off, size_t len, bool) {
    if (found) return;
    auto n = Name::fromWire(rdata.subspan(off, len));
    if (n.ok()) result = std::move(n).value();
    found = true;
  });
  return result;
}

}  // namespace zk::dns
