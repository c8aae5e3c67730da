// Tests for type/class mnemonics (IANA registry names, RFC 3597 §5 generic forms).
#include "dns/types.h"

#include <gtest/gtest.h>

namespace zk::dns {
namespace {

TEST(TypesTest, MnemonicsRoundTrip) {
  const std::pair<uint16_t, const char*> known[] = {
      {1, "A"},     {2, "NS"},    {5, "CNAME"},  {6, "SOA"},    {12, "PTR"},   {13, "HINFO"},
      {15, "MX"},   {16, "TXT"},  {28, "AAAA"},  {33, "SRV"},   {35, "NAPTR"}, {39, "DNAME"},
      {41, "OPT"},  {43, "DS"},   {44, "SSHFP"}, {46, "RRSIG"}, {47, "NSEC"},  {48, "DNSKEY"},
      {52, "TLSA"}, {64, "SVCB"}, {65, "HTTPS"}, {99, "SPF"},   {251, "IXFR"}, {252, "AXFR"},
      {255, "ANY"}, {257, "CAA"},
  };
  for (auto [value, text] : known) {
    EXPECT_EQ(typeToText(value), text);
    EXPECT_EQ(typeFromText(text), value) << text;
  }
}

TEST(TypesTest, CaseInsensitiveAndGeneric) {
  EXPECT_EQ(typeFromText("aaaa"), rrtype::kAAAA);
  EXPECT_EQ(typeFromText("Cname"), rrtype::kCNAME);
  EXPECT_EQ(typeFromText("TYPE1"), rrtype::kA);  // RFC 3597 §5: TYPEnnn names any type
  EXPECT_EQ(typeFromText("type65535"), 65535);
  EXPECT_EQ(typeToText(1234), "TYPE1234");
  EXPECT_EQ(typeToText(0), "TYPE0");
  EXPECT_EQ(typeFromText(typeToText(62000)), 62000);
  EXPECT_FALSE(typeFromText("TYPE65536"));
  EXPECT_FALSE(typeFromText("TYPE"));
  EXPECT_FALSE(typeFromText("TYPE-1"));
  EXPECT_FALSE(typeFromText("TYPE1x"));
  EXPECT_FALSE(typeFromText("AAA"));
  EXPECT_FALSE(typeFromText(""));
}

TEST(TypesTest, Classes) {
  EXPECT_EQ(classToText(rrclass::kIN), "IN");
  EXPECT_EQ(classToText(rrclass::kCH), "CH");
  EXPECT_EQ(classToText(rrclass::kANY), "ANY");
  EXPECT_EQ(classToText(rrclass::kNONE), "NONE");
  EXPECT_EQ(classToText(42), "CLASS42");
  EXPECT_EQ(classFromText("in"), rrclass::kIN);
  EXPECT_EQ(classFromText("CH"), rrclass::kCH);
  EXPECT_EQ(classFromText("NONE"), rrclass::kNONE);
  EXPECT_EQ(classFromText("CLASS1"), rrclass::kIN);
  EXPECT_EQ(classFromText("class300"), 300);
  EXPECT_FALSE(classFromText("CLASS70000"));
  EXPECT_FALSE(classFromText("INN"));
  EXPECT_FALSE(classFromText("A"));
}

TEST(TypesTest, OpcodesAndRcodes) {
  EXPECT_EQ(opcodeToText(Opcode::kQuery), "QUERY");
  EXPECT_EQ(opcodeToText(Opcode::kNotify), "NOTIFY");
  EXPECT_EQ(opcodeToText(Opcode(9)), "9");
  EXPECT_EQ(rcodeToText(Rcode::kNoError), "NOERROR");
  EXPECT_EQ(rcodeToText(Rcode::kNXDomain), "NXDOMAIN");
  EXPECT_EQ(rcodeToText(Rcode::kNotZone), "NOTZONE");
  EXPECT_EQ(rcodeToText(Rcode::kBadVers), "BADVERS");
  EXPECT_EQ(rcodeToText(Rcode(3841)), "RCODE3841");
}

}  // namespace
}  // namespace zk::dns
