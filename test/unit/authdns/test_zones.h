// Helpers shared by the authdns query tests: names, zones from master-file text, queries, record text.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dns/message.h"
#include "dns/rdata.h"
#include "dns/zonefile.h"
#include "zone/zone.h"

namespace zk::authdns::testing {

inline dns::Name N(std::string_view s) { return *dns::Name::fromText(s); }

// A zone built from master-file text (RFC 1035 §5); a parse or build error fails the test.
inline zone::ZonePtr MakeZone(std::string_view text, std::string_view origin) {
  dns::ZoneParseOptions opts;
  opts.origin = N(origin);
  auto recs = dns::parseZoneText(text, opts);
  EXPECT_TRUE(recs.ok()) << recs.status().toString();
  auto z = zone::Zone::build(N(origin), *recs);
  EXPECT_TRUE(z.ok()) << z.status().toString();
  return *z;
}

struct QueryOpts {
  uint16_t id = 0x1234;
  bool rd = true;
  bool cd = false;
  bool edns = false;
  uint16_t udp_size = 1232;
  uint8_t version = 0;
  bool do_bit = false;
  uint16_t klass = dns::rrclass::kIN;
  dns::Opcode opcode = dns::Opcode::kQuery;
};

// The wire form of a one-question query.
inline std::vector<uint8_t> MakeQuery(std::string_view name, uint16_t type, const QueryOpts& o = {}) {
  dns::Message m;
  m.id = o.id;
  m.rd = o.rd;
  m.cd = o.cd;
  m.opcode = o.opcode;
  m.questions.push_back({N(name), type, o.klass});
  if (o.edns) m.edns = dns::Edns{o.udp_size, o.version, o.do_bit};
  return dns::writeMessage(m, 65535, false);
}

// "owner ttl TYPE rdata", the form the tests compare records in.
inline std::string Txt(const dns::ResourceRecord& rr) {
  return rr.owner.toText() + " " + std::to_string(rr.ttl) + " " + dns::typeToText(rr.type) + " " +
         dns::rdataToText(rr.type, rr.rdata);
}
inline std::vector<std::string> Txt(const std::vector<dns::ResourceRecord>& rrs) {
  std::vector<std::string> out;
  for (const auto& r : rrs) out.push_back(Txt(r));
  return out;
}

}  // namespace zk::authdns::testing
