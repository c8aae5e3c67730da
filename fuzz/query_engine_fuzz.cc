// Fuzz target: QueryEngine::answer / isZoneTransfer / answerAxfr on untrusted query bytes. Every
// response must fit the buffer and parse back as a well-formed DNS response with the query's id.
// zk-fuzz-libs: zk_authdns zk_zone zk_dns zk_base
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "authdns/query_engine.h"
#include "dns/message.h"
#include "dns/zonefile.h"

namespace {

const zk::zone::ZoneSet& zones() {
  static zk::zone::ZoneSetPtr set = [] {
    zk::dns::ZoneParseOptions opts;
    opts.origin = *zk::dns::Name::fromText("example.");
    auto recs = zk::dns::parseZoneText(
        "@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\n@ NS ns.other.\nns A 192.0.2.1\nns AAAA 2001:db8::1\n"
        "@ MX 10 mx\nmx A 192.0.2.2\nwww CNAME mx\nloop CNAME loop2\nloop2 CNAME loop\n*.w TXT wild\n"
        "*.cw CNAME mx\nx.y.z A 192.0.2.4\nsub NS ns.sub\nns.sub A 192.0.2.3\nd DNAME example.\n"
        "far DNAME other.\n_s._tcp SRV 0 0 1 mx\nbig TXT \"" +
            std::string(250, 'b') + "\" \"" + std::string(250, 'c') + "\"\n",
        opts);
    if (!recs.ok()) std::abort();
    auto z = zk::zone::Zone::build(*opts.origin, std::move(recs).value());
    if (!z.ok()) std::abort();
    return zk::zone::ZoneSet::empty()->with(*z);
  }();
  return *set;
}

void check(std::span<const uint8_t> query, std::span<const uint8_t> resp) {
  auto m = zk::dns::parseMessage(resp);
  if (!m.ok() || !m->qr) std::abort();
  if (resp[0] != query[0] || resp[1] != query[1]) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> q(data, size);
  zk::authdns::QueryEngine engine;
  for (size_t cap : {size_t(512), size_t(4096), size_t(65535)}) {
    std::vector<uint8_t> out(cap);
    for (auto t : {zk::authdns::Transport::kUdp, zk::authdns::Transport::kTcp}) {
      size_t n = engine.answer(zones(), q, out, zk::authdns::QueryContext{t, false});
      if (n > cap) std::abort();
      if (n > 0) check(q, std::span<const uint8_t>(out.data(), n));
    }
  }
  if (engine.isZoneTransfer(q)) {
    (void)engine.answerAxfr(zones(), q, [&](std::span<const uint8_t> msg) {
      check(q, msg);
      return true;
    });
  }
  return 0;
}
