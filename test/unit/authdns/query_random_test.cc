// Randomized robustness of QueryEngine::answer: mutated queries never overrun, always parse back.
#include <gtest/gtest.h>

#include <random>

#include "authdns/query_engine.h"
#include "dns/message.h"
#include "dns/zonefile.h"

namespace zk::authdns {
namespace {

TEST(QueryRandom, MutatedQueriesGiveWellFormedResponses) {
  dns::ZoneParseOptions opts;
  opts.origin = *dns::Name::fromText("example.");
  auto recs = dns::parseZoneText(
      "@ SOA ns hm 1 1 1 1 1\n@ NS ns\nns A 192.0.2.1\n@ MX 10 mx\nmx A 192.0.2.2\nwww CNAME mx\n"
      "*.w TXT x\nsub NS ns.sub\nns.sub A 192.0.2.3\nd DNAME example.\nloop CNAME loop\n",
      opts);
  ASSERT_TRUE(recs.ok());
  auto zones = zone::ZoneSet::empty()->with(*zone::Zone::build(*opts.origin, *recs));
  QueryEngine engine;
  std::mt19937 rng(99);
  std::vector<std::string> names = {"example.",     "www.example.",  "a.w.example.",  "x.sub.example.",
                                    "q.d.example.", "loop.example.", "nope.example.", "other."};
  std::vector<uint16_t> types = {1, 2, 5, 6, 15, 16, 28, 39, 43, 255, 252};
  size_t answered = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    dns::Message m;
    m.id = uint16_t(rng());
    m.questions.push_back(
        {*dns::Name::fromText(names[rng() % names.size()]), types[rng() % types.size()], 1});
    if (rng() % 2) m.edns = dns::Edns{uint16_t(rng() % 5000), uint8_t(rng() % 3 == 0), bool(rng() % 2)};
    auto q = dns::writeMessage(m, 65535, false);
    int flips = int(rng() % 4);
    for (int f = 0; f < flips; ++f) q[rng() % q.size()] ^= uint8_t(1 << (rng() % 8));
    if (rng() % 8 == 0) q.resize(rng() % (q.size() + 1));
    std::vector<uint8_t> out(rng() % 2 ? 512 : 4096, 0xEE);
    QueryContext ctx{rng() % 3 == 0 ? Transport::kTcp : Transport::kUdp, false};
    size_t n = engine.answer(*zones, q, out, ctx);
    ASSERT_LE(n, out.size());
    if (n == 0) continue;
    ++answered;
    auto parsed = dns::parseMessage(std::span<const uint8_t>(out.data(), n));
    ASSERT_TRUE(parsed.ok()) << parsed.status().toString() << " iter " << iter;
    EXPECT_TRUE(parsed->qr);
    EXPECT_EQ(parsed->id, uint16_t(q[0] << 8 | q[1]));
  }
  EXPECT_GT(answered, 10000u);
}

}  // namespace
}  // namespace zk::authdns
