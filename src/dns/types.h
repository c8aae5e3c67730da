// DNS constants: record types, classes, opcodes, rcodes (IANA DNS parameters registry).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zk::dns {

namespace rrtype {
inline constexpr uint16_t kA = 1, kNS = 2, kCNAME = 5, kSOA = 6, kPTR = 12, kHINFO = 13, kMX = 15, kTXT = 16,
                          kAAAA = 28, kSRV = 33, kNAPTR = 35, kDNAME = 39, kOPT = 41, kDS = 43, kSSHFP = 44,
                          kRRSIG = 46, kNSEC = 47, kDNSKEY = 48, kTLSA = 52, kSVCB = 64, kHTTPS = 65,
                          kSPF = 99, kIXFR = 251, kAXFR = 252, kANY = 255, kCAA = 257;
}  // namespace rrtype

namespace rrclass {
inline constexpr uint16_t kIN = 1, kCH = 3, kNONE = 254, kANY = 255;
}

enum class Opcode : uint8_t { kQuery = 0, kIQuery = 1, kStatus = 2, kNotify = 4, kUpdate = 5 };

enum class Rcode : uint16_t {
  kNoError = 0,
  kFormErr = 1,
  kServFail = 2,
  kNXDomain = 3,
  kNotImp = 4,
  kRefused = 5,
  kYXDomain = 6,
  kYXRRSet = 7,
  kNXRRSet = 8,
  kNotAuth = 9,
  kNotZone = 10,  // RFC 2136 §2.2
  kBadVers = 16,  // extended, RFC 6891 §9
};

// "A", "AAAA", ... or "TYPE1234" (RFC 3597 §5) for types without a mnemonic.
std::string typeToText(uint16_t type);
// Accepts mnemonics case-insensitively and "TYPEnnn".
std::optional<uint16_t> typeFromText(std::string_view text);
std::string classToText(uint16_t klass);
std::optional<uint16_t> classFromText(std::string_view text);

// "QUERY", "NOTIFY", ... or the decimal value; "NOERROR", "NXDOMAIN", ... or "RCODEnnn".
std::string opcodeToText(Opcode opcode);
std::string rcodeToText(Rcode rcode);

}  // namespace zk::dns
