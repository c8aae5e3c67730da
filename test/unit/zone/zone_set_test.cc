// Tests of ZoneSet: longest-suffix zone lookup, copy-on-write with/without.
#include "zone/zone_set.h"

#include <gtest/gtest.h>

#include "dns/zonefile.h"

namespace zk::zone {
namespace {

dns::Name N(std::string_view s) { return *dns::Name::fromText(s); }

ZonePtr MakeZone(std::string_view apex) {
  dns::ZoneParseOptions o;
  o.origin = N(apex);
  auto recs = dns::parseZoneText("@ 3600 IN SOA ns hm 1 1 1 1 1\n", o);
  EXPECT_TRUE(recs.ok());
  auto z = Zone::build(N(apex), *recs);
  EXPECT_TRUE(z.ok());
  return *z;
}

TEST(ZoneSet, LongestSuffix) {
  auto s0 = ZoneSet::empty();
  EXPECT_EQ(s0->findZone(N("a.example.").wire()), nullptr);
  auto s1 = s0->with(MakeZone("example."));
  auto s2 = s1->with(MakeZone("sub.example."))->with(MakeZone("other.org."));
  EXPECT_EQ(s2->size(), 3u);
  auto apex = [&](const ZoneSetPtr& s, std::string_view q) -> std::string {
    const Zone* z = s->findZone(N(q).wire());
    return z ? z->apex().toText() : "-";
  };
  EXPECT_EQ(apex(s2, "www.Example."), "example.");
  EXPECT_EQ(apex(s2, "example."), "example.");
  EXPECT_EQ(apex(s2, "a.b.SUB.example."), "sub.example.");
  EXPECT_EQ(apex(s2, "sub.example."), "sub.example.");
  EXPECT_EQ(apex(s2, "xsub.example."), "example.");
  EXPECT_EQ(apex(s2, "org."), "-");
  EXPECT_EQ(apex(s2, "com."), "-");
  EXPECT_EQ(apex(s2, "."), "-");
  EXPECT_EQ(apex(s1, "a.sub.example."), "example.");  // s1 unchanged

  auto replaced = MakeZone("example.");
  auto s3 = s2->with(replaced);
  EXPECT_EQ(s3->size(), 3u);
  EXPECT_EQ(s3->get(N("EXAMPLE.")), replaced);
  EXPECT_NE(s2->get(N("example.")), replaced);
  auto s4 = s3->without(N("sub.example."));
  EXPECT_EQ(apex(s4, "a.sub.example."), "example.");
  EXPECT_EQ(s4->get(N("sub.example.")), nullptr);
  auto zs = s3->zones();
  ASSERT_EQ(zs.size(), 3u);
  EXPECT_EQ(zs[0]->apex().toText(), "example.");
  EXPECT_EQ(zs[1]->apex().toText(), "sub.example.");
  EXPECT_EQ(zs[2]->apex().toText(), "other.org.");
}

TEST(ZoneSet, RootZone) {
  auto s = ZoneSet::empty()->with(MakeZone("."));
  ASSERT_NE(s->findZone(N("anything.at.all.").wire()), nullptr);
  EXPECT_TRUE(s->findZone(N(".").wire())->apex().isRoot());
}

}  // namespace
}  // namespace zk::zone
