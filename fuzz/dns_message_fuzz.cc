// Fuzz target: DNS message parser (RFC 1035 §4.1). Every parsed record must also survive
// validation and a text round trip (rdataToText -> rdataFromText gives the same RDATA).
// zk-fuzz-libs: zk_dns zk_base
#include <cstdint>
#include <cstdlib>
#include <span>

#include "dns/message.h"
#include "dns/rdata.h"

namespace {

void checkRecords(const std::vector<zk::dns::ResourceRecord>& records) {
  for (const auto& rr : records) {
    if (!zk::dns::validateRdata(rr.type, rr.rdata).isOk()) std::abort();
    auto text = zk::dns::rdataToText(rr.type, rr.rdata);
    auto back = zk::dns::rdataFromText(rr.type, text, zk::dns::Name());
    if (!back.ok() || *back != rr.rdata) std::abort();
    auto owner = zk::dns::Name::fromText(rr.owner.toText());
    if (!owner.ok() || owner->wireString() != rr.owner.wireString()) std::abort();
    (void)zk::dns::rdataTargetName(rr.type, rr.rdata);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = zk::dns::parseMessage(std::span<const uint8_t>(data, size));
  if (!m.ok()) return 0;
  (void)zk::dns::messageToText(*m);
  checkRecords(m->answer);
  checkRecords(m->authority);
  checkRecords(m->additional);
  return 0;
}
