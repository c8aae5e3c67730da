// Record type and class mnemonics (IANA DNS parameters; generic TYPEnnn/CLASSnnn per RFC 3597 §5).
#include "dns/types.h"

#include <array>
#include <charconv>

namespace zk::dns {
namespace {

struct Mnemonic {
  uint16_t value;
  std::string_view text;
};

// Most frequent first: typeFromText scans this list, and zone files are dominated by the first few.
constexpr std::array<Mnemonic, 26> kTypes{{
    {rrtype::kA, "A"},           {rrtype::kAAAA, "AAAA"},   {rrtype::kCNAME, "CNAME"},
    {rrtype::kMX, "MX"},         {rrtype::kTXT, "TXT"},     {rrtype::kNS, "NS"},
    {rrtype::kSOA, "SOA"},       {rrtype::kPTR, "PTR"},     {rrtype::kSRV, "SRV"},
    {rrtype::kCAA, "CAA"},       {rrtype::kHINFO, "HINFO"}, {rrtype::kNAPTR, "NAPTR"},
    {rrtype::kDNAME, "DNAME"},   {rrtype::kOPT, "OPT"},     {rrtype::kDS, "DS"},
    {rrtype::kSSHFP, "SSHFP"},   {rrtype::kRRSIG, "RRSIG"}, {rrtype::kNSEC, "NSEC"},
    {rrtype::kDNSKEY, "DNSKEY"}, {rrtype::kTLSA, "TLSA"},   {rrtype::kSVCB, "SVCB"},
    {rrtype::kHTTPS, "HTTPS"},   {rrtype::kSPF, "SPF"},     {rrtype::kIXFR, "IXFR"},
    {rrtype::kAXFR, "AXFR"},     {rrtype::kANY, "ANY"},
}};

constexpr std::array<Mnemonic, 5> kClasses{{
    {rrclass::kIN, "IN"},
    {rrclass::kCH, "CH"},
    {4, "HS"},
    {rrclass::kNONE, "NONE"},
    {rrclass::kANY, "ANY"},
}};

bool equalsUpper(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = char(c - 32);
    if (c != upper[i]) return false;
  }
  return true;
}

// "<prefix>nnn" with nnn a decimal 0..65535 (RFC 3597 §5).
std::optional<uint16_t> generic(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || !equalsUpper(text.substr(0, prefix.size()), prefix))
    return std::nullopt;
  std::string_view digits = text.substr(prefix.size());
  if (digits.size() > 5) return std::nullopt;
  unsigned v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + unsigned(c - '0');
  }
  if (v > 65535) return std::nullopt;
  return uint16_t(v);
}

}  // namespace

std::string typeToText(uint16_t type) {
  // The CAA value is out of the small range; the rest is a short scan.
  for (const auto& m : kTypes)
    if (m.value == type) return std::string(m.text);
  return "TYPE" + std::to_string(type);
}

std::optional<uint16_t> typeFromText(std::string_view text) {
  for (const auto& m : kTypes)
    if (equalsUpper(text, m.text)) return m.value;
  return generic(text, "TYPE");
}

std::string classToText(uint16_t klass) {
  for (const auto& m : kClasses)
    if (m.value == klass) return std::string(m.text);
  return "CLASS" + std::to_string(klass);
}

std::optional<uint16_t> classFromText(std::string_view text) {
  for (const auto& m : kClasses)
    if (equalsUpper(text, m.text)) return m.value;
  return generic(text, "CLASS");
}

std::string opcodeToText(Opcode opcode) {
  switch (opcode) {
    case Opcode::kQuery:
      return "QUERY";
    case Opcode::kIQuery:
      return "IQUERY";
    case Opcode::kStatus:
      return "STATUS";
    case Opcode::kNotify:
      return "NOTIFY";
    case Opcode::kUpdate:
      return "UPDATE";
  }
  return std::to_string(unsigned(opcode));
}

std::string rcodeToText(Rcode rcode) {
  static constexpr std::string_view kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                "NXRRSET", "NOTAUTH", "NOTZONE"};
  auto v = unsigned(rcode);
  if (v < std::size(kNames)) return std::string(kNames[v]);
  if (rcode == Rcode::kBadVers) return "BADVERS";
  return "RCODE" + std::to_string(v);
}

}  // namespace zk::dns
