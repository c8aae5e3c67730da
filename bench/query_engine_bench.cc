// QueryEngine::answer() per query kind on the bench.test. zone of /work/shared/bench/gen-zone.py.
// zk-bench-libs: zk_authdns zk_zone zk_dns
//
// The zone text is generated here exactly like gen-zone.py (or read from ZK_BENCH_ZONE=path) and
// parsed with dns::parseZoneText. Each benchmark answers one prepared query per iteration into a
// 4096-byte UDP buffer, rotating over 1024 query names of its kind; "Mix" follows gen-queries.py.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "authdns/query_engine.h"
#include "dns/message.h"
#include "dns/zonefile.h"

namespace {

using zk::authdns::QueryContext;
using zk::authdns::QueryEngine;
using zk::authdns::Transport;

std::string aAddr(int i) {
  return "198." + std::to_string(18 + (i >> 16)) + "." + std::to_string((i >> 8) & 0xFF) + "." +
         std::to_string(i & 0xFF);
}

std::string fmt(const char* f, int v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

// gen-zone.py, line for line.
std::string benchZoneText() {
  const int kA = 10000, kAAAA = 1000, kTxt = 1000, kCname = 500, kMx = 100, kBig = 20;
  std::string w = "$ORIGIN bench.test.\n$TTL 3600\n";
  w += "@ IN SOA ns1.bench.test. hostmaster.bench.test. 2024010101 7200 3600 1209600 300\n";
  w += "@ IN NS ns1\n@ IN NS ns2\n@ IN A 198.18.255.254\n@ IN AAAA 2001:db8:ffff::1\n";
  w += "@ IN MX 10 mail1\n@ IN MX 20 mail2\n@ IN TXT \"v=spf1 mx -all\"\n";
  w += "ns1 IN A 198.18.255.1\nns1 IN AAAA 2001:db8:ffff::53\nns2 IN A 198.18.255.2\nns2 IN AAAA "
       "2001:db8:ffff::54\n";
  w += "mail1 IN A 198.18.255.10\nmail2 IN A 198.18.255.11\n";
  for (int i = 0; i < kA; ++i) w += (fmt("host%05d", i)) + " IN A " + aAddr(i) + "\n";
  for (int i = 0; i < kAAAA; ++i) {
    char b[96];
    std::snprintf(b, sizeof(b), "v6-%04d IN AAAA 2001:db8:%x::%x\n", i, i >> 8, (i & 0xFF) ? (i & 0xFF) : 1);
    w += b;
  }
  const std::string alpha = [] {
    std::string a;
    for (int k = 0; k < 4; ++k) a += "abcdefghijklmnopqrstuvwxyz0123456789";
    return a;
  }();
  for (int i = 0; i < kTxt; ++i) {
    int n = 40 + (i * 37) % 81;
    w += (fmt("txt-%04d", i)) + " IN TXT \"" + fmt("k%04d=", i) + alpha.substr(0, size_t(n - 6)) + "\"\n";
  }
  for (int i = 0; i < kCname; ++i)
    w += (fmt("alias-%04d", i)) + " IN CNAME " + fmt("host%05d", (i * 7919) % kA) + "\n";
  for (int i = 0; i < kMx; ++i) {
    std::string o = fmt("mx-%03d", i);
    w += o + " IN MX 10 " + fmt("host%05d", (i * 2 + 1) % kA) + "\n";
    w += o + " IN MX 20 " + fmt("host%05d", (i * 2 + 2) % kA) + "\n";
  }
  const std::string hex = [] {
    std::string h;
    for (int k = 0; k < 13; ++k) h += "0123456789ABCDEF";
    return h.substr(0, 190);
  }();
  for (int i = 0; i < kBig; ++i)
    for (int j = 0; j < 24; ++j) {
      char b[32];
      std::snprintf(b, sizeof(b), "big%02d-%02d-", i, j);
      w += (fmt("big-%02d", i)) + " IN TXT \"" + b + hex + "\"\n";
    }
  w += "*.wild IN A 198.18.254.1\n*.wild IN TXT \"wildcard synthesized\"\n";
  return w;
}

const zk::zone::ZoneSet& zones() {
  static zk::zone::ZoneSetPtr set = [] {
    std::string text;
    if (const char* path = std::getenv("ZK_BENCH_ZONE")) {
      std::ifstream f(path);
      std::stringstream ss;
      ss << f.rdbuf();
      text = ss.str();
    } else {
      text = benchZoneText();
    }
    zk::dns::ZoneParseOptions opts;
    opts.origin = *zk::dns::Name::fromText("bench.test.");
    auto recs = zk::dns::parseZoneText(text, opts);
    if (!recs.ok()) {
      std::fprintf(stderr, "zone: %s\n", recs.status().toString().c_str());
      std::exit(1);
    }
    auto z = zk::zone::Zone::build(*opts.origin, std::move(recs).value());
    if (!z.ok()) {
      std::fprintf(stderr, "zone: %s\n", z.status().toString().c_str());
      std::exit(1);
    }
    return zk::zone::ZoneSet::empty()->with(*z);
  }();
  return *set;
}

std::vector<uint8_t> query(const std::string& name, uint16_t type, bool edns) {
  zk::dns::Message m;
  m.id = 0x1234;
  m.rd = true;
  m.questions.push_back({*zk::dns::Name::fromText(name), type, 1});
  if (edns) m.edns = zk::dns::Edns{1232, 0, false};
  return zk::dns::writeMessage(m, 65535, false);
}

std::string randLabel(std::mt19937& r) {
  static const char* cs = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 10; ++i) s.push_back(cs[r() % 36]);
  return s;
}

// gen-queries.py kinds.
std::vector<uint8_t> make(const std::string& kind, std::mt19937& r, bool edns) {
  namespace t = zk::dns::rrtype;
  if (kind == "a") return query((fmt("host%05d", int(r() % 10000))) + ".bench.test.", t::kA, edns);
  if (kind == "aaaa") return query((fmt("v6-%04d", int(r() % 1000))) + ".bench.test.", t::kAAAA, edns);
  if (kind == "txt") return query((fmt("txt-%04d", int(r() % 1000))) + ".bench.test.", t::kTXT, edns);
  if (kind == "cname") return query((fmt("alias-%04d", int(r() % 500))) + ".bench.test.", t::kA, edns);
  if (kind == "mx") return query((fmt("mx-%03d", int(r() % 100))) + ".bench.test.", t::kMX, edns);
  if (kind == "wild") return query(randLabel(r) + ".wild.bench.test.", r() % 4 == 3 ? t::kTXT : t::kA, edns);
  if (kind == "nx") return query("nx-" + randLabel(r) + ".bench.test.", t::kA, edns);
  return query((fmt("big-%02d", int(r() % 20))) + ".bench.test.", t::kTXT, edns);  // "big"
}

void run(benchmark::State& state, const std::vector<std::vector<uint8_t>>& qs) {
  const auto& z = zones();
  QueryEngine engine;
  std::vector<uint8_t> out(4096);
  QueryContext ctx{Transport::kUdp, false};
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    size_t n = engine.answer(z, qs[i++ & (qs.size() - 1)], out, ctx);
    benchmark::DoNotOptimize(n);
    bytes += n;
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.counters["resp_bytes"] = double(bytes) / double(state.iterations());
}

void BM_Kind(benchmark::State& state, std::string kind, bool edns) {
  std::mt19937 r(42);
  std::vector<std::vector<uint8_t>> qs;
  for (int k = 0; k < 1024; ++k) qs.push_back(make(kind, r, edns));
  run(state, qs);
}

void BM_Mix(benchmark::State& state) {  // gen-queries.py default mix
  std::mt19937 r(42);
  const std::vector<std::pair<std::string, int>> mix = {{"a", 50}, {"aaaa", 10}, {"txt", 7}, {"cname", 8},
                                                        {"mx", 5}, {"wild", 8},  {"nx", 10}, {"big", 2}};
  std::vector<std::vector<uint8_t>> qs;
  for (int k = 0; k < 4096; ++k) {
    int p = int(r() % 100), acc = 0;
    for (const auto& [kind, pct] : mix) {
      acc += pct;
      if (p < acc) {
        qs.push_back(make(kind, r, false));
        break;
      }
    }
  }
  run(state, qs);
}

BENCHMARK_CAPTURE(BM_Kind, A_hit, std::string("a"), false);
BENCHMARK_CAPTURE(BM_Kind, A_hit_edns, std::string("a"), true);
BENCHMARK_CAPTURE(BM_Kind, AAAA_hit, std::string("aaaa"), false);
BENCHMARK_CAPTURE(BM_Kind, TXT_hit, std::string("txt"), false);
BENCHMARK_CAPTURE(BM_Kind, NXDOMAIN, std::string("nx"), false);
BENCHMARK_CAPTURE(BM_Kind, CNAME_chase, std::string("cname"), false);
BENCHMARK_CAPTURE(BM_Kind, MX_additional, std::string("mx"), false);
BENCHMARK_CAPTURE(BM_Kind, Wildcard, std::string("wild"), false);
BENCHMARK_CAPTURE(BM_Kind, BigTXT_truncated, std::string("big"), true);
BENCHMARK(BM_Mix);

}  // namespace

BENCHMARK_MAIN();
