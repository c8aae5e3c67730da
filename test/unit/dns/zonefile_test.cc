// Tests for the master-file parser: each RFC 1035 §5 feature, error positions, and a golden zone.
#include "dns/zonefile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dns/rdata.h"
#include "dns/types.h"

namespace zk::dns {
namespace {

Name N(std::string_view s) { return *Name::fromText(s); }

ZoneParseOptions opts(std::string_view origin = "example.com.") {
  ZoneParseOptions o;
  if (!origin.empty()) o.origin = N(origin);
  o.file_name = "zone.db";
  return o;
}

std::vector<std::string> texts(const std::vector<ResourceRecord>& rrs) {
  std::vector<std::string> out;
  for (const auto& rr : rrs) out.push_back(recordToText(rr));
  return out;
}

std::vector<std::string> parseOk(std::string_view text, const ZoneParseOptions& o = opts()) {
  auto r = parseZoneText(text, o);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return r.ok() ? texts(*r) : std::vector<std::string>{};
}

std::string parseError(std::string_view text, const ZoneParseOptions& o = opts()) {
  auto r = parseZoneText(text, o);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(ZoneFileTest, GoldenRealisticZone) {
  const char* zone = R"(; example.com zone, as an operator would write it
$ORIGIN example.com.
$TTL 1h
@   IN  SOA ns1 hostmaster (
            2024010101 ; serial
            2h         ; refresh
            30m        ; retry
            2w         ; expire
            300 )      ; negative-caching TTL
    IN  NS  ns1
    IN  NS  ns2.example.net.
@       MX  10 mail
        MX  20 mail.backup.example.net.
@   300 IN  TXT "v=spf1 mx -all"
ns1     A   192.0.2.53
mail IN 600 A 192.0.2.25
www     CNAME @
ftp 1d  CNAME www
ipv6    AAAA 2001:db8::1
_sip._tcp  SRV 10 60 5060 sip
@       CAA 0 issue "letsencrypt.org"
quote   TXT "semi;colon (paren) \"quoted\" back\\slash" "\065\066"
$ORIGIN sub.example.com.
host    A   198.51.100.7
*       A   198.51.100.8
)";
  std::vector<std::string> expected = {
      "example.com.\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2024010101 7200 1800 1209600 "
      "300",
      "example.com.\t3600\tIN\tNS\tns1.example.com.",
      "example.com.\t3600\tIN\tNS\tns2.example.net.",
      "example.com.\t3600\tIN\tMX\t10 mail.example.com.",
      "example.com.\t3600\tIN\tMX\t20 mail.backup.example.net.",
      "example.com.\t300\tIN\tTXT\t\"v=spf1 mx -all\"",
      "ns1.example.com.\t3600\tIN\tA\t192.0.2.53",
      "mail.example.com.\t600\tIN\tA\t192.0.2.25",
      "www.example.com.\t3600\tIN\tCNAME\texample.com.",
      "ftp.example.com.\t86400\tIN\tCNAME\twww.example.com.",
      "ipv6.example.com.\t3600\tIN\tAAAA\t2001:db8::1",
      "_sip._tcp.example.com.\t3600\tIN\tSRV\t10 60 5060 sip.example.com.",
      "example.com.\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\"",
      "quote.example.com.\t3600\tIN\tTXT\t\"semi;colon (paren) \\\"quoted\\\" back\\\\slash\" \"AB\"",
      "host.sub.example.com.\t3600\tIN\tA\t198.51.100.7",
      "*.sub.example.com.\t3600\tIN\tA\t198.51.100.8",
  };
  ZoneParseOptions o = opts("");
  EXPECT_EQ(parseOk(zone, o), expected);
}

TEST(ZoneFileTest, OriginFromOptionsAndAt) {
  auto r = parseOk("@ 60 IN A 10.0.0.1\nwww 60 IN A 10.0.0.2\nabs.other. 60 IN A 10.0.0.3\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], "example.com.\t60\tIN\tA\t10.0.0.1");
  EXPECT_EQ(r[1], "www.example.com.\t60\tIN\tA\t10.0.0.2");
  EXPECT_EQ(r[2], "abs.other.\t60\tIN\tA\t10.0.0.3");
}

TEST(ZoneFileTest, OriginFromFirstSoa) {
  auto r = parseZoneText("example.org. 60 IN SOA ns hm 1 2 3 4 5\nwww 60 IN A 10.0.0.1\n", opts(""));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(texts(*r)[0], "example.org.\t60\tIN\tSOA\tns.example.org. hm.example.org. 1 2 3 4 5");
  EXPECT_EQ(texts(*r)[1], "www.example.org.\t60\tIN\tA\t10.0.0.1");
  auto origin = zoneOrigin(*r);
  ASSERT_TRUE(origin.ok());
  EXPECT_EQ(*origin, N("example.org."));
  EXPECT_EQ(zoneOrigin({}).status().code(), Code::kNotFound);
  // Without any origin, relative names are an error that says where.
  EXPECT_EQ(parseError("www 60 IN A 10.0.0.1\n", opts("")),
            "zone.db:1:1: relative name without an origin in domain name 'www'");
  EXPECT_EQ(parseError("a.test. 60 IN CNAME www\n", opts("")),
            "zone.db:1:21: relative name without an origin in domain name 'www'");
}

TEST(ZoneFileTest, BlankOwnerRepeatsPrevious) {
  auto r = parseOk("host 60 A 10.0.0.1\n\t60 AAAA ::1\n  ; only a comment\n\n   TXT x\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1], "host.example.com.\t60\tIN\tAAAA\t::1");
  EXPECT_EQ(r[2], "host.example.com.\t60\tIN\tTXT\t\"x\"");
  EXPECT_EQ(parseError("  60 A 10.0.0.1\n"), "zone.db:1:3: no owner name and no previous owner");
}

TEST(ZoneFileTest, ClassAndTtlInEitherOrderAndUnits) {
  auto r =
      parseOk("a IN 1h30m A 10.0.0.1\nb 1W IN A 10.0.0.2\nc 2d A 10.0.0.3\nd CH A 10.0.0.4\ne A 10.0.0.5\n");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0], "a.example.com.\t5400\tIN\tA\t10.0.0.1");
  EXPECT_EQ(r[1], "b.example.com.\t604800\tIN\tA\t10.0.0.2");
  EXPECT_EQ(r[2], "c.example.com.\t172800\tIN\tA\t10.0.0.3");
  EXPECT_EQ(r[3], "d.example.com.\t172800\tCH\tA\t10.0.0.4");
  EXPECT_EQ(r[4], "e.example.com.\t172800\tCH\tA\t10.0.0.5");  // class and TTL carry over
}

TEST(ZoneFileTest, TtlPrecedence) {
  ZoneParseOptions o = opts();
  o.default_ttl = 77;
  auto r = parseOk(
      "a A 10.0.0.1\nb 50 A 10.0.0.2\nc A 10.0.0.3\n$TTL 900\nd A 10.0.0.4\ne 20 A 10.0.0.5\nf A 10.0.0.6\n",
      o);
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0], "a.example.com.\t77\tIN\tA\t10.0.0.1");   // default
  EXPECT_EQ(r[1], "b.example.com.\t50\tIN\tA\t10.0.0.2");   // explicit
  EXPECT_EQ(r[2], "c.example.com.\t50\tIN\tA\t10.0.0.3");   // last stated (RFC 1035 §5.1)
  EXPECT_EQ(r[3], "d.example.com.\t900\tIN\tA\t10.0.0.4");  // $TTL (RFC 2308 §4)
  EXPECT_EQ(r[4], "e.example.com.\t20\tIN\tA\t10.0.0.5");
  EXPECT_EQ(r[5], "f.example.com.\t900\tIN\tA\t10.0.0.6");
}

TEST(ZoneFileTest, ParenthesesCommentsAndQuotes) {
  auto r = parseOk("t TXT ( \"one\" ; first\n  \"two\"\n  three ) ; done\nu TXT \"a ( b ; c\"\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], "t.example.com.\t3600\tIN\tTXT\t\"one\" \"two\" \"three\"");
  EXPECT_EQ(r[1], "u.example.com.\t3600\tIN\tTXT\t\"a ( b ; c\"");
  // CRLF line ends.
  auto crlf = parseOk("v A 10.0.0.1\r\nw A 10.0.0.2\r\n");
  ASSERT_EQ(crlf.size(), 2u);
  EXPECT_EQ(crlf[1], "w.example.com.\t3600\tIN\tA\t10.0.0.2");
  // No final newline.
  EXPECT_EQ(parseOk("x A 10.0.0.9").size(), 1u);
  // A name with an escaped blank and an escaped dot.
  auto esc = parseOk("a\\ b\\.c A 10.0.0.1\n");
  ASSERT_EQ(esc.size(), 1u);
  EXPECT_EQ(esc[0], "a\\032b\\.c.example.com.\t3600\tIN\tA\t10.0.0.1");
}

TEST(ZoneFileTest, GenericRfc3597Forms) {
  auto r = parseOk("a TYPE1 \\# 4 0A000001\nb CLASS1 TYPE65280 \\# 3 ABCDEF\nc TYPE65281 \\# 0\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], "a.example.com.\t3600\tIN\tA\t10.0.0.1");
  EXPECT_EQ(r[1], "b.example.com.\t3600\tIN\tTYPE65280\t\\# 3 ABCDEF");
  EXPECT_EQ(r[2], "c.example.com.\t3600\tIN\tTYPE65281\t\\# 0");
}

TEST(ZoneFileTest, ErrorsNameLineAndColumn) {
  EXPECT_EQ(parseError("www A 10.0.0.1\n\n  \nmail 60 IN AAA ::1\n"),
            "zone.db:4:12: unknown record type 'AAA'");
  EXPECT_EQ(parseError("www IN A 10.0.0.x\n"), "zone.db:1:10: invalid IPv4 address '10.0.0.x'");
  EXPECT_EQ(parseError("mx MX 10 mail extra\n"), "zone.db:1:15: trailing data 'extra' in MX RDATA");
  EXPECT_EQ(parseError("soa SOA ns hm (\n 1 2\n 3 x 5 )\n"), "zone.db:3:4: invalid time value 'x'");
  EXPECT_EQ(parseError("a A 10.0.0.1\nb TXT ( \"x\"\nc A 10.0.0.2\n"),
            "zone.db:2:7: unbalanced '(' (missing ')')");
  EXPECT_EQ(parseError("a A 10.0.0.1 )\n"), "zone.db:1:14: unbalanced ')'");
  EXPECT_EQ(parseError("t TXT \"open\n"), "zone.db:1:7: unterminated quoted string");
  EXPECT_EQ(parseError("a 99999999999 A 10.0.0.1\n"), "zone.db:1:3: invalid TTL '99999999999'");
  EXPECT_EQ(parseError("a 1x A 10.0.0.1\n"), "zone.db:1:3: invalid TTL '1x'");
  EXPECT_EQ(parseError("a IN\n"), "zone.db:1:3: missing record type");
  EXPECT_EQ(parseError("a A\n"), "zone.db:1:3: missing IPv4 address");
  EXPECT_EQ(parseError("a AXFR \\# 0\n"), "zone.db:1:3: record type 'AXFR' is not allowed in zone data");
  EXPECT_EQ(parseError("a OPT \\# 0\n"), "zone.db:1:3: record type 'OPT' is not allowed in zone data");
  EXPECT_EQ(parseError("$GENERATE 1-10 h$ A 10.0.0.$\n"), "zone.db:1:1: unsupported directive '$GENERATE'");
  EXPECT_EQ(parseError("$INCLUDE other.db\n"), "zone.db:1:1: $INCLUDE is not allowed here");
  EXPECT_EQ(parseError("$TTL\n"), "zone.db:1:1: $TTL takes one TTL value");
  EXPECT_EQ(parseError("$ORIGIN a..b.\n"), "zone.db:1:9: empty label in domain name 'a..b.'");
  EXPECT_EQ(parseError("a..b A 10.0.0.1\n"), "zone.db:1:1: empty label in domain name 'a..b'");
  ZoneParseOptions named = opts();
  named.file_name = "db.example";
  EXPECT_EQ(parseError("a B 1\n", named), "db.example:1:3: unknown record type 'B'");
}

// The parser takes A and AAAA records with one plain address straight to parseIPv4/parseIPv6; it
// must accept and reject exactly what the generic RDATA parser (rdataFromText) does, with the same
// message at the address's column.
void expectSameAsGeneric(uint16_t type, const std::string& value) {
  const std::string line = std::string("a ") + (type == rrtype::kA ? "A" : "AAAA") + " " + value + "\n";
  const size_t col = line.find(' ', 2) + 2;  // 1-based column of the first RDATA character
  auto generic = rdataFromText(type, value, N("example.com."));
  auto zone = parseZoneText(line, opts());
  if (generic.ok()) {
    ASSERT_TRUE(zone.ok()) << line << zone.status().toString();
    ASSERT_EQ(zone->size(), 1u) << line;
    EXPECT_EQ((*zone)[0].rdata, *generic) << line;
    EXPECT_EQ((*zone)[0].type, type) << line;
    EXPECT_EQ((*zone)[0].owner, N("a.example.com.")) << line;
  } else {
    ASSERT_FALSE(zone.ok()) << line;
    const std::string msg = zone.status().message();
    EXPECT_EQ(msg.substr(msg.find(": ") + 2), generic.status().message()) << line;
    if (value.find(' ') == std::string::npos) {  // one token: the error points at it
      EXPECT_EQ(msg.substr(0, msg.find(": ")), "zone.db:1:" + std::to_string(col)) << line;
    }
  }
}

TEST(ZoneFileTest, AddressFastPathMatchesGenericParser) {
  for (const char* v :
       {"1.2.3.4",        "0.0.0.0",      "255.255.255.255", "198.18.0.1",      "1.2.3",     "1.2.3.256",
        "01.2.3.4",       "1.2.3.04",     "1.2.3.4.",        ".1.2.3.4",        "1..2.3",    "1.2.3.4x",
        "-1.2.3.4",       "1.2.3.4/24",   "0x1.2.3.4",       "1.2.3.4.5",       "256.1.1.1", "1.2.3.\\052",
        "\\# 4 01020304", "\\# 3 010203", "1.2.3.4 junk",    "1.2.3.4 5.6.7.8", "::1",       "1.2.3.-4",
        "1.2.3.+4"})
    expectSameAsGeneric(rrtype::kA, v);
  for (const char* v :
       {"::1", "::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "::ffff:1.2.3.4", "2001:db8::1::2",
        "2001:db8:::1", "1.2.3.4", "fe80::1%eth0", "2001:db8::g", "[::1]", "2001:db8::1 x",
        "2001:0db8:0000:0000:0000:0000:0000:00001", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "\\# 16 20010db8000000000000000000000001", "\\# 4 01020304", "2001:db8::\\049"})
    expectSameAsGeneric(rrtype::kAAAA, v);
  // Zone-level syntax around an address still goes through the tokenizer first.
  EXPECT_EQ(parseOk("a A ( 10.0.0.1 ) ; c\nb AAAA \"::1\"\nc IN A 10.0.0.3;x\n"),
            (std::vector<std::string>{"a.example.com.\t3600\tIN\tA\t10.0.0.1",
                                      "b.example.com.\t3600\tIN\tAAAA\t::1",
                                      "c.example.com.\t3600\tIN\tA\t10.0.0.3"}));
  EXPECT_EQ(parseError("x A 10.0.0.1\n  A 10.0.0.256\n"), "zone.db:2:5: invalid IPv4 address '10.0.0.256'");
  EXPECT_EQ(parseError("x A 10.0.0.1 ( 2 )\n"), "zone.db:1:16: trailing data '2' in A RDATA");
  EXPECT_EQ(parseError("x AAAA ::1 ::2\n"), "zone.db:1:12: trailing data '::2' in AAAA RDATA");
  // An owner that is too long is still reported on a fast-path record.
  const std::string label(63, 'x');
  EXPECT_EQ(parseError(label + "." + label + "." + label + "." + label + " A 10.0.0.1\n").substr(0, 11),
            "zone.db:1:1");
}

class ZoneFileIncludeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("zk_zonefile_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  std::filesystem::path dir_;
};

TEST_F(ZoneFileIncludeTest, IncludesRelativeToIncludingFile) {
  write("main.db",
        "$ORIGIN example.com.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n"
        "$INCLUDE sub/hosts.db\n"
        "$INCLUDE sub/other.db other.example.com.\n"
        "after A 10.0.0.9\n");
  write("sub/hosts.db", "www A 10.0.0.1\n$ORIGIN changed.example.\nx A 10.0.0.2\n$INCLUDE leaf.db\n");
  write("sub/leaf.db", "leaf A 10.0.0.3\n");
  write("sub/other.db", "@ A 10.0.0.4\n");
  ZoneParseOptions o;
  o.allow_include = true;
  auto r = parseZoneFile((dir_ / "main.db").string(), o);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  std::vector<std::string> expected = {
      "example.com.\t60\tIN\tSOA\tns.example.com. hm.example.com. 1 2 3 4 5",
      "www.example.com.\t60\tIN\tA\t10.0.0.1",
      "x.changed.example.\t60\tIN\tA\t10.0.0.2",
      "leaf.changed.example.\t60\tIN\tA\t10.0.0.3",
      "other.example.com.\t60\tIN\tA\t10.0.0.4",
      "after.example.com.\t60\tIN\tA\t10.0.0.9",  // the include did not change our origin
  };
  EXPECT_EQ(texts(*r), expected);
}

TEST_F(ZoneFileIncludeTest, ErrorsInIncludedFilesNameThatFile) {
  write("main.db", "$ORIGIN example.com.\n$INCLUDE bad.db\n");
  write("bad.db", "ok A 10.0.0.1\nbad A 300.0.0.1\n");
  ZoneParseOptions o;
  o.allow_include = true;
  auto r = parseZoneFile((dir_ / "main.db").string(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), (dir_ / "bad.db").string() + ":2:7: invalid IPv4 address '300.0.0.1'");

  write("loop.db", "$INCLUDE loop.db\n");
  auto loop = parseZoneFile((dir_ / "loop.db").string(), o);
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.status().message().find("nested too deeply"), std::string::npos);

  write("missing.db", "$INCLUDE nope.db\n");
  auto missing = parseZoneFile((dir_ / "missing.db").string(), o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.db:1:10: cannot open"), std::string::npos)
      << missing.status().message();

  auto no_file = parseZoneFile((dir_ / "absent.db").string(), o);
  EXPECT_EQ(no_file.status().code(), Code::kNotFound);
}

TEST(ZoneFileTest, ManyRecordsKeepOrderAndContent) {
  std::string text = "$ORIGIN big.test.\n$TTL 300\n";
  for (int i = 0; i < 5000; ++i) {
    text += "h" + std::to_string(i) + " IN A 10." + std::to_string(i / 65536) + "." +
            std::to_string((i / 256) % 256) + "." + std::to_string(i % 256) + "\n";
    text += "t" + std::to_string(i) + " TXT \"k" + std::to_string(i) + "\"\n";
  }
  auto r = parseZoneText(text, opts(""));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->size(), 10000u);
  EXPECT_EQ(recordToText((*r)[2 * 4321]), "h4321.big.test.\t300\tIN\tA\t10.0.16.225");
  EXPECT_EQ(recordToText((*r)[2 * 4321 + 1]), "t4321.big.test.\t300\tIN\tTXT\t\"k4321\"");
}

// A file big enough for the huge-page read buffer (>= 8 MiB) parses exactly like the same text.
TEST_F(ZoneFileIncludeTest, LargeFileParsesLikeText) {
  std::string text = "$ORIGIN big.test.\n$TTL 300\n@ SOA ns hm 1 2 3 4 5\n";
  for (int i = 0; text.size() < (10u << 20); ++i)
    text += "h" + std::to_string(i) + " A 10." + std::to_string((i >> 16) & 255) + "." +
            std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255) + "\nv" + std::to_string(i) +
            " AAAA 2001:db8::" + std::to_string(i % 10000) + "\nt" + std::to_string(i) + " TXT \"k" +
            std::to_string(i) + "\"\n";
  write("big.db", text);
  ZoneParseOptions o;
  auto from_file = parseZoneFile((dir_ / "big.db").string(), o);
  auto from_text = parseZoneText(text, o);
  ASSERT_TRUE(from_file.ok()) << from_file.status().toString();
  ASSERT_TRUE(from_text.ok()) << from_text.status().toString();
  EXPECT_GT(from_file->size(), 300000u);
  EXPECT_TRUE(*from_file == *from_text);
  EXPECT_EQ(recordToText(from_file->back()).substr(0, 1), "t");
}

}  // namespace
}  // namespace zk::dns
