// Zone build time, memory per record and apply() latency on the 1,000,000-record zone big.test.
// zk-bench-libs: zk_zone zk_dns
//
// The records have the shapes of /work/shared/bench/gen-big-zone.py (generated in code), or come
// from a zone file when ZK_BIG_ZONE=/tmp/big.zone is set (parsed with dns::parseZoneFile; parse
// time is reported separately and excluded from the build time).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "dns/types.h"
#include "dns/zonefile.h"
#include "zone/zone.h"

namespace {

using zk::dns::Name;
using zk::dns::ResourceRecord;
using zk::zone::Zone;
using zk::zone::ZonePtr;

double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

long rssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

const std::string kSuffix(
    "\x03"
    "big"
    "\x04"
    "test",
    9);  // + root label

Name owner(const std::string& label) {
  std::string w;
  w.push_back(char(label.size()));
  w += label;
  w += kSuffix;
  w.push_back('\0');
  return *Name::fromWire({reinterpret_cast<const uint8_t*>(w.data()), w.size()});
}

std::vector<uint8_t> nameRdata(const std::string& label, std::vector<uint8_t> prefix = {}) {
  Name n = owner(label);
  prefix.insert(prefix.end(), n.wire().begin(), n.wire().end());
  return prefix;
}

std::vector<uint8_t> aAddr(uint32_t i) {
  if (i < 131072) return {198, uint8_t(18 + (i >> 16)), uint8_t(i >> 8), uint8_t(i)};
  uint32_t j = i - 131072;
  return {100, uint8_t(64 + (j >> 16)), uint8_t(j >> 8), uint8_t(j)};
}

std::string pad(uint32_t v, int width) {
  std::string s = std::to_string(v);
  return std::string(size_t(std::max(0, width - int(s.size()))), '0') + s;
}

// Same contents as gen-big-zone.py with default counts.
std::vector<ResourceRecord> generate(double scale = 1.0) {
  namespace t = zk::dns::rrtype;
  const uint32_t na = uint32_t(699995 * scale), n6 = uint32_t(100000 * scale), nt = uint32_t(100000 * scale),
                 nc = uint32_t(50000 * scale), nm = uint32_t(50000 * scale);
  std::vector<ResourceRecord> v;
  v.reserve(5 + na + n6 + nt + nc + nm);
  Name apex = *Name::fromText("big.test.");
  std::vector<uint8_t> soa = nameRdata("ns1");
  auto hm = nameRdata("hostmaster");
  soa.insert(soa.end(), hm.begin(), hm.end());
  for (uint32_t x : {2024010101u, 7200u, 3600u, 1209600u, 300u})
    for (int s = 24; s >= 0; s -= 8) soa.push_back(uint8_t(x >> s));
  v.push_back({apex, t::kSOA, 1, 3600, soa});
  v.push_back({apex, t::kNS, 1, 3600, nameRdata("ns1")});
  v.push_back({apex, t::kNS, 1, 3600, nameRdata("ns2")});
  v.push_back({owner("ns1"), t::kA, 1, 3600, {198, 19, 255, 1}});
  v.push_back({owner("ns2"), t::kA, 1, 3600, {198, 19, 255, 2}});
  for (uint32_t i = 0; i < na; ++i) v.push_back({owner("h-" + pad(i, 7)), t::kA, 1, 3600, aAddr(i)});
  for (uint32_t i = 0; i < n6; ++i) {
    std::vector<uint8_t> a(16, 0);
    a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
    a[4] = uint8_t(i >> 24), a[5] = uint8_t(i >> 16), a[6] = uint8_t(i >> 8), a[7] = uint8_t(i), a[15] = 1;
    v.push_back({owner("v6-" + pad(i, 6)), t::kAAAA, 1, 3600, a});
  }
  static const std::string alpha = [] {
    std::string a;
    for (int k = 0; k < 4; ++k) a += "abcdefghijklmnopqrstuvwxyz0123456789";
    return a;
  }();
  for (uint32_t i = 0; i < nt; ++i) {
    uint32_t ln = 40 + (i * 37) % 81;
    std::string s = "k" + pad(i, 6) + "=" + alpha.substr(0, ln - 8);
    std::vector<uint8_t> rd = {uint8_t(s.size())};
    rd.insert(rd.end(), s.begin(), s.end());
    v.push_back({owner("t-" + pad(i, 6)), t::kTXT, 1, 3600, rd});
  }
  for (uint32_t i = 0; i < nc; ++i)
    v.push_back({owner("c-" + pad(i, 5)), t::kCNAME, 1, 3600,
                 nameRdata("h-" + pad(uint32_t((uint64_t(i) * 7919) % na), 7))});
  for (uint32_t i = 0; i < nm; ++i)
    v.push_back({owner("m-" + pad(i, 5)), t::kMX, 1, 3600,
                 nameRdata("h-" + pad(uint32_t((uint64_t(i) * 104729 + 1) % na), 7), {0, 10})});
  return v;
}

struct BigZone {
  ZonePtr zone;
  size_t records = 0;
  double build_s = 0, build_cpu_s = 0, parse_s = 0;
  long rss_zone_kib = 0, rss_peak_extra_kib = 0;
};

const BigZone& bigZone() {
  static BigZone z = [] {
    BigZone b;
    long rss0 = rssKiB();
    std::vector<ResourceRecord> recs;
    auto t0 = std::chrono::steady_clock::now();
    if (const char* path = std::getenv("ZK_BIG_ZONE")) {
      zk::dns::ZoneParseOptions opts;
      opts.origin = *Name::fromText("big.test.");
      auto r = zk::dns::parseZoneFile(path, opts);
      if (!r.ok()) {
        std::fprintf(stderr, "parse %s: %s\n", path, r.status().toString().c_str());
        std::exit(1);
      }
      recs = std::move(r).value();
    } else {
      recs = generate();
    }
    auto t1 = std::chrono::steady_clock::now();
    b.records = recs.size();
    long rss1 = rssKiB();
    double c1 = cpuSeconds();
    auto built = Zone::build(*Name::fromText("big.test."), std::move(recs));  // `recs` is freed inside
    auto t2 = std::chrono::steady_clock::now();
    b.build_cpu_s = cpuSeconds() - c1;
    // Give the freed input records' pages back (they sit below the zone in the heap); a server
    // does the same after loading (see src/zone/README.md).
    malloc_trim(0);
    if (!built.ok()) {
      std::fprintf(stderr, "build: %s\n", built.status().toString().c_str());
      std::exit(1);
    }
    b.zone = *built;
    b.parse_s = std::chrono::duration<double>(t1 - t0).count();
    b.build_s = std::chrono::duration<double>(t2 - t1).count();
    b.rss_zone_kib = rssKiB() - rss0;
    b.rss_peak_extra_kib = rss1 - rss0;
    std::fprintf(stderr,
                 "big.test.: %zu records, %zu names; %s %.3f s; build %.3f s wall, %.3f s CPU; zone RSS %.1f "
                 "MiB = %.0f bytes/record "
                 "(records vector was %.1f MiB); zone.memoryBytes %.1f MiB\n",
                 b.zone->recordCount(), b.zone->nameCount(),
                 std::getenv("ZK_BIG_ZONE") ? "parse" : "generate", b.parse_s, b.build_s, b.build_cpu_s,
                 b.rss_zone_kib / 1024.0, b.rss_zone_kib * 1024.0 / double(b.records),
                 b.rss_peak_extra_kib / 1024.0, double(b.zone->memoryBytes()) / (1 << 20));
    return b;
  }();
  return z;
}

// One-record change (the reload test of zone-load.sh): replace h-I's address.
void BM_ApplyReplaceOneRecord(benchmark::State& state) {
  const BigZone& big = bigZone();
  ZonePtr z = big.zone;
  uint32_t i = 0;
  std::vector<zk::zone::ZoneDelta> deltas(64);
  for (size_t k = 0; k < deltas.size(); ++k) {
    deltas[k].replace.push_back(
        {owner("h-" + pad(uint32_t(k * 7777), 7)), zk::dns::rrtype::kA, 3600, {{203, 0, 113, uint8_t(k)}}});
  }
  for (auto _ : state) {
    auto r = z->apply(deltas[i++ % deltas.size()]);
    benchmark::DoNotOptimize(r);
    z = *r;  // the previous snapshot is released here (as the publisher would)
  }
  state.counters["build_s"] = big.build_s;
  state.counters["build_cpu_s"] = big.build_cpu_s;
  state.counters["rss_MiB"] = double(big.rss_zone_kib) / 1024.0;
  state.counters["bytes_per_record"] = double(big.rss_zone_kib) * 1024.0 / double(big.records);
}
BENCHMARK(BM_ApplyReplaceOneRecord);

// Add a new name and remove it again (touches the apex's child count too).
void BM_ApplyAddNewName(benchmark::State& state) {
  ZonePtr z = bigZone().zone;
  zk::zone::ZoneDelta add, del;
  ResourceRecord rr{owner("fresh-name"), zk::dns::rrtype::kA, 1, 300, {192, 0, 2, 1}};
  add.add.push_back(rr);
  del.remove.push_back(rr);
  bool adding = true;
  for (auto _ : state) {
    auto r = z->apply(adding ? add : del);
    benchmark::DoNotOptimize(r);
    z = *r;
    adding = !adding;
  }
}
BENCHMARK(BM_ApplyAddNewName);

// Lookup of an existing name (hash trie probe) on the big zone.
void BM_FindBigZone(benchmark::State& state) {
  const ZonePtr& z = bigZone().zone;
  std::vector<zk::zone::LookupName> names(256);
  for (size_t k = 0; k < names.size(); ++k) names[k].assign(owner("h-" + pad(uint32_t(k * 2731), 7)));
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(z->find(names[i++ & 255]));
}
BENCHMARK(BM_FindBigZone);

}  // namespace

BENCHMARK_MAIN();
