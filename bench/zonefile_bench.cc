// Zone-file parsing speed on a generated zone shaped like shared/bench/gen-big-zone.py
// (70% A, 10% AAAA, 10% TXT, 5% CNAME, 5% MX; relative names). Reference: kzonecheck parses the
// 1M-record file in 0.68 s. Set ZK_BIG_ZONE=/path/to/file to parse a real file instead.
// zk-bench-libs: zk_dns
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "dns/zonefile.h"

namespace {

std::string generateZone(size_t records) {
  static const std::string kAlpha = [] {
    std::string a;
    for (int i = 0; i < 4; ++i) a += "abcdefghijklmnopqrstuvwxyz0123456789";
    return a;
  }();
  std::string z =
      "$ORIGIN big.test.\n$TTL 3600\n"
      "@ IN SOA ns1.big.test. hostmaster.big.test. 2024010101 7200 3600 1209600 300\n"
      "@ IN NS ns1\n@ IN NS ns2\nns1 IN A 198.19.255.1\nns2 IN A 198.19.255.2\n";
  const size_t bulk = records > 5 ? records - 5 : 0;
  const size_t na = bulk * 70 / 100, n6 = bulk / 10, ntxt = bulk / 10, ncname = bulk / 20;
  const size_t nmx = bulk - na - n6 - ntxt - ncname;
  z.reserve(records * 40);
  char buf[256];
  for (size_t i = 0; i < na; ++i) {
    std::snprintf(buf, sizeof(buf), "h-%07zu IN A 198.%zu.%zu.%zu\n", i, 18 + ((i >> 16) & 1),
                  (i >> 8) & 0xFF, i & 0xFF);
    z += buf;
  }
  for (size_t i = 0; i < n6; ++i) {
    std::snprintf(buf, sizeof(buf), "v6-%06zu IN AAAA 2001:db8:%zx:%zx::1\n", i, i >> 16, i & 0xFFFF);
    z += buf;
  }
  for (size_t i = 0; i < ntxt; ++i) {
    size_t len = 40 + (i * 37) % 81;
    std::snprintf(buf, sizeof(buf), "t-%06zu IN TXT \"k%06zu=%s\"\n", i, i,
                  kAlpha.substr(0, len - 8).c_str());
    z += buf;
  }
  for (size_t i = 0; i < ncname; ++i) {
    std::snprintf(buf, sizeof(buf), "c-%05zu IN CNAME h-%07zu\n", i, (i * 7919) % (na ? na : 1));
    z += buf;
  }
  for (size_t i = 0; i < nmx; ++i) {
    std::snprintf(buf, sizeof(buf), "m-%05zu IN MX 10 h-%07zu\n", i, (i * 104729 + 1) % (na ? na : 1));
    z += buf;
  }
  return z;
}

std::string loadZone(size_t records) {
  if (const char* path = std::getenv("ZK_BIG_ZONE")) {
    std::string data;
    if (std::FILE* f = std::fopen(path, "rb")) {
      char buf[1 << 16];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) data.append(buf, n);
      std::fclose(f);
      return data;
    }
  }
  return generateZone(records);
}

void BM_ParseZone(benchmark::State& state) {
  const std::string text = loadZone(size_t(state.range(0)));
  zk::dns::ZoneParseOptions options;
  options.file_name = "big.zone";
  size_t records = 0;
  for (auto _ : state) {
    auto r = zk::dns::parseZoneText(text, options);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    records = r->size();
    benchmark::DoNotOptimize(r->data());
  }
  state.counters["records"] = double(records);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(records));
}
BENCHMARK(BM_ParseZone)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
