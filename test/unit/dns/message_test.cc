// Golden and edge-case tests for message parsing and writing (RFC 1035 §4.1, RFC 6891).
#include "dns/message.h"

#include <gtest/gtest.h>

#include "dns/presentation.h"
#include "dns/rdata.h"

namespace zk::dns {
namespace {

Name N(std::string_view s) { return *Name::fromText(s); }

std::vector<uint8_t> unhex(std::string_view h) {
  std::string clean;
  for (char c : h)
    if (!isBlank(c)) clean.push_back(c);
  std::vector<uint8_t> out;
  EXPECT_TRUE(decodeHex(clean, out)) << h;
  return out;
}

std::string hex(std::span<const uint8_t> b) {
  std::string out;
  appendHex(out, b);
  return out;
}

ResourceRecord RR(std::string_view owner, uint16_t type, uint32_t ttl, std::string_view rdata) {
  ResourceRecord rr;
  rr.owner = N(owner);
  rr.type = type;
  rr.ttl = ttl;
  auto r = rdataFromText(type, rdata, Name());
  EXPECT_TRUE(r.ok()) << rdata << ": " << r.status().toString();
  if (r.ok()) rr.rdata = *r;
  return rr;
}

// A query for www.example.com/A with RD and AD, EDNS(0) with DO and a 1232-octet payload
// (as `kdig +dnssec +bufsize=1232 +adflag` sends it; bytes cross-checked with dnspython).
const char* kQueryHex =
    "1234 0120 0001 0000 0000 0001"
    "03777777 076578616D706C65 03636F6D 00 0001 0001"
    "00 0029 04D0 00 00 8000 0000";

TEST(MessageTest, ParsesEdnsQuery) {
  auto wire = unhex(kQueryHex);
  auto m = parseMessage(wire);
  ASSERT_TRUE(m.ok()) << m.status().toString();
  EXPECT_EQ(m->id, 0x1234);
  EXPECT_FALSE(m->qr);
  EXPECT_EQ(m->opcode, Opcode::kQuery);
  EXPECT_TRUE(m->rd);
  EXPECT_TRUE(m->ad);
  EXPECT_FALSE(m->aa || m->tc || m->ra || m->cd);
  EXPECT_EQ(m->rcode, Rcode::kNoError);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0].name.toText(), "www.example.com.");
  EXPECT_EQ(m->questions[0].type, rrtype::kA);
  EXPECT_EQ(m->questions[0].klass, rrclass::kIN);
  EXPECT_TRUE(m->answer.empty() && m->authority.empty() && m->additional.empty());
  ASSERT_TRUE(m->edns.has_value());
  EXPECT_EQ(m->edns->udp_size, 1232);
  EXPECT_EQ(m->edns->version, 0);
  EXPECT_TRUE(m->edns->do_bit);
  // Writing it back gives the same octets.
  EXPECT_EQ(hex(writeMessage(*m, 512, true)), hex(wire));
  EXPECT_EQ(hex(writeMessage(*m, 512, false)), hex(wire));
}

// Response with a CNAME chain, hand-compressed as RFC 1035 §4.1.4 describes.
const char* kCompressedResponseHex =
    "BEEF 8500 0001 0002 0000 0000"
    "03777777 076578616D706C65 03636F6D 00 0001 0001"  // question at offset 12
    "C00C 0005 0001 00000E10 0006 03776562 C010"       // www -> web + ptr to example.com (16)
    "C02D 0001 0001 00000E10 0004 C0000201";           // owner ptr to "web" in RDATA (45)

Message cnameResponse() {
  Message m;
  m.id = 0xBEEF;
  m.qr = m.aa = m.rd = true;
  m.questions.push_back({N("www.example.com."), rrtype::kA, rrclass::kIN});
  m.answer.push_back(RR("www.example.com.", rrtype::kCNAME, 3600, "web.example.com."));
  m.answer.push_back(RR("web.example.com.", rrtype::kA, 3600, "192.0.2.1"));
  return m;
}

TEST(MessageTest, WritesCompressedGolden) {
  Message m = cnameResponse();
  auto wire = writeMessage(m, 512, true);
  EXPECT_EQ(hex(wire), hex(unhex(kCompressedResponseHex)));
  auto back = parseMessage(wire);
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(*back, m);
}

TEST(MessageTest, UncompressedWriteParsesToSameMessage) {
  Message m = cnameResponse();
  auto plain = writeMessage(m, 65535, false);
  auto compressed = writeMessage(m, 65535, true);
  EXPECT_GT(plain.size(), compressed.size());
  EXPECT_EQ(plain.size(), 12u + 21 + 2 * (17 + 10) + 17 + 4);
  auto a = parseMessage(plain);
  auto b = parseMessage(compressed);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(messageToText(*a), messageToText(m));
}

TEST(MessageTest, CompressionOnlyForAllowedRdataNames) {
  Message m;
  m.questions.push_back({N("_sip._udp.example.com."), rrtype::kSRV, rrclass::kIN});
  m.answer.push_back(RR("_sip._udp.example.com.", rrtype::kSRV, 60, "0 5 5060 example.com."));
  m.answer.push_back(RR("example.com.", rrtype::kMX, 60, "10 example.com."));
  auto wire = writeMessage(m, 65535, true);
  // SRV target (RFC 2782, RFC 3597 §4) is written in full: 13 octets at the end of its RDATA.
  const std::vector<uint8_t> full = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
  size_t srv_rdata = 12 + 27 + 2 + 10;  // header, question, owner pointer, fixed fields
  ASSERT_GT(wire.size(), srv_rdata + 6 + full.size());
  EXPECT_TRUE(std::equal(full.begin(), full.end(), wire.begin() + long(srv_rdata + 6)));
  // MX owner and exchange both become 2-octet pointers.
  size_t mx = srv_rdata + 6 + full.size();
  EXPECT_EQ(wire[mx] & 0xC0, 0xC0);
  EXPECT_EQ(wire.size(), mx + 2 + 10 + 2 + 2);
  auto back = parseMessage(wire);
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(back->answer, m.answer);
}

TEST(MessageTest, CompressionPreservesCase) {
  Message m;
  m.questions.push_back({N("WwW.Example.COM."), rrtype::kA, rrclass::kIN});
  m.answer.push_back(RR("www.example.com.", rrtype::kA, 60, "192.0.2.1"));
  auto wire = writeMessage(m, 512, true);
  auto back = parseMessage(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->questions[0].name.toText(), "WwW.Example.COM.");
  EXPECT_EQ(back->answer[0].owner.toText(), "www.example.com.");
}

TEST(MessageTest, RejectsPointerLoopsAndBadPointers) {
  // Question name is a pointer to itself.
  EXPECT_FALSE(parseMessage(unhex("0001 0000 0001 0000 0000 0000 C00C 0001 0001")).ok());
  // Forward pointer.
  EXPECT_FALSE(parseMessage(unhex("0001 0000 0001 0000 0000 0000 C00E 0001 0001 00")).ok());
  // Two names pointing at each other: the answer owner points to the question name, which is a
  // pointer to the answer owner.
  EXPECT_FALSE(parseMessage(unhex("0001 8000 0001 0001 0000 0000 C010 0001 0001"
                                  "C00C 0001 0001 00000000 0004 01020304"))
                   .ok());
  // Pointer beyond the end.
  EXPECT_FALSE(parseMessage(unhex("0001 0000 0001 0000 0000 0000 C0FF 0001 0001")).ok());
  // Reserved label types 0x40 / 0x80.
  EXPECT_FALSE(parseMessage(unhex("0001 0000 0001 0000 0000 0000 4100 0001 0001")).ok());
  EXPECT_FALSE(parseMessage(unhex("0001 0000 0001 0000 0000 0000 8100 0001 0001")).ok());
}

TEST(MessageTest, RejectsOversizedLabelsAndNames) {
  std::string q = "0001 0000 0001 0000 0000 0000 40";  // 64-octet label
  for (int i = 0; i < 64; ++i) q += "61";
  q += "00 0001 0001";
  EXPECT_FALSE(parseMessage(unhex(q)).ok());
  // A 63-octet label is fine.
  std::string ok = "0001 0000 0001 0000 0000 0000 3F";
  for (int i = 0; i < 63; ++i) ok += "61";
  ok += "00 0001 0001";
  EXPECT_TRUE(parseMessage(unhex(ok)).ok());
  // 256 octets via a pointer chain: 4 x 63-octet labels = 256 with the root.
  std::string longname = "0001 0000 0002 0000 0000 0000";
  std::string label = "3F";
  for (int i = 0; i < 63; ++i) label += "62";
  longname += label + label + "00 0001 0001";    // q1 at 12: 2 labels, 129 octets
  longname += label + label + "C00C 0001 0001";  // q2: 2 labels + q1 = 257 octets
  EXPECT_FALSE(parseMessage(unhex(longname)).ok());
}

TEST(MessageTest, RejectsEveryTruncation) {
  Message m = cnameResponse();
  m.edns = Edns{};
  auto wire = writeMessage(m, 65535, true);
  ASSERT_TRUE(parseMessage(wire).ok());
  for (size_t n = 0; n < wire.size(); ++n) {
    auto cut = std::span<const uint8_t>(wire).first(n);
    EXPECT_FALSE(parseMessage(cut).ok()) << "prefix of " << n << " octets";
  }
  // Trailing garbage is rejected too.
  wire.push_back(0);
  EXPECT_FALSE(parseMessage(wire).ok());
}

TEST(MessageTest, QuestionCounts) {
  auto zero = parseMessage(unhex("0007 0000 0000 0000 0000 0000"));
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->questions.empty());
  EXPECT_EQ(zero->id, 7);
  auto two = parseMessage(unhex("0007 0000 0002 0000 0000 0000 01610000010001 C00C001C0001"));
  ASSERT_TRUE(two.ok()) << two.status().toString();
  ASSERT_EQ(two->questions.size(), 2u);
  EXPECT_EQ(two->questions[1].name.toText(), "a.");
  EXPECT_EQ(two->questions[1].type, rrtype::kAAAA);
  // QDCOUNT says 2 but there is one question.
  EXPECT_FALSE(parseMessage(unhex("0007 0000 0002 0000 0000 0000 01610000010001")).ok());
  // Absurd counts fail fast.
  EXPECT_FALSE(parseMessage(unhex("0007 0000 FFFF FFFF FFFF FFFF 00")).ok());
  EXPECT_FALSE(parseMessage(unhex("0007 0000 0000")).ok());
}

TEST(MessageTest, OptPlacementAndExtendedRcode) {
  const std::string header_ar1 = "0001 8000 0000 0000 0000 0001";
  const std::string header_an1 = "0001 8000 0000 0001 0000 0000";
  const std::string opt = "00 0029 1000 01 00 0000 0000";  // extended rcode 1 -> BADVERS
  auto ok = parseMessage(unhex(header_ar1 + opt));
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ(ok->rcode, Rcode::kBadVers);
  EXPECT_EQ(ok->edns->udp_size, 4096);
  EXPECT_FALSE(ok->edns->do_bit);
  EXPECT_EQ(hex(writeMessage(*ok, 512, true)), hex(unhex(header_ar1 + opt)));
  EXPECT_FALSE(parseMessage(unhex(header_an1 + opt)).ok());  // OPT in the answer section
  EXPECT_FALSE(parseMessage(unhex("0001 8000 0000 0000 0000 0002" + opt + opt)).ok());
  EXPECT_FALSE(parseMessage(unhex(header_ar1 + "0161 00 0029 1000 00000000 0000")).ok());  // owner
  // Options: well-formed ones are accepted (and dropped), malformed ones rejected.
  EXPECT_TRUE(parseMessage(unhex(header_ar1 + "00 0029 1000 00000000 0008 000A 0004 01020304")).ok());
  EXPECT_FALSE(parseMessage(unhex(header_ar1 + "00 0029 1000 00000000 0006 000A 0004 0102")).ok());
}

TEST(MessageTest, TruncatesWholeRecordsAndSetsTc) {
  Message m;
  m.id = 1;
  m.qr = true;
  m.questions.push_back({N("many.example.com."), rrtype::kA, rrclass::kIN});
  for (int i = 0; i < 100; ++i)
    m.answer.push_back(RR("many.example.com.", rrtype::kA, 60, "10.0.0." + std::to_string(i)));
  m.edns = Edns{};
  auto wire = writeMessage(m, 512, true);
  EXPECT_LE(wire.size(), 512u);
  auto back = parseMessage(wire);
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_TRUE(back->tc);
  // 12 header + 22 question + 11 OPT leave 467 octets: 29 records of 16 octets.
  EXPECT_EQ(back->answer.size(), 29u);
  EXPECT_TRUE(back->edns.has_value());
  for (size_t i = 0; i < back->answer.size(); ++i) EXPECT_EQ(back->answer[i], m.answer[i]);

  // Without compression fewer records fit.
  auto plain = parseMessage(writeMessage(m, 512, false));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->tc);
  EXPECT_LT(plain->answer.size(), back->answer.size());

  // Everything fits over TCP.
  auto tcp = parseMessage(writeMessage(m, 65535, true));
  ASSERT_TRUE(tcp.ok());
  EXPECT_FALSE(tcp->tc);
  EXPECT_EQ(tcp->answer.size(), 100u);
}

TEST(MessageTest, OptionalAdditionalDoesNotSetTc) {
  Message m;
  m.questions.push_back({N("example.com."), rrtype::kMX, rrclass::kIN});
  m.answer.push_back(RR("example.com.", rrtype::kMX, 60, "10 mx.example.com."));
  for (int i = 0; i < 60; ++i)
    m.additional.push_back(RR("mx.example.com.", rrtype::kA, 60, "10.0.1." + std::to_string(i)));
  auto back = parseMessage(writeMessage(m, 512, true));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->tc);
  EXPECT_EQ(back->answer.size(), 1u);
  EXPECT_GT(back->additional.size(), 0u);
  EXPECT_LT(back->additional.size(), 60u);
  // Required additional records (glue) that do not fit set TC.
  WriteOptions o;
  o.max_size = 512;
  o.required_additional = 60;
  auto strict = parseMessage(writeMessage(m, o));
  ASSERT_TRUE(strict.ok());
  EXPECT_TRUE(strict->tc);
}

TEST(MessageTest, QuestionThatDoesNotFit) {
  Message m;
  m.questions.push_back({N("a-rather-long-name.example.com."), rrtype::kA, rrclass::kIN});
  auto wire = writeMessage(m, 20, true);
  EXPECT_EQ(wire.size(), 12u);
  auto back = parseMessage(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->tc);
  EXPECT_TRUE(back->questions.empty());
}

TEST(MessageTest, TextRendering) {
  Message m = cnameResponse();
  m.edns = Edns{1232, 0, true};
  std::string t = messageToText(m);
  EXPECT_NE(t.find("opcode: QUERY, status: NOERROR, id: 48879"), std::string::npos) << t;
  EXPECT_NE(t.find(";; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1"), std::string::npos)
      << t;
  EXPECT_NE(t.find("; EDNS: version: 0, flags: do; udp: 1232"), std::string::npos) << t;
  EXPECT_NE(t.find(";www.example.com.\t\tIN\tA"), std::string::npos) << t;
  EXPECT_NE(t.find("www.example.com.\t3600\tIN\tCNAME\tweb.example.com."), std::string::npos) << t;
  EXPECT_NE(t.find("web.example.com.\t3600\tIN\tA\t192.0.2.1"), std::string::npos) << t;
}

}  // namespace
}  // namespace zk::dns
