// diffZones (zone-file reload): the delta is minimal and applying it serves what a fresh build would.
#include "app/dns_catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>

#include "dns/types.h"
#include "dns/zonefile.h"

namespace zk::app {
namespace {

constexpr const char* kBase = R"($ORIGIN example.test.
$TTL 300
@        3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300
@             IN NS  ns1
@             IN NS  ns2
ns1           IN A   192.0.2.1
ns2           IN A   192.0.2.2
www           IN A   192.0.2.10
www           IN A   192.0.2.11
www           IN AAAA 2001:db8::10
mail          IN MX  10 mx.example.test.
mx            IN A   192.0.2.25
a.b.c         IN TXT "deep"
alias         IN CNAME www
)";

std::vector<dns::ResourceRecord> parse(const std::string& text) {
  dns::ZoneParseOptions opts;
  auto r = dns::parseZoneText(text, opts);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return r.ok() ? std::move(r).value() : std::vector<dns::ResourceRecord>{};
}

const dns::Name& apex() {
  static const dns::Name n = *dns::Name::fromText("example.test.");
  return n;
}

zone::ZonePtr build(const std::vector<dns::ResourceRecord>& rrs) {
  auto z = zone::Zone::build(apex(), rrs);
  EXPECT_TRUE(z.ok()) << z.status().toString();
  return z.ok() ? *z : nullptr;
}

// (lowercased owner, type, ttl, number of RDATAs) of each replacement, sorted.
using Change = std::tuple<std::string, std::string, uint32_t, size_t>;
std::vector<Change> changes(const zone::ZoneDelta& d) {
  std::vector<Change> out;
  for (const auto& r : d.replace)
    out.emplace_back(r.owner.lowercased().toText(), dns::typeToText(r.type), r.ttl, r.rdatas.size());
  std::sort(out.begin(), out.end());
  return out;
}

// Diffs `before` against `after`, checks that applying the delta yields exactly what a fresh build
// of `after` serves (records, TTLs, RDATA bytes), and returns the delta.
zone::ZoneDelta diffAndCheck(const std::string& before, const std::string& after) {
  auto old_zone = build(parse(before));
  auto new_records = parse(after);
  auto fresh = build(new_records);
  if (!old_zone || !fresh) return {};
  zone::ZoneDelta delta = diffZones(*old_zone, new_records);
  auto applied = old_zone->apply(delta);
  EXPECT_TRUE(applied.ok()) << applied.status().toString();
  if (!applied.ok()) return delta;
  auto got = (*applied)->records();
  auto want = fresh->records();
  EXPECT_EQ(got.size(), want.size());
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    EXPECT_EQ(got[i], want[i]) << "got " << dns::recordToText(got[i]) << " want "
                               << dns::recordToText(want[i]);
  }
  EXPECT_EQ((*applied)->serial(), fresh->serial());
  EXPECT_EQ((*applied)->nameCount(), fresh->nameCount());
  return delta;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

TEST(DiffZones, UnchangedIsEmpty) { EXPECT_TRUE(diffAndCheck(kBase, kBase).replace.empty()); }

TEST(DiffZones, UnchangedDespiteOrderDuplicatesCaseAndSplitOwners) {
  // Same content: records shuffled, an owner split over non-adjacent lines, a duplicate RR with a
  // higher TTL (the lowest TTL wins, RFC 2181 §5.2), owner names in another case.
  std::string same = R"($ORIGIN example.test.
$TTL 300
WWW           IN A   192.0.2.11
mx            IN A   192.0.2.25
@        3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300
ns2           IN A   192.0.2.2
www           IN AAAA 2001:db8::10
@             IN NS  ns2
alias         IN CNAME www
ns1           IN A   192.0.2.1
Www      900  IN A   192.0.2.11
a.b.c         IN TXT "deep"
@             IN NS  ns1
mail          IN MX  10 mx.example.test.
www           IN A   192.0.2.10
)";
  auto d = diffAndCheck(kBase, same);
  EXPECT_TRUE(d.replace.empty()) << d.replace.size() << " changes, first " << d.replace[0].owner.toText();
  EXPECT_TRUE(d.add.empty());
}

TEST(DiffZones, Adds) {
  auto d = diffAndCheck(kBase, std::string(kBase) + "new IN A 192.0.2.99\nns1 IN AAAA 2001:db8::1\n");
  EXPECT_EQ(changes(d),
            (std::vector<Change>{{"new.example.test.", "A", 300, 1}, {"ns1.example.test.", "AAAA", 300, 1}}));
}

TEST(DiffZones, DeletesNamesAndTypes) {
  std::string after = replaced(kBase, "www           IN AAAA 2001:db8::10\n", "");
  after = replaced(after, "a.b.c         IN TXT \"deep\"\n", "");  // its empty non-terminals go too
  after = replaced(after, "mail          IN MX  10 mx.example.test.\n", "");
  auto d = diffAndCheck(kBase, after);
  EXPECT_EQ(changes(d), (std::vector<Change>{{"a.b.c.example.test.", "TXT", 300, 0},
                                             {"mail.example.test.", "MX", 300, 0},
                                             {"www.example.test.", "AAAA", 300, 0}}));
}

TEST(DiffZones, ChangedRRsets) {
  std::string after = replaced(kBase, "www           IN A   192.0.2.11", "www           IN A   192.0.2.12");
  after = replaced(after, "@             IN NS  ns2\n",
                   "@             IN NS  ns2\n@ IN NS ns3.elsewhere.test.\n");
  auto d = diffAndCheck(kBase, after);
  EXPECT_EQ(changes(d),
            (std::vector<Change>{{"example.test.", "NS", 300, 3}, {"www.example.test.", "A", 300, 2}}));
}

TEST(DiffZones, ChangedTtlOnly) {
  auto d = diffAndCheck(kBase, replaced(kBase, "mx            IN A", "mx       60   IN A"));
  EXPECT_EQ(changes(d), (std::vector<Change>{{"mx.example.test.", "A", 60, 1}}));
}

TEST(DiffZones, ApexSoaSerialChange) {
  auto d = diffAndCheck(kBase, replaced(kBase, "hostmaster 1 7200", "hostmaster 2 7200"));
  EXPECT_EQ(changes(d), (std::vector<Change>{{"example.test.", "SOA", 3600, 1}}));
}

TEST(DiffZones, CaseChangeInsideRdataIsPublished) {
  auto d = diffAndCheck(kBase, replaced(kBase, "10 mx.example.test.", "10 MX.example.test."));
  EXPECT_EQ(changes(d), (std::vector<Change>{{"mail.example.test.", "MX", 300, 1}}));
}

TEST(DiffZones, EmptyNewZoneDeletesEverythingAndApplyRefusesIt) {
  auto old_zone = build(parse(kBase));
  ASSERT_TRUE(old_zone);
  auto d = diffZones(*old_zone, {});
  std::set<std::pair<std::string, uint16_t>> want, got;
  for (const auto& rr : old_zone->records()) want.emplace(rr.owner.lowercased().toText(), rr.type);
  for (const auto& r : d.replace) {
    EXPECT_TRUE(r.rdatas.empty());
    EXPECT_TRUE(got.emplace(r.owner.lowercased().toText(), r.type).second) << "twice: " << r.owner.toText();
  }
  EXPECT_EQ(got, want);
  EXPECT_FALSE(old_zone->apply(d).ok());  // no SOA left
}

TEST(DiffZones, RecordOfAnotherClassMakesApplyFail) {
  auto old_zone = build(parse(kBase));
  ASSERT_TRUE(old_zone);
  auto recs = parse(kBase);
  recs[3].klass = dns::rrclass::kCH;
  auto d = diffZones(*old_zone, recs);
  auto r = old_zone->apply(d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

// Random zones and random edits: apply(diff) must equal a fresh build, and the delta must hold
// exactly the RRsets that differ (by the straightforward map comparison of both exports).
TEST(DiffZones, RandomEditsMatchFreshBuildAndAreMinimal) {
  std::mt19937 rng(12345);
  auto pick = [&](int n) { return int(rng() % unsigned(n)); };
  for (int round = 0; round < 60; ++round) {
    std::vector<std::string> lines;
    int names = 5 + pick(60);
    for (int i = 0; i < names; ++i) {
      std::string owner = "n" + std::to_string(pick(names)) + (pick(4) == 0 ? ".sub" : "");
      if (pick(3) == 0) owner[0] = 'N';
      std::string ttl = std::to_string(60 * (1 + pick(3)));
      switch (pick(3)) {
        case 0:
          lines.push_back(owner + " " + ttl + " IN A 10.0." + std::to_string(pick(4)) + "." +
                          std::to_string(pick(4)));
          break;
        case 1:
          lines.push_back(owner + " " + ttl + " IN TXT \"t" + std::to_string(pick(3)) + "\"");
          break;
        default:
          lines.push_back(owner + " " + ttl + " IN MX " + std::to_string(pick(3)) + " mx" +
                          std::to_string(pick(2)) + ".example.test.");
          break;
      }
    }
    auto render = [&](const std::vector<std::string>& ls, int serial) {
      std::string t = "$ORIGIN example.test.\n@ 3600 IN SOA ns1 hostmaster " + std::to_string(serial) +
                      " 7200 900 1209600 300\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n";
      for (const auto& l : ls) t += l + "\n";
      return t;
    };
    std::vector<std::string> edited = lines;
    int edits = 1 + pick(6);
    for (int e = 0; e < edits && !edited.empty(); ++e) {
      int at = pick(int(edited.size()));
      switch (pick(4)) {
        case 0:
          edited.erase(edited.begin() + at);
          break;
        case 1:
          edited.push_back(edited[size_t(at)]);
          edited.back()[1] = char('0' + pick(10));
          break;
        case 2:
          edited[size_t(at)] = replaced(edited[size_t(at)], " ", " 1");
          break;  // TTL change
        default:
          std::swap(edited[size_t(at)], edited.back());
          break;  // reorder only
      }
    }
    const std::string before = render(lines, 1), after = render(edited, 1 + pick(2));
    SCOPED_TRACE("round " + std::to_string(round) + "\nbefore:\n" + before + "after:\n" + after);
    auto d = diffAndCheck(before, after);

    // Reference: RRsets that differ between the two canonical exports.
    using Key = std::pair<std::string, uint16_t>;
    auto group = [](const std::vector<dns::ResourceRecord>& rrs) {
      std::map<Key, std::pair<uint32_t, std::vector<std::vector<uint8_t>>>> m;
      for (const auto& rr : rrs) {
        auto& s = m[{rr.owner.lowercased().toText(), rr.type}];
        s.first = rr.ttl;
        s.second.push_back(rr.rdata);
      }
      return m;
    };
    auto a = group(build(parse(before))->records());
    auto b = group(build(parse(after))->records());
    std::set<Key> want;
    for (const auto& [k, v] : b)
      if (!a.count(k) || a[k] != v) want.insert(k);
    for (const auto& [k, v] : a)
      if (!b.count(k)) want.insert(k);
    std::set<Key> got;
    for (const auto& r : d.replace)
      EXPECT_TRUE(got.emplace(r.owner.lowercased().toText(), r.type).second) << "twice: " << r.owner.toText();
    EXPECT_EQ(got, want);
  }
}

}  // namespace
}  // namespace zk::app
