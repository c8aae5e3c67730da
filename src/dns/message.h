// DNS messages (RFC 1035 §4.1): parsing from wire, writing with name compression and truncation,
// and a dig-like text rendering. EDNS(0) (RFC 6891) is lifted out of the additional section.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr.h"
#include "dns/types.h"

namespace zk::dns {

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxUdpWithoutEdns = 512;  // RFC 1035 §4.2.1

struct Question {
  Name name;
  uint16_t type = 0;
  uint16_t klass = rrclass::kIN;

  bool operator==(const Question&) const = default;
};

// The OPT pseudo-record (RFC 6891 §6.1). Options are not kept: parsed (and checked for
// well-formedness) then dropped; written messages carry none.
struct Edns {
  uint16_t udp_size = 1232;  // requestor's UDP payload size (the OPT CLASS field), as sent
  uint8_t version = 0;
  bool do_bit = false;  // DNSSEC OK (RFC 3225)

  bool operator==(const Edns&) const = default;
};

// A whole message. A value type; thread-compatible.
struct Message {
  uint16_t id = 0;
  bool qr = false;
  Opcode opcode = Opcode::kQuery;
  bool aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  // The full 12-bit RCODE: the header's low 4 bits, plus, when `edns` is present, the OPT
  // record's upper 8 bits (RFC 6891 §6.1.3). Without EDNS only the low 4 bits can be written.
  Rcode rcode = Rcode::kNoError;
  std::vector<Question> questions;
  std::vector<ResourceRecord> answer;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;  // never holds the OPT record (see `edns`)
  std::optional<Edns> edns;

  bool operator==(const Message&) const = default;
};

// Parses a complete message. Names are decompressed (pointers must point backwards) and RDATA of
// known types is validated and stored uncompressed. Fails (the caller answers FORMERR) on a short
// header, a record or question running past the end, trailing octets after the last record,
// malformed RDATA, an OPT record outside the additional section, more than one OPT, or an OPT
// whose owner is not the root or whose options are malformed. The message id is always the first
// two octets, so a FORMERR reply can be built even when parsing fails.
Result<Message> parseMessage(std::span<const uint8_t> wire);

struct WriteOptions {
  size_t max_size = 65535;  // hard limit on the output size (UDP payload size, or 65535 for TCP)
  bool compress = true;     // RFC 1035 §4.1.4, only in owner/question names and the names of
                            // RDATA types that allow it (RFC 3597 §4)
  // The first `required_additional` records of the additional section are needed for the answer
  // to be usable (e.g. in-domain glue of a referral, RFC 9471): if they do not fit, TC is set.
  // Other additional records that do not fit are silently left out (RFC 2181 §9).
  size_t required_additional = 0;
};

// Writes the message. Truncation keeps whole RRs: when a question, answer or authority record
// (or a required additional one) does not fit in max_size, the records written so far are kept,
// nothing after them is, and TC is set. The OPT record, when `edns` is set, is always written
// (room for it is reserved). Result size <= max_size unless even the header plus OPT does not fit.
std::vector<uint8_t> writeMessage(const Message& message, const WriteOptions& options);
std::vector<uint8_t> writeMessage(const Message& message, size_t max_size, bool compress);

// dig-like rendering (header, flags, OPT pseudosection, sections); for logs and test failures.
std::string messageToText(const Message& message);

}  // namespace zk::dns
