// Fuzz target: the query engine's answer() on arbitrary bytes against a zone with every feature
// (delegation, wildcard, CNAME chain, DNAME, MX additional, large RRset). Responses must stay within
// the output buffer and, when non-empty, parse as DNS messages.
// zk-fuzz-libs: zk_authdns zk_zone zk_dns zk_base
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "authdns/query_engine.h"
#include "dns/message.h"
#include "dns/zonefile.h"
#include "zone/zone.h"
#include "zone/zone_set.h"

namespace {

const char kZone[] = R"($ORIGIN fz.test.
$TTL 300
@ SOA ns1 host 1 2 3 4 60
@ NS ns1
@ MX 10 mail
ns1 A 192.0.2.1
mail A 192.0.2.2
mail AAAA 2001:db8::2
www CNAME w2
w2 CNAME w3
w3 A 192.0.2.3
loop1 CNAME loop2
loop2 CNAME loop1
*.wild A 192.0.2.4
*.wild TXT "wild"
a.b.c.ent A 192.0.2.5
sub NS ns.sub
ns.sub A 192.0.2.6
dn DNAME target.fz.test.
target A 192.0.2.7
_sip._tcp SRV 0 5 5060 mail
big TXT "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345"
big TXT "1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345"
big TXT "2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345"
)";

const zk::zone::ZoneSet& zones() {
  static zk::zone::ZoneSetPtr set = [] {
    zk::dns::ZoneParseOptions o;
    auto rrs = zk::dns::parseZoneText(kZone, o);
    if (!rrs.ok()) std::abort();
    auto apex = zk::dns::zoneOrigin(*rrs);
    auto z = zk::zone::Zone::build(*apex, std::move(rrs).value());
    if (!z.ok()) std::abort();
    return zk::zone::ZoneSet::empty()->with(*z);
  }();
  return *set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static zk::authdns::QueryEngine engine;
  std::vector<uint8_t> out(65535);
  for (auto transport : {zk::authdns::Transport::kUdp, zk::authdns::Transport::kTcp}) {
    zk::authdns::QueryContext ctx;
    ctx.transport = transport;
    size_t n = engine.answer(zones(), std::span<const uint8_t>(data, size), out, ctx);
    if (n > out.size()) std::abort();
    if (n > 0) {
      auto parsed = zk::dns::parseMessage(std::span<const uint8_t>(out.data(), n));
      if (!parsed.ok()) std::abort();  // every response we send must be a well-formed message
    }
  }
  if (engine.isZoneTransfer(std::span<const uint8_t>(data, size))) {
    (void)engine.answerAxfr(zones(), std::span<const uint8_t>(data, size),
                            [](std::span<const uint8_t>) { return true; });
  }
  return 0;
}
