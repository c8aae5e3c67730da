// QueryEngine: authoritative DNS answering (RFC 1034 §4.3.2) from immutable zone sets, plus AXFR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "authdns/query_context.h"
#include "base/result.h"
#include "zone/zone_set.h"

namespace zk::authdns {

// Stateless and immutable: one engine may serve every worker thread at once. Per query it parses
// the header, question and OPT with a bounds-checked cursor, lowercases the name into a stack
// buffer, probes hash tables and copies pre-rendered RRsets (zone/node.h); no heap allocation, no
// locks, no exceptions, no logging on the answer() path.
//
// Behaviour (see src/authdns/README.md, "Query engine"):
// - QR set, or shorter than a header: dropped (0). Opcode other than QUERY: NOTIMP. QDCOUNT != 1,
//   a truncated or compressed question, RCODE bits set, records in the answer section or (except
//   for IXFR) the authority section, malformed records, an OPT outside the additional section,
//   two OPTs, an OPT not owned by the root or with malformed options: FORMERR (as NSD).
// - EDNS (RFC 6891): an OPT in the response when the query had one (payload size 1232, DO copied,
//   RFC 3225); version > 0: BADVERS. UDP limit: max(512, the client's payload size) without
//   exceeding out.size(); 512 without EDNS; TCP: out.size().
// - QCLASS other than IN and * (*: answered from IN data with AA clear), or a name in no zone:
//   REFUSED (AA clear).
// - Exact match, CNAME chains followed through every zone served (loop-safe, at most 16 links), DNAME
//   (RFC 6672: DNAME plus a synthesized CNAME), referrals at zone cuts (NS in authority, glue in
//   additional, AA clear), wildcards (RFC 4592), NXDOMAIN / NODATA with the SOA in authority at TTL
//   min(SOA TTL, MINIMUM) (RFC 2308 §3), A/AAAA in additional for NS/MX/SRV targets served here
//   (wildcards included). RDATA names of RFC 3597 §4 types are compressed against their owner.
// - ANY (RFC 8482): over UDP one RRset (the SOA at the apex, else the first by type number), as
//   NSD does; over TCP every RRset. Options::minimal_any = false gives every RRset over UDP too.
// - Truncation: additional records that do not fit are left out; if the answer or authority does
//   not fit (or in-domain glue of a referral, RFC 9471), TC is set and only the header, question
//   and OPT are sent.
class QueryEngine {
 public:
  struct Options {
    // RFC 8482 §4.1 over UDP (one RRset for QTYPE ANY); TCP always gets every RRset.
    bool minimal_any = true;
    // Like NSD's `minimal-responses: yes`: additional records only for NS (referral glue and NS
    // answers), none for MX/SRV targets.
    bool minimal_responses = false;
  };

  QueryEngine() = default;
  explicit QueryEngine(const Options& options) : options_(options) {}

  const Options& options() const { return options_; }

  // Writes the response for `query` into `out`; returns its length, 0 = send nothing.
  size_t answer(const zone::ZoneSet& zones, std::span<const uint8_t> query, std::span<uint8_t> out,
                const QueryContext& ctx) const;

  // True for a well-formed QUERY whose QTYPE is AXFR or IXFR (IXFR is served as a full AXFR-style
  // transfer, the RFC 1995 §4 fallback).
  bool isZoneTransfer(std::span<const uint8_t> query) const;

  // RFC 5936 zone transfer: the SOA first and last, all other RRs in between in canonical order,
  // in messages of up to ~16 KB with name compression; each message goes to `sink` (no length
  // prefix). A query for a name that is not a zone apex gets one NOTAUTH message; a malformed one
  // gets FORMERR. Errors: kInvalidArgument when nothing at all can be answered (too short, QR set),
  // kUnavailable when `sink` returns false. May allocate; runs on a transfer thread.
  Status answerAxfr(const zone::ZoneSet& zones, std::span<const uint8_t> query,
                    const std::function<bool(std::span<const uint8_t>)>& sink) const;

  static constexpr uint16_t kEdnsUdpSize = 1232;  // advertised in our OPT (DNS flag day 2020)
  static constexpr size_t kMaxChain = 16;         // CNAME/DNAME links followed in one answer
  static constexpr size_t kAxfrMessageSize = 16384;

 private:
  Options options_;
};

}  // namespace zk::authdns
