// Fuzz target: zone-file parser (RFC 1035 §5). Every parsed record must be valid RDATA and
// survive a text round trip; $INCLUDE stays disabled so the fuzzer never opens files.
// zk-fuzz-libs: zk_dns zk_base
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dns/rdata.h"
#include "dns/zonefile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  zk::dns::ZoneParseOptions options;
  options.origin = *zk::dns::Name::fromText("example.com.");
  options.file_name = "fuzz.zone";
  auto r = zk::dns::parseZoneText(text, options);
  if (!r.ok()) {
    if (r.status().message().rfind("fuzz.zone:", 0) != 0) std::abort();  // errors carry a position
    return 0;
  }
  for (const auto& rr : *r) {
    if (!zk::dns::validateRdata(rr.type, rr.rdata).isOk()) std::abort();
    auto t = zk::dns::rdataToText(rr.type, rr.rdata);
    auto back = zk::dns::rdataFromText(rr.type, t, zk::dns::Name());
    if (!back.ok() || *back != rr.rdata) std::abort();
    (void)zk::dns::recordToText(rr);
  }
  return 0;
}
