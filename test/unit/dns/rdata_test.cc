// Golden tests for RDATA text <-> wire conversion of every supported type. Wire goldens were
// produced with an independent implementation (dnspython 2.3) from the same presentation text.
#include "dns/rdata.h"

#include <gtest/gtest.h>

#include "dns/presentation.h"
#include "dns/types.h"

namespace zk::dns {
namespace {

Name N(std::string_view s) { return *Name::fromText(s); }

std::string hex(std::span<const uint8_t> b) {
  std::string out;
  appendHex(out, b);
  return out;
}

std::vector<uint8_t> unhex(std::string_view h) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(decodeHex(h, out)) << h;
  return out;
}

struct Golden {
  const char* type;
  const char* text;           // input, relative names against example.com.
  const char* wire_hex;       // expected canonical wire RDATA
  const char* expected_text;  // our presentation output
};

const Golden kGoldens[] = {
    {"A", "192.0.2.1", "C0000201", "192.0.2.1"},
    {"AAAA", "2001:db8::1", "20010DB8000000000000000000000001", "2001:db8::1"},
    {"NS", "ns1", "036E7331076578616D706C6503636F6D00", "ns1.example.com."},
    {"CNAME", "target.example.net.", "06746172676574076578616D706C65036E657400", "target.example.net."},
    {"SOA", "ns1 hostmaster 2024010101 7200 3600 1209600 300",
     "036E7331076578616D706C6503636F6D000A686F73746D6173746572076578616D706C6503636F6D0078A3F175"
     "00001C2000000E10001275000000012C",
     "ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"},
    {"SOA", "@ hostmaster 2024010101 2h 1h 2w 5m",
     "076578616D706C6503636F6D000A686F73746D6173746572076578616D706C6503636F6D0078A3F175"
     "00001C2000000E10001275000000012C",
     "example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"},
    {"MX", "10 mail", "000A046D61696C076578616D706C6503636F6D00", "10 mail.example.com."},
    {"TXT", R"("hello world" "second \"q\" \\ \200")",
     "0B68656C6C6F20776F726C640E7365636F6E6420227122205C20C8", R"("hello world" "second \"q\" \\ \200")"},
    {"TXT", "unquoted words", "08756E71756F74656405776F726473", R"("unquoted" "words")"},
    {"TXT", R"("")", "00", R"("")"},
    {"SRV", "0 5 5060 sip.example.org.", "0000000513C403736970076578616D706C65036F726700",
     "0 5 5060 sip.example.org."},
    {"PTR", "host.example.com.", "04686F7374076578616D706C6503636F6D00", "host.example.com."},
    {"CAA", R"(0 issue "letsencrypt.org")", "000569737375656C657473656E63727970742E6F7267",
     R"(0 issue "letsencrypt.org")"},
    {"CAA", R"(128 iodef "mailto:x@example.com")", "8005696F6465666D61696C746F3A78406578616D706C652E636F6D",
     R"(128 iodef "mailto:x@example.com")"},
    {"NAPTR", R"(100 10 "S" "SIP+D2U" "" _sip._udp.example.com.)",
     "0064000A0153075349502B44325500045F736970045F756470076578616D706C6503636F6D00",
     R"(100 10 "S" "SIP+D2U" "" _sip._udp.example.com.)"},
    {"SPF", R"("v=spf1 -all")", "0B763D73706631202D616C6C", R"("v=spf1 -all")"},
    {"DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
     "EC4505012BB183AF5F22588179A53B0A98631FAD1A292118",
     "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"},
    {"DS", "60485 5 1 2bb183af5f22588179a5 3b0a98631fad1a292118",
     "EC4505012BB183AF5F22588179A53B0A98631FAD1A292118",
     "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"},
    {"DNAME", "example.net.", "076578616D706C65036E657400", "example.net."},
    {"HINFO", R"("PC" "Linux")", "025043054C696E7578", R"("PC" "Linux")"},
    {"SSHFP", "1 1 123456789ABCDEF67890123456789ABCDEF67890", "0101123456789ABCDEF67890123456789ABCDEF67890",
     "1 1 123456789ABCDEF67890123456789ABCDEF67890"},
    {"TLSA", "3 1 1 D2ABDE240D7CD3EE6B4B28C54DF034B97983A1D16E8A410E4561CB106618E971",
     "030101D2ABDE240D7CD3EE6B4B28C54DF034B97983A1D16E8A410E4561CB106618E971",
     "3 1 1 D2ABDE240D7CD3EE6B4B28C54DF034B97983A1D16E8A410E4561CB106618E971"},
    {"SVCB", "1 svc.example.net. alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1",
     "000103737663076578616D706C65036E657400000100060268320268330003000220FB00040008C0000201C000"
     "02020006001020010DB8000000000000000000000001",
     R"(1 svc.example.net. alpn="h2,h3" port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1)"},
    // Presentation order is free; wire order is by key (RFC 9460 §2.2).
    {"HTTPS", "1 . alpn=h3 no-default-alpn ech=AEX+DQBB mandatory=alpn",
     "0001000000000200010001000302683300020000000500060045FE0D0041",
     R"(1 . mandatory=alpn alpn="h3" no-default-alpn ech=AEX+DQBB)"},
    {"HTTPS", "0 alias.example.net.", "000005616C696173076578616D706C65036E657400", "0 alias.example.net."},
    {"DNSKEY", "257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29 euxhJhVVLOyQbSEW0O8gcCjF",
     "0101030803010001A80020A95566BA42E886BB804CDA84E47EF56DBD7AEC612615552CEC906D2116D0EF207028C5",
     "257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjF"},
    {"RRSIG", "A 8 3 3600 20240201000000 20240101000000 12345 example.com. dGVzdHNpZ25hdHVyZQ==",
     "0001080300000E1065BADF00659200803039076578616D706C6503636F6D00746573747369676E6174757265",
     "A 8 3 3600 20240201000000 20240101000000 12345 example.com. dGVzdHNpZ25hdHVyZQ=="},
    {"NSEC", "host.example.com. A MX RRSIG NSEC TYPE1234",
     "04686F7374076578616D706C6503636F6D000006400100000003041B00000000000000000000000000000000000"
     "0000000000000000020",
     "host.example.com. A MX RRSIG NSEC TYPE1234"},
};

TEST(RdataTest, GoldenTextWireText) {
  const Name origin = N("example.com.");
  for (const Golden& g : kGoldens) {
    SCOPED_TRACE(std::string(g.type) + " " + g.text);
    uint16_t type = *typeFromText(g.type);
    auto wire = rdataFromText(type, g.text, origin);
    ASSERT_TRUE(wire.ok()) << wire.status().toString();
    EXPECT_EQ(hex(*wire), g.wire_hex);
    EXPECT_TRUE(validateRdata(type, *wire).isOk());
    EXPECT_EQ(rdataToText(type, *wire), g.expected_text);
    // Our output parses back to the same wire form, with any origin.
    auto again = rdataFromText(type, g.expected_text, N("other.test."));
    ASSERT_TRUE(again.ok()) << again.status().toString();
    EXPECT_EQ(*again, *wire);
    // The RFC 3597 generic form of the same RDATA is accepted for the known type.
    std::string generic = "\\# " + std::to_string(wire->size()) + " " + hex(*wire);
    auto from_generic = rdataFromText(type, generic, origin);
    ASSERT_TRUE(from_generic.ok()) << from_generic.status().toString();
    EXPECT_EQ(*from_generic, *wire);
    // Wire-in from a message holding just this RDATA.
    WireReader reader(*wire);
    auto from_wire = rdataFromWire(type, reader, uint16_t(wire->size()));
    ASSERT_TRUE(from_wire.ok()) << from_wire.status().toString();
    EXPECT_EQ(*from_wire, *wire);
    EXPECT_EQ(reader.pos(), wire->size());
  }
}

TEST(RdataTest, Rfc3597UnknownTypes) {
  const Name origin = N("example.com.");
  auto w = rdataFromText(1234, "\\# 4 0A000001", origin);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(hex(*w), "0A000001");
  EXPECT_EQ(rdataToText(1234, *w), "\\# 4 0A000001");
  auto empty = rdataFromText(62000, "\\# 0", origin);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(rdataToText(62000, *empty), "\\# 0");
  // Hex may be split by blanks; the length must match.
  auto split = rdataFromText(1234, "\\# 3 ab cd EF", origin);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(hex(*split), "ABCDEF");
  EXPECT_FALSE(rdataFromText(1234, "\\# 3 ABCD", origin).ok());
  EXPECT_FALSE(rdataFromText(1234, "\\# 1 ABCD", origin).ok());
  EXPECT_FALSE(rdataFromText(1234, "\\# x AB", origin).ok());
  EXPECT_FALSE(rdataFromText(1234, "\\# 1 GG", origin).ok());
  // Unknown types need the generic form.
  auto s = rdataFromText(1234, "10.0.0.1", origin);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("TYPE1234"), std::string::npos);
  // Known types in \# form are validated against their layout.
  EXPECT_FALSE(rdataFromText(rrtype::kA, "\\# 3 0A0000", origin).ok());
  auto a = rdataFromText(rrtype::kA, "\\# 4 0A000001", origin);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(rdataToText(rrtype::kA, *a), "10.0.0.1");
  // Malformed RDATA of a known type prints in generic form.
  std::vector<uint8_t> bad = {1, 2, 3};
  EXPECT_EQ(rdataToText(rrtype::kA, bad), "\\# 3 010203");
  EXPECT_FALSE(validateRdata(rrtype::kA, bad).isOk());
  EXPECT_TRUE(validateRdata(1234, bad).isOk());
}

TEST(RdataTest, TxtLongStringsAreChunked) {
  const Name origin = N("example.com.");
  std::string long_text(600, 'x');
  auto w = rdataFromText(rrtype::kTXT, "\"" + long_text + "\"", origin);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->size(), 600u + 3u);
  EXPECT_EQ((*w)[0], 255);
  EXPECT_EQ((*w)[256], 255);
  EXPECT_EQ((*w)[512], 90);
  EXPECT_EQ(rdataToText(rrtype::kTXT, *w), "\"" + std::string(255, 'x') + "\" \"" + std::string(255, 'x') +
                                               "\" \"" + std::string(90, 'x') + "\"");
  // Exactly 255 stays one string; unquoted long strings are chunked too.
  auto w255 = rdataFromText(rrtype::kTXT, std::string(255, 'y'), origin);
  ASSERT_TRUE(w255.ok());
  EXPECT_EQ(w255->size(), 256u);
  auto w256 = rdataFromText(rrtype::kTXT, std::string(256, 'y'), origin);
  ASSERT_TRUE(w256.ok());
  EXPECT_EQ(w256->size(), 258u);
  // Escapes count as the octets they stand for.
  std::string escaped;
  for (int i = 0; i < 255; ++i) escaped += "\\255";
  auto we = rdataFromText(rrtype::kTXT, "\"" + escaped + "\"", origin);
  ASSERT_TRUE(we.ok());
  EXPECT_EQ(we->size(), 256u);
  // HINFO strings are single character-strings: no chunking.
  EXPECT_FALSE(rdataFromText(rrtype::kHINFO, "\"" + long_text + "\" x", origin).ok());
}

TEST(RdataTest, TextErrors) {
  const Name origin = N("example.com.");
  auto expectError = [&](uint16_t type, std::string_view text, std::string_view fragment) {
    auto r = rdataFromText(type, text, origin);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(fragment), std::string::npos)
        << text << " -> " << r.status().message();
  };
  expectError(rrtype::kA, "x", "invalid IPv4 address 'x'");
  expectError(rrtype::kA, "256.1.1.1", "invalid IPv4 address");
  expectError(rrtype::kA, "1.2.3", "invalid IPv4 address");
  expectError(rrtype::kA, "01.2.3.4", "invalid IPv4 address");
  expectError(rrtype::kA, "1.2.3.4 5", "trailing data '5'");
  expectError(rrtype::kA, "", "missing IPv4 address");
  expectError(rrtype::kAAAA, "1.2.3.4", "invalid IPv6 address");
  expectError(rrtype::kMX, "70000 mail", "invalid 16-bit number '70000'");
  expectError(rrtype::kMX, "10", "missing domain name");
  expectError(rrtype::kMX, "10 a..b", "empty label");
  expectError(rrtype::kSOA, "a b 1 2 3 4 x", "invalid time value 'x'");
  expectError(rrtype::kTXT, "\"unterminated", "unterminated");
  expectError(rrtype::kTXT, "\"bad \\300\"", "escape");
  expectError(rrtype::kCAA, "0 is-sue \"x\"", "invalid CAA tag");
  expectError(rrtype::kDS, "1 2 3 XYZ", "invalid hex data");
  expectError(rrtype::kDS, "1 2 3", "missing hex data");
  expectError(rrtype::kDNSKEY, "257 3 8 !!!!", "invalid base64 data");
  expectError(rrtype::kSVCB, "1 . foo=bar", "unknown SvcParamKey 'foo'");
  expectError(rrtype::kSVCB, "1 . port=1 port=2", "duplicate SvcParamKey");
  expectError(rrtype::kSVCB, "1 . port=x", "invalid port value");
  expectError(rrtype::kSVCB, "1 . mandatory=port", "mandatory SvcParamKey 'port' is missing");
  expectError(rrtype::kSVCB, "1 . no-default-alpn=x", "no-default-alpn takes no value");
  expectError(rrtype::kSVCB, "1 . ipv4hint=1.2.3.4,", "invalid ipv4hint");
  expectError(rrtype::kSVCB, "1 . key65535=x", "unknown SvcParamKey");
}

TEST(RdataTest, SvcbValueForms) {
  const Name origin = N("example.com.");
  // Quoted values, keyNNNNN aliases for named keys, unknown keys with and without a value.
  auto w = rdataFromText(rrtype::kHTTPS, R"(1 svc key1="h2" key3=443 key9999="a b" key9998)", origin);
  ASSERT_TRUE(w.ok()) << w.status().toString();
  EXPECT_EQ(rdataToText(rrtype::kHTTPS, *w),
            R"(1 svc.example.com. alpn="h2" port=443 key9998 key9999="a b")");
  // RFC 9460 Appendix A.1: "\\," inside a quoted alpn value is a literal comma.
  auto c = rdataFromText(rrtype::kHTTPS, R"(1 . alpn="f\\oo\\,bar,h2")", origin);
  ASSERT_TRUE(c.ok()) << c.status().toString();
  // Character-string decoding gives f\oo\,bar,h2; the value-list then yields "foo,bar" and "h2".
  std::vector<uint8_t> expected = {0, 1, 0, 0, 1, 0, 11, 7, 'f', 'o', 'o', ',', 'b', 'a', 'r', 2, 'h', '2'};
  EXPECT_EQ(*c, expected);
  EXPECT_EQ(rdataToText(rrtype::kHTTPS, *c), R"(1 . alpn="foo\\,bar,h2")");
  auto back = rdataFromText(rrtype::kHTTPS, rdataToText(rrtype::kHTTPS, *c), origin);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *c);
  // Wire validation: keys out of order are rejected.
  std::vector<uint8_t> bad = {0, 1, 0, 0, 3, 0, 2, 1, 187, 0, 1, 0, 3, 2, 'h', '2'};
  EXPECT_FALSE(validateRdata(rrtype::kSVCB, bad).isOk());
}

TEST(RdataTest, NamesAndTargets) {
  const Name origin = N("example.com.");
  auto soa = *rdataFromText(rrtype::kSOA, "ns1 host 1 2 3 4 5", origin);
  std::vector<std::tuple<size_t, size_t, bool>> seen;
  forEachRdataName(rrtype::kSOA, soa,
                   [&](size_t off, size_t len, bool c) { seen.emplace_back(off, len, c); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_tuple(size_t(0), size_t(17), true));
  EXPECT_EQ(seen[1], std::make_tuple(size_t(17), size_t(18), true));

  auto srv = *rdataFromText(rrtype::kSRV, "1 2 3 sip", origin);
  seen.clear();
  forEachRdataName(rrtype::kSRV, srv,
                   [&](size_t off, size_t len, bool c) { seen.emplace_back(off, len, c); });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::make_tuple(size_t(6), size_t(17), false));  // RFC 2782: no compression
  EXPECT_EQ(rdataTargetName(rrtype::kSRV, srv), N("sip.example.com."));

  auto mx = *rdataFromText(rrtype::kMX, "10 mail.example.net.", origin);
  EXPECT_EQ(rdataTargetName(rrtype::kMX, mx), N("mail.example.net."));
  auto cname = *rdataFromText(rrtype::kCNAME, "www", origin);
  EXPECT_EQ(rdataTargetName(rrtype::kCNAME, cname), N("www.example.com."));
  auto a = *rdataFromText(rrtype::kA, "1.2.3.4", origin);
  EXPECT_TRUE(rdataTargetName(rrtype::kA, a).isRoot());
  seen.clear();
  forEachRdataName(rrtype::kA, a, [&](size_t off, size_t len, bool c) { seen.emplace_back(off, len, c); });
  EXPECT_TRUE(seen.empty());
}

TEST(RdataTest, WireDecompressesNames) {
  // A fake message: "example.com." at offset 0, then MX RDATA "10 mail" + pointer to offset 0.
  std::vector<uint8_t> msg = unhex(
      "076578616D706C6503636F6D00"
      "000A046D61696CC000");
  WireReader reader(msg, 13);
  auto rd = rdataFromWire(rrtype::kMX, reader, 9);
  ASSERT_TRUE(rd.ok()) << rd.status().toString();
  EXPECT_EQ(rdataToText(rrtype::kMX, *rd), "10 mail.example.com.");
  EXPECT_EQ(reader.pos(), msg.size());

  // RDLENGTH shorter than the name inside it.
  WireReader short_reader(msg, 13);
  EXPECT_FALSE(rdataFromWire(rrtype::kMX, short_reader, 5).ok());
  // RDLENGTH past the end of the message.
  WireReader past(msg, 13);
  EXPECT_FALSE(rdataFromWire(rrtype::kMX, past, 10).ok());
  // Trailing octets after the last field.
  std::vector<uint8_t> a = {1, 2, 3, 4, 5};
  WireReader ra(a);
  EXPECT_FALSE(rdataFromWire(rrtype::kA, ra, 5).ok());
  // Unknown types are copied verbatim, pointer-looking bytes included.
  WireReader ru(msg, 13);
  auto raw = rdataFromWire(1234, ru, 9);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(hex(*raw), "000A046D61696CC000");
}

TEST(RdataTest, NsecBitmapValidation) {
  const Name origin = N("example.com.");
  auto empty = rdataFromText(rrtype::kNSEC, "next.example.com.", origin);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(rdataToText(rrtype::kNSEC, *empty), "next.example.com.");
  // A trailing zero octet in a window is invalid (RFC 4034 §4.1.2).
  std::vector<uint8_t> bad = unhex(
      "00"
      "00024000");
  bad[0] = 0;  // root next name
  EXPECT_FALSE(validateRdata(rrtype::kNSEC, bad).isOk());
}

TEST(RdataTest, Timestamps) {
  const Name origin = N("example.com.");
  // Plain seconds are accepted and printed as YYYYMMDDHHmmSS.
  auto w = rdataFromText(rrtype::kRRSIG, "A 8 2 300 4294967295 0 1 example.com. AAAA", origin);
  ASSERT_TRUE(w.ok()) << w.status().toString();
  EXPECT_EQ(rdataToText(rrtype::kRRSIG, *w), "A 8 2 300 21060207062815 19700101000000 1 example.com. AAAA");
}

}  // namespace
}  // namespace zk::dns
