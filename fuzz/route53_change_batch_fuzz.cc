// Fuzz target for the Route 53 input rules: names, record values and whole change batches.
// zk-fuzz-libs: zk_route53 zk_aws zk_zone zk_dns zk_base
//
// Input: first byte selects the parser. 'N': rest is a Route 53 DNS name. 'V': second byte picks a
// record type, rest is a ResourceRecord Value. Anything else: the whole input is a
// ChangeResourceRecordSets XML body, decoded by the rest-xml codec, then checked as a change batch
// for zone example.com. Invariants: a parsed name prints and re-parses to the same name; every write
// of an accepted batch is inside the zone and its values render to DNS records.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "aws/rest_xml.h"
#include "dns/types.h"
#include "services/route53/records.h"
#include "services/route53/validation.h"

namespace {

const zk::aws::ServiceModel& model() {
  static const std::shared_ptr<const zk::aws::ServiceModel> m =
      *zk::aws::ServiceModel::loadEmbedded("route53");
  return *m;
}

constexpr uint16_t kTypes[] = {zk::dns::rrtype::kA,    zk::dns::rrtype::kAAAA,  zk::dns::rrtype::kTXT,
                               zk::dns::rrtype::kSPF,  zk::dns::rrtype::kCNAME, zk::dns::rrtype::kNS,
                               zk::dns::rrtype::kMX,   zk::dns::rrtype::kSRV,   zk::dns::rrtype::kCAA,
                               zk::dns::rrtype::kSOA,  zk::dns::rrtype::kPTR,   zk::dns::rrtype::kNAPTR,
                               zk::dns::rrtype::kDS,   zk::dns::rrtype::kTLSA,  zk::dns::rrtype::kSSHFP,
                               zk::dns::rrtype::kSVCB, zk::dns::rrtype::kHTTPS};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!in.empty() && in[0] == 'N') {
    auto n = zk::route53::parseRoute53Name(in.substr(1));
    if (n.ok()) {
      auto again = zk::route53::parseRoute53Name(zk::route53::route53NameText(*n));
      if (!again.ok() || !(*again == *n)) __builtin_trap();
    }
    return 0;
  }
  if (in.size() >= 2 && in[0] == 'V') {
    uint16_t type = kTypes[static_cast<uint8_t>(in[1]) % (sizeof(kTypes) / sizeof(kTypes[0]))];
    std::string_view value = in.substr(2);
    if (zk::route53::validateRecordValue(type, value).isOk()) {
      zk::route53::RecordSet rs;
      rs.name = *zk::dns::Name::fromText("x.example.com.");
      rs.type = type;
      rs.values = {std::string(value)};
      if (!zk::route53::toResourceRecords(rs).ok()) __builtin_trap();  // accepted values must be servable
    }
    return 0;
  }
  zk::aws::HeaderLookup no_headers = [](std::string_view) { return std::optional<std::string_view>(); };
  auto req = zk::aws::parseRestXmlRequest(model(), "POST", "/2013-04-01/hostedzone/ZFUZZ/rrset/", "",
                                          no_headers, in);
  if (!req.ok() || req->operation != "ChangeResourceRecordSets") return 0;
  static const zk::dns::Name apex = *zk::dns::Name::fromText("example.com.");
  auto batch = zk::route53::parseChangeBatch(req->input.at("ChangeBatch"), apex, {});
  if (!batch.ok() || !batch->messages.empty()) return 0;
  for (const auto& w : batch->writes) {
    if (!w.record_set.name.isSubdomainOf(apex)) __builtin_trap();
    if (!zk::route53::toResourceRecords(w.record_set).ok()) __builtin_trap();
    (void)zk::route53::recordSetToJson(w.record_set);
  }
  return 0;
}
